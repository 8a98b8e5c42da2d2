import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { type ConnectionOptions, type NatsConnection, connect } from 'nats';
import { ErrorCode, err, externalSubject, getProject, logLinesPublished, ok } from '@flightdeck/contracts';
import { encodeEvent, natsAuthPaths } from '@flightdeck/messaging';
import { aLine, eventually, startTestInfra, type TestInfra } from '@flightdeck/testing';
import { aProject } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

jest.setTimeout(60_000);

const aBatch = (deploymentId: string) =>
  encodeEvent(logLinesPublished, {
    deploymentId,
    lines: [aLine(1, { timestamp: new Date().toISOString(), step: 'ci', message: 'hello' })],
  });

interface Credential {
  servers: string[];
  user: string;
  password: string;
  inboxPrefix: string;
  subjectPrefix: string;
}

const asPublisher = (c: Credential, over: Partial<ConnectionOptions> = {}): ConnectionOptions => ({
  servers: c.servers,
  user: c.user,
  pass: c.password,
  inboxPrefix: c.inboxPrefix,
  reconnect: false,
  ...over,
});

// The server answers a core publish outside the user's permissions with an error on the connection.
const refusedPublish = (nc: NatsConnection, subject: string) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`publish to ${subject} was not refused`)), 5_000);
    void (async () => {
      for await (const s of nc.status()) {
        const ctx = (s as { permissionContext?: { operation: string; subject: string } }).permissionContext;
        if (ctx?.operation === 'publish' && ctx.subject === subject) {
          clearTimeout(timer);
          return resolve();
        }
      }
    })();
    nc.publish(subject, aBatch(randomUUID()));
  });

