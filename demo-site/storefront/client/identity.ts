/**
 * Log in and log out, the two moments the shop tells Trailmark something
 * itself. The tag reads products, lists, carts and orders from the page,
 * but it has no declarative or data-layer form for "this visitor is now
 * customer X" or "this visitor left", so these use the documented JavaScript
 * API (`identify`, `reset`) through the snippet's queue: calls made before
 * /tag.js has loaded wait in `trailmark.q` and are replayed by the tag.
 */

type Method = 'identify' | 'reset' | 'flush';
type Trailmark = ((method: Method, ...args: unknown[]) => unknown) & { q?: unknown[][] };

function trailmark(): Trailmark {
  const w = window as unknown as { trailmark?: Trailmark };
  if (!w.trailmark) {
    const stub: Trailmark = (...args: unknown[]) => void (stub.q ??= []).push(args);
    w.trailmark = stub;
  }
  return w.trailmark;
}

/** Gives the tag a moment to deliver (or persist) what it holds before the page goes. */
async function settle(): Promise<void> {
  const flushed = trailmark()('flush');
  if (flushed instanceof Promise) await Promise.race([flushed.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 2000))]);
}

export async function logIn(userId: string, traits: { name: string; email: string }): Promise<void> {
  trailmark()('identify', userId, traits);
  await settle();
}

export async function logOut(): Promise<void> {
  trailmark()('reset');
  await settle();
}
