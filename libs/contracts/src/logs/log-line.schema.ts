import { datetimeRegex, z } from 'zod';
import { defineCommand, defineEvent } from '../define';
import { Subjects } from '../subjects';
import { Id, IsoDate, PgCount, listOf } from '../common.schema';
import { ErrorCode } from '../errors/error-codes';
import { issueParams } from '../result';

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;
// runtime: a release's own stdout/stderr once it serves (its deployment's log goes on after the
// deploy's last line: see the README's runtime logs)
export const LogSource = z.enum(['build', 'deploy', 'system', 'runtime']);
export type LogSource = z.infer<typeof LogSource>;

// IsoDate (zod's datetime with an offset) with its regex built once: zod 3 builds it on every
// check, which was a third of log-ingest's CPU time at a million lines.
const ISO_DATETIME = datetimeRegex({ precision: null, offset: true, local: false });
const LineTimestamp = z.string().regex(ISO_DATETIME, 'Invalid datetime');

// seq starts at 1 per deployment and increases by one, with no gap.
export const LogLine = z.object({
  seq: z.number().int().positive(),
  timestamp: LineTimestamp,
  level: LogLevel,
  source: LogSource,
  step: z.string().max(100),
  message: z.string(),
});
export type LogLine = z.infer<typeof LogLine>;

// Our builder cuts a longer output line into records of 16 Ki characters; a line published
// otherwise (an external publisher) longer than that is cut when stored and when relayed live,
// saying how much was left out, rather than refused with the rest of its batch.
export const MAX_LOG_MESSAGE_CHARS = 16 * 1024;
export const boundLogMessage = (message: string): string =>
  message.length <= MAX_LOG_MESSAGE_CHARS ? message : `${message.slice(0, MAX_LOG_MESSAGE_CHARS)} …[${message.length - MAX_LOG_MESSAGE_CHARS} more characters cut]`;

// Many lines travel in one message: a message per line would cap the pipeline far below Postgres.
export const LogBatch = z.object({
  deploymentId: Id,
  lines: z.array(LogLine).min(1).max(5_000),
});
export type LogBatch = z.infer<typeof LogBatch>;

// LogBatch's check for the batches builders send, about ten times faster than zod 3 (which was
// the larger part of log-ingest's CPU at a million lines): true only for a batch LogBatch accepts
// as it is (these keys and no other, each value as the schema wants it); anything else, an extra
// key included, goes through LogBatch for the verdict and the message (log-line.schema.spec.ts
// holds the two to the same answers).
const LEVELS: ReadonlySet<unknown> = new Set(LogLevel.options);
const SOURCES: ReadonlySet<unknown> = new Set(LogSource.options);
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isExactLine = (l: unknown): boolean =>
  isRecord(l) &&
  Object.keys(l).length === 6 &&
  typeof l.seq === 'number' &&
  Number.isInteger(l.seq) &&
  l.seq > 0 &&
  typeof l.timestamp === 'string' &&
  ISO_DATETIME.test(l.timestamp) &&
  LEVELS.has(l.level) &&
  SOURCES.has(l.source) &&
  typeof l.step === 'string' &&
  l.step.length <= 100 &&
  typeof l.message === 'string';
export const isExactLogBatch = (b: unknown): b is LogBatch =>
  isRecord(b) &&
  Object.keys(b).length === 2 &&
  Array.isArray(b.lines) &&
  b.lines.length >= 1 &&
  b.lines.length <= 5_000 &&
  Id.safeParse(b.deploymentId).success &&
  b.lines.every(isExactLine);

export const logLinesPublished = defineEvent({
  subject: Subjects.build.logs,
  data: LogBatch,
  subjectToken: (d) => d.deploymentId,
  accepts: isExactLogBatch,
});

