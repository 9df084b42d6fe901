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
  const geo: Geo = {
    country: text(cf.country),
    region: text(cf.region),
    regionCode: text(cf.regionCode),
    city: text(cf.city),
    continent: text(cf.continent),
    timezone: text(cf.timezone),
  };
  if (devMode) {
    const [cookieCountry, cookieRegion, cookieCity] = devGeoCookie(request.headers.get('cookie'));
    const country = request.headers.get('x-geo-country') || cookieCountry;
    const region = request.headers.get('x-geo-region') || cookieRegion;
    const city = request.headers.get('x-geo-city') || cookieCity;
    if (country) Object.assign(geo, { country, continent: undefined, timezone: undefined, region: undefined, regionCode: undefined, city: undefined });
    if (region) Object.assign(geo, { region, regionCode: undefined });
    if (city) geo.city = city;
  }
  return dropUndefined(geo);
}

/** "country|region|city" from the dev-only cookie; empty parts are absent. */
function devGeoCookie(header: string | null): (string | undefined)[] {
  const match = header ? /(?:^|;\s*)tm_dev_geo=([^;]*)/.exec(header) : null;
  if (!match) return [];
  try {
    return decodeURIComponent(match[1]!).split('|').map((part) => part.trim() || undefined);
  } catch {
    return [];
  }
}

function dropUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
