import type { Site } from './sites/site';
import type { StatsContext } from './stats/context';

/** Hono's type parameters for this Worker: its bindings and per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The site of the request, once a route has looked it up (CORS needs it). */
    site?: Site;
    /** The statistics request being answered (its D1 time goes into Server-Timing). */
    stats?: StatsContext;
  };
}
