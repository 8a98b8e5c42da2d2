import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Deployment, DeploymentTransition, EndPayload, GapPayload, LogLine, LogsPayload, StatusPayload } from '@flightdeck/contracts';
import { isNewer } from './deployment-version';
import { type LineFilter, matches } from './line-filter';
import type { LogHistory } from './log-history';
import type { LogSource, ShedLines } from './log-source';
import type { LiveSettings } from './live.settings';

export interface FollowerSink {
  /** the client connection, for a `logs` event shared with other followers (LiveBroadcast) */
  readonly connectionId: string;
  /** false for a connection LiveBroadcast cannot reach (an SSE stream): it gets its lines one by one */
  readonly broadcastable?: boolean;
  logs(p: LogsPayload): void;
  status(p: StatusPayload): void;
  end(p: EndPayload): void;
  gap(p: GapPayload): void;
  /** false while the client's connection holds too much unsent: lines wait (see ConnectionFlow) */
  ready(): boolean;
  whenReady(wake: () => void): void;
}

type HistoryRead = 'progressed' | 'exhausted' | 'unavailable';

const HISTORY_RETRY_MS = 250;
// log-ingest stores a line a moment after it is published: before concluding that lines are
// missing, it is asked again this many times
const STORAGE_RETRIES = 20;

// One client following one deployment. Its cursor is the last seq it has accounted for (lines a
// filter dropped included); every line after it goes out once, in seq order, from log-ingest
// while the cursor is older than what the feed's ring holds, then from the ring. Whatever the
// order of wake-ups, one pump runs at a time, so nothing is sent twice. A follower whose
// connection is full sends nothing until it has room; if the live lines it was reading have left
// the ring by then, it says so with a `gap` (the range to read from storage) and goes on from the
// ring: a slow client never holds the feed, the other followers or the gateway's memory.
export class LiveFollower {
  private readonly logger = new Logger(LiveFollower.name);
  private source?: LogSource;
  private cursor: number;
  private shown: Deployment;
  private started = false;
  private active = true;
  private pumping = false;
  private again = false;
  private readonly early: StatusPayload[] = [];
  private retries = 0;
  // paused for a full connection while reading live lines from the ring
  private pausedLive = false;

  constructor(
    readonly deploymentId: string,
    afterSeq: number,
    private readonly filter: LineFilter,
    deployment: Deployment,
    private readonly sink: FollowerSink,
    private readonly history: LogHistory,
    private readonly settings: LiveSettings,
    private readonly onEnded: (f: LiveFollower) => void,
  ) {
    this.cursor = afterSeq;
    this.shown = deployment;
  }

  get isActive(): boolean {
    return this.active;
  }

  get connectionId(): string {
    return this.sink.connectionId;
  }

  /** the last seq accounted for */
  get position(): number {
    return this.cursor;
  }

  /**
   * following source `runtime`: a release's lines come after its deployment's end (the deploy's
   * last line), so the follow of a succeeded deployment does not end there; other followers stop at it
   */
  get followsRuntime(): boolean {
    return this.filter.source === 'runtime';
  }

  /**
   * true when the next lines it would send are the ring's from its position, unfiltered, and it
   * may send now: the feed can send them to it together with others at the same position
   */
  canShare(src: LogSource): boolean {
    return (
      this.sink.broadcastable !== false &&
      // an ended log's tail goes follower by follower, up to its end
      src.finalSeq === undefined &&
      this.started &&
      this.active &&
      !this.pumping &&
      !this.pausedLive &&
      Object.keys(this.filter).length === 0 &&
      src.ring.has(this.cursor + 1) &&
      src.shedAt(this.cursor + 1) === undefined &&
      this.sink.ready()
    );
  }

  /** the feed sent it the lines up to lastSeq in a shared event */
  sharedUpTo(lastSeq: number): void {
    this.cursor = lastSeq;
  }

  attach(source: LogSource): void {
    this.source = source;
  }

  /** after the subscribe ack went out: nothing is sent before it */
  start(): void {
    this.started = true;
    for (const s of this.early.splice(0)) this.status(s.deployment, s.transition);
    this.wake();
  }

  stop(): void {
    this.active = false;
  }

  status(deployment: Deployment, transition?: DeploymentTransition): void {
    if (!this.active) return;
    if (!this.started) {
      this.early.push({ deployment, transition });
      return;
    }
    if (!isNewer(deployment, this.shown)) return;
    this.shown = deployment;
    this.sink.status(transition ? { deployment, transition } : { deployment });
  }

  /** new lines, a final seq or a restarted ring: look again */
  wake(): void {
    if (!this.started || !this.active) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    void this.run();
  }

  private async run(): Promise<void> {
    this.pumping = true;
    try {
      do {
        this.again = false;
        await this.pump();
      } while (this.again && this.active);
    } catch (e) {
      this.logger.error({ deploymentId: this.deploymentId, err: (e as Error).message }, 'follower pump failed');
    } finally {
      this.pumping = false;
    }
  }

