import { CronTime, validateCronExpression } from 'cron';

export type CronCheck = { ok: true; next: Date } | { ok: false; reason: string };

// the most missed firings a catch-up counts (for its log line); past that it says "at least"
const MISSED_COUNT_CAP = 100;

const cronTime = (cron: string, timezone: string) => new CronTime(cron, timezone);

/** the first firing strictly after `after`, in the schedule's time zone */
export const nextRunAfter = (cron: string, timezone: string, after: Date): Date =>
  cronTime(cron, timezone).getNextDateFrom(after, timezone).toJSDate();

// Whether a cron expression (5 fields, or 6 with seconds first) and an IANA time zone make a
// schedule that fires at all (`0 0 30 2 *` parses but never fires); its first firing after `from`.
export const checkCron = (cron: string, timezone: string, from: Date): CronCheck => {
  const parsed = validateCronExpression(cron);
  if (!parsed.valid) return { ok: false, reason: `cron expression '${cron}' is not valid: ${parsed.error?.message ?? 'unreadable'}` };
  let time: CronTime;
  try {
    time = cronTime(cron, timezone);
  } catch (e) {
    return { ok: false, reason: `time zone '${timezone}' is not known (${(e as Error).message})` };
  }
  try {
    return { ok: true, next: time.getNextDateFrom(from, timezone).toJSDate() };
  } catch {
    return { ok: false, reason: `cron expression '${cron}' never fires` };
  }
};

export interface Firing {
  /** the time this firing was due: the key of its deployment, even when it runs late */
  fireAt: Date;
  /** the next firing, always after `now` */
  nextRunAt: Date;
  /** due times between fireAt and now that are skipped, not replayed */
  missed: number;
}

// A schedule due at `dueAt` (its stored next run), looked at by the database's clock `now`.
// Catch-up rule: however many periods were missed (replicas down, bus out), it fires once, for
// the time it was first due, and its next run is the first due time after now. Never a burst.
export const planFiring = (cron: string, timezone: string, dueAt: Date, now: Date): Firing | undefined => {
  if (dueAt.getTime() > now.getTime()) return undefined;
  const time = cronTime(cron, timezone);
  let missed = 0;
  for (let t = time.getNextDateFrom(dueAt, timezone).toJSDate(); t.getTime() <= now.getTime() && missed < MISSED_COUNT_CAP; missed++) {
    t = time.getNextDateFrom(t, timezone).toJSDate();
  }
  return { fireAt: dueAt, nextRunAt: nextRunAfter(cron, timezone, now), missed };
};

/** the idempotency key of one firing: the same firing never triggers twice, on any replica */
export const firingKey = (scheduleId: string, fireAt: Date): string => `schedule:${scheduleId}:${fireAt.toISOString()}`;
