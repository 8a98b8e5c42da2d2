import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';
import type { LogLine } from '@flightdeck/contracts';
import { LiveConnection } from './live-connection';

const D = '00000000-0000-4000-8000-000000000001';
const line = (seq: number): LogLine => ({
  seq,
  timestamp: new Date(0).toISOString(),
  level: 'info',
  source: 'build',
  step: 'build',
  message: `line ${seq}`,
});
const at = new Date(0).toISOString();
const deployment = {
  id: D,
  projectId: D,
  environmentId: D,
  sourceRef: 'main',
  commitSha: null,
  commitMessage: null,
  commitAuthor: null,
  message: null,
  triggeredBy: 'admin',
  trigger: 'api',
  status: 'building',
  phase: 'building',
  progress: 50,
  attempt: 1,
  parentDeploymentId: null,
  rollbackTargetId: null,
  artifact: null,
  url: null,
  previewUrl: null,
  errorCode: null,
  errorMessage: null,
  metadata: {},
  createdAt: at,
  updatedAt: at,
  startedAt: null,
  finishedAt: null,
  durationMs: null,
};

// A stand-in for the gateway's /deployments namespace: its handshake check and its subscribe ack,
// recording each subscription's afterSeq; the test decides what it sends.
const fakeGateway = async (refuseRenewals = false) => {
  const http = createServer();
  const io = new Server(http);
  const subscriptions: number[] = [];
  const projectSubscriptions: string[] = [];
  const sockets: Socket[] = [];
  const ns = io.of('/deployments');
  ns.use((socket, next) => {
    if (socket.handshake.auth?.token === 'good') return next();
    next(
      Object.assign(new Error('auth/unauthenticated'), {
        data: { code: 'auth/unauthenticated', message: 'a valid bearer token is required (unknown token)' },
      }),
    );
  });
  ns.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('subscribe', (req: { afterSeq: number }, ack: (a: unknown) => void) => {
      subscriptions.push(req.afterSeq);
      ack(
        refuseRenewals && subscriptions.length > 1
          ? { ok: false, error: { code: 'deployment/not-found', message: 'gone' } }
          : { ok: true, deployment },
      );
    });
    socket.on('subscribeProject', (req: { projectId: string }, ack: (a: unknown) => void) => {
      projectSubscriptions.push(req.projectId);
      void socket.join(`project:${req.projectId}`);
      ack({ ok: true, projectId: req.projectId });
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    subscriptions,
    projectSubscriptions,
    ns,
    sockets,
    close: () => new Promise<void>((r) => (io.close(), http.close(() => r()))),
  };
};

const until = async (what: string, cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('LiveConnection against a real Socket.IO server', () => {
  let gw: Awaited<ReturnType<typeof fakeGateway>>;
  beforeEach(async () => (gw = await fakeGateway()));
  afterEach(async () => gw.close());

  it("answers a refused handshake with the gateway's error at once", async () => {
    const live = new LiveConnection(gw.url, 'bad');
    const started = Date.now();
    const r = await live.subscribeDeployment({ deploymentId: D, afterSeq: 0 }, { afterSeq: () => 0 });
    expect(r).toEqual({
      ok: false,
      error: { code: 'auth/unauthenticated', message: 'a valid bearer token is required (unknown token)' },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    live.close();
  });

  it('renews a subscription from the last seq seen when the server closes the connection, and drops payloads that do not parse', async () => {
    const invalid: string[] = [];
    const live = new LiveConnection(gw.url, 'good', (event) => invalid.push(event));
    const seen: number[] = [];
    let lastSeq = 0;
    const listener = {
      logs: (p: { lines: LogLine[]; lastSeq: number }) => (
        p.lines.forEach((l) => seen.push(l.seq)),
        (lastSeq = p.lastSeq)
      ),
      afterSeq: () => lastSeq,
    };
    expect(await live.subscribeDeployment({ deploymentId: D, afterSeq: 0 }, listener)).toMatchObject({
      ok: true,
      data: { id: D },
    });
    gw.sockets[0].emit('logs', { deploymentId: D, lines: [line(1), line(2)], lastSeq: 2 });
    gw.sockets[0].emit('logs', { deploymentId: D, lines: [{ seq: 'three' }], lastSeq: 3 });
    await until('two lines and one invalid payload', () => seen.length === 2 && invalid.length === 1);
    expect(invalid).toEqual(['logs']);

    gw.sockets[0].disconnect(true);
    await until('the subscription renewed', () => gw.subscriptions.length === 2);
    expect(gw.subscriptions).toEqual([0, 2]);
    gw.sockets[1].emit('logs', { deploymentId: D, lines: [line(3)], lastSeq: 3 });
    await until('the line after the reconnect', () => seen.length === 3);
    expect(seen).toEqual([1, 2, 3]);
    live.close();
  });

  it("shares one project subscription between its listeners; each gets the project's status events until it unsubscribes", async () => {
    const live = new LiveConnection(gw.url, 'good');
    const a: string[] = [];
    const b: string[] = [];
    const [ra, rb] = await Promise.all([
      live.subscribeProject(D, (p) => a.push(p.deployment.status)),
      live.subscribeProject(D, (p) => b.push(p.deployment.status)),
    ]);
    expect(gw.projectSubscriptions).toEqual([D]);
    gw.ns.to(`project:${D}`).emit('projectStatus', { deployment });
    await until('both listeners', () => a.length === 1 && b.length === 1);
    if (ra.ok) ra.data();
    gw.ns.to(`project:${D}`).emit('projectStatus', { deployment: { ...deployment, status: 'succeeded' } });
    await until('the remaining listener', () => b.length === 2);
    expect(a).toEqual(['building']);
    expect(b).toEqual(['building', 'succeeded']);
    if (rb.ok) rb.data();
    live.close();
  });

  it('tells its observers when a project subscription is renewed after a reconnect', async () => {
    const live = new LiveConnection(gw.url, 'good');
    const renewed: string[] = [];
    live.projectRenewedObservers.add((id) => renewed.push(id));
    const sub = await live.subscribeProject(D, () => undefined);
    expect(sub.ok).toBe(true);
    expect(renewed).toEqual([]);
    gw.sockets[0].disconnect(true);
    await until('the renewal observed', () => renewed.length === 1);
    expect(gw.projectSubscriptions).toEqual([D, D]);
    expect(renewed).toEqual([D]);
    live.close();
  });

  it('ends a subscription whose renewal the gateway refuses, with its error', async () => {
    await gw.close();
    gw = await fakeGateway(true);
    const live = new LiveConnection(gw.url, 'good');
    const errors: string[] = [];
    expect(
      (
        await live.subscribeDeployment(
          { deploymentId: D, afterSeq: 0 },
          { afterSeq: () => 0, error: (e) => errors.push(e.code) },
        )
      ).ok,
    ).toBe(true);
    gw.sockets[0].disconnect(true);
    await until('the refused renewal reported', () => errors.length === 1);
    expect(errors).toEqual(['deployment/not-found']);
    live.close();
  });
});
