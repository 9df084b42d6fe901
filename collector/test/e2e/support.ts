/** Talking to the running collector (`npm start` under Playwright) through its admin API. */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const ADMIN_TOKEN = 'e2e-admin-token';
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

export async function createSite(baseURL: string, allowedOrigins: string[] = []): Promise<string> {
  const writeKey = `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const res = await fetch(`${baseURL}/v1/admin/sites/${writeKey}`, {
    method: 'PUT',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ name: writeKey, allowedOrigins }),
  });
  if (!res.ok) throw new Error(`create site: ${res.status} ${await res.text()}`);
  return writeKey;
}

export async function waitUntilStored(baseURL: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${baseURL}/v1/admin/ingest-status`, { headers: admin });
    const { pending } = (await res.json()) as { pending: number };
    if (pending === 0) return;
    if (Date.now() > deadline) throw new Error(`${pending} messages still pending`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function exportEvents(baseURL: string, writeKey: string): Promise<Record<string, any>[]> {
  await waitUntilStored(baseURL);
  const events: Record<string, any>[] = [];
  let cursor = '';
  do {
    const res = await fetch(`${baseURL}/v1/admin/export?writeKey=${writeKey}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`, { headers: admin });
    for (const line of (await res.text()).split('\n')) if (line) events.push(JSON.parse(line));
    cursor = res.headers.get('next-cursor') ?? '';
  } while (cursor);
  return events;
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
