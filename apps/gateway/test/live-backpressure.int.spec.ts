import type { DroppedPayload, GapPayload, LogLine } from '@flightdeck/contracts';
import { sleep } from '@flightdeck/testing';
import { DeploymentsLiveGateway } from '../src/live/deployments-live.gateway';
import { type LiveClient, LiveHarness, seqRange } from './support/live-harness';

const LINES = 200_000;
const PER_BATCH = 100;
// 5,000 lines/s per deployment, two builds at once: a busy gateway, not one saturated by the test
// itself (then whichever feed the event loop serves second waits, and p99s drift apart by chance);
// small batches, so that a p99 is taken over 2,000 batches, not a few hundred
const BATCH_EVERY_MS = 20;
const MAX_BACKLOG = 1024 * 1024;
// what the gateway may hold unsent over all its connections during the run: the stalled
// connection's bound plus one emit of 1,000 lines (about 0.3 MB here) and a little for the others
const UNSENT_BOUND = MAX_BACKLOG + 3 * 1024 * 1024;
const PADDING = 'x'.repeat(120);
// a feed held up behind the stalled socket would lag by seconds (its buffers fill in well under one
// and the run lasts 40 s); the two p99s differ by a few ms on an idle machine and drifted to 11 on a
// loaded CI run, so the bound is one a real hold-up cannot meet, not that idle figure (printed below)
const HELD_UP_MS = 100;

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))];

/** stops reading from the TCP connection, as a client that hangs does; the server's writes pile up */
const stopReading = (c: LiveClient) => (c.socket.io.engine.transport as unknown as { ws: { pause(): void } }).ws.pause();
const readAgain = (c: LiveClient) => (c.socket.io.engine.transport as unknown as { ws: { resume(): void } }).ws.resume();

// publish-to-receipt delay of every line a client gets (each line carries its publish time)
const latencies = (c: LiveClient, deploymentId: string) => {
  const delays: number[] = [];
  c.socket.on('logs', (p: { deploymentId: string; lines: LogLine[] }) => {
    if (p.deploymentId !== deploymentId) return;
    const now = Date.now();
    for (const l of p.lines) delays.push(now - Date.parse(l.timestamp));
  });
  return delays;
};