const refusedSubscribe = (nc: NatsConnection, subject: string) =>
  new Promise<Error>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscription to ${subject} was not refused`)), 5_000);
    nc.subscribe(subject, {
      callback: (e) => {
        if (!e) return;
        clearTimeout(timer);
        resolve(e);
      },
    });
  });

// External build-event publishers: an admin creates a NATS credential for a project on the
// gateway, which adds the user to the real nats-server (users.conf + SIGHUP) and removes it on revoke.
describe('external publishers', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  let fakes: FakeResponders;
  const projects = new Map<string, ReturnType<typeof aProject>>();
  const open: NatsConnection[] = [];

  const addProject = () => {
    const p = aProject();
    projects.set(p.id, p);
    return p;
  };
  const createPublisher = async (projectId: string, name = 'ci') => {
    const res = await gw.api('POST', `/projects/${projectId}/publishers`, { body: { name } });
    expect(res.status).toBe(201);
    return res.body;
  };
  // nats-server 2.9 may refuse a connection set up while it reloads (after any create or revoke)
  const connectAs = async (c: Credential, over?: Partial<ConnectionOptions>) => {
    const nc = await eventually(`${c.user} to be accepted`, () => connect(asPublisher(c, over)).catch(() => undefined), { timeoutMs: 5_000 });
    open.push(nc);
    return nc;
  };
  const listOf = async (projectId: string) => (await gw.api('GET', `/projects/${projectId}/publishers`)).body.items;

  beforeAll(async () => {
    infra = await startTestInfra();
    gw = await startGateway(infra);
    fakes = await FakeResponders.connect(infra.nats);
    await fakes.respond(getProject, ({ projectId }) => {
      const p = projects.get(projectId);
      return p ? ok(p) : err(ErrorCode.ProjectNotFound, `no project ${projectId}`);
    });
  });
  afterAll(async () => {
    await Promise.all(open.map((nc) => (nc.isClosed() ? undefined : nc.close())));
    await fakes?.close();
    await gw?.close();
    await infra?.stop();
  });

  it('creates a credential shown once, which publishes its own project\'s build events and gets JetStream acks', async () => {
    const project = addProject();
    const created = await createPublisher(project.id, 'team ci');
    expect(created).toEqual({
      id: expect.any(String),
      projectId: project.id,
      name: 'team ci',
      createdAt: expect.any(String),
      revokedAt: null,
      nats: {
        servers: [infra.nats.url],
        user: `pub_${created.id.replace(/-/g, '').slice(0, 12)}`,
        password: expect.stringMatching(/^[A-Za-z0-9_-]{24,}$/),
        inboxPrefix: `_INBOX_pub_${created.id.replace(/-/g, '').slice(0, 12)}`,
        subjectPrefix: `external.${project.id}`,
      },
    });

    const nc = await connectAs(created.nats);
    const deploymentId = randomUUID();
    const ack = await nc.jetstream().publish(externalSubject('logs', project.id, deploymentId), aBatch(deploymentId), { msgID: randomUUID() });
    expect(ack).toMatchObject({ stream: 'EXTERNAL_BUILD_EVENTS', duplicate: false });
    expect(ack.seq).toBeGreaterThan(0);
  });

  it("refuses another project's subjects, the platform's own and other inboxes", async () => {
    const mine = addProject();
    const other = addProject();
    const c = (await createPublisher(mine.id)).nats;
    const nc = await connectAs(c);

    await expect(nc.jetstream().publish(externalSubject('logs', other.id, randomUUID()), aBatch(randomUUID()))).rejects.toMatchObject({
      code: 'PERMISSIONS_VIOLATION',
    });
    await refusedPublish(nc, `external.${other.id}.build.logs.x`);
    await refusedPublish(nc, 'build.logs.x');
    await refusedPublish(nc, 'deployments.cmd.trigger');
    const e = await refusedSubscribe(nc, '_INBOX.>');
    expect((e as { code?: string }).code).toBe('PERMISSIONS_VIOLATION');
    await refusedSubscribe(nc, 'build.logs.*');
    // still allowed what it is for
    const deploymentId = randomUUID();
    await expect(nc.jetstream().publish(externalSubject('result', mine.id, deploymentId), aBatch(deploymentId))).resolves.toMatchObject({
      stream: 'EXTERNAL_BUILD_EVENTS',
    });
  });

  it('lists publishers without their passwords, and keeps only a bcrypt hash in users.conf (0600)', async () => {
    const project = addProject();
    const a = await createPublisher(project.id, 'a');
    const b = await createPublisher(project.id, 'b');
    const items = await listOf(project.id);
    expect(items.map((p: { id: string }) => p.id)).toEqual([a.id, b.id]);
    for (const item of items) {
      expect(item.nats).not.toHaveProperty('password');
      expect(JSON.stringify(item)).not.toContain(a.nats.password);
    }
    expect(items[0]).toEqual({ ...a, nats: { ...a.nats, password: undefined } });
    const usersFile = natsAuthPaths(infra.nats.authDir!).users;
    expect(statSync(usersFile).mode & 0o777).toBe(0o600);
    expect(statSync(infra.nats.authDir!).mode & 0o777).toBe(0o700);
  });

  it('revokes: the open connection is closed and a new one with the credential refused', async () => {
    const project = addProject();
    const created = await createPublisher(project.id);
    const nc = await connectAs(created.nats);
    const closed = nc.closed();

    const res = await gw.api('DELETE', `/projects/${project.id}/publishers/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, projectId: project.id, revokedAt: expect.any(String) });
    expect(res.body.nats).not.toHaveProperty('password');

    await eventually('the revoked credential to be refused', async () => {
      try {
        const again = await connect(asPublisher(created.nats, { timeout: 1_000 }));
        await again.close();
        return undefined;
      } catch (e) {
        return (e as { code?: string }).code === 'AUTHORIZATION_VIOLATION' ? true : undefined;
      }
    });
    let wasClosed = false;
    void closed.then(() => (wasClosed = true));
    await eventually('the open connection to be closed', async () => (wasClosed ? true : undefined));

    const [listed] = await listOf(project.id);
    expect(listed.revokedAt).toBe(res.body.revokedAt);
    // revoking again answers the first revocation
    const twice = await gw.api('DELETE', `/projects/${project.id}/publishers/${created.id}`);
    expect(twice).toMatchObject({ status: 200, body: { revokedAt: res.body.revokedAt } });
  });

  it('keeps other publishers working when one is revoked', async () => {
    const project = addProject();
    const keep = await createPublisher(project.id, 'keep');
    const drop = await createPublisher(project.id, 'drop');
    expect((await gw.api('DELETE', `/projects/${project.id}/publishers/${drop.id}`)).status).toBe(200);
    await eventually('the revoked one to be refused', async () =>
      connect(asPublisher(drop.nats, { timeout: 1_000 })).then(
        (again) => again.close().then(() => undefined),
        () => true,
      ),
    );
    const nc = await connectAs(keep.nats);
    const deploymentId = randomUUID();
    await expect(nc.jetstream().publish(externalSubject('progress', project.id, deploymentId), aBatch(deploymentId))).resolves.toMatchObject({
      stream: 'EXTERNAL_BUILD_EVENTS',
    });
  });

  describe('bad input', () => {
    it.each([
      ['an unknown field', { name: 'ci', colour: 'red' }, 'colour: unknown field'],
      ['an empty name', { name: '' }, 'name:'],
      ['a blank name', { name: '   ' }, 'name:'],
      ['no name', {}, 'name:'],
      ['a name too long', { name: 'x'.repeat(101) }, 'name:'],
    ])('answers 400 for %s and creates nothing', async (_what, body, message) => {
      const project = addProject();
      const res = await gw.api('POST', `/projects/${project.id}/publishers`, { body });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation/invalid-input');
      expect(res.body.error.message).toContain(message);
      expect(await listOf(project.id)).toEqual([]);
    });

    it('answers 404 project/not-found for an unknown project and creates nothing', async () => {
      const unknown = randomUUID();
      const res = await gw.api('POST', `/projects/${unknown}/publishers`, { body: { name: 'ci' } });
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('project/not-found');
      expect(await listOf(unknown)).toEqual([]);
    });

    it('answers 400 for ids that are not uuids', async () => {
      const project = addProject();
      const post = await gw.api('POST', '/projects/not-a-uuid/publishers', { body: { name: 'ci' } });
      expect(post.status).toBe(400);
      expect(post.body.error.code).toBe('validation/invalid-input');
      expect((await gw.api('GET', '/projects/not-a-uuid/publishers')).status).toBe(400);
      const del = await gw.api('DELETE', `/projects/${project.id}/publishers/nope`);
      expect(del.status).toBe(400);
      expect(del.body.error.message).toContain('publisherId');
    });

    it("answers 404 publisher/not-found for an unknown publisher or another project's, which stays active", async () => {
      const mine = addProject();
      const other = addProject();
      const theirs = await createPublisher(other.id);
      const unknown = await gw.api('DELETE', `/projects/${mine.id}/publishers/${randomUUID()}`);
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('publisher/not-found');
      const foreign = await gw.api('DELETE', `/projects/${mine.id}/publishers/${theirs.id}`);
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('publisher/not-found');
      expect((await listOf(other.id))[0].revokedAt).toBeNull();
      await connectAs(theirs.nats);
    });
  });

  it('keeps publishers across a gateway restart and a nats-server restart', async () => {
    const project = addProject();
    const created = await createPublisher(project.id);
    await gw.close();
    await infra.nats.stop();
    await infra.nats.start();
    // nats-server reads the users.conf the gateway last wrote
    await (await connectAs(created.nats)).close();
    // and the gateway, starting, rewrites it from its database
    gw = await startGateway(infra);
    const nc = await connectAs(created.nats);
    const deploymentId = randomUUID();
    await expect(nc.jetstream().publish(externalSubject('logs', project.id, deploymentId), aBatch(deploymentId))).resolves.toMatchObject({
      stream: 'EXTERNAL_BUILD_EVENTS',
    });
  });

  it('answers 501 publisher/unsupported when the gateway does not manage NATS users', async () => {
    const unmanaged = await startGateway(infra, { FLIGHTDECK_NATS_AUTH_DIR: undefined });
    try {
      const project = addProject();
      const res = await unmanaged.api('POST', `/projects/${project.id}/publishers`, { body: { name: 'ci' } });
      expect(res.status).toBe(501);
      expect(res.body.error.code).toBe('publisher/unsupported');
      expect(res.body.error.message).toContain('FLIGHTDECK_NATS_AUTH_DIR');
      expect((await unmanaged.api('GET', `/projects/${project.id}/publishers`)).status).toBe(501);
    } finally {
      await unmanaged.close();
    }
  });
});
