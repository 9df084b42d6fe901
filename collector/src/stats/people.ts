/**
 * Lists of people behind a figure: who reached (or dropped out after) a
 * funnel step, who is in a lifecycle stage now. Each person carries the
 * fields of an audience member (profileId, userId, every anonymousId…), so
 * a list can be exported as CSV now and opened as an audience later; the
 * `definition` of a list says what it is, as data.
 */
import type { LifecycleStage, LifecycleThresholds, PeopleList, PeopleListDefinition, PersonRow } from '@trailmark/schema';
import { num, rowsOf, statement, text, type Row, type StatsContext } from './context';
import { funnelChain, reached, type FunnelSpec } from './funnel';
import { stageBand } from './lifecycle-bands';
import { DAY_MS, toPeriod } from './query';
import { Params } from './sql-text';

/** At most this many people in one CSV file. */
export const MAX_EXPORT = 100_000;

export interface Page {
  cursor?: string;
  limit: number;
}

export async function funnelStepPeople(
  ctx: StatsContext,
  spec: FunnelSpec,
  stepNumber: number,
  outcome: 'reached' | 'dropped',
  page: Page,
): Promise<PeopleList> {
  const p = new Params();
  const upTo = outcome === 'dropped' ? Math.min(stepNumber + 1, spec.steps.length) : stepNumber;
  const chain = funnelChain(ctx, ctx.range, spec, p, { upTo });
  const window = p.add(spec.windowMs);
  const list =
    outcome === 'dropped' && stepNumber < spec.steps.length
      ? `SELECT p, t AS entered_ms FROM ${reached(stepNumber, window)}
         AND p NOT IN (SELECT p FROM ${reached(stepNumber + 1, window)})`
      : outcome === 'dropped'
        ? 'SELECT p, NULL AS entered_ms FROM f1 WHERE false'
        : `SELECT p, t AS entered_ms FROM ${reached(stepNumber, window)}`;
  const definition: PeopleListDefinition = {
    kind: 'funnel-step',
    steps: spec.steps,
    windowHours: spec.windowMs / 3_600_000,
    step: stepNumber,
    outcome,
    period: toPeriod(ctx.range),
    filters: ctx.filters,
  };
  return peoplePage(ctx, chain, list, p, page, definition);
}

export async function lifecyclePeople(
  ctx: StatsContext,
  stage: LifecycleStage,
  thresholds: LifecycleThresholds,
  nowMs: number,
  page: Page,
): Promise<PeopleList> {
  const p = new Params();
  const today = Math.floor(nowMs / DAY_MS);
  const { lo, hi } = stageBand(stage, thresholds);
  // Last active on a day `lo` to `hi` days ago; "new" people have one active day, "active" ones more.
  const firstDayOnly =
    stage === 'new' ? ' AND first_ms / 86400000 = last_ms / 86400000' : stage === 'active' ? ' AND first_ms / 86400000 < last_ms / 86400000' : '';
  const list = `SELECT profile_id AS p, (last_ms / 86400000 + ${lo}) * 86400000 AS entered_ms FROM stats_people
    WHERE write_key = ${p.add(ctx.writeKey)} AND last_ms >= ${p.add(hi === null ? 0 : (today - hi) * DAY_MS)} AND last_ms < ${p.add((today - lo + 1) * DAY_MS)}${firstDayOnly}`;
  return peoplePage(ctx, '', list, p, page, { kind: 'lifecycle', stage, thresholds });
}

/** One page of a list (rows `p`, `entered_ms`), ordered by profile id, with each person's details. */
async function peoplePage(ctx: StatsContext, chain: string, list: string, p: Params, page: Page, definition: PeopleListDefinition): Promise<PeopleList> {
  const wk = p.add(ctx.writeKey);
  const sql = `${chain}
    SELECT l.p AS profile_id, l.entered_ms, l.total, pe.user_id, pe.country, pe.region, pe.device, pe.first_ms, pe.last_ms,
      (SELECT json_group_array(i.id) FROM stats_person_ids i WHERE i.write_key = ${wk} AND i.profile_id = l.p AND i.kind = 'anonymous') AS anonymous_ids,
      (SELECT json_group_array(i.id) FROM stats_person_ids i WHERE i.write_key = ${wk} AND i.profile_id = l.p AND i.kind = 'user') AS user_ids,
      (SELECT COUNT(*) FROM stats_orders o WHERE o.write_key = ${wk} AND o.profile_id = l.p) AS orders
    FROM (SELECT * FROM (SELECT x.p, x.entered_ms, COUNT(*) OVER () AS total FROM (${list}) x) WHERE p > ${p.add(page.cursor ?? '')} ORDER BY p LIMIT ${p.add(page.limit + 1)}) l
    LEFT JOIN stats_people pe ON pe.write_key = ${wk} AND pe.profile_id = l.p
    ORDER BY l.p`;
  const [results] = (await rowsOf(ctx, [statement(ctx.db, sql, p)])) as [Row[]];
  const rows = results.slice(0, page.limit);
  return {
    writeKey: ctx.writeKey,
    definition,
    total: num(results[0]?.total),
    people: rows.map(personRow),
    nextCursor: results.length > page.limit ? text(rows[rows.length - 1]!.profile_id) : null,
  };
}

function personRow(r: Row): PersonRow {
  const iso = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString() : '');
  const ids = (json: unknown) => (typeof json === 'string' ? (JSON.parse(json) as string[]).sort() : []);
  return {
    profileId: text(r.profile_id),
    userId: typeof r.user_id === 'string' ? r.user_id : null,
    anonymousIds: ids(r.anonymous_ids),
    userIds: ids(r.user_ids),
    country: text(r.country),
    region: text(r.region),
    device: text(r.device),
    firstSeen: iso(r.first_ms),
    lastSeen: iso(r.last_ms),
    orders: num(r.orders),
    enteredAt: typeof r.entered_ms === 'number' ? iso(r.entered_ms) : null,
  };
}

const CSV_COLUMNS: (keyof PersonRow)[] = [
  'profileId',
  'userId',
  'anonymousIds',
  'userIds',
  'country',
  'region',
  'device',
  'firstSeen',
  'lastSeen',
  'orders',
  'enteredAt',
];

/** RFC 4180 CSV: a header line, then one line per person; lists of ids joined by spaces. */
export function peopleCsv(people: PersonRow[]): string {
  const cell = (value: PersonRow[keyof PersonRow]) => {
    const s = Array.isArray(value) ? value.join(' ') : value === null ? '' : String(value);
    // A leading =, +, - or @ would be a formula in a spreadsheet.
    const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
  };
  return [CSV_COLUMNS.join(','), ...people.map((person) => CSV_COLUMNS.map((c) => cell(person[c])).join(','))].join('\r\n') + '\r\n';
}
