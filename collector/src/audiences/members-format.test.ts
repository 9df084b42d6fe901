import { describe, expect, it } from 'vitest';
import type { AudienceMember } from '@trailmark/schema';
import { csvCell, decodeMembersCursor, encodeMembersCursor, membersCsv, membersNdjson, previewSize, siteSizeByDay } from './members-format';

const member = (fields: Partial<AudienceMember> = {}): AudienceMember => ({
  profileId: 'p1',
  userId: null,
  anonymousIds: ['a1', 'a2'],
  traits: {},
  region: { country: 'DE', region: 'Bavaria', city: 'Munich' },
  lifecycle: 'active',
  enteredAt: '2026-03-01T10:00:00.000Z',
  ...fields,
});

describe('members cursor', () => {
  it('names the host and the profile to continue after, and refuses anything else', () => {
    const cursor = encodeMembersCursor({ host: 3, after: '0af3-xyz' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeMembersCursor(cursor, 4)).toEqual({ host: 3, after: '0af3-xyz' });
    // A host the site does not have (fewer hosts than when the cursor was made), or made-up text.
    expect(decodeMembersCursor(cursor, 3)).toBeUndefined();
    for (const bad of ['', 'not a cursor!', encodeMembersCursor({ host: 0, after: 'x' }).slice(0, -1) + '$', btoa('x:y'), 'A'.repeat(500)]) {
      expect(decodeMembersCursor(bad, 4)).toBeUndefined();
    }
  });
});

describe('members as a CSV a spreadsheet opens', () => {
  it('has a byte order mark, a header row, CRLF lines and quotes what needs quoting', () => {
    const csv = membersCsv([
      member({ userId: 'c-1', traits: { email: 'ana@example.com', name: 'Ana "Ani" Łukasz, Jr.' } }),
      member({ profileId: 'p2', region: {}, lifecycle: 'at_risk' }),
    ]);
    expect(csv.startsWith('\uFEFFprofileId,userId,anonymousIds,country,region,city,lifecycle,enteredAt,traits\r\n')).toBe(true);
    const lines = csv.slice(1).split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(
      'p1,c-1,a1 a2,DE,Bavaria,Munich,active,2026-03-01T10:00:00.000Z,"{""email"":""ana@example.com"",""name"":""Ana \\""Ani\\"" Łukasz, Jr.""}"',
    );
    expect(lines[2]).toBe('p2,,a1 a2,,,,at_risk,2026-03-01T10:00:00.000Z,');
    expect(lines[3]).toBe('');
  });

  it('keeps a spreadsheet from running what a sender wrote as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const lead of ['+', '-', '@', '\t']) expect(csvCell(`${lead}1`).includes(`'${lead}1`)).toBe(true);
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"');
    expect(csvCell(null)).toBe('');
  });

  it('writes NDJSON one member a line', () => {
    const text = membersNdjson([member(), member({ profileId: 'p2' })]);
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).profileId),
    ).toEqual(['p1', 'p2']);
    expect(membersNdjson([])).toBe('');
  });
});

describe('sizes over hosts', () => {
  it('adds up hosts day by day, each keeping its size until its next change', () => {
    const a = [
      { day: '2026-02-27', members: 5 },
      { day: '2026-03-01', members: 7 },
    ];
    const b = [{ day: '2026-02-28', members: 2 }];
    expect(siteSizeByDay([a, b], '2026-02-26', '2026-03-02')).toEqual([
      { day: '2026-02-26', size: 0 },
      { day: '2026-02-27', size: 5 },
      { day: '2026-02-28', size: 7 },
      { day: '2026-03-01', size: 9 },
      { day: '2026-03-02', size: 9 },
    ]);
    // Changes before the first day shown still count.
    expect(siteSizeByDay([a, b], '2026-03-01', '2026-03-01')).toEqual([{ day: '2026-03-01', size: 9 }]);
  });

  it('estimates a preview from the share matched on each host, exact when every profile was evaluated', () => {
    expect(previewSize([{ evaluated: 10, profiles: 10, matched: 3 }])).toEqual({ size: 3, exact: true, evaluated: 10, profiles: 10 });
    expect(
      previewSize([
        { evaluated: 100, profiles: 1000, matched: 20 },
        { evaluated: 50, profiles: 50, matched: 5 },
      ]),
    ).toEqual({ size: 205, exact: false, evaluated: 150, profiles: 1050 });
    expect(previewSize([{ evaluated: 0, profiles: 0, matched: 0 }])).toEqual({ size: 0, exact: true, evaluated: 0, profiles: 0 });
  });
});
