/** A site (one shop) and its settings, with the defaults a new site gets. */
import { DEFAULT_CURRENCY, type LifecycleThresholds } from '@trailmark/schema';
import { DEFAULT_MIN_SHOPPERS } from '../recommend/popularity-floor';

export interface SiteSettings {
  /** Drop messages that do not carry granted consent (`context.consent`). */
  requireConsent: boolean;
  /** Honour `Sec-GPC: 1`: acknowledge but do not store. */
  honorGpc: boolean;
  /** Share of profiles in the control group of recommendation slots, 0–100. */
  holdoutPercent: number;
  /** Site-wide holdout, 0–50: shoppers in it get no campaign and no personalisation, so the total incrementality can be read. */
  globalHoldoutPercent: number;
  /**
   * k-anonymity floor of regional popularity, 1–10: a region's popular,
   * trending and best-selling lists show a product only once this many
   * distinct shoppers there counted for it (recommend/popularity-floor.ts).
   */
  regionalMinShoppers: number;
  /**
   * Objects the recommendation aggregates are split over (by product); 0: kept
   * in the site's ShopState. Raising it from 0 moves them there once; it
   * cannot change after that.
   */
  aggregateShards: number;
  /**
   * Objects the site's profiles are split over (by profile id), with an
   * identity directory of their own; 0: kept in the site's ShopState.
   * Raising it from 0 moves them there once; it cannot change after that.
   */
  profileShards: number;
  /** Ingest requests per second per write key (token bucket), and the burst allowed. */
  rateLimit: { perSecond: number; burst: number };
  lifecycle: LifecycleThresholds;
  /** Domain for the server-refreshed identity cookie (first-party serving), e.g. "shop.example". */
  cookieDomain?: string;
  /** The shop's currency (ISO 4217): a profile's `revenue` is in it, and an order without a currency is in it. */
  currency: string;
  /** What events may add to the catalog: products the admin has not loaded ("new"), nothing ("off"), or also the fields the admin left empty ("all"). */
  learnCatalog: 'new' | 'off' | 'all';
  /** "required": a userId without a valid userHash (see identitySecret) links nothing: no merge, no join of the browser into the customer's profile. */
  identityVerification: 'off' | 'required';
  /** Hosts besides the allowed origins that learned product links and images may point to (a CDN), e.g. "cdn.shop.example" or "*.shop-cdn.example". */
  assetHosts: string[];
  /** The shop's origin, e.g. "https://shop.example": the catalog's root-relative links and images resolve against it in slots on any page. */
  siteUrl?: string;
}

export interface Site {
  writeKey: string;
  name: string;
  /** Origin patterns: exact (`https://shop.example`), port wildcard (`http://localhost:*`), subdomain wildcard (`https://*.shop.example`). */
  allowedOrigins: string[];
  settings: SiteSettings;
  /**
   * The key of identity verification: userHash = hex(HMAC-SHA256(identitySecret, userId)).
   * Shown only in the answer of PUT/GET /v1/admin/sites/:writeKey; absent until first shown.
   */
  identitySecret?: string;
}

export const DEFAULT_SETTINGS: SiteSettings = {
  requireConsent: false,
  honorGpc: false,
  holdoutPercent: 10,
  globalHoldoutPercent: 0,
  regionalMinShoppers: DEFAULT_MIN_SHOPPERS,
  aggregateShards: 0,
  profileShards: 0,
  rateLimit: { perSecond: 2000, burst: 4000 },
  lifecycle: { activeDays: 14, atRiskDays: 30, lapsedDays: 90 },
  currency: DEFAULT_CURRENCY,
  learnCatalog: 'new',
  assetHosts: [],
  identityVerification: 'off',
};

/** The demo shop of `npm start`; exists only with DEV_MODE on. */
export const DEMO_SITE: Site = {
  writeKey: 'demo-write-key',
  name: 'Trailmark demo shop',
  allowedOrigins: ['http://localhost:*', 'http://127.0.0.1:*'],
  // A hundred synthetic shoppers spread over six regions: a floor of 2 keeps the demo's regional shelves (real sites: 5).
  settings: { ...DEFAULT_SETTINGS, regionalMinShoppers: 2 },
};

export function withDefaults(settings: Partial<SiteSettings> | undefined): SiteSettings {
  return {
    ...DEFAULT_SETTINGS,
    ...settings,
    rateLimit: { ...DEFAULT_SETTINGS.rateLimit, ...settings?.rateLimit },
    lifecycle: { ...DEFAULT_SETTINGS.lifecycle, ...settings?.lifecycle },
  };
}
