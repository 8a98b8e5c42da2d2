import { dayOfPartition, daysToCover, firstKeptDay, utcDay } from './partition-days';

describe('partition days', () => {
  it('names the UTC day of an instant, whatever the local time zone', () => {
    expect(utcDay(new Date('2025-03-01T23:59:59.999Z'))).toBe('2025-03-01');
    expect(utcDay(new Date('2025-03-01T00:00:00+02:00'))).toBe('2025-02-28');
    expect(utcDay(new Date('2025-03-01T12:00:00Z'), -1)).toBe('2025-02-28');
  });

  it('covers yesterday, today and the days ahead', () => {
    expect(daysToCover(new Date('2024-12-31T10:00:00Z'), 2)).toEqual(['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02']);
  });

  it('reads the day of a partition from its name, and nothing from another table', () => {
    expect(dayOfPartition('log_lines_p20250131')).toBe('2025-01-31');
    expect(dayOfPartition('log_lines_default')).toBeUndefined();
  });

  it('keeps the day the retention boundary falls in, and drops every day before it', () => {
    expect(firstKeptDay(new Date('2025-03-31T10:00:00Z'), 30)).toBe('2025-03-01');
    expect(firstKeptDay(new Date('2025-03-31T00:00:00Z'), 1)).toBe('2025-03-30');
  });
});
