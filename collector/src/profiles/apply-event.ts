/**
 * One stored message into a profile: what every message changes (counts,
 * first and last seen, place and device, the session), then the reducer of
 * its kind, one per event the profile learns from. Each reducer mutates the
 * profile and says what it changed, for the shop-wide aggregates and the
 * stored message. Pure: the same code runs in ShopState, the profile shards
 * and the offline benchmark.
 */
import { DEFAULT_CURRENCY, EVENTS, type StoredMessage } from '@trailmark/schema';
import { productFacts, productsOfMessage, type ProductFacts } from '../catalog/product-facts';
import { DAY_MS } from '../lib/decay';
import { eventTimeMs } from '../lib/event-time';
import { addInterest, INTEREST_WEIGHTS } from './interests';
import { countOnce } from './once-a-day';
import { orderTotal } from './order-total';
import {
  cartChangedAt,
  MAX_CATEGORY,
  RECENT_LISTS,
  RECENT_ORDERS,
  RECENT_REC_CLICKS,
  RECENT_SEARCHES,
  RECENT_VIEWS,
  revenueByCurrency,
  type Profile,
} from './profile';
import { recordCategoryPurchases, recordProductPurchase, trimPurchases } from './purchase-history';
import { withTraits } from './traits';

/** Server-side libraries by name: Segment's and RudderStack's for Node, Python, Ruby, Go, Java, PHP and .NET. */
const BACKEND_LIBRARY = /(node|python|ruby|golang|-go\b|java(?!script)|php|\.net|dotnet)/i;

/** Without a session id from the tag, a pause longer than this starts a new session. */
export const SESSION_GAP_MS = 30 * 60_000;
/** How long after a recommendation click an add or order is credited to it. */
export const ATTRIBUTION_WINDOW_MS = 7 * DAY_MS;
/** Earlier views of the session reported with a new view (the aggregates link it to some of them). */
const PREVIOUS_VIEWS = 10;
const SESSION_VIEWS = 20;

/** Credit of an add or an order to the recommendation that led to it. */
export interface Attribution {
  recId: string;
  slot: string;
  variant: string;
  productId: string;
}

/**
 * What an event changed, for the shop-wide aggregates and the stored message.
 * `counts` says whether the behaviour is this shopper's first of its kind on
 * the product that day, the only one that adds to what everyone sees.
 */
export interface EventEffects {
  /** A product view, with the session's earlier views, most recent first. */
  viewed?: { product: ProductFacts; previous: string[]; counts: boolean };
  /** A cart addition, with what else was in the cart. */
  added?: { product: ProductFacts; cartOthers: string[]; counts: boolean };
  /** An order; `counted` holds the ids of its products that count. */
  ordered?: { products: ProductFacts[]; orderId: string; counted: string[] };
  /** Products bought again, with the days since the previous purchase. */
  repurchased?: { productId: string; intervalMs: number }[];
  attributions?: Attribution[];
}

/** What a site's settings say about applying its events to a profile. */
export interface ApplyOptions {
  /** The site's currency: an order without one is in it, and `revenue` counts in it. */
  currency: string;
}

const DEFAULT_APPLY: ApplyOptions = { currency: DEFAULT_CURRENCY };

/** What a track event's reducer gets: the message, its properties, its time in ms and the site's options. */
interface TrackInput {
  message: StoredMessage;
  properties: Record<string, unknown>;
  at: number;
  options: ApplyOptions;
}

/** Changes the profile for one track event and fills in what it changed. */
type TrackReducer = (profile: Profile, input: TrackInput, effects: EventEffects) => void;

const pushCapped = <T>(list: T[], item: T, cap: number) => {
  list.push(item);
  if (list.length > cap) list.splice(0, list.length - cap);
};

const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined);

function attributionFor(profile: Profile, productId: string, at: number): Attribution | undefined {
  for (let i = profile.recClicks.length - 1; i >= 0; i--) {
    const click = profile.recClicks[i]!;
    if (click.productId === productId && at - click.at <= ATTRIBUTION_WINDOW_MS && at >= click.at) {
      return { recId: click.recId, slot: click.slot, variant: click.variant, productId };
    }
  }
  return undefined;
}

