/** Size limits of the collector (contract section 3), shared so the SDK never sends what would be refused. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
export const MAX_REQUEST_BYTES = 500 * 1024;
export const MAX_BATCH_MESSAGES = 2500;
/** Browsers refuse keepalive requests once 64 KiB are in flight (Fetch spec, "inflight keepalive bytes"). */
export const KEEPALIVE_BUDGET_BYTES = 64 * 1024;

/** First-party cookie holding the anonymousId; the tag and the collector both write it. */
export const IDENTITY_COOKIE = 'tm_aid';
/** Cookie lifetime: two years, the usual ceiling for analytics identity cookies. */
export const IDENTITY_COOKIE_MAX_AGE_S = 2 * 365 * 24 * 3600;
