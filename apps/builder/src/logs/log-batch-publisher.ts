import { Logger } from '@nestjs/common';
import type { JetStreamClient, NatsError } from 'nats';
import { type LogLine, logLinesPublished, subjectFor } from '@flightdeck/contracts';
import { encodeEvent } from '@flightdeck/messaging';
import { type LogTail, readLogTail } from './log-tail';

export const FLUSH_INTERVAL_MS = 50;
export const LINES_PER_BATCH = 500;
// well under NATS's default 1 MB max_payload, whatever the lines hold
const BYTES_PER_BATCH = 256 * 1024;
const RETRY_MAX_DELAY_MS = 5_000;
// JetStream's "wrong last sequence": another writer published on the subject first
const WRONG_LAST_SEQUENCE = 10071;


// Many lines per JetStream message: a message per line would cap the pipeline far below what
// log-ingest can store. Batches go out one at a time, each acknowledged before the next, so a
// retried batch can never overtake a later one; the message id `<deployment>:<attempt>:<firstSeq>`
// makes a retry after a lost ack a duplicate the stream drops.
//
// One deployment's log may have several writers at once: a job's attempt, the line a sweeper adds
// for a dead builder's attempt, the runtime output of its release (on the builder that took it
// over). Each numbers its lines from what it last knew, so two may pick the same seqs. The stream
// decides: a batch is stored only if the subject's last message is the one this writer last saw
// (JetStream's expected last subject sequence); when another writer got there first, this batch
// and every later line are numbered again right after that writer's last line. Seqs stay 1..N,
// each once, whoever writes.
export class LogBatchPublisher {
  private readonly logger = new Logger(LogBatchPublisher.name);
  private readonly subject: string;
  private buffer: LogLine[] = [];
  private bufferBytes = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private giveUpAt = Infinity;
  private published = 0;
  private lastAdded = 0;
  private tail?: LogTail;
  /** added to the seqs the writer gave, from each provisional seq on (in order): renumberings so far */
  private readonly shifts: { from: number; by: number }[] = [];

  constructor(
    private readonly js: JetStreamClient,
    private readonly deploymentId: string,
    /** the job's attempt, or another token for lines that are not a job's (a release's runtime log) */
    private readonly attempt: number | string,
  ) {
    this.subject = subjectFor(logLinesPublished.subject, deploymentId);
  }

  /** the seq of the last line JetStream has acknowledged, as stored (after any renumbering) */
  get lastPublishedSeq(): number {
    return this.published;
  }

  /** the seq a line numbered `seq` by its writer was (or will be, as things stand) stored under */
  storedSeq(seq: number): number {
    return seq + this.shiftAt(seq);
  }

  add(line: LogLine): void {
    this.lastAdded = line.seq;
    this.buffer.push(line);
    this.bufferBytes += line.message.length + 120;
    if (this.buffer.length >= LINES_PER_BATCH || this.bufferBytes >= BYTES_PER_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.buffer.length) return;
    const lines = this.buffer;
    this.buffer = [];
    this.bufferBytes = 0;
    this.chain = this.chain.then(() => this.publish(lines));
  }

  /** every line added so far is acknowledged by JetStream, or the deadline passed (false) */
  async close(deadlineMs = 60_000): Promise<boolean> {
    this.flush();
    this.giveUpAt = Date.now() + deadlineMs;
    await this.chain;
    return this.published >= this.storedSeq(this.lastAdded);
  }

  private async publish(given: LogLine[]): Promise<void> {
    // what goes out: the same message (same id, same expectation) on every retry but a race, so a
    // retry after a lost ack is a duplicate the stream drops before it checks the expectation
    let out: { lines: LogLine[]; id: string; payload: Uint8Array; expected: number } | undefined;
    for (let failures = 0; ; failures++) {
      try {
        if (!out) {
          const tail = (this.tail ??= await readLogTail(this.js, this.deploymentId));
          const lines = this.renumber(given, tail);
          const id = `${this.deploymentId}:${this.attempt}:${lines[0].seq}`;
          out = { lines, id, payload: encodeEvent(logLinesPublished, { deploymentId: this.deploymentId, lines }, id), expected: tail.streamSeq };
        }
        const ack = await this.js.publish(this.subject, out.payload, { msgID: out.id, expect: { lastSubjectSequence: out.expected }, timeout: 5_000 });
        this.tail = { streamSeq: ack.seq, lineSeq: out.lines[out.lines.length - 1].seq };
        this.published = this.tail.lineSeq;
        return;
      } catch (e) {
        if ((e as NatsError).api_error?.err_code === WRONG_LAST_SEQUENCE) {
          // another writer got there first: after its last line
          this.tail = undefined;
          out = undefined;
          continue;
        }
        if (Date.now() >= this.giveUpAt) {
          this.logger.error({ deploymentId: this.deploymentId, firstSeq: given[0].seq, lastSeq: given[given.length - 1].seq, err: (e as Error).message }, 'log lines dropped: JetStream unreachable');
          return;
        }
        const delay = Math.min(200 * 2 ** failures, RETRY_MAX_DELAY_MS);
        if (failures === 0 || failures % 10 === 0) {
          this.logger.warn({ deploymentId: this.deploymentId, firstSeq: given[0].seq, delay, err: (e as Error).message }, 'log publish failed, retrying');
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  // The batch goes right after the subject's last line. A subject with no message (nothing
  // published yet, or the stream no longer keeps this deployment's messages) leaves the writer's
  // numbering as it is: log-ingest may hold lines the stream has let go.
  private renumber(given: LogLine[], tail: LogTail): LogLine[] {
    const first = given[0].seq;
    const at = first + this.shiftAt(first);
    if (tail.streamSeq > 0 && at !== tail.lineSeq + 1) this.shifts.push({ from: first, by: tail.lineSeq + 1 - first });
    const by = this.shiftAt(first);
    return by ? given.map((l) => ({ ...l, seq: l.seq + by })) : given;
  }

  private shiftAt(seq: number): number {
    let by = 0;
    for (const s of this.shifts) if (s.from <= seq) by = s.by;
    return by;
  }
}
