import { randomUUID } from 'node:crypto';
import { type JetStreamManager, type NatsConnection, connect } from 'nats';
import { type LogLine, Streams, logLinesPublished, subjectFor } from '@flightdeck/contracts';
import { decodeEvent, ensureStreams } from '@flightdeck/messaging';
import { type NatsServer, startNats } from '@flightdeck/testing';
import { LogBatchPublisher } from '../src/logs/log-batch-publisher';

// Several writers on one deployment's log at once (a job's attempt, the line a sweeper adds for a
// dead builder's attempt, the output of its release taken over by another builder), each numbering
// from what it last knew: the stream still ends up with seq 1..N, each once, nothing dropped.
describe('writers sharing one deployment log', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nats = await startNats();
    nc = await connect(nats.connectOptions());
    jsm = await nc.jetstreamManager();
    await ensureStreams(jsm, ['buildLogs']);
  });
  afterAll(async () => {
    await nc?.close();
    await nats?.dispose();
  });

  const line = (seq: number, message: string): LogLine => ({ seq, timestamp: new Date().toISOString(), level: 'info', source: 'build', step: 'build', message });
  /** every line stored for the deployment, in stream order */
  const stored = async (deploymentId: string): Promise<LogLine[]> => {
    const { state } = await jsm.streams.info(Streams.buildLogs.name);
    const lines: LogLine[] = [];
    for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(Streams.buildLogs.name, { seq });
      if (m.subject !== subjectFor(logLinesPublished.subject, deploymentId)) continue;
      const decoded = decodeEvent(logLinesPublished, m.data);
      if (decoded.ok) lines.push(...decoded.data.lines);
    }
    return lines;
  };

  it('two writers numbering the same seqs: each batch goes after the other\'s, seq 1..N once, each writer\'s lines in its order', async () => {
    const id = randomUUID();
    const job = new LogBatchPublisher(nc.jetstream(), id, 1);
    const runtime = new LogBatchPublisher(nc.jetstream(), id, 'run-x');
    // both believe the log is empty; they flush in turns, racing on every batch
    for (let round = 0; round < 5; round++) {
      for (let i = 1; i <= 3; i++) job.add(line(round * 3 + i, `job ${round * 3 + i}`));
      for (let i = 1; i <= 2; i++) runtime.add(line(round * 2 + i, `run ${round * 2 + i}`));
      job.flush();
      runtime.flush();
    }
    expect(await job.close(10_000)).toBe(true);
    expect(await runtime.close(10_000)).toBe(true);

    const lines = await stored(id);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const messages = lines.map((l) => l.message);
    expect(messages.filter((m) => m.startsWith('job '))).toEqual(Array.from({ length: 15 }, (_, i) => `job ${i + 1}`));
    expect(messages.filter((m) => m.startsWith('run '))).toEqual(Array.from({ length: 10 }, (_, i) => `run ${i + 1}`));
    // each knows where its own lines went
    const byMessage = new Map(lines.map((l) => [l.message, l.seq]));
    expect(job.storedSeq(15)).toBe(byMessage.get('job 15'));
    expect(Math.max(job.lastPublishedSeq, runtime.lastPublishedSeq)).toBe(25);
  });

  it('a writer that starts past the last stored line (its numbering came from an unpublished heartbeat) closes the gap', async () => {
    const id = randomUUID();
    const first = new LogBatchPublisher(nc.jetstream(), id, 1);
    for (let s = 1; s <= 5; s++) first.add(line(s, `one ${s}`));
    expect(await first.close(10_000)).toBe(true);
    const next = new LogBatchPublisher(nc.jetstream(), id, 2);
    for (let s = 9; s <= 11; s++) next.add(line(s, `two ${s}`));
    expect(await next.close(10_000)).toBe(true);
    expect((await stored(id)).map((l) => `${l.seq} ${l.message}`)).toEqual(['1 one 1', '2 one 2', '3 one 3', '4 one 4', '5 one 5', '6 two 9', '7 two 10', '8 two 11']);
    expect(next.lastPublishedSeq).toBe(8);
  });

  it('a log the stream holds nothing of keeps the writer\'s numbering (log-ingest may hold earlier lines)', async () => {
    const id = randomUUID();
    const p = new LogBatchPublisher(nc.jetstream(), id, 3);
    for (let s = 40; s <= 42; s++) p.add(line(s, `later ${s}`));
    expect(await p.close(10_000)).toBe(true);
    expect((await stored(id)).map((l) => l.seq)).toEqual([40, 41, 42]);
  });

  it('a batch stored whose ack was lost is stored once, even when another writer published after it', async () => {
    const id = randomUUID();
    const js = nc.jetstream();
    const other = new LogBatchPublisher(js, id, 'run-x');
    // the first publish reaches the stream, then its ack is lost, and another writer's batch lands
    let lose = true;
    const lossy = new Proxy(js, {
      get: (target, prop) =>
        prop !== 'publish'
          ? Reflect.get(target, prop)
          : async (...args: Parameters<typeof js.publish>) => {
              const ack = await target.publish(...args);
              if (!lose) return ack;
              lose = false;
              other.add(line(1, 'other'));
              await other.close(10_000);
              throw new Error('TIMEOUT');
            },
    });
    const p = new LogBatchPublisher(lossy, id, 1);
    p.add(line(1, 'mine'));
    expect(await p.close(10_000)).toBe(true);
    expect((await stored(id)).map((l) => `${l.seq} ${l.message}`)).toEqual(['1 mine', '2 other']);
    expect(p.lastPublishedSeq).toBe(1);
  });
});
