/** The admin token, entered once and kept in this browser's localStorage. */
const KEY = 'trailmark-dashboard:admin-token';

export function storedToken(): string | undefined {
  try {
    return localStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeToken(token: string | undefined): void {
  if (token) localStorage.setItem(KEY, token);
  else localStorage.removeItem(KEY);
}
