import { onIdle } from './onIdle';

/** Runs `callback` at idle time once the page has loaded (its `load` event), so it never competes with the page's own start. */
export const afterLoad = (callback: () => void) =>
  document.readyState == 'complete' ? onIdle(callback) : addEventListener('load', () => onIdle(callback), { once: true });
