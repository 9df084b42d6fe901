/**
 * Navigation: the URL changes of single-page apps (`pushState`,
 * `replaceState`, `popstate`), told at once (so that an event recorded
 * right after one carries the new page), and, when page views are
 * automatic, the views after the first (the tracker counts that one as it
 * starts, unless the page is prerendered): one per distinct URL of an app
 * (the URL may have changed already, before this ran), pages restored from
 * the back/forward cache, which run no script again, and a prerendered
 * page once it is shown.
 */
import { pageUrl } from './context';

export function watchNavigation(onMove: () => void, onPageview: false | ((restored: boolean) => void), last: string): void {
  // A router changes the URL before it renders the new page and sets its title: look one task later,
  // which also folds a pushState immediately followed by a replaceState into one view.
  const navigated = () => {
    onMove();
    // (The URL is read again, compared with the last one and kept, in one go.)
    if (onPageview) setTimeout(() => last != (last = pageUrl()) && onPageview(false));
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      navigated();
      return result;
    };
  }
  addEventListener('popstate', navigated);
  if (!onPageview) return;
  addEventListener('pageshow', (event) => event.persisted && onPageview(true));

  // A prerendered page (Speculation Rules) is counted when the user activates it, if ever.
  if ((document as Document & { prerendering?: boolean }).prerendering)
    document.addEventListener('prerenderingchange', () => onPageview(false), { once: true });
  // A router that changed the URL before this ran.
  else navigated();
}
