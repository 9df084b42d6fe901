/**
 * The statements that read a period's visits (the overview, every
 * breakdown, with and without filters) find them in one range of
 * stats_sessions_by_start, which holds every column they read (migration
 * 0050): a visit looked up in the table one by one is what made the 30-day
 * panels slow at a million events. A new dimension or figure read from the
 * visits belongs in that index; this says so when it is missing.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { StatsDimension, StatsFilters } from '@trailmark/schema';
import { breakdownStats } from '../src/stats/breakdown';
import { statsContext } from '../src/stats/context';
import { funnelStats } from '../src/stats/funnel';
import { overviewStats } from '../src/stats/overview';
import { funnelStepPeople } from '../src/stats/people';
import { DEFAULT_FUNNEL } from '../src/stats/query';
import { recordingD1 } from './support/recording-d1';

const DAY = 86_400_000;
const DIMENSIONS: StatsDimension[] = ['country', 'region', 'device', 'source', 'medium', 'campaign', 'landing', 'visitor', 'variant'];

async function plansOfVisitStatements(run: (db: D1Database) => Promise<unknown>): Promise<string[][]> {
  return plansOf(run, (sql) => /FROM stats_sessions s\b/.test(sql));
}

async function plansOf(run: (db: D1Database) => Promise<unknown>, which: (sql: string) => boolean): Promise<string[][]> {
  const statements: { sql: string; values: unknown[] }[] = [];
  await run(recordingD1(statements));
  const chosen = statements.filter((s) => which(s.sql));
  expect(chosen.length).toBeGreaterThan(0);
  const plans: string[][] = [];
  for (const s of chosen) {
    const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${s.sql}`)
      .bind(...s.values)
      .all<{ detail: string }>();
    plans.push(results.map((r) => r.detail));
  }
  return plans;
}

function expectOneRangeOfTheIndex(plans: string[][]) {
  for (const plan of plans) {
    const visitsRead = plan.filter((line) => /^(SEARCH|SCAN) s\b/.test(line));
    expect(visitsRead, plan.join('\n')).toEqual([
      expect.stringMatching(/^SEARCH s USING COVERING INDEX stats_sessions_by_start \(write_key=\? AND started_ms>\? AND started_ms<\?\)/),
    ]);
  }
}

describe('statistics query plans', () => {
  const now = Date.now();
  const ctx = (db: D1Database, filters: StatsFilters) => statsContext(db, 'plans-site', 'USD', { fromMs: now - 30 * DAY, toMs: now }, filters);
  const filterSets: StatsFilters[] = [
    {},
    { device: 'mobile' },
    { visitor: 'new' },
    { source: 'google', campaign: 'spring', variant: 'treatment', landing: '/' },
  ];

  it('reads the visits of a period for the overview from the covering index alone', async () => {
    for (const filters of filterSets) expectOneRangeOfTheIndex(await plansOfVisitStatements((db) => overviewStats(ctx(db, filters))));
  });

  it('reads the visits of a period for every breakdown from the covering index alone', async () => {
    for (const by of DIMENSIONS) {
      for (const filters of filterSets) expectOneRangeOfTheIndex(await plansOfVisitStatements((db) => breakdownStats(ctx(db, filters), by)));
    }
  });

  it('reads the default funnel from one range of the kept walks, and steps of single people only', async () => {
    const spec = { steps: [...DEFAULT_FUNNEL], windowMs: DAY };
    const runs: ((db: D1Database) => Promise<unknown>)[] = [];
    for (const filters of [{}, { device: 'mobile' }, { visitor: 'new' as const }]) {
      for (const by of [undefined, 'device', 'source'] as const) runs.push((db) => funnelStats(ctx(db, filters), spec, by));
      runs.push((db) => funnelStepPeople(ctx(db, filters), spec, 2, 'dropped', { limit: 100 }));
    }
    for (const run of runs) {
      const plans = await plansOf(run, (sql) => sql.includes('stats_funnel_days'));
      for (const plan of plans) {
        const text = plan.join('\n');
        // The period: one range of days of the kept rows.
        expect(plan, text).toContainEqual(expect.stringMatching(/^SEARCH d USING PRIMARY KEY \(write_key=\? AND day>\? AND day<\?\)/));
        // No table read whole: stats_person_steps and stats_funnel_days by person, the visits by key.
        expect(
          plan.filter((line) => /^SCAN (d|c|n|s|x|ps)$/.test(line)),
          text,
        ).toEqual([]);
        for (const line of plan.filter((l) => /^SEARCH (c|n|s|x) /.test(l))) {
          expect(line, text).toMatch(/USING PRIMARY KEY \(write_key=\? AND (day=\? AND profile_id=\?|day=\?\)|profile_id=\?|session_key=\?\))/);
        }
        // Not the walk: no grouping of every step-1 row of the period by person.
        expect(text).not.toMatch(/stats_person_steps_by_step/);
      }
    }
  });
});
