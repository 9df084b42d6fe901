// Types of dev-server.mjs for the TypeScript that imports it (the benchmarks).
import type { ChildProcess } from 'node:child_process';

export const ROOT: string;
/** `config`: another Worker's wrangler config (a bench's), default the collector's. */
export function applyMigrations(stateDir: string, config?: string): Promise<void>;
export function startDevServer(options: {
  port: number;
  stateDir: string;
  adminToken: string;
  vars?: Record<string, string>;
  quiet?: boolean;
  ip?: string;
  /** The inspector's port (0: any free one). */
  inspectorPort?: number;
  /** Another Worker's wrangler config (a bench's), default the collector's: it binds D1 as DB and answers GET /healthz. */
  config?: string;
  /** The folder of static files to serve instead of the config's (dist/public): one of the server's own, which no other build rewrites under it. */
  assets?: string;
}): Promise<{ url: string; process: ChildProcess; output: () => string; stop: () => Promise<void> }>;
export function freePort(): Promise<number>;
