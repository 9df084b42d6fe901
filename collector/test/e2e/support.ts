/** Talking to the running collector (`npm start` under Playwright) through its admin API. */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
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

export interface Arrival {
  webhookId: string;
  verified: boolean;
  answered: number;
  at: number;
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1 that checks every signature with
 * `standardwebhooks` and answers the n-th arrival of each webhook-id with
 * `answers[n]` (the last one from then on; 503 comes with Retry-After: 1),
 * or 401 when the signature does not verify.
 */
export async function flakyReceiver(secretOf: () => string, answers: number[]) {
  const arrivals: Arrival[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        new Webhook(secretOf()).verify(body, req.headers as Record<string, string>);
        verified = true;
      } catch {}
      const webhookId = String(req.headers['webhook-id']);
      const seen = arrivals.filter((a) => a.webhookId === webhookId).length;
      const answered = !verified ? 401 : answers[Math.min(seen, answers.length - 1)]!;
      arrivals.push({ webhookId, verified, answered, at: Date.now(), body });
      res.writeHead(answered, answered === 503 ? { 'Retry-After': '1' } : {}).end(answered === 200 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/hooks/trailmark`, arrivals, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
