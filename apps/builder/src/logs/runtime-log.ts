import type { LogLevel } from '@flightdeck/contracts';
import type { SecretMasker } from '../masking/secret-masker';
import { BuildLog, type LogSink } from './build-log';

export interface RuntimeLogOptions {
  /** lines one release's log keeps per second at most; past it they are counted, then said in one line */
  linesPerSecond: number;
  /** a longer line is cut (after masking) and says how much was left out */
  maxLineChars: number;
  /** lines held while the seq to continue from is not known yet; past it they are counted */
  maxPendingLines: number;
}

export interface RuntimeSink extends LogSink {
  /** every line added is acknowledged, or given up on */
  close(): Promise<unknown>;
}

// A release's own output (its stdout and stderr once it serves) as lines of source `runtime` in its
// deployment's log, continuing that log's seq: the deploy's lines end at a seq the job reports, and
// a release started later (a restart, a rollback to it) continues after the last line published.
// Until that seq is known (`begin`), lines wait here, at most maxPendingLines of them.
export class RuntimeLog {
  private log?: BuildLog;
  private pending: { text: string; level: LogLevel }[] = [];
  private unheld = 0;
  private closed = false;

  constructor(
    private readonly sink: RuntimeSink,
    private readonly masker: SecretMasker,
    private readonly options: RuntimeLogOptions,
  ) {}

  /** the last seq numbered, once begun */
  get lastSeq(): number | undefined {
    return this.log?.lastSeq;
  }

  get begun(): boolean {
    return this.log !== undefined;
  }

  /** lines from now on are numbered after `afterSeq`; those held so far go first */
  begin(afterSeq: number): void {
    if (this.log || this.closed) return;
    this.log = new BuildLog(this.sink, { firstSeq: afterSeq + 1, linesPerSecond: this.options.linesPerSecond });
    const held = this.pending;
    this.pending = [];
    for (const { text, level } of held) this.emit(text, level);
    if (this.unheld) {
      this.log.system('run', `${this.unheld.toLocaleString('en-US')} line${this.unheld === 1 ? '' : 's'} of the release's output dropped while its log was not ready`, 'warn');
      this.unheld = 0;
    }
  }

  line(text: string, stream: 'stdout' | 'stderr'): void {
    if (this.closed) return;
    const level: LogLevel = stream === 'stderr' ? 'warn' : 'info';
    if (this.log) this.emit(text, level);
    else if (this.pending.length < this.options.maxPendingLines) this.pending.push({ text, level });
    else this.unheld += 1;
  }

  /** says what a flood dropped, then waits for every line to be acknowledged; lines never begun are discarded */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.log?.end();
    await this.sink.close();
  }

  private emit(text: string, level: LogLevel): void {
    const max = this.options.maxLineChars;
    const masked = this.masker.mask(text);
    const bounded = masked.length <= max ? masked : `${masked.slice(0, max)} …[${(masked.length - max).toLocaleString('en-US')} more characters cut]`;
    // masked before the cut, so a cut never leaves half a secret unmasked (BuildLog numbers it as it is)
    this.log!.line('run', bounded, { level, source: 'runtime' });
  }
}
