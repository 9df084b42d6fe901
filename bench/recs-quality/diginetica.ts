/**
 * The Diginetica sessions (CIKM Cup 2016, SR-GNN preprocessing), read from
 * ../shared/data/diginetica/ next to the repository. The data is never copied
 * into the repository (see its README); when it is absent the benchmark skips
 * it and says why.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset, SessionMeta } from './recommender';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `../shared/data/diginetica` next to the repository; a checkout in a deeper
 * directory (a git worktree) finds it next to the nearest parent that has it.
 * `DIGINETICA_DIR` overrides both.
 */
export const DIGINETICA_DIR = process.env.DIGINETICA_DIR ?? nearestShared(path.resolve(REPO_ROOT, '..'));

function nearestShared(from: string): string {
  const first = path.join(from, 'shared', 'data', 'diginetica');
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'data', 'diginetica');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return first;
  }
}

const FILES = { train: 'train_sessions.txt', test: 'test_sessions.txt' } as const;

export type Loaded = { dataset: Dataset } | { skipped: string };

export async function loadDiginetica(dir = DIGINETICA_DIR): Promise<Loaded> {
  const trainFile = path.join(dir, FILES.train);
  const testFile = path.join(dir, FILES.test);
  const missing = [trainFile, testFile].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    return {
      skipped: `Diginetica data not found (${missing.map((f) => path.relative(process.cwd(), f)).join(', ')}); put ${FILES.train} and ${FILES.test} in ${dir} to include it.`,
    };
  }
  const [train, test] = await Promise.all([readSessions(trainFile), readSessions(testFile)]);
  return {
    dataset: {
      name: 'Diginetica',
      train,
      test,
      trainMeta: evenlySpread(train.length, SPLIT_START, DIGINETICA_DAYS.train),
      testMeta: evenlySpread(test.length, SPLIT_START + DIGINETICA_DAYS.train * DAY_MS, DIGINETICA_DAYS.test),
      source: dir,
    },
  };
}

const DAY_MS = 86_400_000;
/** The split's first day. */
const SPLIT_START = Date.UTC(2016, 0, 1);
/**
 * The preprocessing dropped the timestamps but kept the order. Training covers
 * the 146 days from 1 January 2016 and the test the 7 days after it, so the
 * sessions are given an even clock over those days: the last 1/146 of the
 * training sessions is its last day, and methods that weigh recency (STAN,
 * popularity decay) see days, not positions.
 */
export const DIGINETICA_DAYS = { train: 146, test: 7 } as const;

export function evenlySpread(count: number, startMs: number, days: number): SessionMeta[] {
  return Array.from({ length: count }, (_, i) => ({ at: Math.round(startMs + (i / count) * days * DAY_MS) }));
}

/** One session per line, item ids separated by whitespace; blank lines skipped. */
export async function readSessions(file: string): Promise<string[][]> {
  return parseSessions(await readFile(file, 'utf8'));
}

export function parseSessions(text: string): string[][] {
  const sessions: string[][] = [];
  for (const line of text.split('\n')) {
    const items = line.trim().split(/\s+/).filter(Boolean);
    if (items.length > 0) sessions.push(items);
  }
  return sessions;
}
