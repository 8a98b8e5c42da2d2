import { checkCron, firingKey, nextRunAfter, planFiring } from './schedule-timing';

const at = (iso: string) => new Date(iso);

describe('schedule timing', () => {
  describe('checking a cron expression', () => {
    it('accepts 5 fields (minutes first) and gives the first firing after now', () => {
      expect(checkCron('30 2 * * *', 'UTC', at('2026-03-01T10:00:00Z'))).toEqual({ ok: true, next: at('2026-03-02T02:30:00Z') });
    });

    it('accepts 6 fields with seconds first', () => {
      expect(checkCron('*/10 * * * * *', 'UTC', at('2026-03-01T10:00:03Z'))).toEqual({ ok: true, next: at('2026-03-01T10:00:10Z') });
    });

    it('evaluates the expression in the time zone it is given', () => {
      // 02:00 in Berlin is 01:00 UTC in winter
      expect(checkCron('0 2 * * *', 'Europe/Berlin', at('2026-01-10T12:00:00Z'))).toEqual({ ok: true, next: at('2026-01-11T01:00:00Z') });
    });

    it.each(['every day', '61 * * * *', '* * * * * * *', '* *', ''])('refuses %p with the reason', (cron) => {
      const r = checkCron(cron, 'UTC', at('2026-03-01T10:00:00Z'));
      expect(r).toEqual({ ok: false, reason: expect.stringContaining('is not valid') });
    });

    it('refuses an expression that parses but never fires (30 February)', () => {
      expect(checkCron('0 0 30 2 *', 'UTC', at('2026-03-01T10:00:00Z'))).toEqual({ ok: false, reason: expect.stringContaining('never fires') });
    });

    it('refuses an unknown time zone', () => {
      expect(checkCron('0 2 * * *', 'Mars/Olympus', at('2026-03-01T10:00:00Z'))).toEqual({ ok: false, reason: expect.stringContaining('Mars/Olympus') });
    });
  });

  describe('the next run', () => {
    it('is strictly after the given time, even on a due second', () => {
      expect(nextRunAfter('*/5 * * * * *', 'UTC', at('2026-03-01T10:00:05.000Z'))).toEqual(at('2026-03-01T10:00:10Z'));
      expect(nextRunAfter('*/5 * * * * *', 'UTC', at('2026-03-01T10:00:05.400Z'))).toEqual(at('2026-03-01T10:00:10Z'));
    });
  });

  describe('deciding a firing', () => {
    it('does not fire before the due time', () => {
      expect(planFiring('0 * * * *', 'UTC', at('2026-03-01T11:00:00Z'), at('2026-03-01T10:59:59Z'))).toBeUndefined();
    });

    it('fires on time with nothing missed, and moves to the next period', () => {
      expect(planFiring('0 * * * *', 'UTC', at('2026-03-01T11:00:00Z'), at('2026-03-01T11:00:00.200Z'))).toEqual({
        fireAt: at('2026-03-01T11:00:00Z'),
        nextRunAt: at('2026-03-01T12:00:00Z'),
        missed: 0,
      });
    });

    it('after downtime fires once for the time it was first due and skips the rest (one catch-up, no burst)', () => {
      // hourly, down from 11:00 to 15:30: 11:00 fires once; 12, 13, 14 and 15 are skipped; next is 16:00
      expect(planFiring('0 * * * *', 'UTC', at('2026-03-01T11:00:00Z'), at('2026-03-01T15:30:00Z'))).toEqual({
        fireAt: at('2026-03-01T11:00:00Z'),
        nextRunAt: at('2026-03-01T16:00:00Z'),
        missed: 4,
      });
    });

    it('after a long downtime of an every-second schedule counts at most a capped number of missed firings', () => {
      const f = planFiring('* * * * * *', 'UTC', at('2026-03-01T00:00:00Z'), at('2026-03-02T00:00:00Z'))!;
      expect(f.missed).toBe(100);
      expect(f.nextRunAt).toEqual(at('2026-03-02T00:00:01Z'));
    });
  });

  it('keys a firing by its schedule and due time', () => {
    expect(firingKey('s-1', at('2026-03-01T11:00:00Z'))).toBe('schedule:s-1:2026-03-01T11:00:00.000Z');
  });
});
