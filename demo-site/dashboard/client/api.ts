/**
 * The admin API, with its failures sorted into what the dashboard says
 * about them: a refused token, admin endpoints switched off, the collector
 * unreachable, or anything else.
 */
import type {
  AudienceView,
  CampaignReport,
  CampaignView,
  LiveEvents,
  PeopleList,
  Profile,
  RecommendationExplain,
  RuleBody,
  RuleIssue,
  RuleView,
  StatsFilters,
} from './types';

export const WRITE_KEY = 'demo-write-key';

export type AdminFailure = 'unauthorized' | 'disabled' | 'not-found' | 'unreachable' | 'failed';

export class AdminError extends Error {
  constructor(
    readonly kind: AdminFailure,
    message: string,
  ) {
    super(message);
    this.name = 'AdminError';
  }
}

/** A token goes in a header only if it is printable ASCII; say so rather than let fetch throw. */
export function tokenProblem(token: string): string | undefined {
  if (!token) return 'Enter the admin token.';
  if (!/^[\x21-\x7e]+$/.test(token)) return 'An admin token has no spaces or special characters; check what you pasted.';
  return undefined;
}

/** What every statistics request names: the period and the filters. */
export interface StatsScope {
  from: Date;
  to: Date;
  filters: StatsFilters;
}

export type QueryValue = string | number | readonly string[] | undefined;

export class AdminApi {
  constructor(
    private readonly token: string,
    private readonly base = location.origin,
  ) {}

  /** GET /v1/admin/stats/<what> for the scope, with the panel's own parameters. */
  async stats<T>(what: string, scope: StatsScope, params: Record<string, QueryValue> = {}): Promise<T> {
    return (await this.get(this.statsPath(what, scope, params))).json() as Promise<T>;
  }

