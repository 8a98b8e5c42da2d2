import { randomUUID } from 'node:crypto';
import { type EndPayload, ErrorCode, type LogsPayload, type StatusPayload, err, getProject, ok } from '@flightdeck/contracts';
import { aProject, eventually } from '@flightdeck/testing';
import { LIVE_TOKEN, LiveHarness, seqRange } from './support/live-harness';

jest.setTimeout(120_000);

interface SseEvent {
  id?: string;
  event: string;
  data: unknown;
}

// What an EventSource would see: the response's events, parsed as they arrive.
class SseReader {
  readonly events: SseEvent[] = [];
  status = 0;
  contentType = '';
  done = false;
  private readonly abort = new AbortController();

  static async open(url: string, headers: Record<string, string> = {}): Promise<SseReader> {
    const r = new SseReader();
    const res = await fetch(url, { headers: { authorization: `Bearer ${LIVE_TOKEN}`, ...headers }, signal: r.abort.signal });
    r.status = res.status;
    r.contentType = res.headers.get('content-type') ?? '';
    if (res.status !== 200) {
      r.events.push({ event: 'http-error', data: await res.json() });
      r.done = true;
      return r;
    }
    void r.read(res.body!.getReader());
    return r;
  }

  get seqs(): number[] {
    return this.events.filter((e) => e.event === 'logs').flatMap((e) => (e.data as LogsPayload).lines.map((l) => l.seq));
  }

  untilEnd(): Promise<unknown> {
    return eventually('the end event', () => this.done, { timeoutMs: 30_000 });
  }

  close() {
    this.abort.abort();
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const fields = Object.fromEntries(
            block
              .split('\n')
              .filter((line) => !line.startsWith(':'))
              .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]),
          );
          if (fields.event) this.events.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
        }
      }
    } catch {
      /* aborted */
    }
    this.done = true;
  }
}

