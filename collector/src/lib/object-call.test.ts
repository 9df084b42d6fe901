import { describe, expect, it } from 'vitest';
import { callObject, describeError, isRetryable, OBJECT_CALL_ATTEMPTS, OBJECT_CALL_BASE_DELAY_MS } from './object-call';

/** An error as the runtime throws it from a stub call. */
function runtimeError(message: string, flags: { retryable?: boolean; overloaded?: boolean; remote?: boolean }): Error {
  return Object.assign(new Error(message), flags);
}

/** Stubs numbered in the order they were made, each failing with the next of `failures` (then answering its number). */
function objects(failures: unknown[]) {
  const made: number[] = [];
  const called: number[] = [];
  const waits: number[] = [];
  const retried: number[] = [];
  const stub = () => {
    const id = made.length + 1;
    made.push(id);
    return {
      id,
      call: async () => {
        called.push(id);
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        return id;
      },
    };
  };
  const options = {
    sleep: async (ms: number) => void waits.push(ms),
    random: () => 0.5,
    onRetry: (_err: unknown, attempt: number) => void retried.push(attempt),
  };
  return { made, called, waits, retried, stub, options };
}

describe('callObject', () => {
  it('answers at once when the call succeeds', async () => {
    const o = objects([]);
    await expect(callObject(o.stub, (s) => s.call(), o.options)).resolves.toBe(1);
    expect(o.made).toEqual([1]);
    expect(o.waits).toEqual([]);
  });

  it('retries a retryable error on a fresh stub, after a short wait', async () => {
    const o = objects([runtimeError('Network connection lost.', { retryable: true })]);
    await expect(callObject(o.stub, (s) => s.call(), o.options)).resolves.toBe(2);
    // Each attempt called a stub of its own: the one that threw is never used again.
    expect(o.called).toEqual([1, 2]);
    expect(o.retried).toEqual([1]);
    expect(o.waits).toEqual([OBJECT_CALL_BASE_DELAY_MS * 0.5]);
  });

  it('never retries an overloaded object, even when the error is also retryable', async () => {
    const overloaded = runtimeError('Durable Object is overloaded.', { retryable: true, overloaded: true });
    const o = objects([overloaded]);
    await expect(callObject(o.stub, (s) => s.call(), o.options)).rejects.toBe(overloaded);
    expect(o.called).toEqual([1]);
    expect(o.waits).toEqual([]);
  });

  it("never retries the object's own errors nor anything else without the flag", async () => {
    for (const failure of [
      new Error('no such profile'),
      runtimeError('thrown by the object', { remote: true }),
      runtimeError('x', { retryable: false }),
      'a string',
    ]) {
      const o = objects([failure]);
      await expect(callObject(o.stub, (s) => s.call(), o.options)).rejects.toBe(failure);
      expect(o.called).toEqual([1]);
    }
  });

  it('gives up after the bound and rethrows the last error', async () => {
    const errors = [1, 2, 3, 4].map((n) => runtimeError(`lost ${n}`, { retryable: true }));
    const o = objects([...errors]);
    await expect(callObject(o.stub, (s) => s.call(), o.options)).rejects.toBe(errors[OBJECT_CALL_ATTEMPTS - 1]);
    expect(o.called).toEqual([1, 2, 3]);
    expect(o.retried).toEqual([1, 2]);
  });

  it('doubles the bound of each wait and keeps the total well under a second', async () => {
    const o = objects([runtimeError('lost', { retryable: true }), runtimeError('lost', { retryable: true }), runtimeError('lost', { retryable: true })]);
    await expect(callObject(o.stub, (s) => s.call(), { ...o.options, random: () => 0.999999 })).rejects.toThrow('lost');
    expect(o.waits).toHaveLength(OBJECT_CALL_ATTEMPTS - 1);
    expect(o.waits[1]! / o.waits[0]!).toBeCloseTo(2);
    expect(o.waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThan(250);
  });

  it('jitters the waits: two callers that failed together do not come back together', async () => {
    const waitsWith = async (random: number) => {
      const o = objects([runtimeError('lost', { retryable: true })]);
      await callObject(o.stub, (s) => s.call(), { ...o.options, random: () => random });
      return o.waits[0];
    };
    expect(await waitsWith(0.1)).not.toBe(await waitsWith(0.9));
  });

  it('really waits with the default sleep', async () => {
    const o = objects([runtimeError('lost', { retryable: true })]);
    const started = Date.now();
    await expect(callObject(o.stub, (s) => s.call(), { onRetry: () => {}, baseDelayMs: 20, random: () => 0.99 })).resolves.toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});

describe('isRetryable', () => {
  it('is true for a retryable error that is not an overload', () => {
    expect(isRetryable(runtimeError('lost', { retryable: true }))).toBe(true);
    expect(isRetryable(runtimeError('lost', { retryable: true, overloaded: true }))).toBe(false);
    expect(isRetryable(runtimeError('lost', {}))).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});

describe('describeError', () => {
  it("names the error and the runtime's flags", () => {
    expect(describeError(runtimeError('Network connection lost.', { retryable: true }))).toBe('Network connection lost. (retryable)');
    expect(describeError(new Error('boom'))).toBe('boom');
    expect(describeError('odd')).toBe('odd');
  });
});
