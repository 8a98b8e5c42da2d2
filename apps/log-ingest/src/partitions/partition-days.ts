const DAY_MS = 86_400_000;

/** YYYY-MM-DD of the UTC day `at` falls in, plus `offset` days */
export const utcDay = (at: Date, offset = 0): string => new Date(Math.floor(at.getTime() / DAY_MS + offset) * DAY_MS).toISOString().slice(0, 10);

/** yesterday (a late line), today and the `ahead` days after it */
export const daysToCover = (now: Date, ahead: number): string[] => Array.from({ length: ahead + 2 }, (_, i) => utcDay(now, i - 1));

const PARTITION_NAME = /^log_lines_p(\d{4})(\d{2})(\d{2})$/;

/** the UTC day a partition of logs.log_lines holds (YYYY-MM-DD), or undefined for another table */
export const dayOfPartition = (name: string): string | undefined => {
  const m = PARTITION_NAME.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
};

/** the first UTC day that still holds lines younger than the retention: every day before it goes */
export const firstKeptDay = (now: Date, retentionDays: number): string => utcDay(new Date(now.getTime() - retentionDays * DAY_MS));
