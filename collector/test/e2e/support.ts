/** Talking to the running collector (`npm start` under Playwright) through its admin API. */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as adminApi from '../../../demo-site/simulate/admin-client';

export const ADMIN_TOKEN = 'e2e-admin-token';

/** A test's few messages are stored in well under a second; the bound only ends a wait that never would. */
const STORED_WITHIN_MS = 45_000;

export async function createSite(baseURL: string, allowedOrigins: string[] = []): Promise<string> {
  const writeKey = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  await adminApi.putSite({ url: baseURL, adminToken: ADMIN_TOKEN, writeKey, allowedOrigins });
  return writeKey;
}

/** Every stored event of the site, once its own backlog is stored (the demo seed's may still be draining). */
export async function exportEvents(baseURL: string, writeKey: string): Promise<Record<string, any>[]> {
  const admin = { url: baseURL, adminToken: ADMIN_TOKEN };
  await adminApi.waitUntilStored({ ...admin, writeKey, timeoutMs: STORED_WITHIN_MS, intervalMs: 100 });
  return adminApi.exportEvents({ ...admin, writeKey });
}

/** Polls the export until `predicate` holds (clients flush on their own schedule). */
export async function eventually<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (predicate(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A static file server on 127.0.0.1: a page of another origin than the collector (localhost). */
export async function serveStatic(files: Record<string, string | (() => Promise<string>)>): Promise<{ origin: string; close: () => Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const entry = files[url.pathname];
    if (!entry) {
      res.writeHead(404).end('not found');
      return;
    }
    const body = typeof entry === 'function' ? await entry() : entry;
    const type = url.pathname.endsWith('.js') ? 'text/javascript' : 'text/html';
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8` }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export const readText = (file: string) => readFile(path.resolve(file), 'utf8');
