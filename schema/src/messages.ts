/**
 * Segment Spec messages: the wire format shared by the tag, the npm package and
 * the collector. https://segment.com/docs/connections/spec/common/
 *
 * These interfaces are the single definition; `message-schema.ts` mirrors them
 * as a runtime validator and fails to compile if the two drift apart.
 */

export type MessageType = 'track' | 'page' | 'screen' | 'identify' | 'group' | 'alias';

export const MESSAGE_TYPES: readonly MessageType[] = ['track', 'page', 'screen', 'identify', 'group', 'alias'];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = Record<string, unknown>;

/** Campaign parameters (UTM), as Segment puts them in `context.campaign`. */
export interface Campaign {
  name?: string;
  source?: string;
  medium?: string;
  term?: string;
  content?: string;
  [key: string]: unknown;
}

export interface PageContext {
  path?: string;
  referrer?: string;
  search?: string;
  title?: string;
  url?: string;
  [key: string]: unknown;
}

export interface Context {
  page?: PageContext;
  userAgent?: string;
  locale?: string;
  timezone?: string;
  campaign?: Campaign;
  library?: { name: string; version: string };
  screen?: { width?: number; height?: number; density?: number };
  /** Session id: a new one after 30 minutes of inactivity. */
  sessionId?: string;
  /** Consent state the sender knew when it recorded the message. */
  consent?: { status?: 'granted' | 'denied'; categoryPreferences?: Record<string, boolean> };
  [key: string]: unknown;
}

interface BaseMessage {
  messageId: string;
  anonymousId?: string;
  userId?: string;
  /** When the event happened, by the sender's clock (ISO 8601). */
  timestamp?: string;
  /** When the sender transmitted the message (ISO 8601); used for clock-skew correction. */
  sentAt?: string;
  context?: Context;
  integrations?: Record<string, unknown>;
}

export interface TrackMessage extends BaseMessage {
  type: 'track';
  event: string;
  properties?: JsonObject;
}

export interface PageMessage extends BaseMessage {
  type: 'page' | 'screen';
  name?: string;
  category?: string;
  properties?: JsonObject;
}

export interface IdentifyMessage extends BaseMessage {
  type: 'identify';
  traits?: JsonObject;
}

export interface GroupMessage extends BaseMessage {
  type: 'group';
  groupId: string;
  traits?: JsonObject;
}

export interface AliasMessage extends BaseMessage {
  type: 'alias';
  previousId: string;
}

export type Message = TrackMessage | PageMessage | IdentifyMessage | GroupMessage | AliasMessage;

/** What the collector accepts at `POST /v1/batch`. */
export interface BatchBody {
  batch: unknown[];
  sentAt?: string;
  writeKey?: string;
  context?: Context;
}

/**
 * Why a message was acknowledged but not stored: the site's privacy
 * settings, not a fault of the message (those are `rejected`).
 * - `consent_missing`: the site requires consent and the message carries none.
 * - `gpc`: the browser sent Global Privacy Control and the site honours it.
 */
export type DropReason = 'consent_missing' | 'gpc';

/** The collector's answer to an ingest request. */
export interface IngestResponse {
  ok: true;
  accepted: number;
  rejected: { index: number; messageId?: string; reason: string }[];
  /** Messages acknowledged but not stored, when there are any. */
  dropped?: number;
  /** Why they were dropped: a count per reason, with what to do about it. */
  dropReasons?: { reason: DropReason; count: number; message: string }[];
}

/**
 * The response header of an ingest answer that carries the ack token
 * (collector/src/recommend/ack-token.ts): where the batch's messages wait
 * to be stored. A browser that has sent nothing since passes it with its
 * recommendation requests (`ack=`), which then need no look at its
 * not-yet-stored events once these are stored. A header, not a field, so
 * the answer's body stays exactly the contract's. Absent when nothing was
 * kept.
 */
export const ACK_HEADER = 'Trailmark-Ack';

/**
 * `GET /v1/tag-settings/:writeKey`: what the tag learns of its site before
 * it stores or sends anything, so that the site's settings are the one
 * place where consent is configured.
 */
export interface TagSettings {
  /** Nothing is stored on the device or sent until the visitor grants consent. */
  requireConsent: boolean;
  /** A browser sending Global Privacy Control is not tracked. */
  honorGpc: boolean;
  /**
   * The shop's origin, against which the catalog's root-relative links and
   * images resolve, so that recommendation slots show them right on any page
   * (the site's `siteUrl` setting; else the collector's own origin when it is
   * one of the site's, as on the shop's own domain or in the demo).
   */
  siteUrl?: string;
}

/** Enrichment the collector adds to every stored message. */
export interface Geo {
  country?: string;
  region?: string;
  regionCode?: string;
  city?: string;
  continent?: string;
  timezone?: string;
}

export interface Device {
  /** `server`: sent by a backend library on the shopper's behalf, with no browser user agent. */
  type: 'desktop' | 'mobile' | 'tablet' | 'bot' | 'server' | 'other';
  browser?: string;
  os?: string;
}

export type StoredMessage = Message & {
  receivedAt: string;
  timestamp: string;
  originalTimestamp?: string;
  profileId?: string;
  context: Context & { geo: Geo; device: Device; bot: boolean };
};