// `tail`: the last `tail` lines (those the filters keep), in seq order, instead of a page after
// afterSeq; lastSeq is then the highest seq stored, to follow on from.
export const LogQuery = z
  .object({
    afterSeq: PgCount.default(0),
    limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
    tail: z.coerce.number().int().min(1).max(5_000).optional(),
    level: LogLevel.optional(),
    step: z.string().max(100).optional(),
    source: LogSource.optional(),
  })
  .strict();
export type LogQuery = z.infer<typeof LogQuery>;

// `lastSeq`: the highest seq this answer accounts for, filtered-out lines included; the next page
// starts with afterSeq = lastSeq. Below `limit` items, it is the highest seq stored so far.
export const LogLinePage = listOf(LogLine).extend({ lastSeq: z.number().int().nonnegative().optional() });
export type LogLinePage = z.infer<typeof LogLinePage>;

// A page as log-ingest sends it, checked line by line like isExactLogBatch (1,000 lines through
// zod 3 were a fair share of a tail query's time at the receiving end).
export const isExactLogLinePage = (p: unknown): p is LogLinePage =>
  isRecord(p) &&
  Array.isArray(p.items) &&
  (Object.keys(p).length === 1 || (Object.keys(p).length === 2 && typeof p.lastSeq === 'number' && Number.isInteger(p.lastSeq) && p.lastSeq >= 0)) &&
  p.items.every(isExactLine);

export const listLogLines = defineCommand({
  subject: Subjects.logs.list,
  request: LogQuery.extend({ deploymentId: Id }),
  reply: LogLinePage,
  acceptsReply: isExactLogLinePage,
});

// A search of one deployment's stored lines: `q` is matched as a case-insensitive substring of the
// message (what a person means by finding a word in a build log, paths and symbols included).
// Matches come in seq order, paged by afterSeq, each with its seq so a client can open the lines
// around it (listLogLines with afterSeq = seq - n).
export const LogSearchQuery = z
  .object({
    q: z.string().trim().min(1, 'say what to search for').max(200),
    afterSeq: PgCount.default(0),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    level: LogLevel.optional(),
  })
  .strict();
export type LogSearchQuery = z.infer<typeof LogSearchQuery>;

export const LogSearchHit = LogLine.extend({ deploymentId: Id });
export type LogSearchHit = z.infer<typeof LogSearchHit>;

export const searchLogLines = defineCommand({
  subject: Subjects.logs.search,
  request: LogSearchQuery.extend({ deploymentId: Id }),
  reply: listOf(LogSearchHit),
});

// A project's search spans at most this many days (retention keeps 30 by default): a wider one is
// refused with logs/range-too-large rather than left to scan without end.
export const LOG_SEARCH_MAX_RANGE_DAYS = 31;
// without from/to: the last day
export const LOG_SEARCH_DEFAULT_RANGE_MS = 86_400_000;
const DAY_MS = 86_400_000;

/** the [from, to) a project search covers: to defaults to now, from to a day before to */
export const logSearchWindow = (q: { from?: string; to?: string }, now = new Date()): { from: Date; to: Date } => {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - LOG_SEARCH_DEFAULT_RANGE_MS);
  return { from, to };
};

// A search of every deployment of a project between from and to: the lines holding every word of
// q (letters and digits; a word matches the start of a word of the line) and q itself as written
// (case-insensitive). Words make it fast over a month of lines: ended days are indexed by their words.
export const ProjectLogSearchFields = z
  .object({
    q: z
      .string()
      .trim()
      .min(1, 'say what to search for')
      .max(200)
      .refine((q) => /[\p{L}\p{N}]/u.test(q), 'search for at least one letter or digit'),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    level: LogLevel.optional(),
  })
  .strict();