  statsPath(what: string, scope: StatsScope, params: Record<string, QueryValue> = {}): string {
    const query = new URLSearchParams({ writeKey: WRITE_KEY, from: scope.from.toISOString(), to: scope.to.toISOString() });
    for (const [name, value] of Object.entries(scope.filters)) if (value !== undefined) query.set(name, value);
    for (const [name, value] of Object.entries(params)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) query.append(name, v);
      else query.set(name, String(value));
    }
    return `/v1/admin/stats${what ? `/${what}` : ''}?${query}`;
  }

  /** A page of a people list (a path from statsPath). */
  async people(path: string, cursor?: string): Promise<PeopleList> {
    return (await this.get(cursor ? `${path}&cursor=${encodeURIComponent(cursor)}` : path)).json() as Promise<PeopleList>;
  }

  /** The same list as a CSV file (the token travels in a header, so the browser cannot simply follow a link). */
  async csv(path: string): Promise<Blob> {
    return (await this.get(`${path}&format=csv`)).blob();
  }

  /** The newest events: all of the latest `limit` since `after` (newest first), in one request. */
  async live(after: string | undefined, limit: number): Promise<LiveEvents> {
    const query = new URLSearchParams({ writeKey: WRITE_KEY, limit: String(limit) });
    if (after !== undefined) query.set('after', after);
    return (await this.get(`/v1/admin/live?${query}`)).json() as Promise<LiveEvents>;
  }

  /** The site's currency (`settings.currency`), USD when it has none. */
  async siteCurrency(): Promise<string> {
    const { sites } = (await (await this.get('/v1/admin/sites')).json()) as { sites: { writeKey: string; settings: { currency?: unknown } }[] };
    const currency = sites.find((s) => s.writeKey === WRITE_KEY)?.settings.currency;
    return typeof currency === 'string' && /^[A-Za-z]{3}$/.test(currency) ? currency.toUpperCase() : 'USD';
  }

  /** The site's campaigns (contract section 8), and one's report. */
  async campaigns(): Promise<{ campaigns: CampaignView[] }> {
    return (await this.get(`/v1/admin/campaigns?writeKey=${WRITE_KEY}`)).json() as Promise<{ campaigns: CampaignView[] }>;
  }

  async campaignReport(id: string): Promise<CampaignReport> {
    return (await this.get(`/v1/admin/campaigns/${encodeURIComponent(id)}/report?writeKey=${WRITE_KEY}`)).json() as Promise<CampaignReport>;
  }

  /** Creates or replaces a campaign (PUT /v1/admin/campaigns/:id); one the collector refuses comes back with its issues, each with the JSON path of its field. */
  async saveCampaign(
    id: string,
    body: Record<string, unknown>,
  ): Promise<{ campaign: CampaignView; overlapping: string[]; note?: string; warnings?: RuleIssue[] } | Refused> {
    const response = await this.request(
      `/v1/admin/campaigns/${encodeURIComponent(id)}?writeKey=${WRITE_KEY}`,
      { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      true,
    );
    return refusedOr(response);
  }

  /** The site's audiences (contract section 7); one with its size day by day. */
  async audiences(): Promise<{ audiences: AudienceView[] }> {
    return (await this.get(`/v1/admin/audiences?writeKey=${WRITE_KEY}`)).json() as Promise<{ audiences: AudienceView[] }>;
  }

  async audience(id: string): Promise<AudienceView> {
    return ((await (await this.get(`/v1/admin/audiences/${encodeURIComponent(id)}?writeKey=${WRITE_KEY}`)).json()) as { audience: AudienceView }).audience;
  }

  /** Saves an audience (PUT /v1/admin/audiences/:id): a lifecycle stage kept as a live segment. */
  async saveAudience(id: string, body: { name: string; definition: unknown }): Promise<AudienceView> {
    const response = await this.request(`/v1/admin/audiences/${encodeURIComponent(id)}?writeKey=${WRITE_KEY}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, writeKey: WRITE_KEY }),
    });
    return ((await response.json()) as { audience: AudienceView }).audience;
  }

  /**
   * Keeps people as a static audience (PUT /v1/admin/audiences/:id with
   * `profileIds`): the first ids make it, the rest are added in further
   * requests (POST …/members), as one request takes at most `chunk` ids.
   */
  async keepAsAudience(
    id: string,
    body: { name: string; description: string },
    profileIds: readonly string[],
    chunk: number,
  ): Promise<{ audience: AudienceView; unknown: number }> {
    const path = `/v1/admin/audiences/${encodeURIComponent(id)}?writeKey=${WRITE_KEY}`;
    const send = async (method: 'PUT' | 'POST', url: string, payload: Record<string, unknown>) =>
      (await (await this.request(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) })).json()) as {
        audience: AudienceView;
        list: { unknown: number };
      };
    let answer = await send('PUT', path, { ...body, profileIds: profileIds.slice(0, chunk) });
    let unknown = answer.list.unknown;
    for (let i = chunk; i < profileIds.length; i += chunk) {
      answer = await send('POST', `/v1/admin/audiences/${encodeURIComponent(id)}/members?writeKey=${WRITE_KEY}`, { add: profileIds.slice(i, i + chunk) });
      unknown += answer.list.unknown;
    }
    return { audience: answer.audience, unknown };
  }

  /** Every member as one CSV file: the pages (Next-Cursor) joined under one header line. */
  async audienceMembersCsv(id: string): Promise<Blob> {
    const parts: string[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ writeKey: WRITE_KEY, format: 'csv', limit: '1000' });
      if (cursor) query.set('cursor', cursor);
      const response = await this.get(`/v1/admin/audiences/${encodeURIComponent(id)}/members?${query}`);
      const text = await response.text();
      // Each page is a whole file with its header; text() drops the byte-order mark, which spreadsheets need for accents.
      parts.push(parts.length === 0 ? `\uFEFF${text.replace(/^\uFEFF/, '')}` : text.slice(text.indexOf('\n') + 1));
      cursor = response.headers.get('Next-Cursor');
    } while (cursor);
    return new Blob(parts, { type: 'text/csv' });
  }

  /** The site's merchandising rules (contract section 9), each with its status now. */
  async rules(): Promise<{ rules: RuleView[] }> {
    return (await this.get(`/v1/admin/rules?writeKey=${WRITE_KEY}`)).json() as Promise<{ rules: RuleView[] }>;
  }

  /** Saves a rule; one the collector refuses comes back with its issues, each with the JSON path of its field. */
  async saveRule(id: string, body: RuleBody): Promise<{ rule: RuleView; notes?: string[] } | Refused> {
    const response = await this.request(
      `/v1/admin/rules/${encodeURIComponent(id)}?writeKey=${WRITE_KEY}`,
      { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      true,
    );
    return refusedOr(response);
  }

  async deleteRule(id: string): Promise<void> {
    await this.request(`/v1/admin/rules/${encodeURIComponent(id)}?writeKey=${WRITE_KEY}`, { method: 'DELETE' });
  }

  /** A slot's answer with draft rules, explained (POST /v1/admin/rules/preview); nothing is saved. */
  async previewRule(body: { slot: string; productId?: string; rules: Record<string, RuleBody> }): Promise<{ explain?: RecommendationExplain } | Refused> {
    const response = await this.request(
      `/v1/admin/rules/preview?writeKey=${WRITE_KEY}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
      true,
    );
    return refusedOr(response);
  }

  async profile(id: string): Promise<Profile | undefined> {
    try {
      return (await (await this.get(`/v1/admin/profiles/${encodeURIComponent(id)}?writeKey=${WRITE_KEY}`)).json()) as Profile;
    } catch (error) {
      if (error instanceof AdminError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  private get(path: string): Promise<Response> {
    return this.request(path, {});
  }

  /** `refusalsToo`: a 400 is answered, not thrown (its body names what to change). */
  private async request(path: string, init: { method?: string; headers?: Record<string, string>; body?: string }, refusalsToo = false): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.base + path, { ...init, headers: { ...init.headers, authorization: `Bearer ${this.token}` }, cache: 'no-store' });
    } catch {
      throw new AdminError('unreachable', 'The collector does not answer. Is `npm start` still running?');
    }
    if (response.ok || (refusalsToo && response.status === 400)) return response;
    const detail = await response
      .json()
      .then((body: { message?: string }) => body.message ?? '')
      .catch(() => '');
    if (response.status === 401 || response.status === 403) {
      throw new AdminError('unauthorized', 'The collector refused this admin token. Use the one `npm start` printed (or your ADMIN_TOKEN).');
    }
    if (response.status === 503) throw new AdminError('disabled', `Admin endpoints are switched off on this collector. ${detail}`);
    if (response.status === 404) throw new AdminError('not-found', detail || 'Not found.');
    throw new AdminError('failed', `The collector answered ${response.status}. ${detail}`);
  }
}

/** A request the collector refused (400): its message, and each problem with the JSON path of its field. */
export interface Refused {
  message: string;
  issues: RuleIssue[];
}

async function refusedOr<T>(response: Response): Promise<T | Refused> {
  const body = (await response.json()) as T & { message?: string; issues?: RuleIssue[] };
  if (response.status !== 400) return body;
  return { message: body.message ?? 'The collector refused this.', issues: body.issues ?? [] };
}
