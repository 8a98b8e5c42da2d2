import type { BuildStepName, LogLevel, LogLine, LogSource } from '@flightdeck/contracts';
import { SecretMasker } from '../masking/secret-masker';
import { LineSplitter } from './line-splitter';

export type BuildStep = BuildStepName;
/** runtime lines (a release's own output) are of step `run` */
export type LogStep = BuildStep | 'run';

// A masked line longer than this becomes several records (one seq each); the cut happens after
// masking, so it can never split a secret into two unmasked halves.
const MAX_RECORD_CHARS = 16 * 1024;
const KEPT_LINES_PER_STEP = 20;
const ERROR_LINE = /^\s*(npm ERR!|npm error|error\b|Error:|ERROR\b|fatal:|FAIL\b)/;

export interface LogSink {
  add(line: LogLine): void;
}

export interface BuildLogOptions {
  /** the first seq: a later attempt of a deployment continues after the earlier attempts' lines */
  firstSeq?: number;
  /** lines of build and deploy output kept per second at most (system lines always are) */
  linesPerSecond?: number;
  now?: () => number;
}

const FLOOD_WINDOW_MS = 1_000;

export interface OutputStream {
  write(chunk: Buffer | string): void;
  end(): void;
}

// The one way a line leaves the builder for a deployment: masked, numbered 1, 2, 3... with no gap
// in the order the lines were produced, and remembered per step for a failure's summary.
// A flood (a build printing 50,000 lines/s) is capped here, before numbering: output past
// `linesPerSecond` in a second is dropped, and a stored system line says how many were, once that
// second is over (or at the end of the log), so the seq stays gapless and nothing goes silently.
export class BuildLog {
  private seq: number;
  private masker = SecretMasker.none();
  private readonly recent = new Map<string, string[]>();
  private readonly watchers: ((line: LogLine) => void)[] = [];
  private readonly linesPerSecond: number;
  private readonly now: () => number;
  private windowStart = -Infinity;
  private kept = 0;
  private dropped?: { step: LogStep; count: number; timer: NodeJS.Timeout };

  constructor(
    private readonly sink: LogSink,
    options: BuildLogOptions | number = {},
  ) {
    const o = typeof options === 'number' ? { firstSeq: options } : options;
    this.seq = (o.firstSeq ?? 1) - 1;
    this.linesPerSecond = o.linesPerSecond ?? Infinity;
    this.now = o.now ?? Date.now;
  }

  get lastSeq(): number {
    return this.seq;
  }

  useMasker(masker: SecretMasker): void {
    this.masker = masker;
  }

  mask(text: string): string {
    return this.masker.mask(text);
  }

  line(step: LogStep, message: string, opts: { level?: LogLevel; source?: LogSource } = {}): void {
    const source = opts.source ?? 'build';
    const masked = this.masker.mask(message);
    for (const text of masked.split(/\r\n|\r|\n/)) {
      for (let at = 0; at === 0 || at < text.length; at += MAX_RECORD_CHARS) {
        const record = text.slice(at, at + MAX_RECORD_CHARS);
        if (source === 'system' || this.admit()) this.emit(step, record, opts.level ?? 'info', source);
        else this.drop(step, record);
      }
    }
  }

  /** says how many lines a flood dropped, if any are not said yet; call before the log's last line */
  end(): void {
    this.reportDropped();
  }

  system(step: LogStep, message: string, level: LogLevel = 'info'): void {
    this.line(step, message, { level, source: 'system' });
  }

  /** stdout/stderr of a child process, split into lines as they come */
  output(step: LogStep, stream: 'stdout' | 'stderr', source: LogSource = 'build'): OutputStream {
    const splitter = new LineSplitter(
      (text) => {
        const level: LogLevel = stream === 'stdout' ? 'info' : ERROR_LINE.test(text) ? 'error' : 'warn';
        this.line(step, text, { level, source });
      },
      (pending) => this.masker.safeCut(pending),
    );
    return { write: (c) => splitter.write(c), end: () => splitter.end() };
  }

  /** the last lines of a step (masked), for a failure's summary */
  lastLines(step: LogStep): string[] {
    return [...(this.recent.get(step) ?? [])];
  }

  private admit(): boolean {
    const now = this.now();
    if (now - this.windowStart >= FLOOD_WINDOW_MS) {
      this.reportDropped();
      this.windowStart = now;
      this.kept = 0;
    }
    if (this.kept >= this.linesPerSecond) return false;
    this.kept += 1;
    return true;
  }

  private drop(step: LogStep, message: string): void {
    this.remember(step, message);
    if (this.dropped) {
      this.dropped.count += 1;
      return;
    }
    // said when the second is over even if the build prints nothing more
    const timer = setTimeout(() => this.reportDropped(), Math.max(0, this.windowStart + FLOOD_WINDOW_MS - this.now()));
    timer.unref();
    this.dropped = { step, count: 1, timer };
  }

  private reportDropped(): void {
    const d = this.dropped;
    if (!d) return;
    clearTimeout(d.timer);
    this.dropped = undefined;
    const n = d.count.toLocaleString('en-US');
    const cap = this.linesPerSecond.toLocaleString('en-US');
    this.emit(d.step, `${n} line${d.count === 1 ? '' : 's'} of output dropped: more than ${cap} lines in one second (log flood cap)`, 'warn', 'system');
  }

  private emit(step: LogStep, message: string, level: LogLevel, source: LogSource): void {
    this.seq += 1;
    const line = { seq: this.seq, timestamp: new Date().toISOString(), level, source, step, message };
    this.sink.add(line);
    this.remember(step, message);
    for (const watch of this.watchers) watch(line);
  }

  /** every line as it is emitted (masked, numbered): for what the build's result reports */
  onLine(watch: (line: LogLine) => void): void {
    this.watchers.push(watch);
  }

  private remember(step: LogStep, message: string): void {
    const kept = this.recent.get(step) ?? [];
    kept.push(message);
    if (kept.length > KEPT_LINES_PER_STEP) kept.shift();
    this.recent.set(step, kept);
  }
}
