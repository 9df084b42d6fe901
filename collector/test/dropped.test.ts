/** What the collector drops by the site's privacy settings is counted with its reason. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { IngestResponse, IngestStatus } from '@trailmark/schema';
import { ADMIN, BASE, createSite, post, track } from './support/collector';

const ingestStatus = async (writeKey: string) =>
  (await (await SELF.fetch(`${BASE}/v1/admin/ingest-status?writeKey=${writeKey}`, { headers: ADMIN })).json()) as IngestStatus;

describe('dropped messages', () => {
  it('are counted with their reason in the ingest answer and in the ingest status', async () => {
    const writeKey = await createSite({ settings: { requireConsent: true, honorGpc: true } });
    const res = await post('/v1/batch', { writeKey, batch: [track(), track(), track({ context: { consent: { status: 'granted' } } })] });
    const answer = (await res.json()) as IngestResponse;
    expect(answer).toMatchObject({ accepted: 1, dropped: 2 });
    expect(answer.dropReasons).toEqual([{ reason: 'consent_missing', count: 2, message: expect.stringContaining('consent') }]);

    const gpc = (await (await post('/v1/batch', { writeKey, batch: [track(), track(), track()] }, { headers: { 'sec-gpc': '1' } })).json()) as IngestResponse;
    expect(gpc).toMatchObject({ accepted: 0, dropped: 3, dropReasons: [{ reason: 'gpc', count: 3 }] });

    // Counted after the answer went out (waitUntil): poll.
    let status = await ingestStatus(writeKey);
    for (let i = 0; i < 50 && (status.dropped.gpc ?? 0) < 3; i++) status = await ingestStatus(writeKey);
    expect(status.dropped).toEqual({ consent_missing: 2, gpc: 3 });
    expect(status.sites).toEqual([expect.objectContaining({ writeKey, dropped: { consent_missing: 2, gpc: 3 } })]);
  });

  it('answers nothing about drops when nothing was dropped', async () => {
    const writeKey = await createSite();
    const answer = (await (await post('/v1/batch', { writeKey, batch: [track()] })).json()) as IngestResponse;
    expect(answer).toEqual({ ok: true, accepted: 1, rejected: [] });
    expect((await ingestStatus(writeKey)).dropped).toEqual({});
  });
});
