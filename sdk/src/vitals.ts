/**
 * Lazy chunk: Core Web Vitals (LCP, INP, CLS, FCP, TTFB) from the
 * `web-vitals` library, reported as `Web Vitals` track events tied to the
 * page view the document began with. Loaded after the page's load event;
 * web-vitals reads buffered performance entries, so nothing is missed.
 */
import { EVENTS } from '@trailmark/schema';
import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';
import type { Host } from './tracker';

export function reportWebVitals(host: Host): void {
  const report = (metric: Metric) =>
    host.tracker.track(EVENTS.webVitals, {
      metric: metric.name,
      value: metric.value,
      delta: metric.delta,
      rating: metric.rating,
      id: metric.id,
      navigation_type: metric.navigationType,
      page_view_id: host.pageViewId(),
    });
  [onCLS, onFCP, onINP, onLCP, onTTFB].forEach((on) => on(report));
}
