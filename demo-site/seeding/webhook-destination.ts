/**
 * The demo's webhook destination: `npm start` registers `demo-webhooks`,
 * pointing at the collector's own demo receiver (/dev/webhooks, DEV_MODE
 * only), so a person sees deliveries arrive, signed and verified. On a fresh
 * state it sends one test delivery, so the page is never empty.
 *
 * Seeds that create audiences subscribe the destination to them by calling
 * this again with their ids (a PUT: idempotent, the secret stays).
 */
import { SendError, normaliseUrl, serverMessage } from '../simulate/send';

export const DEMO_DESTINATION_ID = 'demo-webhooks';

export interface DemoWebhookResult {
  created: boolean;
  receiverPage: string;
}

export async function registerDemoWebhook(options: {
  url: string;
  adminToken: string;
  writeKey: string;
  audiences?: readonly string[];
}): Promise<DemoWebhookResult> {
  const base = normaliseUrl(options.url);
  const headers = { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' };
  const path = `${base}/v1/admin/destinations/${DEMO_DESTINATION_ID}`;
  const current = await fetch(path, { headers });
  const existing = current.ok ? ((await current.json()) as { destination: { audiences: string[] } }).destination : null;
  const audiences = [...new Set([...(existing?.audiences ?? []), ...(options.audiences ?? [])])];
  const response = await fetch(`${path}?writeKey=${encodeURIComponent(options.writeKey)}`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ url: `${base}/dev/webhooks/in/${DEMO_DESTINATION_ID}`, audiences }),
  });
  if (!response.ok)
    throw new SendError(`Registering the demo webhook destination failed (${response.status}): ${serverMessage(await response.text())}`, response.status);
  // The answer holds the signing secret: it is not printed (the demo receiver asks the destination for it).
  const { created } = (await response.json()) as { created: boolean };
  if (created) {
    const test = await fetch(`${path}/test`, { method: 'POST', headers });
    if (!test.ok) throw new SendError(`The demo test delivery failed (${test.status}): ${serverMessage(await test.text())}`, test.status);
  }
  return { created, receiverPage: `${base}/dev/webhooks` };
}
