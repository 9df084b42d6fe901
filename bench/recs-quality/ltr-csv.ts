/**
 * Candidate features as CSV, for fitting tree ensembles and blends outside
 * this process: each pair's first `pool` candidates in the hand-set blend's
 * order, one row each, with the pair's id and whether it is the next product;
 * and per pair, where the next product would fall below the pool (the rest of
 * the candidates, then the popularity fallback).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Candidate, Query } from './ltr-extract';

export const handSetScore = (c: Candidate) => c.nb * 1 + c.cv * 0.1 + c.hop * 0.2 + c.rv * 0.35;

const COLUMNS = 'qid,label,n,len,nb,nbRank,cv,cvRank,hop,hopRank,rv,pos,views,pop,blend,blendRank,cvLast,cvLastRank,seedLinks,trend';

export function csvWriter(dir: string, name: string, pool: number): { add(q: Query): void; close(): void } {
  const rows = openSync(path.join(dir, `${name}.csv`), 'w');
  const groups = openSync(path.join(dir, `${name}.groups.csv`), 'w');
  writeSync(rows, `${COLUMNS}\n`);
  writeSync(groups, 'qid,poolSize,afterPos\n');
  let qid = 0;
  return {
    add(q) {
      const ordered = [...q.cands].sort((a, b) => handSetScore(b) - handSetScore(a) || (a.id < b.id ? -1 : 1));
      const inPool = ordered.slice(0, pool);
      let out = '';
      inPool.forEach((c, i) => {
        const values = [
          qid,
          c.id === q.target ? 1 : 0,
          q.n,
          q.len,
          c.nb,
          c.nbRank,
          c.cv,
          c.cvRank,
          c.hop,
          c.hopRank,
          c.rv,
          c.pos,
          c.views,
          c.pop,
          handSetScore(c),
          i + 1,
          c.cvLast,
          c.cvLastRank,
          c.seedLinks,
          c.trend,
        ];
        out += values.map((v) => (Number.isInteger(v) ? String(v) : v.toPrecision(6))).join(',') + '\n';
      });
      writeSync(rows, out);
      const after = [...ordered.slice(pool).map((c) => c.id), ...q.fallback];
      writeSync(groups, `${qid},${inPool.length},${after.indexOf(q.target)}\n`);
      qid++;
    },
    close() {
      closeSync(rows);
      closeSync(groups);
    },
  };
}
