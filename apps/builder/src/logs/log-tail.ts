import type { JetStreamClient } from 'nats';
import { Streams, logLinesPublished, subjectFor } from '@flightdeck/contracts';
import { decodeEvent } from '@flightdeck/messaging';

/** the last message of a deployment's log on BUILD_LOGS: its stream sequence and its last line's seq */
export interface LogTail {
  streamSeq: number;
  lineSeq: number;
}

/**
 * Where a deployment's log stands on the stream, asked of its leader. Both 0 when the stream holds
 * nothing of it (never published, or older than the stream keeps); throws when the stream does not
 * answer (its leader being elected, NATS unreachable).
 */
export async function readLogTail(js: JetStreamClient, deploymentId: string): Promise<LogTail> {
  const jsm = await js.jetstreamManager(false);
  try {
    const msg = await jsm.streams.getMessage(Streams.buildLogs.name, { last_by_subj: subjectFor(logLinesPublished.subject, deploymentId) });
    const decoded = decodeEvent(logLinesPublished, msg.data);
    return { streamSeq: msg.seq, lineSeq: decoded.ok ? (decoded.data.lines.at(-1)?.seq ?? 0) : 0 };
  } catch (e) {
    if (/no message found/i.test((e as Error).message)) return { streamSeq: 0, lineSeq: 0 };
    throw e;
  }
}
