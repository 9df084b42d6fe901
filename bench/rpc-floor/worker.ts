/**
 * The bench Worker of bench/rpc-floor.ts: what a request costs the one
 * workerd thread of `wrangler dev` before any recommendation work.
 *
 *   GET /floor/json           the constant answer, no object call
 *   GET /floor/rpc            the same answer from one RPC to ShopStateFloor
 *   GET /v1/recommendations   the collector's route (query checks, site gate,
 *                             rules, ack token, the answer's input across the
 *                             call), whose one RPC returns the constant answer
 *   GET /healthz              the collector's
 *
 * The collector's app is mounted as it is; only its SHOP_STATE binding names
 * another class here (wrangler.toml). ANSWER_BYTES sets the answer's size.
 */
import { DurableObject } from 'cloudflare:workers';
import { Hono } from 'hono';
import { createApp } from '../../collector/src/app';
import type { SiteGateVariables } from '../../collector/src/app-env';
import { constantAnswer } from './constant-answer';

type FloorEnv = Omit<Env, 'SHOP_STATE'> & { SHOP_STATE: DurableObjectNamespace<ShopStateFloor>; ANSWER_BYTES: string };

/** Answers as ShopState's recommendJson does, with text made once. */
export class ShopStateFloor extends DurableObject<FloorEnv> {
  readonly #answer = constantAnswer(Number(this.env.ANSWER_BYTES));

  /** The collector's route calls this with the answer's whole input, which crosses the call as it would. */
  recommendJson(_input: unknown): string {
    return this.#answer;
  }

  answer(): string {
    return this.#answer;
  }
}

const JSON_TYPE = { 'Content-Type': 'application/json' };
let answer: string | undefined;

const app = new Hono<{ Bindings: FloorEnv; Variables: SiteGateVariables }>();
app.get('/floor/json', (c) => c.body((answer ??= constantAnswer(Number(c.env.ANSWER_BYTES))), 200, JSON_TYPE));
// The object the collector's route would ask: one per site, by name.
app.get('/floor/rpc', async (c) => c.body(await c.env.SHOP_STATE.getByName('demo-write-key').answer(), 200, JSON_TYPE));
app.route('/', createApp(''));

export default app;
