/**
 * A site's audiences as the admin API sees them, assembled from every profile
 * host of the site (hosts.ts): definitions replicated to each, status and
 * sizes added up, members paged host after host, a preview evaluated on a
 * bounded sample of each, RFM boundaries merged from each host's summary.
 */
import type { AudienceMember, AudiencePreview, AudienceView, Condition, ProfileAudiences, StaticListChange } from '@trailmark/schema';
import type { HostAudienceReport } from './audience-host';
import type { AudienceEntry, StaticAudienceEntry } from './audience-directory';
import { hostOfProfile, profileHostPlace, profileHosts } from './hosts';
import { decodeMembersCursor, encodeMembersCursor, previewSize, siteSizeByDay } from './members-format';
import { mergeRfmSummaries, rfmBoundaries, type RfmBoundaries } from './rfm';

/** Profiles a preview evaluates at most, over all hosts: bounded work whatever the size of the shop. */
export const PREVIEW_PROFILES = 5000;
const PREVIEW_SAMPLE = 10;
/** Days of size history a single audience shows. */
export const SIZE_HISTORY_DAYS = 90;

/** Saves definitions on every host (new or changed ones start their backfill there) and removes others. */
export async function replicate(env: Env, writeKey: string, put: readonly AudienceEntry[], remove: readonly string[] = []): Promise<void> {
  const definitions = put.flatMap((a) => (a.kind === 'live' ? [{ id: a.id, name: a.name, definition: a.definition }] : []));
  await Promise.all((await profileHosts(env, writeKey)).map((host) => host.audienceDefine(definitions, [...remove])));
}

/** Unknown ids shown in an answer at most. */
const UNKNOWN_IDS_SHOWN = 20;

/**
 * A static audience's list on every host of the site: each host takes the
 * ids of the profiles it holds (and, with `replace`, lets go of everyone
 * else); every host learns of the audience, even with no id to take.
 */
export async function replicateList(
  env: Env,
  entry: StaticAudienceEntry,
  change: { add?: readonly string[]; remove?: readonly string[]; replace?: boolean },
): Promise<StaticListChange> {
  const hosts = await profileHosts(env, entry.site);
  const placeOf = await profileHostPlace(env, entry.site);
  const perHost = hosts.map(() => ({ add: [] as string[], remove: [] as string[] }));
  const share = (ids: readonly string[] | undefined, key: 'add' | 'remove') => {
    for (const id of ids ?? []) perHost[placeOf(id)]![key].push(id);
  };
  share(change.add, 'add');
  share(change.remove, 'remove');
  const results = await Promise.all(
    hosts.map((host, i) => host.audienceList(entry.id, entry.name, { ...perHost[i]!, ...(change.replace ? { replace: true } : {}) })),
  );
  const unknown = results.flatMap((r) => r.unknown);
  return {
    added: results.reduce((sum, r) => sum + r.added, 0),
    removed: results.reduce((sum, r) => sum + r.removed, 0),
    unknown: unknown.length,
    unknownIds: unknown.slice(0, UNKNOWN_IDS_SHOWN),
  };
}

/** Status and size of the site's audiences (all, or those named), with size by day when `withDays`. */
export async function siteReport(env: Env, entries: readonly AudienceEntry[], withDays = false, now = Date.now()): Promise<AudienceView[]> {
  const bySite = new Map<string, AudienceEntry[]>();
  for (const entry of entries) bySite.set(entry.site, [...(bySite.get(entry.site) ?? []), entry]);
  const views: AudienceView[] = [];
  for (const [site, list] of bySite) {
    const ids = list.map((a) => a.id);
    const reports = await Promise.all((await profileHosts(env, site)).map((host) => host.audienceReport(ids, withDays ? '0000-00-00' : undefined)));
    for (const entry of list) {
      const perHost = reports.map((report) => report.find((r) => r.id === entry.id));
      views.push(view(entry, perHost, withDays, now));
    }
  }
  return views;
}

