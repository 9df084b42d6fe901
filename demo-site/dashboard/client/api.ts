/**
 * The admin API, with its failures sorted into what the dashboard says
 * about them: a refused token, admin endpoints switched off, the collector
 * unreachable, or anything else.
 */
import type { Profile, Stats, StoredEvent } from './types';

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

/** A token can only travel in a header if it is printable ASCII; say so rather than let fetch throw. */
export function tokenProblem(token: string): string | undefined {
  if (!token) return 'Enter the admin token.';
  if (!/^[\x21-\x7e]+$/.test(token)) return 'An admin token has no spaces or special characters; check what you pasted.';
  return undefined;
}

export class AdminApi {
  constructor(
    private readonly token: string,
    private readonly base = location.origin,
  ) {}

  async stats(from: Date, to: Date): Promise<Stats> {
    const query = new URLSearchParams({ writeKey: WRITE_KEY, from: from.toISOString(), to: to.toISOString() });
    return (await this.get(`/v1/admin/stats?${query}`)).json() as Promise<Stats>;
  }

  /** Events received since `since` (oldest first), at most `limit`. */
  async eventsSince(since: Date, limit: number): Promise<StoredEvent[]> {
    const query = new URLSearchParams({ writeKey: WRITE_KEY, since: since.toISOString(), limit: String(limit) });
    const text = await (await this.get(`/v1/admin/export?${query}`)).text();
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as StoredEvent);
  }

  async profile(id: string): Promise<Profile | undefined> {
    try {
      return (await (await this.get(`/v1/admin/profiles/${encodeURIComponent(id)}?writeKey=${WRITE_KEY}`)).json()) as Profile;
    } catch (error) {
      if (error instanceof AdminError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  private async get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.base + path, { headers: { authorization: `Bearer ${this.token}` }, cache: 'no-store' });
    } catch {
      throw new AdminError('unreachable', 'The collector does not answer. Is `npm start` still running?');
    }
    if (response.ok) return response;
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
