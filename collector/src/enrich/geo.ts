/**
 * The visitor's region from the edge's IP geolocation (`request.cf`). The IP
 * itself is never read or stored. In local development (DEV_MODE) the
 * X-Geo-* headers override it, so simulations can come from many regions;
 * production ignores them.
 */
import type { Geo } from '@trailmark/schema';

type CfGeo = Partial<Record<'country' | 'region' | 'regionCode' | 'city' | 'continent' | 'timezone', unknown>>;

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export function geoFromRequest(request: Request, devMode: boolean): Geo {
  const cf = ((request as { cf?: CfGeo }).cf ?? {}) as CfGeo;
  let country = text(cf.country);
  let region = text(cf.region);
  let regionCode = text(cf.regionCode);
  let city = text(cf.city);
  let continent = text(cf.continent);
  let timezone = text(cf.timezone);
  if (devMode) {
    const [cookieCountry, cookieRegion, cookieCity] = devGeoCookie(request.headers.get('cookie'));
    const devCountry = request.headers.get('x-geo-country') || cookieCountry;
    const devRegion = request.headers.get('x-geo-region') || cookieRegion;
    const devCity = request.headers.get('x-geo-city') || cookieCity;
    if (devCountry) {
      country = devCountry;
      continent = timezone = region = regionCode = city = undefined;
    }
    if (devRegion) {
      region = devRegion;
      regionCode = undefined;
    }
    if (devCity) city = devCity;
  }
  // Built with only the fields there are (deleting the others would leave an object that is slower to
  // serialise, and it is serialised with every message of the request).
  const geo: Geo = {};
  if (country) geo.country = country;
  if (region) geo.region = region;
  if (regionCode) geo.regionCode = regionCode;
  if (city) geo.city = city;
  if (continent) geo.continent = continent;
  if (timezone) geo.timezone = timezone;
  return geo;
}

/** "country|region|city" from the dev-only cookie; empty parts are absent. */
function devGeoCookie(header: string | null): (string | undefined)[] {
  const match = header ? /(?:^|;\s*)tm_dev_geo=([^;]*)/.exec(header) : null;
  if (!match) return [];
  try {
    return decodeURIComponent(match[1]!)
      .split('|')
      .map((part) => part.trim() || undefined);
  } catch {
    return [];
  }
}
