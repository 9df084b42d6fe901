/**
 * Where a write key may come from, in the order peers send it: HTTP Basic
 * auth with the key as user name (Segment, RudderStack), an X-Write-Key
 * header, a `writeKey` query parameter (RudderStack's beacon), or `writeKey`
 * in the body (sendBeacon cannot set headers) or in the messages.
 */
export function writeKeyFromHeaders(request: Request): string | undefined {
  const auth = request.headers.get('authorization');
  if (auth) {
    const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(auth);
    if (basic) {
      const decoded = decodeBase64(basic[1]!);
      const user = decoded?.split(':')[0];
      if (user) return user;
    }
  }
  const header = request.headers.get('x-write-key');
  if (header) return header.trim();
  // Most requests have no query string: the URL is parsed only when there is one.
  if (!request.url.includes('?')) return undefined;
  const query = new URL(request.url).searchParams.get('writeKey');
  return query?.trim() || undefined;
}

export function writeKeyFromBody(body: Record<string, unknown>, messages: readonly unknown[]): string | undefined {
  if (typeof body.writeKey === 'string' && body.writeKey) return body.writeKey;
  for (const message of messages) {
    if (message && typeof message === 'object' && typeof (message as { writeKey?: unknown }).writeKey === 'string') {
      return (message as { writeKey: string }).writeKey;
    }
  }
  return undefined;
}

function decodeBase64(value: string): string | undefined {
  try {
    const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
    return new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
  } catch {
    return undefined;
  }
}
