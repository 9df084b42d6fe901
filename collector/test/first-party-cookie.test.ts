/**
 * First-party serving: the event response renews the identity cookie, but
 * only the id the browser presented, so that a batch carrying messages from
 * before a logout (reset) never restores the old id.
 */
import { describe, expect, it } from 'vitest';
import { createSite, post, track } from './support/collector';

const sameSite = (cookie?: string) => ({ 'sec-fetch-site': 'same-origin', ...(cookie ? { cookie } : {}) });

describe('identity cookie refreshed by the collector', () => {
  it('renews the id the browser presents when the batch carries it', async () => {
    const writeKey = await createSite();
    const res = await post('/v1/batch', { writeKey, batch: [track({ anonymousId: 'visitor-1' })] }, { headers: sameSite('tm_aid=visitor-1; other=x') });
    expect(res.headers.get('set-cookie')).toMatch(/^tm_aid=visitor-1; Path=\/; Max-Age=\d+; SameSite=Lax/);
  });

  it('never sets an id from the messages that the browser no longer presents (a logout with the last batch in flight)', async () => {
    const writeKey = await createSite();
    // Recorded before reset() (old id), sent after it: the browser already holds the new id.
    const batch = [track({ anonymousId: 'customer-browser' }), track({ anonymousId: 'fresh-visitor' })];
    const afterReset = await post('/v1/batch', { writeKey, batch }, { headers: sameSite('tm_aid=fresh-visitor') });
    expect(afterReset.headers.get('set-cookie')).toMatch(/^tm_aid=fresh-visitor;/);
    const onlyOld = await post('/v1/batch', { writeKey, batch: [track({ anonymousId: 'customer-browser' })] }, { headers: sameSite('tm_aid=fresh-visitor') });
    expect(onlyOld.headers.get('set-cookie')).toBeNull();
    const noCookie = await post('/v1/batch', { writeKey, batch: [track({ anonymousId: 'customer-browser' })] }, { headers: sameSite() });
    expect(noCookie.headers.get('set-cookie')).toBeNull();
  });

  it('sets nothing for another site’s pages', async () => {
    const writeKey = await createSite();
    const res = await post(
      '/v1/batch',
      { writeKey, batch: [track({ anonymousId: 'v' })] },
      { headers: { 'sec-fetch-site': 'cross-site', cookie: 'tm_aid=v' } },
    );
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});
