import type { Site } from './sites/site';
import type { StatsContext } from './stats/context';

/**
 * What the site gate (http/site-gate.ts) sets for the routes behind it: the
 * site of the request's write key, whose origin and rate it has admitted.
 * Declared as Hono's request-id middleware declares `requestId`: present
 * for the routes that use the middleware, not for the others.
 */
export interface SiteGateVariables {
  site: Site;
}

/** Hono's type parameters for this Worker: its bindings and per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: SiteGateVariables & {
    /** The statistics request being answered (its D1 time goes into Server-Timing). */
    stats?: StatsContext;
  };
}
