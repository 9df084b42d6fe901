/**
 * The pure parts of the audiences admin API: the members cursor that names a
 * host, members as NDJSON or as a CSV a spreadsheet opens, size by day
 * summed over hosts, and a preview's size from the hosts' samples.
 */
import type { AudienceMember, AudiencePreview } from '@trailmark/schema';

// ---- members cursor ------------------------------------------------------------

/** Where a members page continues: the host by its place in profileHosts(), and the profile id after which to go on. */
export interface MembersCursor {
  host: number;
  after: string;
}

const toBase64Url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromBase64Url = (text: string) => atob(text.replace(/-/g, '+').replace(/_/g, '/'));

export function encodeMembersCursor(cursor: MembersCursor): string {
  return toBase64Url(`${cursor.host}:${cursor.after}`);
}

/** The cursor, or undefined when `text` is not one this API made for a site with `hosts` hosts. */
export function decodeMembersCursor(text: string, hosts: number): MembersCursor | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(text)) return undefined;
  let decoded: string;
  try {
    decoded = fromBase64Url(text);
  } catch {
    return undefined;
  }
  const match = /^(\d{1,4}):([\x21-\x7e]{0,256})$/.exec(decoded);
  if (!match) return undefined;
  const host = Number(match[1]);
  return host < hosts ? { host, after: match[2]! } : undefined;
}

// ---- members as files ------------------------------------------------------------

export const MEMBER_CSV_COLUMNS = ['profileId', 'userId', 'anonymousIds', 'country', 'region', 'city', 'lifecycle', 'enteredAt', 'traits'] as const;

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break.
 * Cells that a spreadsheet would run as a formula (=, +, -, @, tab, carriage
 * return first) are prefixed with an apostrophe: traits come from events,
 * which anyone can send.
 */
export function csvCell(value: string | null | undefined): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(member: AudienceMember): string {
  const cells = [
    member.profileId,
    member.userId,
    member.anonymousIds.join(' '),
    member.region.country,
    member.region.region,
    member.region.city,
    member.lifecycle,
    member.enteredAt,
    Object.keys(member.traits).length ? JSON.stringify(member.traits) : '',
  ];
  return cells.map(csvCell).join(',');
}

/**
 * A page of members as a CSV file: UTF-8 with a byte order mark (so Excel
 * reads accents right), a header row, CRLF line ends. Every page is a whole
 * file with its header.
 */
export function membersCsv(members: readonly AudienceMember[]): string {
  return `\uFEFF${[MEMBER_CSV_COLUMNS.join(','), ...members.map(csvRow)].join('\r\n')}\r\n`;
}

export function membersNdjson(members: readonly AudienceMember[]): string {
  return members.map((m) => `${JSON.stringify(m)}\n`).join('');
}

// ---- sizes ---------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/**
 * The site's members at the end of each day from `fromDay` to `toDay`, from
 * each host's days with a change (a host's size holds until its next row).
 */
export function siteSizeByDay(hosts: readonly { day: string; members: number }[][], fromDay: string, toDay: string): { day: string; size: number }[] {
  const out: { day: string; size: number }[] = [];
  const cursors = hosts.map(() => ({ index: 0, members: 0 }));
  for (let day = fromDay; day <= toDay; day = dayAfter(day)) {
    let size = 0;
    hosts.forEach((rows, h) => {
      const cursor = cursors[h]!;
      while (cursor.index < rows.length && rows[cursor.index]!.day <= day) cursor.members = rows[cursor.index++]!.members;
      size += cursor.members;
    });
    out.push({ day, size });
  }
  return out;
}

/** A preview over hosts that each evaluated some or all of their profiles: exact if all did, else scaled up per host. */
export function previewSize(
  hosts: readonly { evaluated: number; profiles: number; matched: number }[],
): Pick<AudiencePreview, 'size' | 'exact' | 'evaluated' | 'profiles'> {
  const exact = hosts.every((h) => h.evaluated >= h.profiles);
  const size = hosts.reduce((sum, h) => sum + (h.evaluated >= h.profiles ? h.matched : h.evaluated > 0 ? (h.matched / h.evaluated) * h.profiles : 0), 0);
  return {
    size: Math.round(size),
    exact,
    evaluated: hosts.reduce((sum, h) => sum + h.evaluated, 0),
    profiles: hosts.reduce((sum, h) => sum + h.profiles, 0),
  };
}
