/**
 * Page views without code: the first view (once a prerendered page is
 * actually shown), single-page-app navigations (`pushState`,
 * `replaceState`, `popstate`) counted once per distinct URL, and pages
 * restored from the back/forward cache, which run no script again.
 */
import { pageUrl } from './context';

export function trackPageviews(onPageview: (restored: boolean) => void): void {
  let last = pageUrl();
  // A router changes the URL before it renders the new page and sets its title: look one task later,
  // which also folds a pushState immediately followed by a replaceState into one view.
  const navigated = () =>
    setTimeout(() => {
      const key = pageUrl();
      if (key != last) {
        last = key;
        onPageview(false);
      }
    });
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      navigated();
      return result;
    };
  }
  addEventListener('popstate', navigated);
  addEventListener('pageshow', (event) => event.persisted && onPageview(true));

  // A prerendered page (Speculation Rules) is counted when the user activates it, if ever.
  if ((document as Document & { prerendering?: boolean }).prerendering) {
    document.addEventListener('prerenderingchange', () => onPageview(false), { once: true });
  } else {
    onPageview(false);
  }
}
