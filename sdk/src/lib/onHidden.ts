/**
 * Calls `callback` when the page is hidden: on `visibilitychange` to hidden
 * and on `pagehide` (the callback takes being called twice for one hide).
 * Both are needed: Safari before 14.1 fired no `visibilitychange` when a
 * page was unloaded (https://bugs.webkit.org/show_bug.cgi?id=151234), and a
 * page frozen into the back/forward cache gets `pagehide`. Never `unload`,
 * which makes a page ineligible for the back/forward cache and is not fired
 * reliably on mobile.
 */
export function onHidden(callback: () => void): void {
  addEventListener('pagehide', callback, true);
  document.addEventListener('visibilitychange', () => document.visibilityState == 'hidden' && callback(), true);
}
