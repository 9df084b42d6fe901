/**
 * Consent: what may be stored and sent. With `requireConsent`, nothing is
 * stored on the device and nothing is sent until consent is granted. With
 * `respectGpc`, a browser sending Global Privacy Control
 * (https://privacycg.github.io/gpc-spec/) is never tracked, whatever else is
 * called: a banner's default "granted" must not override the user's signal.
 */
import type { ConsentStatus } from './types';
import { readStorage, writeStorage } from './lib/storage';

export type ConsentState = ConsentStatus | 'pending';

const CONSENT_KEY = 'tm_consent';

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