describe('live followers under pressure', () => {
  let h: LiveHarness;

  beforeAll(async () => {
    // the stalled client answers no heartbeat either: Socket.IO would close it 45 s in, which a loaded
    // run of the first test reaches (seen in CI), and the test could not read on the same connection
    h = await LiveHarness.start({ flow: { maxBacklogBytes: MAX_BACKLOG, stalledDisconnectMs: 120_000, pollMs: 20 } }, { pingTimeoutMs: 300_000 });
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  it(`a follower that stops reading does not hold up another follower of the build (p99 within ${HELD_UP_MS} ms of a build beside it whose followers read) while it prints ${LINES.toLocaleString('en')} lines, is skipped ahead with a gap, and the gateway holds at most ${UNSENT_BOUND} bytes unsent`, async () => {
    const gateway = h.gateway.app.get(DeploymentsLiveGateway);
    // x: followed by `stalled` and `beside`; y: the same load and two followers that both read
    const x = h.aDeployment();
    const y = h.aDeployment();
    const [stalled, beside, twin, alone] = await Promise.all([h.client(), h.client(), h.client(), h.client()]);
    const gaps: GapPayload[] = [];
    stalled.socket.on('gap', (g: GapPayload) => gaps.push(g));
    const besideDelays = latencies(beside, x.id);
    const aloneDelays = latencies(alone, y.id);
    // in the same order on both feeds: the stalled one and its twin are served first. The twin's
    // filter keeps every line but makes it read alone, as `beside` does once `stalled` is full:
    // followers at the same seq without a filter share one encoded event (LiveBroadcast)
    await stalled.subscribe({ deploymentId: x.id });
    await twin.subscribe({ deploymentId: y.id, source: 'build' });
    await Promise.all([beside.subscribe({ deploymentId: x.id }), alone.subscribe({ deploymentId: y.id })]);
    stopReading(stalled);

    let maxUnsent = 0;
    const sampler = setInterval(() => (maxUnsent = Math.max(maxUnsent, gateway.unsentBytes())), 10);
    try {
      const stamped = () => ({ timestamp: new Date().toISOString(), message: `compiled module ${PADDING}` });
      const started = Date.now();
      for (let first = 1, i = 0; first <= LINES; first += PER_BATCH, i++) {
        const last = Math.min(LINES, first + PER_BATCH - 1);
        await Promise.all([h.publishLines(x.id, first, last, PER_BATCH, stamped), h.publishLines(y.id, first, last, PER_BATCH, stamped)]);
        const due = started + (i + 1) * BATCH_EVERY_MS;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      await beside.of(x.id).untilSeq(LINES, 120_000);
      await alone.of(y.id).untilSeq(LINES, 120_000);
    } finally {
      clearInterval(sampler);
    }

    const [withStalled, without] = [p99(besideDelays), p99(aloneDelays)];
    console.log(`p99 publish-to-receipt: ${withStalled} ms beside a stalled follower, ${without} ms beside a reading one; max unsent ${maxUnsent} bytes`);
    expect(beside.of(x.id).seqs).toEqual(seqRange(1, LINES));
    expect(withStalled - without).toBeLessThanOrEqual(HELD_UP_MS);
    expect(maxUnsent).toBeLessThanOrEqual(UNSENT_BOUND);

    // reading again, the stalled client is told which lines it missed, then gets the rest: every
    // seq once, either as a line or inside a gap
    readAgain(stalled);
    const r = stalled.of(x.id);
    const covered = () => r.seqs.length + gaps.reduce((n, g) => n + g.toSeq - g.fromSeq + 1, 0);
    await r.until(() => covered() >= LINES && r.lastSeq >= LINES, 'the stalled client to catch up', 60_000);
    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps[0]).toMatchObject({ deploymentId: x.id, reason: 'slow-consumer' });
    const seen = [...r.seqs, ...gaps.flatMap((g) => seqRange(g.fromSeq, g.toSeq))].sort((a, b) => a - b);
    expect(seen).toEqual(seqRange(1, LINES));
    expect(r.seqs).toEqual([...r.seqs].sort((a, b) => a - b));
    [stalled, beside, twin, alone].forEach((c) => c.close());
  }, 240_000);

  it('a follower that stops reading is disconnected with a reason once it has taken nothing for stalledDisconnectMs', async () => {
    const strict = await h.anotherGateway({ flow: { maxBacklogBytes: 64 * 1024, stalledDisconnectMs: 1_000, pollMs: 20 } });
    const gateway = strict.app.get(DeploymentsLiveGateway);
    const d = h.aDeployment();
    const c = await h.client({ url: strict.url });
    const dropped: DroppedPayload[] = [];
    const closed: string[] = [];
    c.socket.on('dropped', (p: DroppedPayload) => dropped.push(p));
    c.socket.on('disconnect', (reason) => closed.push(reason));
    await c.subscribe({ deploymentId: d.id });
    stopReading(c);
    // enough to fill the TCP buffers between the two, whatever the kernel's sizes
    for (let first = 1; gateway.connections > 0 && first <= 400_000; first += PER_BATCH) {
      await h.publishLines(d.id, first, first + PER_BATCH - 1, PER_BATCH, () => ({ message: `compiled module ${PADDING}` }));
    }
    await c.of(d.id).until(() => gateway.connections === 0, 'the gateway to drop the client', 30_000);
    expect(gateway.unsentBytes()).toBe(0);

    readAgain(c);
    await c.of(d.id).until(() => closed.length > 0, 'the client to see the close');
    expect(dropped).toEqual([{ reason: 'slow-consumer', message: expect.stringMatching(/reconnect and subscribe with afterSeq/) }]);
    expect(closed).toEqual(['io server disconnect']);
  }, 120_000);

  it('caps a flood from one deployment: lines past the cap are not relayed live, and followers are told which', async () => {
    const capped = await h.anotherGateway({ floodLinesPerSecond: 2_000 });
    const d = h.aDeployment();
    const c = await h.client({ url: capped.url });
    const gaps: GapPayload[] = [];
    c.socket.on('gap', (g: GapPayload) => gaps.push(g));
    await c.subscribe({ deploymentId: d.id });
    // 20,000 lines as fast as they publish: far above 2,000 lines/s
    await h.publishLines(d.id, 1, 20_000, 1_000);
    await h.move(d.id, 'succeeded', { metadata: { lastLogSeq: 20_000 } });
    const r = c.of(d.id);
    await r.untilEnd(60_000);

    expect(gaps.length).toBeGreaterThan(0);
    expect(gaps[0]).toMatchObject({ deploymentId: d.id, reason: 'flood', message: expect.stringMatching(/^\d+ lines not shown live: the build printed more than 2000 lines\/s; they are stored$/) });
    const shown = r.seqs.length;
    expect(shown).toBeLessThan(20_000);
    const seen = [...r.seqs, ...gaps.flatMap((g) => seqRange(g.fromSeq, g.toSeq))].sort((a, b) => a - b);
    expect(seen).toEqual(seqRange(1, 20_000));
    expect(r.ends).toEqual([{ deploymentId: d.id, status: 'succeeded', lastSeq: 20_000 }]);
    // never dropped from storage
    await h.waitForStored(d.id, 20_000);
    c.close();
  }, 120_000);
});
