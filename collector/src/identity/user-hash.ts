/**
 * Identity verification, as Intercom and others do it: a customer id is not a
 * password (anyone can type one), so the shop's server, which knows who is
 * logged in, vouches for it with userHash = hex(HMAC-SHA256(identitySecret,
 * userId)). The secret never leaves the shop's server and ours.
 *
 * The hash is a credential for that customer, so it is checked at the edge
 * and never stored: a stored message carries `context.userVerified` instead.
 */
import type { StoredMessage } from '@trailmark/schema';

/** 32 random bytes as hex: a new site's identity secret. */
export function newIdentitySecret(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** hex(HMAC-SHA256(secret, userId)): what the shop's server computes. */
export async function userHashFor(secret: string, userId: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(userId))));
}

/** Whether `hash` is the userHash of `userId` under `secret` (compared in constant time). */
export async function userHashValid(secret: string | undefined, userId: string, hash: unknown): Promise<boolean> {
  if (!secret || typeof hash !== 'string' || !/^[0-9a-f]{64}$/i.test(hash)) return false;
  return crypto.subtle.verify('HMAC', await hmacKey(secret), fromHex(hash), encoder.encode(userId));
}

/**
 * Checks the userHash a message came with and takes it off the message:
 * `context.userVerified` is true when it matched the userId, false when it
 * did not (or came without a userId to match); absent when there was none.
 */
export async function verifiedMessage(message: StoredMessage, secret: string | undefined): Promise<StoredMessage> {
  const { userHash, ...context } = message.context as StoredMessage['context'] & { userHash?: unknown };
  if (userHash === undefined || userHash === null || userHash === '') {
    return 'userHash' in message.context ? { ...message, context } : message;
  }
  const userVerified = message.userId !== undefined && (await userHashValid(secret, message.userId, userHash));
  return { ...message, context: { ...context, userVerified } };
}

const encoder = new TextEncoder();
/** Imported keys by secret: a site's key is imported once per isolate, not per message. */
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size > 1000) keys.clear();
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    keys.set(secret, key);
  }
  return key;
}

function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
