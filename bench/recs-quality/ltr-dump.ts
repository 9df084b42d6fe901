/**
 * The candidate features of ltr-extract.ts as CSV, for fitting tree
 * ensembles outside this process: each pair's first `pool` candidates in the
 * hand-set blend's order, one row each, with the pair's id and whether it is
 * the next product; and per pair, where the next product would fall below
 * the pool (the rest of the candidates, then the popularity fallback).
 *
 *   npx tsx bench/recs-quality/ltr-dump.ts --dir /tmp/ltr --pool 50 validation fit-1 …
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Candidate, Query } from './ltr-extract';

const argument = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const dir = argument('dir') ?? '/tmp/ltr';
const pool = Number(argument('pool') ?? 50);
const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));

export const handSetScore = (c: Candidate) => c.nb * 1 + c.cv * 0.1 + c.hop * 0.2 + c.rv * 0.35;

for (const name of names) {
  const queries: Query[] = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8'));
  const rows = ['qid,label,n,len,nb,nbRank,cv,cvRank,hop,hopRank,rv,pos,views,pop,blend,blendRank,cvLast,cvLastRank,seedLinks,trend'];
  const groups = ['qid,poolSize,afterPos'];
  queries.forEach((q, qid) => {
    const ordered = [...q.cands].sort((a, b) => handSetScore(b) - handSetScore(a) || (a.id < b.id ? -1 : 1));
    const inPool = ordered.slice(0, pool);
    inPool.forEach((c, i) =>
      rows.push(
        [qid, c.id === q.target ? 1 : 0, q.n, q.len, c.nb, c.nbRank, c.cv, c.cvRank, c.hop, c.hopRank, c.rv, c.pos, c.views, c.pop, handSetScore(c), i + 1, c.cvLast, c.cvLastRank, c.seedLinks, c.trend]
          .map((v) => (typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(6) : v))
          .join(','),
      ),
    );
    const after = [...ordered.slice(pool).map((c) => c.id), ...q.fallback];
    groups.push(`${qid},${inPool.length},${after.indexOf(q.target)}`);
  });
  writeFileSync(path.join(dir, `${name}.csv`), rows.join('\n') + '\n');
  writeFileSync(path.join(dir, `${name}.groups.csv`), groups.join('\n') + '\n');
  console.error(`${name}: ${queries.length} pairs, ${rows.length - 1} rows`);
}
