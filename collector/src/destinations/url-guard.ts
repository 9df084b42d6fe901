/**
 * Which URLs a destination may point at (server-side request forgery guard).
 *
 * Production: `https` to a public host only. Local development (DEV_MODE)
 * also allows `http` and `https` to `localhost` and `127.0.0.1`, any port,
 * so a receiver on the developer's machine works. Everything else that is
 * not the public Internet is refused: private, loopback, link-local
 * (cloud metadata at 169.254.169.254 and fd00:ec2::254), CGNAT, multicast,
 * unspecified, reserved and documentation ranges, IPv6 forms that embed an
 * IPv4 address, names of the local network (`*.localhost`, `*.internal` as
 * in metadata.google.internal, `*.local`, single-label names…) and URLs with
 * user info (`https://good@127.0.0.1`).
 *
 * Every spelling of an address is caught because the URL is first parsed the
 * way `fetch` will parse it (WHATWG URL): decimal, octal, hex and short IPv4
 * forms, trailing dots and upper case all come out as the one canonical
 * host that would be connected to, and that host is what is checked. Names
 * are checked again after resolution (checkAddresses), so a public name
 * that resolves to a private address is refused too.
 */
import ipaddr from 'ipaddr.js';

export interface UrlPolicy {
  /** Local development: http(s) to localhost and 127.0.0.1 allowed as well. */
  devMode: boolean;
}

export type UrlVerdict =
  | { ok: true; url: URL; /** A name to resolve and check (null: an IP literal or the dev loopback, already checked). */ resolve: string | null }
  | { ok: false; reason: string };

const DEV_LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

/** Names that never denote a public host: the local machine, the local network, cloud metadata services. */
const LOCAL_SUFFIXES = ['localhost', 'local', 'internal', 'localdomain', 'lan', 'home', 'corp', 'intranet', 'private', 'arpa', 'test', 'invalid'];
const METADATA_NAMES = new Set(['metadata', 'metadata.goog', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']);

export function checkDestinationUrl(raw: string, policy: UrlPolicy): UrlVerdict {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return refuse('it is not an absolute URL (like https://hooks.example.com/trailmark)');
  }
  if (url.username || url.password) return refuse('it carries a user name or password (user@host); put credentials elsewhere');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return refuse(`the scheme ${url.protocol.slice(0, -1)} is not allowed; use https`);

  const host = url.hostname.toLowerCase();
  const bare = host.replace(/\.$/, '');
  // Development allows the two loopback hosts as written, not other spellings of them (0x7f000001, localhost.).
  if (policy.devMode && DEV_LOOPBACK_HOSTS.has(writtenHost(raw)) && DEV_LOOPBACK_HOSTS.has(host)) return { ok: true, url, resolve: null };
  if (url.protocol !== 'https:') {
    return refuse(policy.devMode ? 'http is allowed only for localhost and 127.0.0.1 in local development; use https' : 'it must use https');
  }

  if (host.startsWith('[')) {
    const reason = refusedAddress(host.slice(1, -1));
    return reason ? refuse(reason) : { ok: true, url, resolve: null };
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) {
    const reason = refusedAddress(host);
    return reason ? refuse(reason) : { ok: true, url, resolve: null };
  }
  const reason = refusedName(bare);
  return reason ? refuse(reason) : { ok: true, url, resolve: bare };
}

/** Why a resolved or literal address may not be contacted, or null when it is public. */
export function refusedAddress(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return `${address} is not an IP address`;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return `${address} embeds the IPv4 address ${v6.toIPv4Address().toString()}; give a public host name`;
    if (v6.parts.slice(0, 6).every((part) => part === 0) && v6.range() !== 'loopback' && v6.range() !== 'unspecified') {
      return `${address} is an IPv4-compatible address (${v6.parts[6]! >> 8}.${v6.parts[6]! & 255}.${v6.parts[7]! >> 8}.${v6.parts[7]! & 255}); give a public host name`;
    }
    const range = v6.range();
    if (range === 'uniqueLocal' && address.toLowerCase().startsWith('fd00:ec2:')) return `${address} is the cloud metadata service`;
    // Only global unicast (2000::/3) is public; everything else is special or embeds IPv4.
    if (range !== 'unicast') return `${address} is a ${describeRange(range)} address, not a public one`;
    if ((v6.parts[0]! & 0xe000) !== 0x2000) return `${address} is outside the global unicast range (2000::/3)`;
    return null;
  }
  const range = (parsed as ipaddr.IPv4).range();
  if (address === '169.254.169.254' || address === '100.100.100.200' || address === '192.0.0.192') return `${address} is a cloud metadata service`;
  return range === 'unicast' ? null : `${address} is a ${describeRange(range)} address, not a public one`;
}

/** Every address a name resolves to must be public: one private answer is enough to refuse (DNS rebinding picks any). */
export function checkAddresses(name: string, addresses: string[]): string | null {
  if (addresses.length === 0) return `${name} does not resolve to any address`;
  for (const address of addresses) {
    const reason = refusedAddress(address);
    if (reason) return `${name} resolves to ${reason}`;
  }
  return null;
}

function refusedName(name: string): string | null {
  if (!name) return 'it has no host';
  if (METADATA_NAMES.has(name)) return `${name} is a cloud metadata service`;
  if (!name.includes('.')) return `${name} is a single-label name of a local network; use a public host name`;
  const tld = name.slice(name.lastIndexOf('.') + 1);
  if (LOCAL_SUFFIXES.includes(tld) || name.endsWith('.home.arpa')) return `${name} is a name of the local machine or network (.${tld}), not a public host`;
  // Something like 1.2.3.4.5 or 0x7f.0x1.x: not an address the URL parser took, and no public name looks like that.
  if (/^[\d.]+$/.test(name) || /^0x/i.test(tld)) return `${name} looks like a mistyped address; use a public host name`;
  return null;
}

/** The host exactly as the URL was written (lower-cased), before any normalisation. */
function writtenHost(raw: string): string {
  const authority = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\\]*)/i.exec(raw.trim())?.[1] ?? '';
  return authority.replace(/:\d*$/, '').toLowerCase();
}

function describeRange(range: string): string {
  const names: Record<string, string> = {
    unspecified: 'unspecified',
    broadcast: 'broadcast',
    multicast: 'multicast',
    linkLocal: 'link-local',
    loopback: 'loopback',
    carrierGradeNat: 'carrier-grade NAT (CGNAT)',
    private: 'private',
    reserved: 'reserved',
    uniqueLocal: 'unique local (private)',
    ipv4Mapped: 'IPv4-mapped',
    rfc6145: 'IPv4-translated',
    rfc6052: 'NAT64',
    '6to4': '6to4',
    teredo: 'Teredo',
    deprecatedSiteLocal: 'site-local',
    discard: 'discard-only',
  };
  return names[range] ?? `special-purpose (${range})`;
}

function refuse(reason: string): UrlVerdict {
  return { ok: false, reason };
}
