/** Admin calls the benchmarks and the simulator need. */
export async function waitUntilStored(server: { url: string }, { timeoutMs = 300_000, adminToken }: { timeoutMs?: number; adminToken: string }): Promise<number> {
  const started = Date.now();
  for (;;) {
    const res = await fetch(`${server.url}/v1/admin/ingest-status`, { headers: { authorization: `Bearer ${adminToken}` } });
    if (!res.ok) throw new Error(`ingest-status: ${res.status} ${await res.text()}`);
    const { pending } = (await res.json()) as { pending: number };
    if (pending === 0) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${pending} messages still pending after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
