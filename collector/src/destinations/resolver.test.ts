/**
 * The DNS-over-HTTPS resolver: every way a lookup can fail is a
 * ResolverUnavailable, so a delivery records a failed check and is retried
 * instead of meeting an error it does not expect.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dohResolver, ResolverUnavailable } from './resolver';

afterEach(() => {
  vi.unstubAllGlobals();
});

const answer = (type: number, data: string) => ({ Status: 0, Answer: [{ type, data }] });

describe('dohResolver', () => {
  it('returns the A and AAAA addresses', async () => {
    vi.stubGlobal('fetch', async (url: string) =>
      Response.json(url.endsWith('type=A') ? answer(1, '93.184.216.34') : answer(28, '2606:2800:220:1:248:1893:25c8:1946')),
    );
    expect(await dohResolver('example.com')).toEqual(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']);
  });

  it('treats a body that is not JSON as unavailable', async () => {
    vi.stubGlobal('fetch', async () => new Response('<html>captive portal</html>', { status: 200 }));
    const lookup = dohResolver('example.com');
    await expect(lookup).rejects.toBeInstanceOf(ResolverUnavailable);
    await expect(lookup).rejects.toThrow(/DNS-over-HTTPS lookup of example\.com failed/);
  });

  it('treats a body that breaks off while read (the timeout firing) as unavailable', async () => {
    vi.stubGlobal('fetch', async () => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"Status":0,'));
          controller.error(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
        },
      });
      return new Response(body, { status: 200 });
    });
    await expect(dohResolver('example.com')).rejects.toBeInstanceOf(ResolverUnavailable);
  });

  it('treats JSON without an answer status as unavailable', async () => {
    vi.stubGlobal('fetch', async () => Response.json(null));
    await expect(dohResolver('example.com')).rejects.toBeInstanceOf(ResolverUnavailable);
  });

  it('treats a failed request, an error status and SERVFAIL as unavailable; NXDOMAIN as no addresses', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('fetch failed');
    });
    await expect(dohResolver('example.com')).rejects.toBeInstanceOf(ResolverUnavailable);
    vi.stubGlobal('fetch', async () => new Response('busy', { status: 503 }));
    await expect(dohResolver('example.com')).rejects.toThrow('DNS-over-HTTPS answered 503 for example.com');
    vi.stubGlobal('fetch', async () => Response.json({ Status: 2 }));
    await expect(dohResolver('example.com')).rejects.toThrow('DNS lookup of example.com failed (rcode 2)');
    vi.stubGlobal('fetch', async () => Response.json({ Status: 3 }));
    expect(await dohResolver('example.com')).toEqual([]);
  });
});
