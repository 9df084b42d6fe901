/**
 * Where the simulated shoppers come from, and what each place likes. The
 * favourite aisles are deliberately disjoint, so "what sells in this region"
 * has one right answer a recommender can be checked against.
 *
 * Country is the ISO code and region the full name, as Cloudflare's
 * `request.cf` gives them and as the collector's X-Geo-* dev headers take them.
 */

export interface RegionSpec {
  /** Stable short key ("us-ca"), used in the planted truth. */
  key: string;
  country: string;
  region: string;
  city: string;
  locale: string;
  timezone: string;
  /** Hours from UTC (standard time), to give visits a local evening peak. */
  utcOffset: number;
  /** Share of all shoppers. */
  share: number;
  /** Subcategory names this region buys far more than others do. */
  favouriteSubcategories: readonly string[];
  /** Names for identify traits, so profiles look like people from there. */
  firstNames: readonly string[];
  lastNames: readonly string[];
}

export const REGIONS: readonly RegionSpec[] = [
  {
    key: 'us-ca',
    country: 'US',
    region: 'California',
    city: 'San Francisco',
    locale: 'en-US',
    timezone: 'America/Los_Angeles',
    utcOffset: -8,
    share: 0.2,
    favouriteSubcategories: ['Cycling', 'Yoga', 'Skincare', 'Smart Home'],
    firstNames: ['Olivia', 'Ethan', 'Maya', 'Noah', 'Sofia', 'Lucas'],
    lastNames: ['Garcia', 'Nguyen', 'Miller', 'Chen', 'Johnson', 'Rivera'],
  },
  {
    key: 'us-ny',
    country: 'US',
    region: 'New York',
    city: 'New York',
    locale: 'en-US',
    timezone: 'America/New_York',
    utcOffset: -5,
    share: 0.17,
    favouriteSubcategories: ['Coffee Makers', 'Jackets', 'Headphones', 'Bags'],
    firstNames: ['Emma', 'James', 'Ava', 'Daniel', 'Isabella', 'Michael'],
    lastNames: ['Rosen', 'Williams', 'Brown', 'Cohen', 'Davis', 'Murphy'],
  },
  {
    key: 'de-by',
    country: 'DE',
    region: 'Bavaria',
    city: 'Munich',
    locale: 'de-DE',
    timezone: 'Europe/Berlin',
    utcOffset: 1,
    share: 0.16,
    favouriteSubcategories: ['Beer & Cider', 'Winter Sports', 'Cookware', 'Camping'],
    firstNames: ['Lena', 'Maximilian', 'Anna', 'Felix', 'Sophie', 'Jonas'],
    lastNames: ['Müller', 'Huber', 'Schmidt', 'Bauer', 'Wagner', 'Maier'],
  },
  {
    key: 'fr-idf',
    country: 'FR',
    region: 'Île-de-France',
    city: 'Paris',
    locale: 'fr-FR',
    timezone: 'Europe/Paris',
    utcOffset: 1,
    share: 0.16,
    favouriteSubcategories: ['Fragrance', 'Breakfast', 'Tableware', 'Sunglasses'],
    firstNames: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Léa', 'Arthur'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent'],
  },
  {
    key: 'jp-tokyo',
    country: 'JP',
    region: 'Tokyo',
    city: 'Tokyo',
    locale: 'ja-JP',
    timezone: 'Asia/Tokyo',
    utcOffset: 9,
    share: 0.15,
    favouriteSubcategories: ['Tea', 'Cameras', 'Notebooks', 'Phone Accessories'],
    firstNames: ['Yui', 'Haruto', 'Aoi', 'Sota', 'Hina', 'Ren'],
    lastNames: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito'],
  },
  {
    key: 'br-sp',
    country: 'BR',
    region: 'São Paulo',
    city: 'São Paulo',
    locale: 'pt-BR',
    timezone: 'America/Sao_Paulo',
    utcOffset: -3,
    share: 0.16,
    favouriteSubcategories: ['Coffee', 'Swimming', 'Running', 'Sneakers'],
    firstNames: ['Gabriel', 'Julia', 'Pedro', 'Beatriz', 'Rafael', 'Larissa'],
    lastNames: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Costa', 'Pereira'],
  },
];

export function regionByKey(key: string): RegionSpec {
  const region = REGIONS.find((r) => r.key === key);
  if (!region) throw new Error(`unknown region ${key}`);
  return region;
}
