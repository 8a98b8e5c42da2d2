const WINDOW_MS = 1_000;

// How many lines of one deployment go out live per second at most: a build printing 50,000
// lines/s would otherwise cost every follower (and the gateway) that much. Lines past the cap in a
// second are not relayed live (they are still stored); followers are told which (a `flood` gap).
export class FloodGate {
  private windowStart = -Infinity;
  private admitted = 0;

  constructor(private readonly linesPerSecond: number) {}

  /** how many of `n` lines published at `at` (ms) may go live; the rest are shed */
  admit(n: number, at = Date.now()): number {
    // a batch published earlier than the window (JetStream's clock is monotonic enough) counts in it
    const now = Math.max(at, this.windowStart);
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.admitted = 0;
    }
    const take = Math.min(n, Math.max(0, this.linesPerSecond - this.admitted));
    this.admitted += take;
    return take;
  }
}
