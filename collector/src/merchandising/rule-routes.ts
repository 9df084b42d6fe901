/**
 * The merchandising rules admin API (Bearer ADMIN_TOKEN), contract section 9:
 *
 *   PUT    /v1/admin/rules/:id   create or replace a rule (body: schema/src/merchandising.ts)
 *   GET    /v1/admin/rules       the site's rules, each with its status now
 *   GET    /v1/admin/rules/:id   one rule
 *   DELETE /v1/admin/rules/:id   remove a rule
 *   POST   /v1/admin/rules/preview  a slot's answer with stored and draft rules, explained
 *
 * The site is `?writeKey=` (or the only site). A change takes effect in
 * every answer within a second (rule-store.ts).
 */
import { Hono, type Context } from 'hono';
import * as v from 'valibot';
import {
  BODY_PATH,
  describeRuleIssues,
  MAX_RULES_PER_SITE,
  RULE_ID,
  RuleBodySchema,
  RulePreviewSchema,
  ruleIssues,
  type Rule,
  type RuleIssue,
  type RuleView,
} from '@trailmark/schema';
import type { AppEnv } from '../app-env';
import { findAudiences } from '../audiences/audience-directory';
import { adminAuth } from '../http/admin-auth';
import { ApiError, badRequest } from '../http/errors';
import { readBodyText } from '../http/read-body';
import { DEFAULT_LIMIT } from '../recommend/recommend-routes';
import { serveRecommendation } from '../recommend/serve';
import { findSite, listSites } from '../sites/site-directory';
import { countRules, deleteRule, findRule, listRules, saveRule } from './rule-store';
import { ruleStatus } from './rules';

const MAX_BODY_BYTES = 64 * 1024;

export function ruleRoutes() {
  const app = new Hono<AppEnv>();
  app.use('/v1/admin/rules', adminAuth());
  app.use('/v1/admin/rules/*', adminAuth());

  app.get('/v1/admin/rules', async (c) => {
    const writeKey = await siteOf(c);
    const now = Date.now();
    return c.json({ writeKey, rules: (await listRules(c.env.DB, writeKey)).map((rule) => view(rule, now)) });
  });

  app.get('/v1/admin/rules/:id', async (c) => {
    const [writeKey, id] = [await siteOf(c), ruleId(c)];
    const rule = await findRule(c.env.DB, writeKey, id);
    if (!rule) throw unknownRule(id);
    return c.json({ writeKey, rule: view(rule, Date.now()) });
  });

  app.put('/v1/admin/rules/:id', async (c) => {
    const [writeKey, id] = [await siteOf(c), ruleId(c)];
    const input = await jsonBody(c.req.raw, RULE_SHAPE);
    const parsed = v.safeParse(RuleBodySchema, input);
    if (!parsed.success) throw invalid('invalid_rule', 'Invalid rule', ruleIssues(parsed.issues));
    const existing = await findRule(c.env.DB, writeKey, id);
    if (!existing && (await countRules(c.env.DB, writeKey)) >= MAX_RULES_PER_SITE) {
      throw new ApiError(409, 'too_many_rules', `A site has at most ${MAX_RULES_PER_SITE} rules; delete some (DELETE /v1/admin/rules/:id) before adding more.`);
    }
    const rule = await saveRule(c.env.DB, writeKey, id, parsed.output, new Date().toISOString());
    return c.json({ ok: true, writeKey, created: !existing, rule: view(rule, Date.now()), ...(await notesFor(c.env, writeKey, rule)) });
  });

  app.post('/v1/admin/rules/preview', async (c) => {
    const writeKey = await siteOf(c);
    const parsed = v.safeParse(RulePreviewSchema, await jsonBody(c.req.raw, PREVIEW_SHAPE));
    if (!parsed.success) throw invalid('invalid_preview', 'Invalid preview', ruleIssues(parsed.issues));
    const preview = parsed.output;
    const site = (await findSite(c.env, writeKey))!;
    const nowMs = preview.at ? Date.parse(preview.at) : Date.now();
    const stamp = new Date().toISOString();
    const drafts = Object.entries(preview.rules ?? {}).map(([id, body]): Rule => ({ ...body, id, createdAt: stamp, updatedAt: stamp }));
    const leftOut = new Set([...(preview.without ?? []), ...drafts.map((d) => d.id)]);
    const rules = listRules(c.env.DB, writeKey).then((stored) => [...stored.filter((rule) => !leftOut.has(rule.id)), ...drafts]);
    const response = await serveRecommendation(c.env, site, {
      slot: preview.slot,
      anonymousId: preview.anonymousId,
      userId: preview.userId,
      // The admin asks: no proof of the userId is needed.
      userVerified: preview.userId !== undefined,
      productId: preview.productId,
      limit: preview.limit ?? DEFAULT_LIMIT,
      exclude: [...new Set(preview.exclude ?? [])],
      geo: { country: preview.country, region: preview.region },
      nowMs,
      rules,
      explain: true,
    });
    return c.json({ writeKey, at: new Date(nowMs).toISOString(), ...response });
  });

  app.delete('/v1/admin/rules/:id', async (c) => {
    const [writeKey, id] = [await siteOf(c), ruleId(c)];
    if (!(await deleteRule(c.env.DB, writeKey, id))) throw unknownRule(id);
    return c.json({ ok: true, writeKey, deleted: id });
  });

  return app;
}

