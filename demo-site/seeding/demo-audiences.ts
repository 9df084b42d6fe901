/**
 * The demo's example audiences (contract section 7), saved by `npm start`
 * before the simulated shoppers arrive, so their memberships change live as
 * the events are drained, and time alone moves shoppers in and out later
 * (idle carts, views growing old, reorders coming due).
 *
 * The demo webhook destination is subscribed to the ones in
 * DELIVERED_AUDIENCES, so the receiver page (/dev/webhooks) shows
 * `audience.entered` and `audience.exited` deliveries as they happen. The
 * region audience is left out of it: it holds a sixth of the shop and would
 * bury the others on the page.
 */
import type { Condition } from '@trailmark/schema';
import { SendError, normaliseUrl, serverMessage } from '../simulate/send';

export interface DemoAudience {
  id: string;
  name: string;
  definition: Condition;
}

export const DEMO_AUDIENCES: readonly DemoAudience[] = [
  {
    id: 'browsing-electronics',
    name: 'Browsing Electronics now',
    definition: { fact: 'viewedCategory', category: 'Electronics', withinMinutes: 30, op: 'gte', value: 1 },
  },
  {
    id: 'idle-carts',
    name: 'Carts idle for 30 minutes',
    definition: { fact: 'cartIdleMinutes', op: 'gte', value: 30 },
  },
  {
    id: 'due-to-reorder',
    name: 'Due to reorder within 3 days',
    definition: { fact: 'reorderDueDays', op: 'lte', value: 3 },
  },
  {
    id: 'sleeping-high-spenders',
    name: 'Sleeping customers who used to spend a lot',
    definition: {
      all: [
        { fact: 'lifecycle', op: 'in', value: ['at_risk', 'sleeping'] },
        { fact: 'rfm.monetary', op: 'gte', value: 4 },
      ],
    },
  },
  {
    id: 'bavaria-shoppers',
    name: 'Shoppers in Bavaria',
    definition: { fact: 'region', op: 'eq', value: 'Bavaria' },
  },
];

export const DELIVERED_AUDIENCES: readonly string[] = ['browsing-electronics', 'idle-carts', 'due-to-reorder', 'sleeping-high-spenders'];

/** Saves every demo audience (a PUT: saving the same definition again changes nothing). */
export async function registerDemoAudiences(options: { url: string; adminToken: string; writeKey: string }): Promise<{ created: string[] }> {
  const base = normaliseUrl(options.url);
  const headers = { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' };
  const created: string[] = [];
  for (const audience of DEMO_AUDIENCES) {
    const response = await fetch(`${base}/v1/admin/audiences/${audience.id}?writeKey=${encodeURIComponent(options.writeKey)}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ name: audience.name, definition: audience.definition }),
    });
    if (!response.ok)
      throw new SendError(`Saving the demo audience "${audience.id}" failed (${response.status}): ${serverMessage(await response.text())}`, response.status);
    if (((await response.json()) as { created: boolean }).created) created.push(audience.id);
  }
  return { created };
}
