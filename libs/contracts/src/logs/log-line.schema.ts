import { datetimeRegex, z } from 'zod';
import { defineCommand, defineEvent } from '../define';
import { Subjects } from '../subjects';
import { Id, listOf } from '../common.schema';

export const LogLevel = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof LogLevel>;
export const LogSource = z.enum(['build', 'deploy', 'system']);
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

// Many lines travel in one message: a message per line would cap the pipeline far below Postgres.
export const LogBatch = z.object({
  deploymentId: Id,
  lines: z.array(LogLine).min(1).max(5_000),
});
export type LogBatch = z.infer<typeof LogBatch>;
export const logLinesPublished = defineEvent({
  subject: Subjects.build.logs,
  data: LogBatch,
  subjectToken: (d) => d.deploymentId,
});

export const LogQuery = z
  .object({
    afterSeq: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(5_000).default(1_000),
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

export const listLogLines = defineCommand({
  subject: Subjects.logs.list,
  request: LogQuery.extend({ deploymentId: Id }),
  reply: LogLinePage,
});

// A search of one deployment's stored lines: `q` is matched as a case-insensitive substring of the
// message (what a person means by finding a word in a build log, paths and symbols included).
// Matches come in seq order, paged by afterSeq, each with its seq so a client can open the lines
// around it (listLogLines with afterSeq = seq - n).
export const LogSearchQuery = z
  .object({
    q: z.string().trim().min(1, 'say what to search for').max(200),
    afterSeq: z.coerce.number().int().min(0).default(0),
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
