import type { LogLine } from '@flightdeck/contracts';

export interface AppendResult {
  /** lines after a gap, not appended: the caller fills the gap (or restarts the ring) first */
  rest: LogLine[];
  gap?: { from: number; to: number };
}

const APPROX_LINE_OVERHEAD = 100;

// The recent lines of one deployment, contiguous by seq: what every live follower of a feed reads,
// so that a follower joining or resuming near the live edge needs no database read. Bounded in
// lines and bytes; the oldest lines leave first, and followers behind them read log-ingest.
export class LogRing {
  private buf: LogLine[] = [];
  private head = 0;
  private bytes = 0;
  private startSeq?: number;
  private endSeq = 0;

  constructor(
    private readonly maxLines: number,
    private readonly maxBytes: number,
  ) {}

  /** false until the first line arrives: nothing is known about where the log starts */
  get anchored(): boolean {
    return this.startSeq !== undefined;
  }

  /** the first seq the ring can serve (end + 1 when it holds nothing) */
  get start(): number {
    return this.startSeq ?? 1;
  }

  /** the highest seq received (0 before the first) */
  get end(): number {
    return this.endSeq;
  }

  get size(): number {
    return this.buf.length - this.head;
  }

  has(seq: number): boolean {
    return this.startSeq !== undefined && seq >= this.startSeq && seq <= this.endSeq;
  }

  /** up to `max` lines from seq + 1 on; seq + 1 must be in the ring */
  after(seq: number, max: number): LogLine[] {
    if (!this.has(seq + 1)) return [];
    const from = this.head + (seq + 1 - this.startSeq!);
    return this.buf.slice(from, from + max);
  }

  /** appends lines in seq order, skipping those already held, up to the first gap */
  append(lines: readonly LogLine[]): AppendResult {
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (this.startSeq === undefined) {
        this.startSeq = line.seq;
        this.endSeq = line.seq - 1;
      }
      if (line.seq <= this.endSeq) continue;
      if (line.seq > this.endSeq + 1) return { rest: lines.slice(i), gap: { from: this.endSeq + 1, to: line.seq - 1 } };
      this.buf.push(line);
      this.bytes += line.message.length + APPROX_LINE_OVERHEAD;
      this.endSeq = line.seq;
    }
    this.trim();
    return { rest: [] };
  }

  /** forgets every line; the next line expected is `seq` (lines before it are lost or stored elsewhere) */
  restartAt(seq: number): void {
    this.buf = [];
    this.head = 0;
    this.bytes = 0;
    this.startSeq = seq;
    this.endSeq = seq - 1;
  }

  private trim(): void {
    while (this.size > 1 && (this.size > this.maxLines || this.bytes > this.maxBytes)) {
      this.bytes -= this.buf[this.head].message.length + APPROX_LINE_OVERHEAD;
      this.head++;
      this.startSeq!++;
    }
    if (this.head > 1_024 && this.head * 2 > this.buf.length) {
      this.buf = this.buf.slice(this.head);
      this.head = 0;
    }
  }
}
