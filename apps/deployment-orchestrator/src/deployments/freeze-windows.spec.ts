import type { FreezeWindow } from '@flightdeck/contracts';
import { freezeAt } from './freeze-windows';

const aWindow = (over: Partial<FreezeWindow> = {}): FreezeWindow => ({ kind: 'deny', schedule: '0 18 * * 5', timeZone: 'UTC', durationMinutes: 60 * 63, ...over });
const at = (iso: string) => new Date(iso);

describe('freeze windows', () => {
  it('hold a deployment inside a deny window until it ends', () => {
    // Friday 18:00 to Monday 09:00 UTC; 2026-12-05 is a Saturday
    expect(freezeAt([aWindow()], at('2026-12-05T12:00:00Z'))).toEqual({
      frozen: true,
      until: at('2026-12-07T09:00:00Z'),
      reason: expect.stringContaining('deny window'),
    });
    expect(freezeAt([aWindow()], at('2026-12-07T09:00:00Z'))).toEqual({ frozen: false });
    expect(freezeAt([aWindow()], at('2026-12-04T17:59:59Z'))).toEqual({ frozen: false });
  });

  it('read the cron in the window\'s time zone', () => {
    const tokyo = aWindow({ schedule: '0 9 * * *', timeZone: 'Asia/Tokyo', durationMinutes: 60 });
    expect(freezeAt([tokyo], at('2026-12-02T00:30:00Z'))).toMatchObject({ frozen: true, until: at('2026-12-02T01:00:00Z') });
    expect(freezeAt([tokyo], at('2026-12-02T09:30:00Z'))).toEqual({ frozen: false });
  });

  it('with allow windows, hold a deployment outside all of them until the next opens', () => {
    const weekdays = aWindow({ kind: 'allow', schedule: '0 9 * * 1-5', durationMinutes: 8 * 60 });
    expect(freezeAt([weekdays], at('2026-12-02T10:00:00Z'))).toEqual({ frozen: false });
    expect(freezeAt([weekdays], at('2026-12-02T18:00:00Z'))).toMatchObject({ frozen: true, until: at('2026-12-03T09:00:00Z') });
  });

  it('a per-minute window ends within the minute (the next look finds the following one)', () => {
    const now = at('2026-12-02T10:00:30Z');
    expect(freezeAt([aWindow({ schedule: '* * * * *', durationMinutes: 1 })], now)).toMatchObject({ frozen: true, until: at('2026-12-02T10:01:00Z') });
  });

  it('hold nothing without windows', () => {
    expect(freezeAt([], at('2026-12-02T10:00:00Z'))).toEqual({ frozen: false });
  });
});