const productViewed: TrackReducer = (profile, { properties, at }, effects) => {
  const product = productFacts(properties);
  if (!product) return;
  profile.counts.productViews++;
  const previous = profile.session.views
    .filter((id) => id !== product.productId)
    .slice(-PREVIOUS_VIEWS)
    .reverse();
  effects.viewed = { product, previous, counts: countOnce((profile.counted ??= []), 'view', product.productId, at) };
  profile.session.views = profile.session.views.filter((id) => id !== product.productId);
  pushCapped(profile.session.views, product.productId, SESSION_VIEWS);
  profile.recentViews = profile.recentViews.filter((v) => v.productId !== product.productId);
  pushCapped(
    profile.recentViews,
    { productId: product.productId, at, ...(product.category ? { category: product.category.slice(0, MAX_CATEGORY) } : {}) },
    RECENT_VIEWS,
  );
  addInterest(profile, product.category, INTEREST_WEIGHTS.view, at);
};

const productListViewed: TrackReducer = (profile, { properties, at }) => {
  const category = str(properties.category) ?? str(properties.list_id);
  if (!category) return;
  pushCapped(profile.recentLists, { category, at }, RECENT_LISTS);
  addInterest(profile, str(properties.category), INTEREST_WEIGHTS.list, at);
};

const productsSearched: TrackReducer = (profile, { properties, at }) => {
  const query = str(properties.query);
  if (!query) return;
  profile.counts.searches++;
  pushCapped(profile.searches, { query: query.slice(0, 200), at }, RECENT_SEARCHES);
};

const productAdded: TrackReducer = (profile, { properties, at }, effects) => {
  const product = productFacts(properties);
  if (!product) return;
  profile.counts.adds++;
  const cartOthers = Object.keys(profile.cart).filter((id) => id !== product.productId);
  const current = profile.cart[product.productId];
  profile.cart[product.productId] = { quantity: (current?.quantity ?? 0) + (product.quantity ?? 1), price: product.price, at };
  profile.cartChangedAt = Math.max(cartChangedAt(profile) ?? at, at);
  addInterest(profile, product.category, INTEREST_WEIGHTS.add, at);
  effects.added = { product, cartOthers, counts: countOnce((profile.counted ??= []), 'add', product.productId, at) };
  const credit = attributionFor(profile, product.productId, at);
  if (credit) effects.attributions = [credit];
};

const productRemoved: TrackReducer = (profile, { properties, at }) => {
  const product = productFacts(properties);
  if (!product) return;
  const current = profile.cart[product.productId];
  if (!current) return;
  const left = current.quantity - (product.quantity ?? current.quantity);
  profile.cartChangedAt = Math.max(cartChangedAt(profile) ?? at, at);
  if (left > 0) current.quantity = left;
  else delete profile.cart[product.productId];
};

const orderCompleted: TrackReducer = (profile, { message, properties, at, options }, effects) => {
  const products = productsOfMessage(message);
  const orderId = str(properties.order_id) ?? message.messageId;
  const { total, currency } = orderTotal(properties, products, options.currency);
  profile.counts.orders++;
  const money = revenueByCurrency(profile, options.currency);
  money[currency] = (money[currency] ?? 0) + total;
  profile.revenueByCurrency = money;
  profile.revenue = money[options.currency] ?? 0;
  pushCapped(profile.orders, { orderId, at, total, currency, productIds: products.map((p) => p.productId) }, RECENT_ORDERS);
  const repurchased: { productId: string; intervalMs: number }[] = [];
  const attributions: Attribution[] = [];
  for (const product of products) {
    addInterest(profile, product.category, INTEREST_WEIGHTS.order, at);
    const intervalMs = recordProductPurchase(profile, product.productId, at);
    if (intervalMs !== undefined) repurchased.push({ productId: product.productId, intervalMs });
    delete profile.cart[product.productId];
    const credit = attributionFor(profile, product.productId, at);
    if (credit) attributions.push(credit);
  }
  trimPurchases(profile.purchases);
  recordCategoryPurchases(profile, products, at);
  const counted = products.filter((p) => countOnce((profile.counted ??= []), 'order', p.productId, at)).map((p) => p.productId);
  effects.ordered = { products, orderId, counted };
  if (repurchased.length) effects.repurchased = repurchased;
  if (attributions.length) effects.attributions = attributions;
};

