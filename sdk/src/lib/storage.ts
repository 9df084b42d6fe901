/**
 * localStorage that never throws: it is missing or throws SecurityError when
 * the user blocks site data, and throws QuotaExceededError when full (and in
 * old Safari private windows, https://bugs.webkit.org/show_bug.cgi?id=157010).
 */
export function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Stores `value`, or removes the key when there is none (undefined, null, false, ''). */
export function writeStorage(key: string, value?: string | null | false): void {
  try {
    if (!value) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Full or blocked: the value lives in memory for this page only.
  }
}
