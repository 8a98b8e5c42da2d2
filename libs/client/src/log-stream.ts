import {
  type DeploymentStatus,
  type EndPayload,
  type ErrorBody,
  ErrorCode,
  type GapPayload,
  type LogLevel,
  type LogLine,
  type LogLinePage,
  type LogSource,
  type LogsPayload,
  type Result,
  type StatusPayload,
  err,
  ok,
} from '@flightdeck/contracts';
import type { DeploymentListener } from './live-connection';

export interface LogFilter {
  level?: LogLevel;
  step?: string;
  source?: LogSource;
}

export interface StreamLogsOptions extends LogFilter {
  /** start after this seq (default 0: from the first line) */
  afterSeq?: number;
  /** false (default): the lines stored now, then the end; true: live until the deployment ends */
  follow?: boolean;
  /** lines per stored page (≤ 5,000; default 1,000) */
  pageSize?: number;
  /** with follow: every status or phase change while following */
  onStatus?: (p: StatusPayload) => void;
  /** with follow: how long lines named by a gap or the end may take to be stored (default 30 s) */
  storedWaitMs?: number;
}

/** how a log stream ended: the last seq it accounted for and, when followed, the terminal status */
export interface LogStreamEnd {
  lastSeq: number;
  status: DeploymentStatus | null;
}

/**
 * A deployment's log lines in seq order, each once. Iterating never throws: an error (an unknown
 * deployment, a lost gateway) ends the iteration and `done` says why; `done` also resolves when
 * the stream ends normally (the end event when following, the last stored line otherwise).
 */
export interface LogStream extends AsyncIterable<LogLine> {
  readonly done: Promise<Result<LogStreamEnd>>;
  /** stop early: the iteration ends and the subscription is released */
  close(): void;
}

/** what streamLogs needs of the client: stored pages, and live subscriptions */
export interface LogSources {
  page(
    deploymentId: string,
    q: LogFilter & { afterSeq: number; limit: number },
  ): Promise<Result<LogLinePage>>;
  subscribe(
    deploymentId: string,
    afterSeq: number,
    filter: LogFilter,
    listener: DeploymentListener,
  ): Promise<Result<unknown>>;
  unsubscribe(deploymentId: string, listener: DeploymentListener): void;
}

const MAX_PAGE = 5_000;

type LiveEvent =
  | { kind: 'error'; error: ErrorBody }
  | { kind: 'logs'; p: LogsPayload }
  | { kind: 'gap'; p: GapPayload }
  | { kind: 'end'; p: EndPayload }
  | { kind: 'status'; p: StatusPayload };

/** a queue one side pushes to and the other awaits: what comes in while the reader is busy waits */
class Channel<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  closed = false;

  push(item: T) {
    if (this.closed) return;
    this.items.push(item);
    this.wake();
  }
  close() {
    this.closed = true;
    this.wake();
  }
  private wake() {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
  async next(): Promise<T | undefined> {
    while (this.items.length === 0 && !this.closed) await new Promise<void>((r) => (this.waiter = r));
    return this.items.shift();
  }
}

export function streamLogs(
  sources: LogSources,
  deploymentId: string,
  opts: StreamLogsOptions = {},
): LogStream {
  const filter: LogFilter = { level: opts.level, step: opts.step, source: opts.source };
  const limit = Math.min(Math.max(opts.pageSize ?? 1_000, 1), MAX_PAGE);
  const storedWaitMs = opts.storedWaitMs ?? 30_000;
  const out = new Channel<LogLine>();
  let lastSeq = opts.afterSeq ?? 0;
  let resolveDone!: (r: Result<LogStreamEnd>) => void;
  const done = new Promise<Result<LogStreamEnd>>((r) => (resolveDone = r));
  const finish = (r: Result<LogStreamEnd>) => {
    resolveDone(r);
    out.close();
  };

  // Stored lines after lastSeq, page by page, until `until` is reached or nothing more is stored.
  // A gap or the end names lines the live feed has seen and log-ingest may not have stored yet
  // (it stores from the bus, a moment behind): those are waited for (`mustReach`), never skipped.
  const readStored = async (until: number, mustReach = false): Promise<Result<void>> => {
    const deadline = Date.now() + storedWaitMs;
    let pause = 50;
    while (!out.closed && lastSeq < until) {
      const page = await sources.page(deploymentId, { ...filter, afterSeq: lastSeq, limit });
      if (!page.ok) return page;
      for (const line of page.data.items) if (line.seq > lastSeq) out.push(line);
      const next = Math.max(lastSeq, page.data.lastSeq ?? 0, page.data.items.at(-1)?.seq ?? 0);
      const short = next === lastSeq || page.data.items.length < limit;
      lastSeq = next;
      if (!short) continue;
      if (!mustReach || lastSeq >= until) return ok(undefined);
      if (Date.now() >= deadline) {
        return err(ErrorCode.ServiceUnavailable, `lines ${lastSeq + 1}–${until} of deployment ${deploymentId} were not stored within ${storedWaitMs} ms: read them later with getLogs (afterSeq ${lastSeq})`);
      }
      await new Promise((r) => setTimeout(r, pause));
      pause = Math.min(pause * 2, 1_000);
    }
    return ok(undefined);
  };

  const events = new Channel<LiveEvent>();
  const listener: DeploymentListener = {
    logs: (p) => events.push({ kind: 'logs', p }),
    gap: (p) => events.push({ kind: 'gap', p }),
    end: (p) => events.push({ kind: 'end', p }),
    status: (p) => events.push({ kind: 'status', p }),
    error: (error) => events.push({ kind: 'error', error }),
    afterSeq: () => lastSeq,
  };

  const follow = async () => {
    const sub = await sources.subscribe(deploymentId, lastSeq, filter, listener);
    if (!sub.ok) return finish(sub);
    for (;;) {
      const ev = await events.next();
      if (!ev || out.closed) return;
      if (ev.kind === 'error') return finish({ ok: false, error: ev.error });
      if (ev.kind === 'status') opts.onStatus?.(ev.p);
      else if (ev.kind === 'logs') {
        for (const line of ev.p.lines) if (line.seq > lastSeq) out.push(line);
        lastSeq = Math.max(lastSeq, ev.p.lastSeq);
      } else {
        // a gap: the lines skipped live are stored; the end: whatever a filter or a reconnect left unread
        const target = ev.kind === 'gap' ? ev.p.toSeq : ev.p.lastSeq;
        const read = await readStored(target, true);
        if (!read.ok) return finish(read);
        if (ev.kind === 'end')
          return finish(ok({ lastSeq: Math.max(lastSeq, ev.p.lastSeq), status: ev.p.status }));
      }
    }
  };

  const run = opts.follow
    ? follow().finally(() => sources.unsubscribe(deploymentId, listener))
    : readStored(Number.MAX_SAFE_INTEGER).then((r) => finish(r.ok ? ok({ lastSeq, status: null }) : r));
  void run.catch((e: unknown) =>
    finish({
      ok: false,
      error: { code: 'service/internal-error', message: `log stream failed: ${(e as Error).message}` },
    }),
  );

  return {
    done,
    close: () => {
      events.close();
      finish(ok({ lastSeq, status: null }));
    },
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const line = await out.next();
        return line ? { value: line, done: false } : { value: undefined, done: true };
      },
      return: async () => {
        events.close();
        finish(ok({ lastSeq, status: null }));
        return { value: undefined, done: true };
      },
    }),
  };
}
