/**
 * The in-memory replay (a tuning aid) ranks every request as the ShopModel
 * replay the benchmark reports does: same training sessions, same prefixes,
 * the same ten products in the same order.
 */
import { describe, expect, it } from 'vitest';
import { evenlySpread } from '../recs-quality/diginetica';
import { replayInMemory } from '../recs-quality/in-memory-replay';
import { nextItemPairs } from '../recs-quality/metrics';
import { trailmarkRecommenders } from '../recs-quality/trailmark';

/** Sessions that wander along a ring of products, with returns to what was seen, from a fixed seed. */
function sessions(count: number, seed: number): string[][] {
  let state = seed;
  const random = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  return Array.from({ length: count }, () => {
    const length = 2 + Math.floor(random() * 6);
    let at = Math.floor(random() * 80);
    const out: string[] = [];
    for (let i = 0; i < length; i++) {
      if (out.length > 1 && random() < 0.2) out.push(out[out.length - 2]!);
      else out.push(`p${(at = (at + 1 + Math.floor(random() * 3)) % 80)}`);
    }
    return out;
  });
}

describe('replayInMemory', () => {
  it('ranks the home slot as the ShopModel replay does, request by request', async () => {
    const train = sessions(600, 11);
    const test = sessions(60, 12);
    const trainMeta = evenlySpread(train.length, Date.UTC(2016, 0, 1), 20);
    const testMeta = evenlySpread(test.length, Date.UTC(2016, 0, 21), 2);
    const [home] = trailmarkRecommenders().map((make) => make({ name: 'in-memory check' }));
    await home!.train(train, trainMeta);
    const inMemory = replayInMemory(train, trainMeta);
    let compared = 0;
    for (const { session, prefix } of nextItemPairs(test)) {
      expect(inMemory.home(prefix, 10, testMeta[session])).toEqual(home!.recommend(prefix, 10, testMeta[session]));
      compared++;
    }
    expect(compared).toBeGreaterThan(150);
  }, 60_000);

  it('refuses sessions it cannot replay like the Durable Object (regions, returning shoppers)', () => {
    expect(() => replayInMemory([['a', 'b']], [{ at: 0, region: 'DE' }])).toThrow(/ShopModel replay/);
  });
});