const checkWindow = (q: { from?: string; to?: string }, ctx: z.RefinementCtx) => {
  const { from, to } = logSearchWindow(q);
  if (from.getTime() >= to.getTime()) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must be before to' });
  else if (to.getTime() - from.getTime() > LOG_SEARCH_MAX_RANGE_DAYS * DAY_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['from'],
      message: `a search spans at most ${LOG_SEARCH_MAX_RANGE_DAYS} days: narrow from..to`,
      params: issueParams(ErrorCode.LogSearchRangeTooLarge),
    });
  }
};

export const ProjectLogSearchQuery = ProjectLogSearchFields.superRefine(checkWindow);
export type ProjectLogSearchQuery = z.infer<typeof ProjectLogSearchQuery>;

// Hits newest first. `truncated`: more lines matched than `limit`; the answer holds the matches of
// the newest days, and of the oldest day in it only some: narrow from..to to see the rest.
export const ProjectLogSearchResult = listOf(LogSearchHit).extend({ from: IsoDate, to: IsoDate, truncated: z.boolean() });
export type ProjectLogSearchResult = z.infer<typeof ProjectLogSearchResult>;

export const searchProjectLogLines = defineCommand({
  subject: Subjects.logs.searchProject,
  request: ProjectLogSearchFields.extend({ projectId: Id }).superRefine(checkWindow),
  reply: ProjectLogSearchResult,
  timeoutMs: 15_000,
});

// How many stored lines of a deployment are at each level (each seq counted once), and its log's
// volume: lines and UTF-8 message bytes ever stored (retention does not lower them).
export const LogLevelCounts = z.object({
  deploymentId: Id,
  total: z.number().int().nonnegative(),
  levels: z.object({ debug: z.number().int(), info: z.number().int(), warn: z.number().int(), error: z.number().int() }),
  volume: z.object({ lines: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
});
export type LogLevelCounts = z.infer<typeof LogLevelCounts>;

export const countLogLevels = defineCommand({
  subject: Subjects.logs.levels,
  request: z.object({ deploymentId: Id }).strict(),
  reply: LogLevelCounts,
});

// A deployment's log volume alone, cheap enough to answer beside every GET of the deployment (a sum
// over a few counter rows, no line read); short timeout: the deployment is answered without it
// (logVolume null) rather than late when log-ingest does not answer.
export const LogVolume = z.object({ lines: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() });
export type LogVolume = z.infer<typeof LogVolume>;

export const getLogVolume = defineCommand({
  subject: Subjects.logs.volume,
  request: z.object({ deploymentId: Id }).strict(),
  reply: LogVolume.extend({ deploymentId: Id }),
  timeoutMs: 1_000,
});

// A project's own log retention, in place of the operator's LOG_INGEST_RETENTION_DAYS; null goes
// back to it. Zero is refused: it would drop the project's lines as they arrive.
export const LogRetentionBody = z
  .object({
    days: z.number().int().min(1, 'at least 1 day: a retention of zero would drop lines as they arrive').max(3_650).nullable(),
  })
  .strict();
export type LogRetentionBody = z.infer<typeof LogRetentionBody>;

// `days`: the project's own setting (null: none); `effectiveDays`: what its lines are kept for.
export const ProjectLogRetention = z.object({ projectId: Id, days: z.number().int().nullable(), effectiveDays: z.number().int() });
export type ProjectLogRetention = z.infer<typeof ProjectLogRetention>;

export const setLogRetention = defineCommand({
  subject: Subjects.logs.setRetention,
  request: LogRetentionBody.extend({ projectId: Id }),
  reply: ProjectLogRetention,
});

// A pinned deployment's lines are kept whatever the retention, until it is unpinned.
export const LogPinBody = z.object({ pinned: z.boolean() }).strict();
export type LogPinBody = z.infer<typeof LogPinBody>;
export const LogPin = z.object({ deploymentId: Id, pinned: z.boolean() });
export type LogPin = z.infer<typeof LogPin>;

export const pinLogLines = defineCommand({
  subject: Subjects.logs.pin,
  request: LogPinBody.extend({ deploymentId: Id }),
  reply: LogPin,
});
