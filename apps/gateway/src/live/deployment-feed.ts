import { Logger } from '@nestjs/common';
import { DeliverPolicy, type Consumer, type ConsumerMessages, type JetStreamClient, type JsMsg } from 'nats';
import {
  type Deployment,
  type DeploymentStatusChanged,
  type LogLine,
  MAX_LOG_MESSAGE_CHARS,
  Streams,
  boundLogMessage,
  deploymentStatusChanged,
  isTerminal,
  logLinesPublished,
  subjectFor,
} from '@flightdeck/contracts';
import { PULL_EXPIRES_MS, decodeEvent, retryWhileUnavailable } from '@flightdeck/messaging';
import { isNewer, recordedLastSeq } from './deployment-version';
import type { LiveFollower } from './live-follower';
import type { LiveSettings } from './live.settings';
import type { LogHistory } from './log-history';
import { FloodGate } from './flood-gate';
import type { LiveBroadcast } from './live-broadcast';
import { matches } from './line-filter';
import { LogRing } from './log-ring';
import type { LogSource, ShedLines } from './log-source';

const FILL_ATTEMPTS = 3;
// shed ranges remembered for followers that have not reached them yet
const MAX_SHED_RANGES = 100;
const FILL_RETRY_MS = 250;

// One deployment's live log and status on this gateway instance, shared by all its followers:
// one ordered JetStream consumer on build.logs.<id> (from the start of the stream, duplicates
// dropped by seq) and one on deployments.evt.status.<id> (from the latest event), whatever the
// number of followers. Lines land in a ring that followers read; a hole in the live seqs is
// filled from log-ingest before anything after it is shown.
export class DeploymentFeed implements LogSource {
  readonly live = true;
  readonly ring: LogRing;
  private current: Deployment;
  private final?: number;
  private readonly followers = new Set<LiveFollower>();
  private readonly logger = new Logger(DeploymentFeed.name);
  private readonly iterators: ConsumerMessages[] = [];
  private readonly consumers: Consumer[] = [];
  private lastLineAt = Date.now();
  private readonly gate: FloodGate;
  private readonly shed: ShedLines[] = [];
  private settleTimer?: NodeJS.Timeout;
  private closed = false;
  // ring changes (live lines, fills, giving lines up) happen one after another
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    deployment: Deployment,
    private readonly js: JetStreamClient,
    private readonly history: LogHistory,
    private readonly settings: LiveSettings,
    private readonly broadcast: LiveBroadcast,
  ) {
    this.current = deployment;
    this.ring = new LogRing(settings.ringLines, settings.ringBytes);
    this.gate = new FloodGate(settings.floodLinesPerSecond);
  }

  shedAt(seq: number): ShedLines | undefined {
    return this.shed.find((r) => seq >= r.fromSeq && seq <= r.toSeq);
  }

  get id(): string {
    return this.current.id;
  }

  get deployment(): Deployment {
    return this.current;
  }

  get finalSeq(): number | undefined {
    return this.final;
  }

  get followerCount(): number {
    return this.followers.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async start(): Promise<void> {
    // One filter subject as a string (filter_subject): filter_subjects needs nats-server 2.10+.
    // No deliver_policy: an ordered consumer starts at stream seq 1 by itself, and an explicit
    // `all` makes nats.js retry its creation forever.
    const logs = await retryWhileUnavailable(() =>
      this.js.consumers.get(Streams.buildLogs.name, { filterSubjects: subjectFor(logLinesPublished.subject, this.id) }),
    );
    const statuses = await retryWhileUnavailable(() =>
      this.js.consumers.get(Streams.deploymentEvents.name, {
        filterSubjects: subjectFor(deploymentStatusChanged.subject, this.id),
        // the latest event first: a change between the caller's query and this start is not missed
        deliver_policy: DeliverPolicy.LastPerSubject,
      }),
    );
    this.consumers.push(logs, statuses);
    // pulls expire as the durable consumers' do: a pull lost with a killed stream leader is noticed
    // within seconds, not after nats.js' default 30 s
    const [logMessages, statusMessages] = await Promise.all([logs.consume({ expires: PULL_EXPIRES_MS }), statuses.consume({ expires: PULL_EXPIRES_MS })]);
    this.iterators.push(logMessages, statusMessages);
    void this.read(logMessages, (m) => this.exclusive(() => this.onLogMessage(m)));
    void this.read(statusMessages, async (m) => this.onStatusMessage(m));
    if (isTerminal(this.current.status)) this.onTerminal();
  }

  /** a deployment read by a new follower's query: it may be ahead of the status events */
  observe(deployment: Deployment): void {
    if (!isNewer(deployment, this.current)) return;
    this.current = deployment;
    if (isTerminal(deployment.status)) this.onTerminal();
  }

  add(follower: LiveFollower): void {
    this.followers.add(follower);
    follower.attach(this);
  }

  remove(follower: LiveFollower): void {
    this.followers.delete(follower);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.settleTimer);
    this.iterators.forEach((it) => it.stop());
    // ordered consumers expire on their own; deleting them frees the server at once
    await Promise.all(this.consumers.map((c) => c.delete().catch(() => false)));
  }

  private async read(messages: ConsumerMessages, handle: (m: JsMsg) => Promise<void>): Promise<void> {
    try {
      for await (const m of messages) {
        if (this.closed) break;
        await handle(m);
      }
    } catch (e) {
      if (!this.closed) this.logger.error({ deploymentId: this.id, err: (e as Error).message }, 'feed stopped reading');
    }
  }

  private async onLogMessage(m: JsMsg): Promise<void> {
    const parsed = decodeEvent(logLinesPublished, m.data, m.subject);
    if (!parsed.ok || parsed.data.deploymentId !== this.id) {
      this.logger.warn({ deploymentId: this.id, streamSeq: m.seq }, 'unreadable log batch skipped');
      return;
    }
    this.lastLineAt = Date.now();
    const fresh = [...parsed.data.lines]
      .sort((a, b) => a.seq - b.seq)
      .filter((l) => l.seq > this.ring.end)
      .map((l) => (l.message.length > MAX_LOG_MESSAGE_CHARS ? { ...l, message: boundLogMessage(l.message) } : l));
    // by when JetStream took the batch, not when it reaches us: a backlog caught up in a burst
    // (this gateway busy, a feed started mid-build) is not a flood
    const admitted = this.gate.admit(fresh.length, m.info.timestampNanos / 1e6);
    await this.append(fresh.slice(0, admitted));
    if (admitted < fresh.length) this.shedUpTo(fresh[fresh.length - 1].seq);
    this.wakeAll();
  }

  // A flood: the ring moves on past the lines not relayed; followers reaching them get a gap.
  private shedUpTo(toSeq: number): void {
    const fromSeq = this.ring.end + 1;
    this.ring.restartAt(toSeq + 1);
    const last = this.shed[this.shed.length - 1];
    if (last && last.toSeq + 1 === fromSeq) {
      last.toSeq = toSeq;
      return;
    }
    this.shed.push({ fromSeq, toSeq, linesPerSecond: this.settings.floodLinesPerSecond });
    if (this.shed.length > MAX_SHED_RANGES) this.shed.shift();
    this.logger.warn({ deploymentId: this.id, fromSeq, linesPerSecond: this.settings.floodLinesPerSecond }, 'log flood: lines past the cap not relayed live');
  }

  private async append(lines: LogLine[]): Promise<void> {
    let rest = lines;
    while (rest.length && !this.closed) {
      const r = this.ring.append(rest);
      rest = r.rest;
      if (!r.gap) break;
      await this.fill(r.gap.to);
      if (this.ring.end < r.gap.to) {
        this.logger.warn({ deploymentId: this.id, from: this.ring.end + 1, to: r.gap.to }, 'log lines missing from the stream and from log-ingest');
        this.ring.restartAt(r.gap.to + 1);
      }
    }
  }

  // Reads (ring end, upTo] from log-ingest into the ring, unfiltered.
  private async fill(upTo: number): Promise<void> {
    for (let attempt = 0; attempt < FILL_ATTEMPTS && this.ring.end < upTo && !this.closed; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, FILL_RETRY_MS));
      for (;;) {
        const before = this.ring.end;
        const page = await this.history.page(this.id, before, Math.min(this.settings.historyPageLines, upTo - before));
        if (!page.ok) break;
        const lines = page.data.items.filter((l) => l.seq <= upTo);
        if (!lines.length) break;
        if (this.ring.append(lines).gap) break;
        if (this.ring.end >= upTo || this.ring.end === before) break;
      }
    }
  }

  private async onStatusMessage(m: JsMsg): Promise<void> {
    const parsed = decodeEvent(deploymentStatusChanged, m.data, m.subject);
    if (!parsed.ok || parsed.data.deployment.id !== this.id) {
      this.logger.warn({ deploymentId: this.id, streamSeq: m.seq }, 'unreadable status event skipped');
      return;
    }
    const { deployment, transition }: DeploymentStatusChanged = parsed.data;
    if (!isNewer(deployment, this.current)) return;
    this.current = deployment;
    this.followers.forEach((f) => f.status(deployment, transition));
    if (isTerminal(deployment.status)) this.onTerminal();
  }

  // The log is complete at the last seq the build reported, or, without one (a deployment that
  // ended before a builder reported), once no line has arrived for a while.
  private onTerminal(): void {
    if (this.final !== undefined) return;
    const recorded = recordedLastSeq(this.current);
    if (recorded !== undefined) this.finish(recorded);
    else this.settleTimer = setTimeout(() => void this.exclusive(() => this.settle()), this.settings.quietMs);
  }

  private async settle(): Promise<void> {
    const quietFor = Date.now() - this.lastLineAt;
    if (quietFor < this.settings.quietMs) {
      this.settleTimer = setTimeout(() => void this.exclusive(() => this.settle()), this.settings.quietMs - quietFor);
      return;
    }
    const stored = await this.history.page(this.id, this.ring.end, 1);
    this.finish(Math.max(this.ring.end, stored.ok ? stored.data.lastSeq ?? 0 : 0));
  }

  private finish(finalSeq: number): void {
    if (this.closed || this.final !== undefined) return;
    this.final = finalSeq;
    this.wakeAll();
    if (this.ring.end < finalSeq) this.settleTimer = setTimeout(() => void this.exclusive(() => this.completeTail()), this.settings.endGraceMs);
  }

  // The last lines did not arrive live in time: take them from log-ingest, or give them up.
  private async completeTail(): Promise<void> {
    const final = this.final!;
    if (this.closed || this.ring.end >= final) return;
    const quietFor = Date.now() - this.lastLineAt;
    if (quietFor < this.settings.endGraceMs) {
      this.settleTimer = setTimeout(() => void this.exclusive(() => this.completeTail()), this.settings.endGraceMs - quietFor);
      return;
    }
    await this.fill(final);
    if (this.ring.end < final) {
      this.logger.warn({ deploymentId: this.id, from: this.ring.end + 1, to: final }, 'last log lines never arrived');
      this.ring.restartAt(final + 1);
    }
    this.wakeAll();
  }

  private exclusive(work: () => Promise<void>): Promise<void> {
    const next = this.serial.then(work, work);
    this.serial = next.catch((e) => this.logger.error({ deploymentId: this.id, err: (e as Error).message }, 'feed update failed'));
    return next.catch(() => undefined);
  }

  private wakeAll(): void {
    this.shareLive();
    this.followers.forEach((f) => f.wake());
  }

  // Followers at the live edge at the same seq, reading everything, get the next lines in one
  // event encoded once (20 followers: one JSON encoding instead of 20); the rest, and whatever is
  // left after, go follower by follower.
  private shareLive(): void {
    const groups = new Map<number, LiveFollower[]>();
    for (const f of this.followers) {
      if (f.canShare(this)) groups.set(f.position, [...(groups.get(f.position) ?? []), f]);
    }
    for (const [position, group] of groups) {
      if (group.length < 2) continue;
      const all = this.ring.after(position, this.settings.emitLines);
      const lastSeq = all[all.length - 1].seq;
      // sharing followers read without a filter: not the release's runtime lines (line-filter.ts)
      const lines = all.filter((l) => matches({}, l));
      if (lines.length && !this.broadcast.logs(group.map((f) => f.connectionId), { deploymentId: this.id, lines, lastSeq })) return;
      group.forEach((f) => f.sharedUpTo(lastSeq));
    }
  }
}
