/**
 * Runs `callback` when the main thread is idle, so optional work (scanning
 * the page, loading a lazy chunk) never competes with the page's own start.
 * Safari has no requestIdleCallback (https://bugs.webkit.org/show_bug.cgi?id=164193).
 */
export function onIdle(callback: () => void, timeout = 2000): void {
  if (typeof requestIdleCallback == 'function') requestIdleCallback(callback, { timeout });
  else setTimeout(callback, 200);
}
