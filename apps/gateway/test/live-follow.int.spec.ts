import { randomUUID } from 'node:crypto';
import { eventually, sleep } from '@flightdeck/testing';
import { LiveHarness, type Recorded, seqRange } from './support/live-harness';

const expectEveryLineOnce = (r: Recorded, last: number) => {
  expect(r.seqs).toEqual(seqRange(1, last));
};

describe('live deployment feed (Socket.IO /deployments)', () => {
  let h: LiveHarness;

  beforeAll(async () => {
    h = await LiveHarness.start();
  }, 120_000);

  afterAll(async () => {
    await h?.stop();
  });

  describe('handshake', () => {
    it('refuses a client without a token or with a wrong one', async () => {
      await expect(h.client({ token: null })).rejects.toThrow('auth/unauthenticated');
      await expect(h.client({ token: 'not-the-token-at-all' })).rejects.toThrow('auth/unauthenticated');
    });

    it('accepts the token in the Authorization header too', async () => {
      const c = await h.client({ header: true });
      expect(c.socket.connected).toBe(true);
      c.close();
    });
  });

  describe('subscribe', () => {
    it('acknowledges with the deployment, or with deployment/not-found, or names the bad field', async () => {
      const c = await h.client();
      const d = h.aDeployment();
      await expect(c.subscribe({ deploymentId: d.id })).resolves.toEqual({ ok: true, deployment: d });
      await expect(c.subscribe({ deploymentId: randomUUID() })).resolves.toMatchObject({ ok: false, error: { code: 'deployment/not-found' } });
      const bad = await c.subscribe({ deploymentId: 'nope', afterSeq: -1 });
      expect(bad).toMatchObject({ ok: false, error: { code: 'validation/invalid-input' } });
      expect(!bad.ok && bad.error.message).toMatch(/deploymentId.*afterSeq|afterSeq.*deploymentId/s);
      await expect(c.subscribe({ deploymentId: d.id, colour: 'red' })).resolves.toMatchObject({ ok: false, error: { code: 'validation/invalid-input' } });
      c.close();
    });
  });

  describe('following a running deployment', () => {
    it('gives a follower who joins mid-build every line once, in order, then status and end', async () => {
      const d = h.aDeployment();
      await h.publishLines(d.id, 1, 250, 25);
      await h.waitForStored(d.id, 250);
      const c = await h.client();
      const sub = c.subscribe({ deploymentId: d.id });
      const publishing = h.publishLines(d.id, 251, 500, 25); // while the subscription starts
      await expect(sub).resolves.toMatchObject({ ok: true });
      await publishing;
      const r = c.of(d.id);
      await r.untilSeq(500);

      await h.move(d.id, 'deploying', { phase: 'releasing' });
      await h.move(d.id, 'succeeded', { metadata: { lastLogSeq: 500 } });
      await r.untilEnd();

      expectEveryLineOnce(r, 500);
      expect(r.statuses.map((s) => s.deployment.status)).toEqual(['deploying', 'succeeded']);
      expect(r.statuses[1].transition).toMatchObject({ from: 'deploying', to: 'succeeded' });
      expect(r.ends).toEqual([{ deploymentId: d.id, status: 'succeeded', lastSeq: 500 }]);
      expect(r.order[r.order.length - 1]).toBe('end');
      c.close();
    });

    it('ends only after the last line when the status arrives before it', async () => {
      const d = h.aDeployment();
      const c = await h.client();
      await c.subscribe({ deploymentId: d.id });
      await h.publishLines(d.id, 1, 100, 20);
      await h.move(d.id, 'failed', { metadata: { lastLogSeq: 150 }, errorCode: 'deployment/build-failed' });
      // the follower has the terminal status and line 100, and still no end: lines 101..150 are owed
      const early = c.of(d.id);
      await early.until(() => early.lastSeq >= 100 && early.statuses.some((st) => st.deployment.status === 'failed'), 'the failed status');
      expect(early.ends).toEqual([]);
      await h.publishLines(d.id, 101, 150, 20);
      const r = c.of(d.id);
      await r.untilEnd();
      expectEveryLineOnce(r, 150);
      expect(r.ends).toEqual([{ deploymentId: d.id, status: 'failed', lastSeq: 150 }]);
      c.close();
    });

    it('resumes with afterSeq after a disconnect: every line exactly once overall', async () => {
      const d = h.aDeployment();
      const first = await h.client();
      await first.subscribe({ deploymentId: d.id });
      const publishing = (async () => {
        for (let from = 1; from <= 600; from += 50) {
          await h.publishLines(d.id, from, from + 49, 10);
          await sleep(30);
        }
      })();
      await first.of(d.id).untilSeq(120);
      first.close();
      const seen = first.of(d.id).seqs;
      const resumeAt = first.of(d.id).lastSeq;

      const second = await h.client();
      await expect(second.subscribe({ deploymentId: d.id, afterSeq: resumeAt })).resolves.toMatchObject({ ok: true });
      await publishing;
      await h.move(d.id, 'succeeded', { metadata: { lastLogSeq: 600 } });
      await second.of(d.id).untilEnd();

      expect([...seen, ...second.of(d.id).seqs]).toEqual(seqRange(1, 600));
      second.close();
    });

    it('shares one bus feed among five followers, and closes it when the log has ended', async () => {
      const d = h.aDeployment();
      const before = await h.logFeedConsumers();
      const clients = await Promise.all(seqRange(1, 5).map(() => h.client()));
      await Promise.all(clients.map((c) => c.subscribe({ deploymentId: d.id })));
      expect(await h.logFeedConsumers()).toBe(before + 1);

      await h.publishLines(d.id, 1, 1_000, 100);
      await h.move(d.id, 'succeeded', { metadata: { lastLogSeq: 1_000 } });
      await Promise.all(clients.map((c) => c.of(d.id).untilEnd()));
      for (const c of clients) expectEveryLineOnce(c.of(d.id), 1_000);
      // a logs event carries many lines, not one
      expect(clients[0].of(d.id).batches.length).toBeLessThan(100);

      await eventually('the shared feed to close', async () => (await h.logFeedConsumers()) === before);
      clients.forEach((c) => c.close());
    });

    it('filters by level, step and source on the server and still ends at the last seq', async () => {
      const d = h.aDeployment();
      const c = await h.client();
      await c.subscribe({ deploymentId: d.id, level: 'error', step: 'build' });
      await h.publishLines(d.id, 1, 300, 50);
      await h.move(d.id, 'succeeded', { metadata: { lastLogSeq: 300 } });
      const r = c.of(d.id);
      await r.untilEnd();
      expect(r.seqs).toEqual(seqRange(101, 300).filter((s) => s % 10 === 0));
      expect(r.ends[0].lastSeq).toBe(300);
      c.close();
    });

    it('stops sending after unsubscribe', async () => {
      const d = h.aDeployment();
      const c = await h.client();
      await c.subscribe({ deploymentId: d.id });
      await h.publishLines(d.id, 1, 50, 10);
      await c.of(d.id).untilSeq(50);
      await expect(c.unsubscribe(d.id)).resolves.toEqual({ ok: true });
      // a second follower shows when lines 51..100 have gone out; the first must have none of them
      const witness = await h.client();
      await witness.subscribe({ deploymentId: d.id });
      await h.publishLines(d.id, 51, 100, 10);
      await witness.of(d.id).untilSeq(100);
      expect(c.of(d.id).lastSeq).toBe(50);
      witness.close();
      c.close();
    });
  });

  // A release's own output comes after its deployment's end (the deploy's last line): lines of
  // source runtime. Only a follower asking for them reads past the end, and for a succeeded
  // deployment it is never ended: the release goes on printing.
  describe('runtime lines after the end', () => {
    const runtime = () => ({ source: 'runtime' as const, step: 'run' });

    it('ends a follower without the runtime filter at the deploy\'s last line, whatever follows it', async () => {
      const d = h.aDeployment();
      const c = await h.client();
      await c.subscribe({ deploymentId: d.id });
      await h.publishLines(d.id, 1, 100, 25);
      await h.publishLines(d.id, 101, 120, 10, runtime);
      await h.move(d.id, 'succeeded', { metadata: { lastLogSeq: 100 } });
      const r = c.of(d.id);
      await r.untilEnd();
      expectEveryLineOnce(r, 100);
      expect(r.ends).toEqual([{ deploymentId: d.id, status: 'succeeded', lastSeq: 100 }]);
      c.close();
    });

    it('gives a runtime follower of a succeeded deployment its stored runtime lines, then new ones live, and no end', async () => {
      const d = h.aDeployment();
      await h.publishLines(d.id, 1, 100, 50);
      await h.publishLines(d.id, 101, 110, 10, runtime);
      await h.waitForStored(d.id, 110);
      h.deployments.set(d.id, { ...d, status: 'succeeded', phase: 'active', metadata: { lastLogSeq: 100 } });
      const c = await h.client();
      await expect(c.subscribe({ deploymentId: d.id, source: 'runtime' })).resolves.toMatchObject({ ok: true, deployment: { status: 'succeeded' } });
      const r = c.of(d.id);
      await r.untilSeq(110);
      await h.publishLines(d.id, 111, 115, 5, runtime);
      await r.untilSeq(115);
      expect(r.seqs).toEqual(seqRange(101, 115));
      expect(r.lines.every((l) => l.source === 'runtime')).toBe(true);
      expect(r.ends).toEqual([]);
      c.close();
    });
  });

  describe('following a finished deployment', () => {
    it('sends the stored lines after afterSeq, then end', async () => {
      const d = h.aDeployment();
      await h.publishLines(d.id, 1, 300, 100);
      await h.waitForStored(d.id, 300);
      h.deployments.set(d.id, { ...d, status: 'succeeded', phase: 'active', metadata: { lastLogSeq: 300 } });
      const feedsBefore = await h.logFeedConsumers();
      const c = await h.client();
      await expect(c.subscribe({ deploymentId: d.id, afterSeq: 100 })).resolves.toMatchObject({ ok: true, deployment: { status: 'succeeded' } });
      const r = c.of(d.id);
      await r.untilEnd();
      expect(r.seqs).toEqual(seqRange(101, 300));
      expect(r.ends).toEqual([{ deploymentId: d.id, status: 'succeeded', lastSeq: 300 }]);
      // read from log-ingest alone: no consumer on the bus for a finished deployment
      expect(await h.logFeedConsumers()).toBe(feedsBefore);
      c.close();
    });

    it('ends at once for a deployment that never logged', async () => {
      const d = h.aDeployment({ status: 'canceled', phase: 'failed' });
      const c = await h.client();
      await c.subscribe({ deploymentId: d.id });
      await c.of(d.id).untilEnd();
      expect(c.of(d.id).ends).toEqual([{ deploymentId: d.id, status: 'canceled', lastSeq: 0 }]);
      expect(c.of(d.id).lines).toEqual([]);
      c.close();
    });
  });
});
