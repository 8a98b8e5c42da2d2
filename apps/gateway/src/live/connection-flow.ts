export interface FlowSettings {
  /** bytes a connection may hold unsent before its followers stop sending to it */
  maxBacklogBytes: number;
  /** a connection that stays over the bound this long is dropped */
  stalledDisconnectMs: number;
  /** how often a full connection is looked at again */
  pollMs: number;
}

// How much one client connection holds unsent in this process, and what to do when it holds too
// much: its followers stop sending (their lines stay in the feed's ring, or in log-ingest, not in
// the connection's buffers), are woken once it has taken half of it, and a connection that takes
// nothing for stalledDisconnectMs is given up (onStalled). The gateway's memory per connection is
// thus bounded by maxBacklogBytes plus one emit, whatever the client does.
export class ConnectionFlow {
  private readonly waiters = new Set<() => void>();
  private timer?: NodeJS.Timeout;
  private fullSince?: number;
  private closed = false;

  constructor(
    private readonly backlogBytes: () => number,
    private readonly settings: FlowSettings,
    private readonly onStalled: () => void,
  ) {}

  /** false once the connection holds more than the bound: send nothing, ask whenReady */
  ready(): boolean {
    if (this.closed) return false;
    if (this.fullSince === undefined && this.backlogBytes() <= this.settings.maxBacklogBytes) return true;
    this.watch();
    return false;
  }

  /** calls `wake` once the connection has room again (never after close) */
  whenReady(wake: () => void): void {
    if (this.closed) return;
    this.waiters.add(wake);
    this.watch();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.waiters.clear();
  }

  private watch(): void {
    this.fullSince ??= Date.now();
    this.timer ??= setInterval(() => this.poll(), this.settings.pollMs);
  }

  private poll(): void {
    // resumes below half the bound, so that a connection at the edge does not flap
    if (this.backlogBytes() <= this.settings.maxBacklogBytes / 2) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.fullSince = undefined;
      const waiting = [...this.waiters];
      this.waiters.clear();
      waiting.forEach((wake) => wake());
      return;
    }
    if (Date.now() - this.fullSince! >= this.settings.stalledDisconnectMs) {
      this.close();
      this.onStalled();
    }
  }
}
