/**
 * Log in and log out, told to Trailmark the way a Tag Manager shop tells
 * Google Analytics: a GA4 `login` push with the customer's `user_id` (and
 * `user_properties`, which become their traits) and a `logout` push. The tag
 * maps them to identify and reset; the shop never calls Trailmark itself.
 */

function layer(): unknown[] {
  const w = window as unknown as { dataLayer?: unknown[] };
  return (w.dataLayer ??= []);
}

export function logIn(userId: string, traits: { name: string; email: string }): void {
  layer().push({ event: 'login', method: 'demo', user_id: userId, user_properties: traits });
}

export function logOut(): void {
  layer().push({ event: 'logout' });
}
