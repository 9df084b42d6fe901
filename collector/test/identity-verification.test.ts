/**
 * A customer id is not a password: contract section 4, identity verification.
 * The tests play the shop's server (it knows the identity secret) and a
 * stranger's browser (it knows only a customer's id).
 */
import { createHmac } from 'node:crypto';
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { ADMIN, BASE, createSite, exportEvents, uniqueId } from './support/collector';
import { profileOf, recommend, recommendations, sendAndStore, viewed } from './support/shop';

async function site(path: string, init: RequestInit = {}) {
  const res = await SELF.fetch(`${BASE}/v1/admin/sites/${path}`, { ...init, headers: { ...ADMIN, 'content-type': 'application/json' } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}
const secretOf = async (writeKey: string) => (await site(writeKey)).body.site.identitySecret as string;
/** What the shop's server computes and puts in the page. */
const userHash = (secret: string, userId: string) => createHmac('sha256', secret).update(userId).digest('hex');
const identify = (anonymousId: string, userId: string, hash?: string) => ({
  type: 'identify',
  messageId: uniqueId('m'),
  anonymousId,
  userId,
  ...(hash ? { context: { userHash: hash } } : {}),
});

/** Items picked from the requesting shopper's own history. */
const personal = (recs: { items: { productId: string; reason: string }[] }) =>
  recs.items.filter((i) => i.reason === 'recently-viewed' || i.reason === 'because-you-viewed').map((i) => i.productId);

/** A customer who browsed tents on their own laptop and logged in there, with a valid hash. */
async function customerWithHistory(writeKey: string) {
  const victim = uniqueId('customer');
  const laptop = uniqueId('laptop');
  const secret = await secretOf(writeKey);
  await sendAndStore(writeKey, [identify(laptop, victim, userHash(secret, victim)), viewed(laptop, 'private-tent'), viewed(laptop, 'private-stove')]);
  return { victim, laptop, secret };
}

describe('the identity secret', () => {
  it('is made per site, shown by PUT and GET of the site (never in the list), and rotated on request', async () => {
    const writeKey = uniqueId('wk');
    const created = await site(writeKey, { method: 'PUT', body: JSON.stringify({ allowedOrigins: ['https://shop.example'] }) });
    const secret = created.body.site.identitySecret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(created.body.site.settings.identityVerification).toBe('off');
    expect((await site(writeKey)).body.site.identitySecret).toBe(secret);
    expect((await site(writeKey, { method: 'PUT', body: JSON.stringify({ name: 'Renamed' }) })).body.site.identitySecret).toBe(secret);
    const list = await SELF.fetch(`${BASE}/v1/admin/sites`, { headers: ADMIN });
    expect(await list.text()).not.toContain(secret);
    const rotated = await site(writeKey, { method: 'PUT', body: JSON.stringify({ rotateIdentitySecret: true }) });
    expect(rotated.body.site.identitySecret).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.body.site.identitySecret).not.toBe(secret);
    expect((await site(writeKey)).body.site.identitySecret).toBe(rotated.body.site.identitySecret);
    expect((await site(uniqueId('unknown'))).status).toBe(404);
    expect((await site(writeKey, { method: 'PUT', body: JSON.stringify({ settings: { identityVerification: 'sometimes' } }) })).status).toBe(400);
  });
});

describe('identityVerification: "required"', () => {
  it('an identify from a stranger’s browser with a customer’s id and no valid hash joins nothing', async () => {
    const writeKey = await createSite({ settings: { holdoutPercent: 0, identityVerification: 'required' } });
    const { victim, laptop, secret } = await customerWithHistory(writeKey);
    const stranger = uniqueId('stranger');
    const forged = userHash('not-the-secret', victim);
    await sendAndStore(writeKey, [
      viewed(stranger, 'cheap-thing'),
      identify(stranger, victim),
      identify(stranger, victim, forged),
      viewed(stranger, 'other-thing'),
    ]);

    const customer = await profileOf(writeKey, victim);
    expect(customer.body.anonymousIds).toEqual([laptop]);
    expect(customer.body.mergedProfileIds).toEqual([]);
    expect(customer.body.recentViews.map((v: { productId: string }) => v.productId)).toEqual(['private-stove', 'private-tent']);
    const strangers = await profileOf(writeKey, stranger);
    expect(strangers.body.profileId).not.toBe(customer.body.profileId);
    expect(strangers.body.recentViews.map((v: { productId: string }) => v.productId)).toEqual(['other-thing', 'cheap-thing']);
    // The stranger's browser gets picks from its own history, not the customer's.
    const recs = await recommendations(writeKey, { slot: 'home', anonymousId: stranger, userId: victim });
    expect(personal(recs).sort()).toEqual(['cheap-thing', 'other-thing']);

    // The userId is kept on the stored messages, with whether it was proven; the hash itself is not stored.
    const stored = (await exportEvents(writeKey)).filter((e) => e.anonymousId === stranger && e.type === 'identify');
    expect(stored.map((e) => [e.userId, e.context.userVerified])).toEqual([
      [victim, undefined],
      [victim, false],
    ]);
    expect(JSON.stringify(await exportEvents(writeKey))).not.toContain(userHash(secret, victim));
  });

  it('a valid hash joins the browser to the customer; after a rotation, the old hash no longer does', async () => {
    const writeKey = await createSite({ settings: { holdoutPercent: 0, identityVerification: 'required' } });
    const { victim, laptop, secret } = await customerWithHistory(writeKey);
    const phone = uniqueId('phone');
    await sendAndStore(writeKey, [viewed(phone, 'lamp'), identify(phone, victim, userHash(secret, victim))]);
    expect((await profileOf(writeKey, victim)).body.anonymousIds.sort()).toEqual([laptop, phone].sort());

    await site(writeKey, { method: 'PUT', body: JSON.stringify({ rotateIdentitySecret: true }) });
    const tablet = uniqueId('tablet');
    await sendAndStore(writeKey, [viewed(tablet, 'mug'), identify(tablet, victim, userHash(secret, victim))]);
    expect((await profileOf(writeKey, victim)).body.anonymousIds).not.toContain(tablet);
  });

  it('is off by default: Segment clients send no hash, and ids link as they always did', async () => {
    const writeKey = await createSite({ settings: { holdoutPercent: 0 } });
    const { victim, laptop } = await customerWithHistory(writeKey);
    const phone = uniqueId('phone');
    await sendAndStore(writeKey, [identify(phone, victim)]);
    expect((await profileOf(writeKey, victim)).body.anonymousIds.sort()).toEqual([laptop, phone].sort());
  });
});

describe('recommendations are personal only with proof', () => {
  for (const identityVerification of ['off', 'required']) {
    it(`a bare userId gets unpersonalised picks (identityVerification "${identityVerification}")`, async () => {
      const writeKey = await createSite({ settings: { holdoutPercent: 0, identityVerification } });
      // What everyone else likes, so the customer's own products are not simply the most popular.
      for (let i = 0; i < 3; i++) await sendAndStore(writeKey, [viewed(uniqueId('other'), 'best-seller')]);
      const { victim, laptop, secret } = await customerWithHistory(writeKey);
      for (const slot of ['home', 'reorder', 'cart']) {
        const stranger = await recommendations(writeKey, { slot, userId: victim });
        expect(personal(stranger), slot).toEqual([]);
        expect(stranger.variant).toBe('treatment');
      }
      expect((await recommendations(writeKey, { slot: 'home', userId: victim })).items[0]!.productId).toBe('best-seller');
      const bare = await recommendations(writeKey, { slot: 'home', userId: victim, anonymousId: uniqueId('someone-else') });
      expect(personal(bare)).toEqual([]);
      // Proof: a valid userHash, or the customer's own browser.
      const proofs: Record<string, string>[] = [{ userHash: userHash(secret, victim) }, { anonymousId: laptop }];
      for (const proof of proofs) {
        const own = await recommendations(writeKey, { slot: 'home', userId: victim, ...proof });
        expect(
          own.items.slice(0, 2).map((i) => i.productId),
          JSON.stringify(proof),
        ).toEqual(['private-stove', 'private-tent']);
        expect(personal(own).sort(), JSON.stringify(proof)).toEqual(['private-stove', 'private-tent']);
      }
      const wrong = await recommendations(writeKey, { slot: 'home', userId: victim, userHash: userHash(secret, 'someone-else') });
      expect(personal(wrong)).toEqual([]);
    });
  }

  it('answers a malformed userHash with a 400 that says what it must be', async () => {
    const writeKey = await createSite();
    const res = await recommend(writeKey, { slot: 'home', userId: 'u', userHash: 'not-a-hash' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_user_hash');
  });
});

describe('the demo shop’s server (DEV_MODE)', () => {
  it('gives the storefront the userHash of a demo customer who logged in', async () => {
    const res = await SELF.fetch(`${BASE}/dev/user-hash?userId=demo-ada-lovelace`);
    expect(res.status).toBe(200);
    const { userId, userHash: hash } = (await res.json()) as { userId: string; userHash: string };
    expect(userId).toBe('demo-ada-lovelace');
    expect(hash).toBe(userHash(await secretOf('demo-write-key'), 'demo-ada-lovelace'));
    expect((await SELF.fetch(`${BASE}/dev/user-hash`)).status).toBe(400);
  });
});
