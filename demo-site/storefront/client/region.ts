/**
 * The demo's region switcher. In local development the collector takes the
 * visitor's region from the `tm_dev_geo` cookie ("country|region|city"),
 * for the tag's events and for recommendations alike, since both are
 * same-origin requests that carry it. Production ignores the cookie and
 * uses the edge's geolocation.
 */
const COOKIE = 'tm_dev_geo';

export interface DemoRegion {
  country: string;
  region: string;
  city: string;
}

export function currentRegion(): DemoRegion | undefined {
  const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([^;]*)`).exec(document.cookie);
  if (!match) return undefined;
  try {
    const [country, region, city] = decodeURIComponent(match[1]!).split('|');
    return country ? { country, region: region ?? '', city: city ?? '' } : undefined;
  } catch {
    return undefined;
  }
}

/** `value` is the switcher's "country|region|city", or "" for the edge's own idea. */
function setRegion(value: string): void {
  document.cookie = value
    ? `${COOKIE}=${encodeURIComponent(value)}; path=/; max-age=${30 * 86400}; samesite=lax`
    : `${COOKIE}=; path=/; max-age=0; samesite=lax`;
}

export function initRegionSwitcher(): void {
  const select = document.querySelector<HTMLSelectElement>('[data-region-switcher]');
  if (!select) return;
  const region = currentRegion();
  select.value = region ? [region.country, region.region, region.city].join('|') : '';
  select.addEventListener('change', () => {
    setRegion(select.value);
    // The page's recommendations were chosen for the old region: fetch them again.
    location.reload();
  });
}
