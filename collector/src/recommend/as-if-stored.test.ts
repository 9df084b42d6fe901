import type { StoredMessage } from '@trailmark/schema';
import { describe, expect, it } from 'vitest';
import { migrate } from '../lib/migrate';
import { openSqlJs } from '../lib/sqljs-sql';
import { DEFAULT_SHOP_POLICY, SHOP_MIGRATIONS, ShopModel } from '../shop/shop-model';
import { asIfStored } from './as-if-stored';

const start = Date.parse('2026-03-01T10:00:00Z');
let n = 0;

function message(type: string, ids: { anonymousId?: string; userId?: string; previousId?: string }, fields: Record<string, unknown> = {}): StoredMessage {
  const timestamp = new Date(start + n * 1000).toISOString();
  return {
    type,
    messageId: `m-${n++}`,
    ...ids,
    timestamp,
    receivedAt: timestamp,
    context: { geo: { country: 'DE', region: 'Bavaria' }, device: { type: 'desktop' }, bot: false },
    ...fields,
  } as StoredMessage;
}
const view = (anonymousId: string, productId: string, category = 'Outdoor > Tents') =>
  message('track', { anonymousId }, { event: 'Product Viewed', properties: { product_id: productId, name: productId, category } });
const add = (anonymousId: string, productId: string) =>
  message('track', { anonymousId }, { event: 'Product Added', properties: { product_id: productId, name: productId, quantity: 1 } });
const identify = (anonymousId: string, userId: string) => message('identify', { anonymousId, userId }, { traits: { plan: 'gold' } });

async function shop(history: StoredMessage[], identityVerification: 'off' | 'required' = 'off') {
  const { sql, transaction } = await openSqlJs();
  migrate(sql, SHOP_MIGRATIONS);
  const model = new ShopModel(sql);
  const policy = { ...DEFAULT_SHOP_POLICY, identityVerification };
  const store = (messages: StoredMessage[]) =>
    transaction(() =>
      model.ingest(
        messages.map((m) => ({ message: m, idHashes: [] })),
        policy,
      ),
    );
  if (history.length) store(history);
  return { model, store };
}

/** The profile `ids` lead to, predicted from pending events, then as the drain really stores them: they must be the same. */
async function predictedAndStored(
  history: StoredMessage[],
  pending: StoredMessage[],
  ids: { anonymousId?: string; userId?: string; userVerified?: boolean },
  identityVerification: 'off' | 'required' = 'off',
) {
  const { model, store } = await shop(history, identityVerification);
  const storedBefore = JSON.stringify(model.profiles.find(model.profileIdOf(ids) ?? '') ?? null);
  const predicted = asIfStored({ identities: model.identities, findProfile: (id) => model.profiles.find(id) }, ids, pending, {
    currency: 'USD',
    identityVerification,
  });
  // Predicting wrote nothing.
  expect(JSON.stringify(model.profiles.find(model.profileIdOf(ids) ?? '') ?? null)).toBe(storedBefore);
  store(pending);
  const profileId = model.profileIdOf(ids);
  return { predicted, stored: { profileId, profile: profileId ? model.profiles.find(profileId) : undefined } };
}

