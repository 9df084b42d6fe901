/**
 * Resolves a destination's host name before each delivery, so a name that
 * points at a private address is refused (url-guard.ts checks the answers).
 *
 * Production resolves over DNS-over-HTTPS (Cloudflare's JSON API, A and
 * AAAA); a Worker has no other resolver it can ask. Tests and local
 * development can put their own resolver in place with `useResolver`.
 *
 * What this cannot close: between this lookup and the connection `fetch`
 * makes, an attacker's DNS server could answer differently (rebinding with a
 * zero TTL). Cloudflare's runtime narrows that window further: a deployed
 * Worker's subrequests leave from Cloudflare's edge to the public Internet,
 * cannot be addressed to IP literals at all, and send to the scheme's
 * default port whatever the URL says (Workers "known issues"), so the
 * private networks it could be tricked into reaching are not the shop's.
 */
export type Resolver = (hostname: string) => Promise<string[]>;

export class ResolverUnavailable extends Error {}

const DOH_URL = 'https://cloudflare-dns.com/dns-query';
const DOH_TIMEOUT_MS = 3000;
const RECORD_TYPES = [
  { name: 'A', code: 1 },
  { name: 'AAAA', code: 28 },
] as const;

interface DohAnswer {
  Status: number;
  Answer?: { type: number; data: string }[];
}

/** Every A and AAAA address of `hostname` (through CNAMEs, which the resolver follows). NXDOMAIN: none. */
export const dohResolver: Resolver = async (hostname) => {
  const answers = await Promise.all(RECORD_TYPES.map(({ name, code }) => lookup(hostname, name, code)));
  return answers.flat();
};

/**
 * One record type. Every way it can go wrong is a ResolverUnavailable: the
 * timeout can fire while the body is read, and a proxy or captive portal can
 * answer 200 with HTML, so reading and parsing the body fail as often as the
 * request itself, and the delivery must see a failed check, not a stray error.
 */
async function lookup(hostname: string, name: string, code: number): Promise<string[]> {
  let body: DohAnswer;
  try {
    const response = await fetch(`${DOH_URL}?name=${encodeURIComponent(hostname)}&type=${name}`, {
      headers: { accept: 'application/dns-json' },
      signal: AbortSignal.timeout(DOH_TIMEOUT_MS),
    });
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      throw new ResolverUnavailable(`DNS-over-HTTPS answered ${response.status} for ${hostname}`);
    }
    body = (await response.json()) as DohAnswer;
  } catch (err) {
    if (err instanceof ResolverUnavailable) throw err;
    throw new ResolverUnavailable(`DNS-over-HTTPS lookup of ${hostname} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (typeof body !== 'object' || body === null || typeof body.Status !== 'number') {
    throw new ResolverUnavailable(`DNS-over-HTTPS gave no answer status for ${hostname}`);
  }
  // 0 NOERROR, 3 NXDOMAIN; anything else (SERVFAIL…) means we do not know.
  if (body.Status !== 0 && body.Status !== 3) throw new ResolverUnavailable(`DNS lookup of ${hostname} failed (rcode ${body.Status})`);
  const records = Array.isArray(body.Answer) ? body.Answer : [];
  return records.filter((record) => record?.type === code && typeof record.data === 'string').map((record) => record.data);
}

let current: Resolver = dohResolver;

export function resolveHost(hostname: string): Promise<string[]> {
  return current(hostname);
}

/** Replaces the resolver (tests; a self-hosted runtime with its own). Without an argument, back to DNS-over-HTTPS. */
export function useResolver(resolver?: Resolver): void {
  current = resolver ?? dohResolver;
}