const view = (rule: Rule, nowMs: number): RuleView => ({ ...rule, status: ruleStatus(rule, nowMs) });

/** What the merchandiser should know about a rule that was accepted: an audience it names that the site does not have (yet). */
async function notesFor(env: Env, writeKey: string, rule: Rule): Promise<{ notes?: string[] }> {
  const audienceId = rule.when?.audienceId;
  if (!audienceId || (await findAudiences(env, audienceId)).some((a) => a.site === writeKey)) return {};
  return { notes: [`This site has no audience "${audienceId}" yet: the rule applies to no one until it exists (PUT /v1/admin/audiences/${audienceId}).`] };
}

const unknownRule = (id: string) => new ApiError(404, 'unknown_rule', `No rule "${id}" on this site; GET /v1/admin/rules lists them.`);

function ruleId(c: Context<AppEnv>): string {
  const id = c.req.param('id') ?? '';
  if (!RULE_ID.test(id)) throw badRequest('A rule id is 1–128 letters, digits, "_", "-", "." or ":", e.g. summer-tents-pin.', 'invalid_rule_id');
  return id;
}

/** The site named by ?writeKey=, or the only one. */
async function siteOf(c: Context<AppEnv>): Promise<string> {
  const writeKey = c.req.query('writeKey');
  const sites = await listSites(c.env);
  if (writeKey !== undefined) {
    if (!sites.some((s) => s.writeKey === writeKey)) throw new ApiError(404, 'unknown_site', `No site has the write key "${writeKey.slice(0, 64)}".`);
    return writeKey;
  }
  if (sites.length !== 1) throw badRequest('Name the site: ?writeKey=…', 'missing_write_key');
  return sites[0]!.writeKey;
}

const RULE_SHAPE = '{ "slots": [...], "action": "pin" | "boost" | "bury" | "exclude", … }';
const PREVIEW_SHAPE = '{ "slot": "home", "anonymousId"?: …, "rules"?: { "draft-id": { … } }, … }';

/** A 400 whose message names every bad field, and whose `issues` list them: `{ path, message }`. */
function invalid(code: string, what: string, issues: RuleIssue[]): ApiError {
  return new ApiError(400, code, `${what}: ${describeRuleIssues(issues)}.`, {}, { issues });
}

/** The body as a JSON object, or a 400 that shows its shape. */
async function jsonBody(request: Request, shape: string): Promise<Record<string, unknown>> {
  const text = await readBodyText(request, MAX_BODY_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', `The body is not JSON; send a JSON object: ${shape}.`, {}, { issues: [{ path: BODY_PATH, message: 'not JSON' }] });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError(
      400,
      'invalid_json',
      `The body must be a JSON object: ${shape}.`,
      {},
      { issues: [{ path: BODY_PATH, message: 'must be a JSON object' }] },
    );
  }
  return body as Record<string, unknown>;
}
