import { describe, expect, it } from 'vitest';
import { peopleCsv } from './people';

describe('people as CSV', () => {
  it('quotes what needs quoting, joins id lists and keeps formulas from running in a spreadsheet', () => {
    const csv = peopleCsv([
      {
        profileId: 'p1',
        userId: null,
        anonymousIds: ['a2', 'a1'],
        userIds: [],
        country: 'DE',
        region: 'Baden, "Württemberg"',
        device: 'mobile',
        firstSeen: '2026-01-01T00:00:00.000Z',
        lastSeen: '2026-01-02T00:00:00.000Z',
        orders: 2,
        enteredAt: null,
      },
      {
        profileId: '=HYPERLINK("x")',
        userId: 'u',
        anonymousIds: [],
        userIds: ['u'],
        country: '',
        region: '',
        device: '',
        firstSeen: '',
        lastSeen: '',
        orders: 0,
        enteredAt: null,
      },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'profileId,userId,anonymousIds,userIds,country,region,device,firstSeen,lastSeen,orders,enteredAt',
      'p1,,a2 a1,,DE,"Baden, ""Württemberg""",mobile,2026-01-01T00:00:00.000Z,2026-01-02T00:00:00.000Z,2,',
      `"'=HYPERLINK(""x"")",u,,u,,,,,,0,`,
      '',
    ]);
  });
});
