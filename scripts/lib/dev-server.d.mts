// Types of dev-server.mjs for the TypeScript that imports it (the benchmarks).
import type { ChildProcess } from 'node:child_process';

export const ROOT: string;
export function applyMigrations(stateDir: string): Promise<void>;
export function startDevServer(options: {
  port: number;
  stateDir: string;
  adminToken: string;
  vars?: Record<string, string>;
  quiet?: boolean;
  ip?: string;
  /** The inspector's port (0: any free one). */
  inspectorPort?: number;
}): Promise<{ url: string; process: ChildProcess; output: () => string; stop: () => Promise<void> }>;
export function freePort(): Promise<number>;
