import { CronTime } from 'cron';
import type { FreezeWindow } from '@flightdeck/contracts';

export type FreezeVerdict = { frozen: false } | { frozen: true; until: Date; reason: string };

const MINUTE = 60_000;

// the first opening of the window strictly after `after` (null: it never opens again)
const nextOpening = (w: FreezeWindow, after: Date): Date | null => {
  try {
    return new CronTime(w.schedule, w.timeZone).getNextDateFrom(after, w.timeZone).toJSDate();
  } catch {
    return null;
  }
};

// the window covering `now`: its opening s with now - duration < s <= now
const coveringEnd = (w: FreezeWindow, now: Date): Date | null => {
  const opened = nextOpening(w, new Date(now.getTime() - w.durationMinutes * MINUTE));
  return opened && opened.getTime() <= now.getTime() ? new Date(opened.getTime() + w.durationMinutes * MINUTE) : null;
};

const describe = (w: FreezeWindow) => `'${w.schedule}' (${w.timeZone}, ${w.durationMinutes} min)`;

/**
 * Whether the environment's freeze windows hold a deployment at `now`, and until when (the end of
 * the deny windows covering now, or the next opening of an allow window). The caller looks again
 * then: windows that follow each other are walked one look at a time.
 */
export function freezeAt(windows: readonly FreezeWindow[], now: Date): FreezeVerdict {
  const reasons: string[] = [];
  let until = 0;
  for (const w of windows.filter((x) => x.kind === 'deny')) {
    const end = coveringEnd(w, now);
    if (!end) continue;
    reasons.push(`deny window ${describe(w)} until ${end.toISOString()}`);
    until = Math.max(until, end.getTime());
  }
  const allows = windows.filter((x) => x.kind === 'allow');
  if (allows.length && !allows.some((w) => coveringEnd(w, now))) {
    const openings = allows.map((w) => nextOpening(w, now)).filter((d): d is Date => d !== null);
    const opens = openings.length ? Math.min(...openings.map((d) => d.getTime())) : now.getTime() + 24 * 60 * MINUTE;
    reasons.push(`outside every allow window (the next opens ${new Date(opens).toISOString()})`);
    until = Math.max(until, opens);
  }
  return reasons.length ? { frozen: true, until: new Date(until), reason: `freeze: ${reasons.join('; ')}` } : { frozen: false };
}
