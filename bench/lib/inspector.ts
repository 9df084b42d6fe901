/**
 * A minimal Chrome DevTools Protocol client for the V8 inspector of the
 * Worker's isolate under `wrangler dev` (the Worker and its Durable Objects
 * run there): what the profiling tools use to sample where time goes.
 */
import path from 'node:path';
import { WebSocket } from 'undici';

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export async function inspector(url: string) {
  // wrangler's inspector proxy wants a local Origin, as DevTools sends.
  const ws = new WebSocket(url, { headers: { Origin: 'http://localhost' } });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', (e) => reject(new Error(`inspector: ${String((e as { message?: string }).message ?? e.type)}`)), { once: true });
  });
  let next = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (event) => {
    const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (msg.id !== undefined && waiting.has(msg.id)) {
      waiting.get(msg.id)!(msg.error ? Promise.reject(new Error(msg.error.message)) : msg.result);
      waiting.delete(msg.id);
    }
  });
  return {
    send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const id = next++;
      ws.send(JSON.stringify({ id, method, params }));
      return new Promise<T>((resolve) => waiting.set(id, resolve as (r: unknown) => void));
    },
    close: () => ws.close(),
  };
}

/** The WebSocket URL of the Worker's isolate on wrangler's inspector port. */
export async function isolateTarget(inspectorPort: number): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      const targets = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json()) as { title?: string; webSocketDebuggerUrl: string }[];
      const target = targets.find((t) => t.title?.includes('trailmark')) ?? targets[0];
      if (target) return target.webSocketDebuggerUrl;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no inspector target on port ${inspectorPort}`);
}

/** A frame as the profiling tools print it: function, file and line. */
export function frameLabel(node: ProfileNode): string {
  const name = node.callFrame.functionName || '(anonymous)';
  return node.callFrame.url ? `${name} ${path.basename(node.callFrame.url)}:${node.callFrame.lineNumber + 1}` : name;
}

/**
 * Visits each busy sample of a profile with its milliseconds and its stack
 * (innermost frame first); returns the idle and the total milliseconds.
 */
export function walkSamples(profile: CpuProfile, visit: (ms: number, stack: ProfileNode[]) => void): { idle: number; total: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  let idle = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    total += ms;
    if (byId.get(id)!.callFrame.functionName === '(idle)') {
      idle += ms;
      return;
    }
    const stack: ProfileNode[] = [];
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) stack.push(byId.get(node)!);
    visit(ms, stack);
  });
  return { idle, total };
}
