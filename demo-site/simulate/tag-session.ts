/**
 * Builds Segment messages the way our tag sends them from a browser: one
 * browsing session on one device, with its clock, its page context, its
 * anonymousId, and the userId once the shopper has logged in.
 */
import type { Campaign, Context, IdentifyMessage, JsonObject, Message, PageMessage, TrackMessage } from '@trailmark/schema';
import type { DeviceProfile } from './devices';
import type { Random } from './random';
import type { RegionSpec } from './regions';

export const LIBRARY = { name: 'trailmark', version: '0.1.0' } as const;

export interface TagSessionOptions {
  random: Random;
  anonymousId: string;
  userId?: string;
  device: DeviceProfile;
  region: RegionSpec;
  /** Where the storefront lives, e.g. http://localhost:8787 (page URLs are built on it). */
  siteOrigin: string;
  startAt: number;
  /** The page the shopper came from (a search engine, a newsletter), if any. */
  referrer?: string;
  campaign?: Campaign;
}

// A type alias, not an interface: it must fit the index signature of PageContext.
type CurrentPage = {
  readonly path: string;
  readonly referrer: string;
  readonly search: string;
  readonly title: string;
  readonly url: string;
};

export class TagSession {
  readonly messages: Message[] = [];
  readonly sessionId: string;
  private clock: number;
  private userId: string | undefined;
  private page: CurrentPage | undefined;
  private readonly random: Random;
  private readonly options: TagSessionOptions;
  private referrer: string;
  private shared: { library: Readonly<typeof LIBRARY>; screen: Readonly<DeviceProfile['screen']>; campaign: Readonly<Campaign> | undefined } | undefined;

  constructor(options: TagSessionOptions) {
    this.options = options;
    this.random = options.random;
    this.clock = options.startAt;
    this.userId = options.userId;
    this.referrer = options.referrer ?? '';
    this.sessionId = this.random.uuid();
  }

  get now(): number {
    return this.clock;
  }

  get loggedIn(): boolean {
    return this.userId !== undefined;
  }

  /** Time passes while the shopper reads the page (seconds, exponentially distributed around the mean). */
  think(meanSeconds = 25, minSeconds = 3): void {
    this.clock += Math.round((minSeconds + this.random.exponential(meanSeconds)) * 1000);
  }

  /** A page view, as the tag records it on load or on an SPA navigation. */
  pageView(name: string, path: string, title: string): void {
    const [pathname = path, query = ''] = path.split('?');
    const url = this.options.siteOrigin + path;
    this.page = Object.freeze({ path: pathname, referrer: this.referrer, search: query ? `?${query}` : '', title: `${title} · Trailmark Demo Shop`, url });
    this.referrer = url;
    const message: PageMessage = {
      ...this.base(),
      type: 'page',
      name,
      properties: this.page,
    };
    this.messages.push(message);
  }

  track(event: string, properties: JsonObject): void {
    // The track call follows the interaction that caused it by a fraction of a second.
    this.clock += this.random.int(40, 900);
    const message: TrackMessage = { ...this.base(), type: 'track', event, properties };
    this.messages.push(message);
  }

  /** Login: from now on every message carries the userId too. */
  identify(userId: string, traits: JsonObject): void {
    this.clock += this.random.int(200, 1500);
    this.userId = userId;
    const message: IdentifyMessage = { ...this.base(), type: 'identify', traits };
    this.messages.push(message);
  }

  private base() {
    const { device, region, campaign } = this.options;
    // Parts that do not change within a session are shared, frozen objects: a session's
    // messages serialise exactly as if each had its own copy, at a fraction of the garbage.
    this.shared ??= {
      library: Object.freeze({ ...LIBRARY }),
      screen: Object.freeze({ ...device.screen }),
      campaign: campaign ? Object.freeze({ ...campaign }) : undefined,
    };
    const context: Context = {
      library: this.shared.library,
      userAgent: device.userAgent,
      locale: region.locale,
      timezone: region.timezone,
      screen: this.shared.screen,
      sessionId: this.sessionId,
    };
    if (this.page) context.page = this.page;
    if (this.shared.campaign) context.campaign = this.shared.campaign;
    return {
      messageId: this.random.uuid(),
      anonymousId: this.options.anonymousId,
      ...(this.userId !== undefined ? { userId: this.userId } : {}),
      timestamp: new Date(this.clock).toISOString(),
      context,
    };
  }
}
