/**
 * `npx tsx bench/route-cpu.ts [--root <tree>]... [--requests N] [--rounds N]`:
 * the CPU the ingest route's own work costs in workerd per 20-message batch
 * of the bench's messages, with none of the runtime's per-request work:
 * JSON.parse of the body, each message prepared (structural checks,
 * validation, enrichment) and the accepted ones serialised for the shard.
 * Each `--root` (a checkout of this repository, default this one) is
 * bundled into a Worker that runs the work N times per call; the CPU is the
 * workerd process's own counter (bench/lib/workerd-cpu.ts), so other load
 * on the machine changes it far less than wall time. Several roots are
 * measured in turn, round after round (old and new alternated); the lowest
 * and the median round are printed.
 */
import { execSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { option } from './lib/option';
import { cpuMs } from './lib/workerd-cpu';

const here = path.resolve(import.meta.dirname, '..');
const roots = process.argv.flatMap((arg, i) => (process.argv[i - 1] === '--root' ? [path.resolve(arg)] : []));
if (roots.length === 0) roots.push(here);
const requests = Number(option('requests', '3000'));
const rounds = Number(option('rounds', '5'));

/** The route's work on one body, as ingest-routes.ts does it (the plain-text check where the tree has it). */
const workerSource = (root: string) => `
import { benchBatch } from '${root}/bench/lib/messages';
import * as inspect from '${root}/collector/src/ingest/inspect-json';
import { prepareMessage } from '${root}/collector/src/ingest/prepare-message';
import { toChunks } from '${root}/collector/src/storage/pending-rows';
import { ownerKeys } from '${root}/collector/src/storage/pending-view';

const texts = Array.from({ length: 200 }, (_, i) => benchBatch('demo-write-key', i % 16, i, 20));
const receivedAtMs = Date.now();
function route(text) {
  const body = JSON.parse(text);
  const facts = {
    receivedAtMs, receivedAt: new Date(receivedAtMs).toISOString(), geo: { country: 'DE', region: 'BE' },
    browserUserAgent: undefined, sentAt: body.sentAt, context: undefined, requireConsent: false,
    writeKey: 'demo-write-key', bodyWriteKey: body.writeKey, pathType: undefined, requestBytes: text.length * 3,
    plainText: inspect.plainJsonText ? inspect.plainJsonText(text) : undefined,
  };
  const items = [];
  const owners = new Set();
  for (const raw of body.batch) {
    const prepared = prepareMessage(raw, facts);
    if (prepared.outcome !== 'accepted') throw new Error(prepared.reason);
    for (const owner of ownerKeys(prepared.message)) owners.add(owner);
    items.push({ kind: 'event', message: prepared.message });
  }
  return toChunks(items);
}
export default {
  async fetch(request) {
    const n = Number(new URL(request.url).searchParams.get('n'));
    for (let i = 0; i < n; i++) route(texts[i % texts.length]);
    return new Response('ok');
  },
};
`;

const dir = await mkdtemp(path.join(os.tmpdir(), 'trailmark-route-cpu-'));
try {
  // One after another: each Miniflare starts its own workerd, found as the newest child.
  const workers: { root: string; mf: Miniflare; pid: number; us: number[] }[] = [];
  for (const [i, root] of roots.entries()) {
    const entry = path.join(dir, `entry-${i}.js`);
    await writeFile(entry, workerSource(root));
    const out = path.join(dir, `worker-${i}.js`);
    await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      outfile: out,
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['workerd', 'worker', 'import'],
      absWorkingDir: root,
      logLevel: 'error',
    });
    const mf = new Miniflare({ modules: true, scriptPath: out, modulesRoot: dir, compatibilityDate: '2026-04-01', compatibilityFlags: ['nodejs_compat'] });
    await mf.dispatchFetch('http://route/?n=500'); // warm-up, and the process exists
    workers.push({ root, mf, pid: Number(execSync(`pgrep -n -P ${process.pid} workerd`).toString().trim()), us: [] });
  }
  for (let round = 0; round < rounds; round++) {
    for (const worker of workers) {
      const [before] = cpuMs([worker.pid]);
      await (await worker.mf.dispatchFetch(`http://route/?n=${requests}`)).text();
      const [after] = cpuMs([worker.pid]);
      worker.us.push(((after! - before!) * 1000) / requests);
    }
  }
  for (const { root, us } of workers) {
    const sorted = [...us].sort((a, b) => a - b);
    console.log(
      `${root}: ${sorted[0]!.toFixed(0)} µs lowest, ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} µs median CPU per 20-message batch (${rounds} rounds of ${requests})`,
    );
  }
  await Promise.all(workers.map((w) => w.mf.dispose()));
} finally {
  await rm(dir, { recursive: true, force: true });
}
