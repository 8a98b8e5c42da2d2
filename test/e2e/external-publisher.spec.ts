import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Deployment, LogLine, ServerToClientEvents } from '@flightdeck/contracts';
import { WORKSPACE_ROOT } from '@flightdeck/testing';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, until } from '../support/http';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(400_000);

type FollowSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
interface Credential {
  id: string;
  nats: { servers: string[]; user: string; password: string; inboxPrefix: string };
}

// A team's CI reports a deployment through the public build-event contract, on the stack `npm start` runs.
describe('an external publisher reports a deployment end to end', () => {
  let stack: Launched;
  let api: Api;

  beforeAll(async () => {
    stack = await startLauncher();
    api = new Api(stack.gatewayUrl, stack.token);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const createProject = async (name: string) => {
    const repo = new GitRepo();
    repo.write(nodeApp('v1'));
    repo.commit('v1');
    const res = await api.call('POST', '/projects', { name, repositoryUrl: repo.dir });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  // A trigger as a client should send it: with an idempotency key, asked again on a temporary
  // error (the catalog's advice for service/unavailable). Right after a publisher change nats-server
  // reloads its users, and on a loaded machine the bus has stalled for up to 10 s then (noted as work);
  // the key makes a trigger that did get through come back as the same deployment (200), never a second one.
  const externalDeployment = async (projectId: string): Promise<Deployment> => {
    const key = { 'idempotency-key': `e2e-${projectId}-${Math.random().toString(36).slice(2)}` };
    let res = await api.call<Deployment>('POST', `/projects/${projectId}/deployments`, { sourceRef: 'main', provider: 'external' }, key);
    for (let tries = 1; res.status === 503 && tries < 3; tries++) {
      res = await api.call<Deployment>('POST', `/projects/${projectId}/deployments`, { sourceRef: 'main', provider: 'external' }, key);
    }
    // on failure, shows the error body too
    const created = res.status === 201 || res.status === 200;
    expect({ created, error: created ? undefined : res.body }).toEqual({ created: true, error: undefined });
    return res.body;
  };

  // the example a team's CI would run, as its own process with only what it is given
  const runPublisher = (cred: Credential, projectId: string, deploymentId: string, lines = 300) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [join(WORKSPACE_ROOT, 'examples', 'external-publisher', 'publish.mjs')], {
        cwd: WORKSPACE_ROOT,
        env: {
          PATH: process.env.PATH,
          FLIGHTDECK_NATS_URL: cred.nats.servers.join(','),
          FLIGHTDECK_NATS_USER: cred.nats.user,
          FLIGHTDECK_NATS_PASSWORD: cred.nats.password,
          FLIGHTDECK_NATS_INBOX_PREFIX: cred.nats.inboxPrefix,
          FLIGHTDECK_PROJECT_ID: projectId,
          FLIGHTDECK_DEPLOYMENT_ID: deploymentId,
          LINES: String(lines),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (b) => (output += b));
      child.stderr.on('data', (b) => (output += b));
      child.once('exit', (code) => resolve({ code, output }));
    });

  const follow = (deploymentId: string) => {
    const socket: FollowSocket = io(`${stack.gatewayUrl}/deployments`, { auth: { token: stack.token }, transports: ['websocket'] });
    const f = { lines: [] as LogLine[], statuses: [] as string[], subscribed: false };
    const ended = new Promise<{ status: string; lastSeq: number }>((resolve, reject) => {
      socket.on('connect_error', reject);
      socket.on('connect', () =>
        socket.emit('subscribe', { deploymentId, afterSeq: 0 }, (ack) => (ack.ok ? (f.subscribed = true) : reject(new Error(ack.error.code)))),
      );
      socket.on('logs', (p) => f.lines.push(...p.lines));
      socket.on('status', (p) => f.statuses.push(p.deployment.status));
      socket.on('end', (p) => {
        socket.close();
        resolve(p);
      });
    });
    return { f, ended, socket };
  };

  it('follows the publisher live to succeeded, refuses it for another project, and refuses it after revoke', async () => {
    const project = await createProject('ci-app');
    const other = await createProject('someone-else');
    const created = await api.call<Credential>('POST', `/projects/${project.id}/publishers`, { name: 'github-actions' });
    expect(created.status).toBe(201);
    const cred = created.body;

    const d = await externalDeployment(project.id);
    expect(d).toMatchObject({ status: 'queued', provider: 'external' });
    const watch = follow(d.id);
    await until('the follower to be subscribed', async () => watch.f.subscribed, 30_000, 50);

    const run = await runPublisher(cred, project.id, d.id, 300);
    expect(run).toMatchObject({ code: 0 });
    const end = await watch.ended;
    expect(end).toEqual({ deploymentId: d.id, status: 'succeeded', lastSeq: 300 });
    expect(watch.f.lines.map((l) => l.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(watch.f.statuses).toContain('building');
    const done = await api.call<Deployment>('GET', `/deployments/${d.id}`);
    expect(done.body).toMatchObject({ status: 'succeeded', url: `https://ci.example.com/deployments/${d.id}` });
    // stored once each: the history a later reader gets is the same
    const history = await api.call('GET', `/deployments/${d.id}/logs?afterSeq=0&limit=1000`);
    expect(history.body.items.map((l: LogLine) => l.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    // and the deployment's results carry its log's volume, as log-ingest counted it while storing
    const withVolume = await api.call<Deployment & { logVolume: { lines: number; bytes: number } | null }>('GET', `/deployments/${d.id}`);
    const bytes = history.body.items.reduce((n: number, l: LogLine) => n + Buffer.byteLength(l.message), 0);
    expect(withVolume.body.logVolume).toEqual({ lines: 300, bytes });

    // the same credential on another project's deployment: the server refuses the subject, and
    // under its own project's subject the platform dead-letters it; either way nothing changes
    const theirs = await externalDeployment(other.id);
    const underTheirs = await runPublisher(cred, other.id, theirs.id, 10);
    expect(underTheirs.code).not.toBe(0);
    const underMine = await runPublisher(cred, project.id, theirs.id, 10);
    expect(underMine.code).toBe(0); // accepted by JetStream, refused by the platform
    // events are applied in order: once a later deployment of ours has succeeded, the refused ones were handled
    const later = await externalDeployment(project.id);
    expect((await runPublisher(cred, project.id, later.id, 5)).code).toBe(0);
    await until('the later deployment to succeed', async () => (await api.call<Deployment>('GET', `/deployments/${later.id}`)).body.status === 'succeeded', 60_000);
    const after = await api.call<Deployment>('GET', `/deployments/${theirs.id}`);
    expect(after.body.status).toBe('queued');
    const theirLogs = await api.call('GET', `/deployments/${theirs.id}/logs?afterSeq=0&limit=100`);
    expect(theirLogs.body.items).toEqual([]);

    // revoked: refused from the next connection
    const revoked = await api.call('DELETE', `/projects/${project.id}/publishers/${cred.id}`);
    expect(revoked.status).toBe(200);
    const next = await externalDeployment(project.id);
    const refused = await until('the revoked credential to be refused', async () => {
      const r = await runPublisher(cred, project.id, next.id, 1);
      return r.code !== 0 && r;
    }, 30_000, 500);
    expect(refused.output).toMatch(/Authorization Violation|authorization|refused/i);
    expect((await api.call<Deployment>('GET', `/deployments/${next.id}`)).body.status).toBe('queued');
  });
});