// The live log over Server-Sent Events: a real gateway, log-ingest and nats-server, the test
// playing the builder and the orchestrator.
describe('live log over SSE (GET /deployments/:id/logs/stream)', () => {
  let h: LiveHarness;

  beforeAll(async () => {
    h = await LiveHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const streamUrl = (id: string, query = '') => `${h.gateway.url}/deployments/${id}/logs/stream${query}`;

  it('gives every line once, in order, from storage then live, then the status and an end event last, each logs event with its lastSeq as id', async () => {
    const d = h.aDeployment();
    await h.publishLines(d.id, 1, 250, 25);
    await h.waitForStored(d.id, 250);
    const sse = await SseReader.open(streamUrl(d.id));
    expect(sse.status).toBe(200);
    expect(sse.contentType).toMatch(/^text\/event-stream/);
    await h.publishLines(d.id, 251, 500, 25);
    await eventually('line 500', () => sse.seqs.includes(500), { timeoutMs: 30_000 });
    await h.move(d.id, 'succeeded', { metadata: { lastLogSeq: 500 } });
    await sse.untilEnd();

    expect(sse.seqs).toEqual(seqRange(1, 500));
    for (const e of sse.events.filter((x) => x.event === 'logs')) expect(e.id).toBe(String((e.data as LogsPayload).lastSeq));
    expect(sse.events.filter((e) => e.event === 'status').map((e) => (e.data as StatusPayload).deployment.status)).toEqual(['succeeded']);
    expect(sse.events[sse.events.length - 1]).toEqual({ event: 'end', data: { deploymentId: d.id, status: 'succeeded', lastSeq: 500 } as EndPayload });
  });

  it('resumes after Last-Event-ID (what EventSource sends on reconnect), over afterSeq', async () => {
    const d = h.aDeployment();
    await h.publishLines(d.id, 1, 400, 50);
    await h.waitForStored(d.id, 400);
    await h.move(d.id, 'failed', { metadata: { lastLogSeq: 400 }, errorCode: 'deployment/build-failed' });
    const sse = await SseReader.open(streamUrl(d.id, '?afterSeq=10'), { 'last-event-id': '300' });
    await sse.untilEnd();
    expect(sse.seqs).toEqual(seqRange(301, 400));
    expect(sse.events[sse.events.length - 1]).toMatchObject({ event: 'end', data: { status: 'failed', lastSeq: 400 } });
  });

  it('answers an unknown deployment with 404 and a bad Last-Event-ID with 400, as JSON', async () => {
    const missing = await SseReader.open(streamUrl(randomUUID()));
    expect(missing.status).toBe(404);
    expect(missing.events[0].data).toMatchObject({ error: { code: 'deployment/not-found' } });
    const bad = await SseReader.open(streamUrl(h.aDeployment().id), { 'last-event-id': 'yesterday' });
    expect(bad.status).toBe(400);
  });

  it('lets go of the follower when the client goes away', async () => {
    const d = h.aDeployment();
    const before = await h.logFeedConsumers();
    const sse = await SseReader.open(streamUrl(d.id));
    await eventually('a live feed for the stream', async () => (await h.logFeedConsumers()) === before + 1);
    sse.close();
    await eventually('the feed closed', async () => (await h.logFeedConsumers()) === before);
  });

  describe("a project's deployments (GET /projects/:id/events, Socket.IO subscribeProject)", () => {
    const project = aProject();
    beforeAll(async () => {
      await h.orchestrator.respond(getProject, ({ projectId }) =>
        projectId === project.id ? ok(project) : err(ErrorCode.ProjectNotFound, `project ${projectId} not found`),
      );
    });

    it("gives every status change of the project's deployments, and none of another project's, over SSE and Socket.IO alike", async () => {
      const sse = await SseReader.open(`${h.gateway.url}/projects/${project.id}/events`);
      expect(sse.status).toBe(200);
      const c = await h.client();
      const seen: StatusPayload[] = [];
      c.socket.on('projectStatus', (p: StatusPayload) => seen.push(p));
      expect(await c.socket.timeout(10_000).emitWithAck('subscribeProject', { projectId: project.id })).toEqual({ ok: true, projectId: project.id });

      const mine = h.aDeployment({ projectId: project.id });
      const other = h.aDeployment();
      const second = h.aDeployment({ projectId: project.id });
      await h.move(mine.id, 'deploying', { phase: 'releasing' });
      await h.move(other.id, 'failed');
      await h.move(second.id, 'canceled');
      await h.move(mine.id, 'succeeded');

      const expected = [`${mine.id}:deploying`, `${second.id}:canceled`, `${mine.id}:succeeded`];
      const ofSse = () => sse.events.filter((e) => e.event === 'status').map((e) => (e.data as StatusPayload).deployment);
      await eventually('three events over SSE', () => ofSse().length >= 3);
      await eventually('three events over Socket.IO', () => seen.length >= 3);
      expect(ofSse().map((d) => `${d.id}:${d.status}`)).toEqual(expected);
      expect(seen.map((p) => `${p.deployment.id}:${p.deployment.status}`)).toEqual(expected);
      expect(seen[0].transition).toMatchObject({ from: 'building', to: 'deploying' });

      // unsubscribed, it hears no more
      await c.socket.timeout(10_000).emitWithAck('unsubscribeProject', { projectId: project.id });
      await h.move(second.id, 'failed');
      await eventually('the SSE client to hear it', () => ofSse().length === 4);
      expect(seen).toHaveLength(3);
      sse.close();
      c.close();
    });

    it('answers an unknown project with project/not-found, over SSE (404) and Socket.IO', async () => {
      const missing = await SseReader.open(`${h.gateway.url}/projects/${randomUUID()}/events`);
      expect(missing.status).toBe(404);
      const c = await h.client();
      expect(await c.socket.timeout(10_000).emitWithAck('subscribeProject', { projectId: randomUUID() })).toMatchObject({
        ok: false,
        error: { code: ErrorCode.ProjectNotFound },
      });
      expect(await c.socket.timeout(10_000).emitWithAck('subscribeProject', { projectId: 'nope' })).toMatchObject({ ok: false, error: { code: ErrorCode.InvalidInput } });
      c.close();
    });
  });
});
