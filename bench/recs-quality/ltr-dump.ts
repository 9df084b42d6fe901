/**
 * ltr-extract.ts's JSON files as CSV (ltr-csv.ts), for fitting tree
 * ensembles and blends outside this process.
 *
 *   npx tsx bench/recs-quality/ltr-dump.ts --dir /tmp/ltr2 --pool 50 validation fit-1 …
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { csvWriter } from './ltr-csv';
import type { Query } from './ltr-extract';

const argument = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dir = argument('dir') ?? '/tmp/ltr';
const pool = Number(argument('pool') ?? 50);
const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));

for (const name of names) {
  const queries: Query[] = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
  const csv = csvWriter(dir, name, pool);
  for (const q of queries) csv.add(q);
  csv.close();
  console.error(`${name}: ${queries.length} pairs`);
}
