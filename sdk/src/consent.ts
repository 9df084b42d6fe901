/**
 * Consent: what may be stored and sent. Whether a site requires consent and
 * honours Global Privacy Control (https://privacycg.github.io/gpc-spec/) is
 * the site's setting, read from the collector (settings.ts), so that the tag
 * and the collector can never disagree; a page only picks what happens to
 * its events before consent (held, or dropped). Until the settings are
 * known, nothing is stored or sent.
 */
import type { ConsentStatus } from './types';
import { readStorage, writeStorage } from './lib/storage';

export type ConsentState = ConsentStatus | 'pending';

/** Everything the state depends on; the tracker changes these and asks for the state again. */
export interface ConsentInputs {
  /** The browser sends Global Privacy Control. */
  _gpc: boolean;
  /** The site honours GPC (from its settings). */
  _honorGpc?: boolean;
  /** The site requires consent. Known once the settings are. */
  _required?: boolean;
  /** The visitor's decision, here or on an earlier page. */
  _decision?: ConsentStatus;
  /** Google Consent Mode's default for the site: `denied` means wait for a decision. */
  _modeDefault?: ConsentStatus;
  /** Things still unknown at start (the site's settings, the data layer's first entries). */
  _starting: number;
}

const CONSENT_KEY = 'tm_consent';

export function consentState(c: ConsentInputs): ConsentState {
  // With GPC honoured and sent, the state is denied for good: no call changes it.
  if (c._gpc && c._honorGpc) return 'denied';
  if (c._starting) return 'pending';
  return c._decision || (c._modeDefault ? c._modeDefault == 'granted' : !c._required) ? c._decision || 'granted' : 'pending';
}

export function gpcEnabled(): boolean {
  return (navigator as Navigator & { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
}

/** The visitor's decision remembered from an earlier page, if any. */
export function rememberedConsent(): ConsentStatus | undefined {
  const remembered = readStorage(CONSENT_KEY);
  return remembered == 'granted' || remembered == 'denied' ? remembered : undefined;
}

/**
 * Remembers a decision for the next pages. A grant is remembered; a denial
 * only where tracking is on by default (an opt-out needs remembering), since
 * with required consent "not granted" is already the default.
 */
export function rememberConsent(status: ConsentStatus, requireConsent: boolean): void {
  writeStorage(CONSENT_KEY, status == 'granted' || !requireConsent ? status : null);
}
