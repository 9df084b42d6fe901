/**
 * Log in and log out, told to Trailmark the way a Tag Manager shop tells
 * Google Analytics: a GA4 `login` push with the customer's `user_id` (and
 * `user_properties`, which become their traits) and a `logout` push. The tag
 * maps them to identify and reset; the shop never calls Trailmark itself.
 *
 * Identity verification: the login push also carries `user_hash`, which the
 * shop's server computes from the site's identity secret (here the demo's
 * stand-in, GET /dev/user-hash), so a customer id typed into someone else's
 * browser cannot join that browser to the customer's profile.
 */

function layer(): unknown[] {
  const w = window as unknown as { dataLayer?: unknown[] };
  return (w.dataLayer ??= []);
}

export function logIn(userId: string, traits: { name: string; email: string }, userHash: string | undefined): void {
  layer().push({ event: 'login', method: 'demo', user_id: userId, ...(userHash ? { user_hash: userHash } : {}), user_properties: traits });
}

/**
 * What the shop's server would render into the page after a login: the
 * customer's userHash. Without it (the demo server unreachable) the login
 * still happens, unverified.
 */
export async function userHashOf(userId: string): Promise<string | undefined> {
  try {
    const res = await fetch(`/dev/user-hash?userId=${encodeURIComponent(userId)}`);
    if (!res.ok) return undefined;
    return ((await res.json()) as { userHash?: string }).userHash;
  } catch {
    return undefined;
  }
}

/**
 * Before leaving the page after a login: let the tag take it, as a GTM shop
 * waits with eventCallback and eventTimeout. At most a second. The tag keeps
 * an identify() still waiting for its chunk across a navigation, but the
 * login push is read by the data layer chunk, which this page (its layer
 * empty until then) fetches only now: a page left first loses the push.
 */
export async function tagTookIt(): Promise<void> {
  const tag = (window as unknown as { trailmark?: { flush?(): Promise<void> } }).trailmark;
  await Promise.race([tag?.flush?.(), new Promise((done) => setTimeout(done, 1000))]).catch(() => {});
}

export function logOut(): void {
  layer().push({ event: 'logout' });
}
