import { daysNewestFirst } from './project-log-search.repository';

const iso = (d: { from: Date; to: Date }) => [d.from.toISOString(), d.to.toISOString()];

describe('a search window by day', () => {
  it('cuts at UTC midnights, the newest piece first', () => {
    expect(daysNewestFirst(new Date('2025-01-01T18:00:00Z'), new Date('2025-01-03T06:00:00Z')).map(iso)).toEqual([
      ['2025-01-03T00:00:00.000Z', '2025-01-03T06:00:00.000Z'],
      ['2025-01-02T00:00:00.000Z', '2025-01-03T00:00:00.000Z'],
      ['2025-01-01T18:00:00.000Z', '2025-01-02T00:00:00.000Z'],
    ]);
  });

  it('keeps a window inside one day whole, and a window ending at midnight starts with the day before', () => {
    expect(daysNewestFirst(new Date('2025-01-01T01:00:00Z'), new Date('2025-01-01T02:00:00Z')).map(iso)).toEqual([['2025-01-01T01:00:00.000Z', '2025-01-01T02:00:00.000Z']]);
    expect(daysNewestFirst(new Date('2025-01-01T00:00:00Z'), new Date('2025-01-02T00:00:00Z')).map(iso)).toEqual([['2025-01-01T00:00:00.000Z', '2025-01-02T00:00:00.000Z']]);
  });
});