const recommendationClicked: TrackReducer = (profile, { properties, at }) => {
  const recId = str(properties.rec_id);
  const productId = str(properties.product_id);
  if (!recId || !productId) return;
  pushCapped(
    profile.recClicks,
    { recId, slot: str(properties.slot) ?? 'unknown', variant: str(properties.variant) ?? 'treatment', productId, at },
    RECENT_REC_CLICKS,
  );
};

/** The events a profile learns from, each with its reducer; any other track event only counts. */
const TRACK_REDUCERS: ReadonlyMap<string, TrackReducer> = new Map([
  [EVENTS.productViewed, productViewed],
  [EVENTS.productListViewed, productListViewed],
  [EVENTS.productsSearched, productsSearched],
  [EVENTS.productAdded, productAdded],
  [EVENTS.productRemoved, productRemoved],
  [EVENTS.orderCompleted, orderCompleted],
  [EVENTS.recommendationClicked, recommendationClicked],
]);

/** What every message changes: counts, first and last seen (with place and device), the session. */
function recordVisit(profile: Profile, message: StoredMessage, at: number): void {
  profile.counts.events++;
  profile.firstSeen = Math.min(profile.firstSeen, at);
  if (at >= profile.lastSeen) {
    profile.lastSeen = at;
    const { geo, device } = message.context;
    // A backend library's message (Segment's analytics-node and its kin name themselves in context.library,
    // and send no browser user agent: device "server") was geolocated at the shop's data centre, not at the
    // shopper, and says nothing of their device: it leaves both as the shopper's own messages set them, naming
    // the device "server" only for a person known from backend messages alone. Any other sender (a bare HTTP
    // client, a browser library's payload sent from a script) is taken at its word, as before.
    const fromBackend = device.type === 'server' && BACKEND_LIBRARY.test(message.context.library?.name ?? '');
    if (geo.country && !fromBackend) profile.geo = { country: geo.country, region: geo.region, city: geo.city };
    if (device.type && device.type !== 'other' && !(fromBackend && profile.device.type)) {
      profile.device = { type: device.type, browser: device.browser, os: device.os };
    }
  }

  const sessionId = typeof message.context.sessionId === 'string' ? message.context.sessionId : undefined;
  const newSession = sessionId ? sessionId !== profile.session.id : at - profile.session.lastAt > SESSION_GAP_MS;
  if (newSession && at >= profile.session.lastAt) {
    profile.sessionCount++;
    profile.session = { id: sessionId ?? `s${at}`, startedAt: at, lastAt: at, views: [] };
  } else {
    profile.session.lastAt = Math.max(profile.session.lastAt, at);
  }
}

/** Applies one stored message to the profile (mutating it) and says what it changed. */
export function applyEvent(profile: Profile, message: StoredMessage, options: ApplyOptions = DEFAULT_APPLY): EventEffects {
  const at = eventTimeMs(message);
  const effects: EventEffects = {};
  recordVisit(profile, message, at);
  if (message.type === 'page' || message.type === 'screen') {
    profile.counts.pageViews++;
  } else if (message.type === 'identify') {
    profile.traits = withTraits(profile.traits, message.traits);
  } else if (message.type === 'track') {
    const reducer = TRACK_REDUCERS.get(message.event);
    if (reducer) reducer(profile, { message, properties: (message.properties ?? {}) as Record<string, unknown>, at, options }, effects);
  }
  return effects;
}