  private async pump(): Promise<void> {
    const src = this.source!;
    while (this.active) {
      if (!this.sink.ready()) {
        this.pausedLive ||= src.ring.anchored && this.cursor >= src.ring.start - 1;
        this.sink.whenReady(() => this.wake());
        return;
      }
      if (this.pausedLive) this.skipToRing(src);
      const shed = src.shedAt(this.cursor + 1);
      if (shed) {
        this.skipShed(shed);
        continue;
      }
      const end = this.endOf(src);
      if (src.ring.has(this.cursor + 1) && (end === undefined || this.cursor < end)) {
        this.sendFromRing(src, end);
        continue;
      }
      const historyEnd = Math.min(this.historyEnd(src), end ?? Number.MAX_SAFE_INTEGER);
      if (this.cursor < historyEnd) {
        const read = await this.readHistory(historyEnd);
        if (read === 'progressed') continue;
        if (read === 'unavailable') {
          await sleep(1_000);
          continue;
        }
        if (await this.waitForStorage(src)) continue;
        if (src.ring.anchored && this.cursor < historyEnd) {
          // neither the stream nor log-ingest holds them: they were lost upstream
          this.logger.warn({ deploymentId: this.deploymentId, from: this.cursor + 1, to: historyEnd }, 'log lines missing, skipped');
          this.cursor = historyEnd;
          continue;
        }
      }
      const last = end ?? (src.live ? undefined : this.cursor);
      if (last !== undefined && (this.cursor >= last || !src.live)) this.end(src, last);
      return;
    }
  }

  // Where this follower's log ends: the deployment's last line, except for runtime lines of a
  // deployment that succeeded (its release runs on: they never end while it is followed live).
  private endOf(src: LogSource): number | undefined {
    if (this.followsRuntime && src.live && src.deployment.status === 'succeeded') return undefined;
    return src.finalSeq;
  }

  // The live lines this follower was reading while its connection was full have left the ring:
  // it skips them, saying which, rather than reading them back from log-ingest behind the feed.
  private skipToRing(src: LogSource): void {
    this.pausedLive = false;
    const firstKept = src.ring.start;
    if (!src.ring.anchored || this.cursor + 1 >= firstKept) return;
    const [fromSeq, toSeq] = [this.cursor + 1, firstKept - 1];
    const message = `${toSeq - fromSeq + 1} lines not sent: the connection did not take them in time; they are stored`;
    this.sink.gap({ deploymentId: this.deploymentId, fromSeq, toSeq, reason: 'slow-consumer', message });
    this.cursor = toSeq;
  }

  // Lines the feed did not relay live (a flood): said once, with the range, never read back here.
  private skipShed(shed: ShedLines): void {
    const fromSeq = this.cursor + 1;
    const message = `${shed.toSeq - fromSeq + 1} lines not shown live: the build printed more than ${shed.linesPerSecond} lines/s; they are stored`;
    this.sink.gap({ deploymentId: this.deploymentId, fromSeq, toSeq: shed.toSeq, reason: 'flood', message });
    this.cursor = shed.toSeq;
  }

  // Lines older than the ring come from log-ingest; a finished log comes from it entirely.
  private historyEnd(src: LogSource): number {
    if (src.ring.anchored) return src.ring.start - 1;
    if (!src.live) return src.finalSeq ?? Number.MAX_SAFE_INTEGER;
    return 0;
  }

  private async waitForStorage(src: LogSource): Promise<boolean> {
    const behind = src.live || (src.finalSeq !== undefined && this.cursor < src.finalSeq);
    if (!behind || this.retries >= STORAGE_RETRIES) return false;
    this.retries++;
    await sleep(HISTORY_RETRY_MS);
    return true;
  }

  private sendFromRing(src: LogSource, end: number | undefined): void {
    const lines = src.ring.after(this.cursor, this.settings.emitLines).filter((l) => end === undefined || l.seq <= end);
    this.send(lines, lines[lines.length - 1].seq);
  }

  private async readHistory(upTo: number): Promise<HistoryRead> {
    const page = await this.history.page(this.deploymentId, this.cursor, this.settings.historyPageLines, this.filter);
    if (!this.active) return 'exhausted';
    if (!page.ok) {
      this.logger.warn({ deploymentId: this.deploymentId, code: page.error.code }, 'log history unavailable, retrying');
      return 'unavailable';
    }
    const items = page.data.items.filter((l) => l.seq > this.cursor && l.seq <= upTo);
    const covered = Math.min(upTo, page.data.lastSeq ?? items[items.length - 1]?.seq ?? this.cursor);
    if (covered <= this.cursor) return 'exhausted';
    this.retries = 0;
    this.send(items, covered);
    return 'progressed';
  }

  private send(lines: LogLine[], lastSeq: number): void {
    // log-ingest applied the filter's fields, not what a follow without a source leaves out
    const shown = lines.filter((l) => matches(this.filter, l));
    this.cursor = lastSeq;
    const size = this.settings.emitLines;
    for (let i = 0; i < shown.length; i += size) {
      const chunk = shown.slice(i, i + size);
      const isLast = i + size >= shown.length;
      this.sink.logs({ deploymentId: this.deploymentId, lines: chunk, lastSeq: isLast ? lastSeq : chunk[chunk.length - 1].seq });
    }
  }

  private end(src: LogSource, lastSeq: number): void {
    this.active = false;
    const d = isNewer(src.deployment, this.shown) ? src.deployment : this.shown;
    // the deployment's log ends at its last line, even when this follower has passed runtime lines after it
    const endSeq = src.finalSeq !== undefined && !this.followsRuntime ? src.finalSeq : Math.max(lastSeq, this.cursor);
    this.sink.end({ deploymentId: this.deploymentId, status: d.status, lastSeq: endSeq });
    this.onEnded(this);
  }
}
