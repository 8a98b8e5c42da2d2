import type { BuildStepName, LogLevel, LogLine, LogSource } from '@flightdeck/contracts';
import { SecretMasker } from '../masking/secret-masker';
import { LineSplitter } from './line-splitter';

export type BuildStep = BuildStepName;

// A masked line longer than this becomes several records (one seq each); the cut happens after
// masking, so it can never split a secret into two unmasked halves.
const MAX_RECORD_CHARS = 16 * 1024;
const KEPT_LINES_PER_STEP = 20;
const ERROR_LINE = /^\s*(npm ERR!|npm error|error\b|Error:|ERROR\b|fatal:|FAIL\b)/;

export interface LogSink {
  add(line: LogLine): void;
}

export interface OutputStream {
  write(chunk: Buffer | string): void;
  end(): void;
}

// The one way a line leaves the builder for a deployment: masked, numbered 1, 2, 3... with no gap
// in the order the lines were produced, and remembered per step for a failure's summary.
export class BuildLog {
  private seq: number;
  private masker = SecretMasker.none();
  private readonly recent = new Map<string, string[]>();

  // a later attempt of a deployment continues after the earlier attempts' lines
  constructor(
    private readonly sink: LogSink,
    firstSeq = 1,
  ) {
    this.seq = firstSeq - 1;
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

  line(step: BuildStep, message: string, opts: { level?: LogLevel; source?: LogSource } = {}): void {
    const masked = this.masker.mask(message);
    for (const text of masked.split(/\r\n|\r|\n/)) {
      for (let at = 0; at === 0 || at < text.length; at += MAX_RECORD_CHARS) {
        this.emit(step, text.slice(at, at + MAX_RECORD_CHARS), opts.level ?? 'info', opts.source ?? 'build');
      }
    }
  }

  system(step: BuildStep, message: string, level: LogLevel = 'info'): void {
    this.line(step, message, { level, source: 'system' });
  }

  /** stdout/stderr of a child process, split into lines as they come */
  output(step: BuildStep, stream: 'stdout' | 'stderr', source: LogSource = 'build'): OutputStream {
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
  lastLines(step: BuildStep): string[] {
    return [...(this.recent.get(step) ?? [])];
  }

  private emit(step: BuildStep, message: string, level: LogLevel, source: LogSource): void {
    this.seq += 1;
    this.sink.add({ seq: this.seq, timestamp: new Date().toISOString(), level, source, step, message });
    const kept = this.recent.get(step) ?? [];
    kept.push(message);
    if (kept.length > KEPT_LINES_PER_STEP) kept.shift();
    this.recent.set(step, kept);
  }
}