function view(entry: AudienceEntry, perHost: (HostAudienceReport | undefined)[], withDays: boolean, now: number): AudienceView {
  // A host that does not know the definition yet (a replication still to come) counts as building.
  const status = perHost.every((r) => r?.status === 'ready' && JSON.stringify(r.definition) === JSON.stringify(entry.definition)) ? 'ready' : 'building';
  const out: AudienceView = {
    id: entry.id,
    writeKey: entry.site,
    name: entry.name,
    kind: entry.kind,
    definition: entry.definition,
    ...(entry.kind === 'static' && entry.description ? { description: entry.description } : {}),
    size: perHost.reduce((sum, r) => sum + (r?.size ?? 0), 0),
    status,
    createdAt: entry.createdAt,
    updatedAt: entry.updatedAt,
  };
  if (withDays) {
    const today = new Date(now).toISOString().slice(0, 10);
    const earliest = new Date(now - (SIZE_HISTORY_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
    const created = entry.createdAt.slice(0, 10);
    out.sizeByDay = siteSizeByDay(
      perHost.map((r) => r?.sizeByDay ?? []),
      created > earliest ? created : earliest,
      today,
    );
  }
  return out;
}

/**
 * One page of members, host after host in profile id order; `cursor` (a
 * previous page's) names the host and the profile to continue after.
 * Throws InvalidCursor for a cursor this site did not hand out.
 */
export async function siteMembers(
  env: Env,
  writeKey: string,
  audienceId: string,
  cursor: string | undefined,
  limit: number,
): Promise<{ members: AudienceMember[]; nextCursor: string | null }> {
  const hosts = await profileHosts(env, writeKey);
  let position = { host: 0, after: '' };
  if (cursor !== undefined) {
    const decoded = decodeMembersCursor(cursor, hosts.length);
    if (!decoded) throw new InvalidCursor();
    position = decoded;
  }
  const members: AudienceMember[] = [];
  for (let h = position.host; h < hosts.length; h++) {
    let after: string | null = h === position.host ? position.after : '';
    while (members.length < limit) {
      const page = await hosts[h]!.audienceMembers(audienceId, after, limit - members.length);
      members.push(...page.members);
      after = page.cursor;
      if (after === null) break;
    }
    if (members.length >= limit) {
      // More may remain on this host (after the last member) or on the next ones.
      const last = members[members.length - 1]!.profileId;
      const next = after === null ? (h + 1 < hosts.length ? { host: h + 1, after: '' } : null) : { host: h, after: last };
      return { members, nextCursor: next ? encodeMembersCursor(next) : null };
    }
  }
  return { members, nextCursor: null };
}

export class InvalidCursor extends Error {}

/** A definition evaluated without saving: bounded work spread over the hosts, from a random point of each. */
export async function sitePreview(env: Env, writeKey: string, definition: Condition): Promise<AudiencePreview> {
  const hosts = await profileHosts(env, writeKey);
  const perHost = Math.max(100, Math.floor(PREVIEW_PROFILES / hosts.length));
  const start = randomProfileId();
  const results = await Promise.all(hosts.map((host) => host.audiencePreview(definition, perHost, PREVIEW_SAMPLE, start)));
  return { ...previewSize(results), sample: results.flatMap((r) => r.sample).slice(0, PREVIEW_SAMPLE) };
}

/** A point of the profile id space (ids are hashes in UUID form). */
function randomProfileId(): string {
  const hex = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A person's audiences and facts, from the host of their profile; null when it has no document. */
export async function profileAudiences(env: Env, writeKey: string, profileId: string): Promise<ProfileAudiences | null> {
  return (await hostOfProfile(env, writeKey, profileId)).audienceProfile(profileId);
}

/**
 * Recomputes the site's RFM boundaries from every host's summary and hands
 * them to every host; a host whose boundaries come out the same does
 * nothing, one where they moved re-evaluates only the customers they
 * re-score (audience-host.ts). Cost: a few hundred summary rows per host.
 */
export async function refreshRfm(env: Env, writeKey: string): Promise<{ boundaries: RfmBoundaries; changed: boolean; queued: number }> {
  const hosts = await profileHosts(env, writeKey);
  const summaries = await Promise.all(hosts.map((host) => host.audienceRfmSummary()));
  const boundaries = rfmBoundaries(mergeRfmSummaries(summaries.map((s) => s.summary)));
  const results = await Promise.all(hosts.map((host) => host.audienceRfmBoundaries(boundaries)));
  return { boundaries, changed: results.some((r) => r.changed), queued: results.reduce((sum, r) => sum + r.queued, 0) };
}