describe('a profile as if its pending events were stored', () => {
  it('gives a first-time visitor the profile their first acknowledged views will make', async () => {
    const { predicted, stored } = await predictedAndStored([], [view('new', 'tent'), view('new', 'stove'), add('new', 'tent')], { anonymousId: 'new' });
    expect(predicted.applied).toBe(3);
    expect(predicted.profileId).toBe(stored.profileId);
    expect(predicted.profile).toEqual(stored.profile);
    expect(predicted.profile!.session.views).toEqual(['tent', 'stove']);
  });

  it('adds to what a returning shopper already has', async () => {
    const history = [view('back', 'kayak', 'Water > Boats'), view('back', 'paddle', 'Water > Boats')];
    const { predicted, stored } = await predictedAndStored(history, [view('back', 'tent')], { anonymousId: 'back' });
    expect(predicted.profile).toEqual(stored.profile);
    expect(predicted.profile!.recentViews.map((v) => v.productId)).toEqual(['kayak', 'paddle', 'tent']);
  });

  it('joins the browser to a known customer on a pending identify, as the drain merges them', async () => {
    // The customer logged in on a phone before; the laptop browsed anonymously.
    const history = [identify('phone', 'ada'), view('phone', 'lamp'), view('laptop', 'tent')];
    const pending = [view('laptop', 'stove'), identify('laptop', 'ada'), view('laptop', 'mat')];
    for (const ids of [{ anonymousId: 'laptop' }, { anonymousId: 'laptop', userId: 'ada', userVerified: true }, { userId: 'ada', userVerified: true }]) {
      const { predicted, stored } = await predictedAndStored(history, pending, ids);
      expect(predicted.profileId).toBe(stored.profileId);
      expect(predicted.profile).toEqual(stored.profile);
      expect(predicted.profile!.recentViews.map((v) => v.productId).sort()).toEqual(['lamp', 'mat', 'stove', 'tent']);
    }
  });

  it('makes an anonymous browser the customer’s on a first identify, and follows an alias', async () => {
    const first = await predictedAndStored([view('b1', 'tent')], [identify('b1', 'new-customer'), view('b1', 'stove')], {
      userId: 'new-customer',
      userVerified: true,
    });
    expect(first.predicted.profile).toEqual(first.stored.profile);
    expect(first.predicted.profileId).toBe(first.stored.profileId);

    const alias = message('alias', { anonymousId: 'b2', userId: 'bob', previousId: 'b2' });
    const second = await predictedAndStored([identify('phone-b', 'bob'), view('b2', 'tent')], [alias, view('b2', 'mat')], {
      anonymousId: 'b2',
      userId: 'bob',
      userVerified: true,
    });
    expect(second.predicted.profileId).toBe(second.stored.profileId);
    expect(second.predicted.profile).toEqual(second.stored.profile);
  });

  it('keeps two customers of a shared browser apart, as the drain does', async () => {
    const history = [identify('shared', 'a'), view('shared', 'tent')];
    const { predicted, stored } = await predictedAndStored(history, [identify('shared', 'b'), view('shared', 'lipstick')], {
      anonymousId: 'shared',
      userId: 'b',
      userVerified: true,
    });
    expect(predicted.profileId).toBe(stored.profileId);
    expect(predicted.profile).toEqual(stored.profile);
    expect(predicted.profile!.recentViews.map((v) => v.productId)).toEqual(['lipstick']);
  });

  it('links an unproven userId to nothing where the site requires identity verification, as the drain does', async () => {
    const proven = (anonymousId: string) =>
      ({ ...identify(anonymousId, 'victim'), context: { geo: {}, device: {}, bot: false, userVerified: true } }) as unknown as StoredMessage;
    const history = [proven('victim-phone'), view('victim-phone', 'lamp')];
    for (const [claim, joins] of [
      [identify('stranger', 'victim'), false],
      [proven('own-laptop'), true],
    ] as const) {
      const anonymousId = claim.anonymousId!;
      const { predicted, stored } = await predictedAndStored(history, [claim, view(anonymousId, 'tent')], { anonymousId }, 'required');
      expect(predicted.profileId).toBe(stored.profileId);
      expect(predicted.profile).toEqual(stored.profile);
      expect(predicted.profile!.recentViews.map((v) => v.productId).includes('lamp')).toBe(joins);
    }
  });

  it('leaves bots out of the profile but stitches their ids', async () => {
    const bot = { ...view('crawler', 'tent'), context: { geo: {}, device: {}, bot: true } } as StoredMessage;
    const { predicted, stored } = await predictedAndStored([], [bot], { anonymousId: 'crawler' });
    expect(predicted.applied).toBe(0);
    expect(predicted.profileId).toBe(stored.profileId);
    expect(predicted.profile).toBeUndefined();
    expect(stored.profile).toBeUndefined();
  });

  it('says nothing of a visitor with no stored state and no pending events', async () => {
    const { model } = await shop([]);
    expect(
      asIfStored({ identities: model.identities, findProfile: (id) => model.profiles.find(id) }, { anonymousId: 'nobody' }, [], { currency: 'USD' }),
    ).toEqual({ applied: 0 });
  });
});
