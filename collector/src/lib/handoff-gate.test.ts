import { afterEach, describe, expect, it, vi } from 'vitest';
import { HandoffGate } from './handoff-gate';

/** A promise and the function that settles it, for a hand-off held open. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('HandoffGate', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lets an erasure start only once the hand-off in flight is over, and starts none meanwhile', async () => {
    const gate = new HandoffGate('test', () => 0);
    const steps: string[] = [];
    const first = deferred();
    const handingOff = gate.run(async () => {
      steps.push('hand-off started');
      await first.promise;
      steps.push('hand-off done');
    });
    const held = deferred();
    const erased = gate.erase(async () => {
      steps.push('erasure started');
      await held.promise;
      steps.push('erasure done');
      return 'erased';
    });
    await Promise.resolve();
    expect(steps).toEqual(['hand-off started']);
    first.resolve();
    await handingOff;
    await vi.waitFor(() => expect(steps).toContain('erasure started'));
    expect(steps.indexOf('hand-off done')).toBeLessThan(steps.indexOf('erasure started'));

    // During the erasure: no hand-off runs, and none is due.
    let ran = false;
    await gate.run(async () => {
      ran = true;
    });
    expect(ran).toBe(false);
    expect(gate.readyAt(0)).toBeUndefined();

    held.resolve();
    expect(await erased).toBe('erased');
    expect(gate.readyAt(5)).toBe(5);
    await gate.run(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it('ends the erasing state when the erasure throws', async () => {
    const gate = new HandoffGate('test', () => 0);
    await expect(gate.erase(async () => Promise.reject(new Error('storage down')))).rejects.toThrow('storage down');
    expect(gate.readyAt(0)).toBe(0);
  });

  it('backs off after failures, doubling from a second up to a minute, and starts over after a success', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let now = 0;
    const gate = new HandoffGate('audience', () => now);
    const fail = () => gate.run(async () => Promise.reject(new Error('outbox down')));
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      await fail();
      waits.push(gate.readyAt(now)! - now);
      now = gate.readyAt(now)!;
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
    expect(warn).toHaveBeenLastCalledWith('audience hand-off failed (8×, retried later): outbox down');

    // Before the back-off has passed, nothing runs.
    await fail();
    let ran = false;
    await gate.run(async () => {
      ran = true;
    }, now + 59_999);
    expect(ran).toBe(false);

    await gate.run(async () => {
      ran = true;
    }, now + 60_000);
    expect(ran).toBe(true);
    expect(gate.readyAt(now)).toBe(now);
    await fail();
    expect(gate.readyAt(now)).toBe(now + 1000);
  });
});
