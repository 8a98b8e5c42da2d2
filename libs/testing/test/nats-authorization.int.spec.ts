import { readFileSync, statSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { AckPolicy, type NatsConnection, type NatsError, connect } from 'nats';
import { Durables, Streams, getDeployment, resolveVariables, subjectFor } from '@flightdeck/contracts';
import { connectNats, ensureStreams } from '@flightdeck/messaging';
import { type NatsServer, type NatsUser, eventually, startNats } from '../src';

jest.setTimeout(60_000);

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

// What nats-server enforces for each service's own user (permissions derived from BusAccess in
// libs/contracts), seen from a client, as a process on the machine (a build, a deployed app) that
// got hold of a credential or none would see it.
describe('NATS authorization', () => {
  let nats: NatsServer;
  const open: NatsConnection[] = [];

  /** a service's connection as the service makes it: its own user, its own inbox prefix */
  const as = async (user: NatsUser) => {
    const nc = await connectNats({
      serviceName: user,
      natsUrl: nats.url,
      natsUser: nats.credentials[user].user,
      natsPassword: nats.credentials[user].pass,
    });
    open.push(nc);
    return nc;
  };

  /** permission errors the server reported to this connection */
  const refusals = (nc: NatsConnection) => {
    const seen: { operation: string; subject: string }[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.permissionContext) seen.push(s.permissionContext);
    })();
    return seen;
  };

  // a refusal comes back within a round trip or two
  const SOON = { timeoutMs: 3_000, intervalMs: 20 };

  /** subscribing is refused: the server answers 'Permissions Violation' for that subscription */
  const expectSubscribeRefused = async (user: NatsUser, subject: string) => {
    // a fresh connection per subject: the server's error names the subscription it refuses, and
    // nats.js hands it to that subscription or, when it arrives first, to the pending flush
    const nc = await as(user);
    const errors: NatsError[] = [];
    const sub = nc.subscribe(subject);
    void (async () => {
      for await (const m of sub) void m;
    })().catch((err: NatsError) => errors.push(err));
    await nc.flush().catch((err: NatsError) => errors.push(err));
    await eventually('the subscription to be refused', () => errors.length > 0, SOON);
    expect(errors[0].code).toBe('PERMISSIONS_VIOLATION');
    expect(errors[0].message).toContain(`Subscription to "${subject}"`);
  };

  /** what the admin sees published on a subject meanwhile */
  // Proof that nothing came through, without a pause: each watcher also hears a permitted message
  // the refused client sends after the refused ones. The server handles one connection's messages
  // in order and delivers to one connection in order, so once every watcher has the sentinel, the
  // refused messages would have been there before it.
  const watchWithSentinel = async (subject: string, sentinel: string) => {
    const admin = await connect(nats.connectOptions());
    open.push(admin);
    const got: string[] = [];
    let seen = false;
    admin.subscribe(subject, { callback: (_e, m) => got.push(m.subject) });
    admin.subscribe(sentinel, { callback: () => (seen = true) });
    await admin.flush();
    return { got, seen: () => seen };
  };

  beforeAll(async () => {
    Logger.overrideLogger(false);
    nats = await startNats();
  });

  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => undefined)));
    await nats?.dispose();
  });

  it('keeps its config, with bcrypt hashes only, readable by its owner alone', () => {
    expect(statSync(nats.configFile).mode & 0o777).toBe(0o600);
    const conf = readFileSync(nats.configFile, 'utf8');
    expect(conf).toContain('authorization');
    for (const c of Object.values(nats.credentials)) expect(conf).not.toContain(c.pass);
  });

  it("refuses a client without credentials, with a wrong password, or with another user's password", async () => {
    const attempt = (o: { user?: string; pass?: string }) =>
      connect({ servers: nats.url, reconnect: false, timeout: 3_000, ...o }).then(
        async (nc) => {
          await nc.close();
          return 'connected';
        },
        (e: NatsError) => e.code,
      );
    expect(await attempt({})).toBe('AUTHORIZATION_VIOLATION');
    expect(await attempt({ user: 'builder', pass: 'guess' })).toBe('AUTHORIZATION_VIOLATION');
    expect(await attempt({ user: 'gateway', pass: nats.credentials.builder.pass })).toBe(
      'AUTHORIZATION_VIOLATION',
    );
    expect(await attempt({ user: 'builder', pass: nats.credentials.builder.pass })).toBe('connected');
  });

  it("gives the builder's user no way to read other services' replies or requests", async () => {
    await expectSubscribeRefused('builder', '_INBOX.>');
    await expectSubscribeRefused('builder', '_INBOX_gateway.>');
    await expectSubscribeRefused('builder', '_INBOX_environment-manager.>');
    await expectSubscribeRefused('builder', resolveVariables.subject);
    await expectSubscribeRefused('builder', '>');
  });

  it("refuses the builder's user a forged trigger, job or status, which never reach anyone", async () => {
    const builder = await as('builder');
    const refused = refusals(builder);
    const sentinel = 'build.logs.sentinel';
    const watchers = await Promise.all(['deployments.cmd.trigger', 'jobs.deploy', 'deployments.evt.status.*'].map((s) => watchWithSentinel(s, sentinel)));
    builder.publish('deployments.cmd.trigger', enc('{"repositoryUrl":"https://evil.example/x.git"}'));
    builder.publish('jobs.deploy', enc('{}'));
    builder.publish('deployments.evt.status.d1', enc('{}'));
    builder.publish(sentinel, enc('{}'));
    await builder.flush();
    await eventually('three refusals', () => refused.length === 3, SOON);
    expect(refused).toEqual([
      { operation: 'publish', subject: 'deployments.cmd.trigger' },
      { operation: 'publish', subject: 'jobs.deploy' },
      { operation: 'publish', subject: 'deployments.evt.status.d1' },
    ]);
    await eventually('every watcher to hear the sentinel', () => watchers.every((w) => w.seen()), SOON);
    expect(watchers.flatMap((w) => w.got)).toEqual([]);
    expect(builder.isClosed()).toBe(false); // refused, not cut off: the service's own work goes on
  });

  it("refuses the gateway's user a forged build result", async () => {
    const gateway = await as('gateway');
    const refused = refusals(gateway);
    // a command subject the gateway may send to, heard by nobody else here
    const sentinel = 'deployments.query.get';
    const results = await watchWithSentinel('build.result.*', sentinel);
    gateway.publish('build.result.d1', enc('{"status":"succeeded"}'));
    gateway.publish(sentinel, enc('{}'));
    await gateway.flush();
    await eventually('the refusal', () => refused.length === 1, SOON);
    expect(refused[0]).toEqual({ operation: 'publish', subject: 'build.result.d1' });
    await eventually('the watcher to hear the sentinel', () => results.seen(), SOON);
    expect(results.got).toEqual([]);
  });

  it("lets the builder ask environment-manager for a deployment's variables, and only the builder read the answer", async () => {
    const manager = await as('environment-manager');
    manager.subscribe(resolveVariables.subject, {
      queue: 'environment-manager',
      callback: (_e, m) => m.respond(enc(`secret for ${dec(m.data)}`)),
    });
    await manager.flush();
    const builder = await as('builder');
    const reply = await builder.request(resolveVariables.subject, enc('d1'), { timeout: 3_000 });
    expect(dec(reply.data)).toBe('secret for d1');

    // environment-manager itself may ask the orchestrator (its one request), not resolve variables
    const refused = refusals(manager);
    manager.publish(getDeployment.subject, enc('{}'));
    manager.publish('variables.query.list', enc('{}'));
    await manager.flush();
    await eventually('the refusal', () => refused.length === 1, SOON);
    expect(refused).toEqual([{ operation: 'publish', subject: 'variables.query.list' }]);
  });

  it("lets each service run the JetStream calls it needs and no other consumer's", async () => {
    // every service ensures the streams at start
    for (const user of [
      'gateway',
      'deployment-orchestrator',
      'builder',
      'log-ingest',
      'environment-manager',
    ] as const) {
      await ensureStreams(await (await as(user)).jetstreamManager());
    }
    const builder = await as('builder');
    await builder.jetstream().publish(subjectFor('build.result.*', 'd2'), enc('result'), { msgID: 'r-d2' });

    // the orchestrator reads BUILD_EVENTS through its durable and acks
    const orchestrator = await as('deployment-orchestrator');
    const jsm = await orchestrator.jetstreamManager();
    await jsm.consumers.add(Streams.buildEvents.name, {
      durable_name: Durables.buildEvents,
      ack_policy: AckPolicy.Explicit,
    });
    const consumer = await orchestrator
      .jetstream()
      .consumers.get(Streams.buildEvents.name, Durables.buildEvents);
    const m = await consumer.next({ expires: 2_000 });
    expect(m?.subject).toBe('build.result.d2');
    expect(await m!.ackAck()).toBe(true);

    // the builder may not read (or steal) the orchestrator's consumer
    const bjsm = await builder.jetstreamManager();
    await expect(bjsm.consumers.info(Streams.buildEvents.name, Durables.buildEvents)).rejects.toThrow();
    await expect(
      bjsm.consumers.add(Streams.buildEvents.name, { durable_name: 'mine', ack_policy: AckPolicy.Explicit }),
    ).rejects.toThrow();

    // the gateway follows one deployment's logs with an ordered consumer
    await builder.jetstream().publish(subjectFor('build.logs.*', 'd2'), enc('line'), { msgID: 'l-d2' });
    const gateway = await as('gateway');
    const follow = await gateway
      .jetstream()
      .consumers.get(Streams.buildLogs.name, { filterSubjects: subjectFor('build.logs.*', 'd2') });
    const line = await follow.next({ expires: 2_000 });
    expect(line && dec(line.data)).toBe('line');
  });
});
