/**
 * Campaign figures through the assignment store (collector/src/campaigns/
 * simulated-campaign.ts): a campaign with a planted effect, measured; the
 * share of campaigns whose 95% interval holds the planted lift; and how
 * often an A/A campaign (no effect) is called significant.
 *
 *   npx tsx bench/campaigns.ts [--runs 200]
 */
import { simulateCampaign } from '../collector/src/campaigns/simulated-campaign';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 200;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const pts = (x: number) => `${(x * 100).toFixed(2)} points`;
const interval = (ci: [number, number] | null) => (ci ? `${pts(ci[0])} to ${pts(ci[1])}` : 'none');

const one = await simulateCampaign({ members: 4000, baseRate: 0.1, lift: 0.04, orderValue: 60, seed: 1 });
const r = one.report;
console.log('One campaign, 4,000 members, 50/50, 10% → 14% planted (true lift 4.00 points):');
console.log(
  `  treatment ${r.groups.treatment.converted}/${r.groups.treatment.members} = ${pct(r.groups.treatment.conversionRate!)}, control ${r.groups.control.converted}/${r.groups.control.members} = ${pct(r.groups.control.conversionRate!)}`,
);
console.log(
  `  measured lift ${pts(r.lift.conversionRate.absolute!)}, 95% interval ${interval(r.lift.conversionRate.ci95)}, p = ${r.lift.conversionRate.pValue!.toPrecision(2)}`,
);
console.log(`  always-valid interval ${interval(r.sequential.conversionRate.ci95)}`);
console.log(
  `  revenue per member ${r.lift.revenuePerMember.absolute!.toFixed(2)} USD (95% ${r.lift.revenuePerMember.ci95!.map((x) => x.toFixed(2)).join(' to ')}); CUPED variance reduction ${pct(r.cuped.revenuePerMember.varianceReduction!)}`,
);
console.log(
  `  counted from the generated events: treatment ${one.counted.treatment}, control ${one.counted.control} (report equals: ${one.counted.treatment === r.groups.treatment.converted && one.counted.control === r.groups.control.converted})`,
);
console.log(`  verdict: ${r.verdict.conversionRate.text}`);

let covered = 0;
let aaFixed = 0;
let aaSequential = 0;
for (let seed = 1000; seed < 1000 + runs; seed++) {
  const { report, trueLift } = await simulateCampaign({ members: 400, baseRate: 0.12, lift: 0.03, orderValue: 40, seed });
  const [low, high] = report.lift.conversionRate.ci95!;
  if (low <= trueLift && trueLift <= high) covered++;
  const aa = (await simulateCampaign({ members: 400, baseRate: 0.12, lift: 0, orderValue: 40, seed: seed + 500_000 })).report;
  if (aa.lift.conversionRate.pValue! < 0.05) aaFixed++;
  const [sLow, sHigh] = aa.sequential.conversionRate.ci95!;
  if (sLow > 0 || sHigh < 0) aaSequential++;
}
console.log(`\n${runs} campaigns of 400 members, 12% → 15%: 95% interval holds the planted lift in ${pct(covered / runs)}`);
console.log(
  `${runs} A/A campaigns of 400 (no effect), read once: called significant ${pct(aaFixed / runs)} (fixed test), ${pct(aaSequential / runs)} (always-valid interval)`,
);
