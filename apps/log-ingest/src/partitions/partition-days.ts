const DAY_MS = 86_400_000;

/** YYYY-MM-DD of the UTC day `at` falls in, plus `offset` days */
export const utcDay = (at: Date, offset = 0): string => new Date(Math.floor(at.getTime() / DAY_MS + offset) * DAY_MS).toISOString().slice(0, 10);

/** yesterday (a late line), today and the `ahead` days after it */
export const daysToCover = (now: Date, ahead: number): string[] => Array.from({ length: ahead + 2 }, (_, i) => utcDay(now, i - 1));
