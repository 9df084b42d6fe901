/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is
 * `whsec_` + base64 of 32 random bytes; the signature is HMAC-SHA256 over
 * `${webhook-id}.${webhook-timestamp}.${body}` keyed with those bytes, sent as
 * `v1,<base64>`. During a secret rotation both secrets sign, space-separated
 * in one header; receivers accept a message when any signature matches.
 */
const PREFIX = 'whsec_';
const encoder = new TextEncoder();

export function newSecret(): string {
  return PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

export async function sign(secret: string, webhookId: string, timestampSeconds: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    fromBase64(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${webhookId}.${timestampSeconds}.${body}`));
  return `v1,${toBase64(new Uint8Array(mac))}`;
}

/** The `webhook-signature` header: one signature per secret that currently signs. */
export async function signatureHeader(secrets: string[], webhookId: string, timestampSeconds: number, body: string): Promise<string> {
  return (await Promise.all(secrets.map((secret) => sign(secret, webhookId, timestampSeconds, body)))).join(' ');
}

/**
 * The webhook-id of a change at a destination: derived from both, so every
 * attempt and a replay carry the same id, and a producer that enqueues the
 * same change again cannot mint a second one.
 */
export async function webhookIdFor(destinationId: string, changeKey: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`${destinationId}\n${changeKey}`)));
  return `msg_${[...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
