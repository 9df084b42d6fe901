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
import type { Dataset } from './recommender';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const DIGINETICA_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data', 'diginetica');

const FILES = { train: 'train_sessions.txt', test: 'test_sessions.txt' } as const;

export type Loaded = { dataset: Dataset } | { skipped: string };

export async function loadDiginetica(dir = DIGINETICA_DIR): Promise<Loaded> {
  const trainFile = path.join(dir, FILES.train);
  const testFile = path.join(dir, FILES.test);
  const missing = [trainFile, testFile].filter((f) => !existsSync(f));
  if (missing.length > 0) {
    return { skipped: `Diginetica data not found (${missing.map((f) => path.relative(process.cwd(), f)).join(', ')}); put ${FILES.train} and ${FILES.test} in ${dir} to include it.` };
  }
  const [train, test] = await Promise.all([readSessions(trainFile), readSessions(testFile)]);
  return { dataset: { name: 'Diginetica', train, test, source: dir } };
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
