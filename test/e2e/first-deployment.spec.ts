import { execFileSync, spawnSync } from 'node:child_process';
import { Client } from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, Deployment, LogLine, ServerToClientEvents } from '@flightdeck/contracts';
import { WORKSPACE_ROOT } from '@flightdeck/testing';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, deploymentEnded, getWithHost, hostOf, until } from '../support/http';
import { type TestStack, startStack } from '../support/stack';

jest.setTimeout(300_000);

const SECRET = 'hunter2-S3cr3t/value+with=chars';
const FORMS = [SECRET, Buffer.from(SECRET).toString('base64'), encodeURIComponent(SECRET)];

type FollowSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

interface Followed {
  lines: LogLine[];
  statuses: string[];
  end?: { status: string; lastSeq: number };
  socket: FollowSocket;
}

describe('first deployment end to end', () => {
  let stack: TestStack;
  let api: Api;

  beforeAll(async () => {
    stack = await startStack({ builder: { FLIGHTDECK_HEALTH_TIMEOUT_MS: '8000' } });
    api = new Api(stack.gatewayUrl, stack.token);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const follow = (deploymentId: string, afterSeq = 0, onLine?: (l: LogLine, s: FollowSocket) => void): Promise<Followed> =>
    new Promise((resolve, reject) => {
      const socket: FollowSocket = io(`${stack.gatewayUrl}/deployments`, { auth: { token: stack.token }, transports: ['websocket'] });
      const f: Followed = { lines: [], statuses: [], socket };
      socket.on('connect_error', reject);
      socket.on('connect', () =>
        socket.emit('subscribe', { deploymentId, afterSeq }, (ack) => (ack.ok ? undefined : reject(new Error(ack.error.code)))),
      );
      socket.on('logs', (p) => p.lines.forEach((l) => (f.lines.push(l), onLine?.(l, socket))));
      socket.on('status', (p) => f.statuses.push(p.deployment.status));
      socket.on('end', (p) => {
        f.end = p;
        socket.close();
        resolve(f);
      });
    });

  const waitTerminal = (id: string, timeoutMs = 180_000) => deploymentEnded(api, id, timeoutMs, 500);

  const createProject = async (name: string, repo: GitRepo) => {
    const res = await api.call('POST', '/projects', { name, repositoryUrl: repo.dir });
    expect(res.status).toBe(201);
    const envs = await api.call('GET', `/projects/${res.body.id}/environments`);
    return { project: res.body, production: envs.body.items.find((e: { name: string }) => e.name === 'production') };
  };

  const expectSeqs = (lines: LogLine[], from = 1) => {
    const seqs = lines.map((l) => l.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + from));
  };

  it('builds, streams, serves, redeploys and rolls back', async () => {
    const repo = new GitRepo();
    repo.write(nodeApp('v1'));
    repo.commit('v1');
    const { project, production } = await createProject('shop', repo);
    expect(production).toBeDefined();

    const put = await api.call('PUT', `/environments/${production.id}/variables/SECRET`, { value: SECRET, sensitive: true });
    expect(put.status).toBe(200);
    const vars = await api.call('GET', `/environments/${production.id}/variables`);
    expect(vars.body.items).toEqual([expect.objectContaining({ key: 'SECRET', value: '***', sensitive: true })]);

    const key = { 'idempotency-key': 'e2e-first' };
    const first = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' }, key);
    const again = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' }, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);

    const followed = await follow(first.body.id);
    expect(followed.end?.status).toBe('succeeded');
    expectSeqs(followed.lines);
    expect(followed.lines.length).toBeGreaterThan(500);
    expect(followed.statuses).toContain('succeeded');
    const streamed = followed.lines.map((l) => l.message).join('\n');
    expect(streamed).toContain('build line 500');
    // the build did see the variable: each form of it was printed, and masked
    expect(streamed).toMatch(/plain \*\*\*\nb64 \*\*\*\nurl \*\*\*/);
    for (const form of FORMS) expect(streamed).not.toContain(form);

    const stored = await api.call<{ items: LogLine[] }>('GET', `/deployments/${first.body.id}/logs?limit=5000`);
    expect(stored.body.items.map((l) => l.seq)).toEqual(followed.lines.map((l) => l.seq));
    for (const form of FORMS) expect(JSON.stringify(stored.body)).not.toContain(form);
    const db = new Client({ connectionString: stack.infra.postgres.url });
    await db.connect();
    const leaked = await db.query(`select count(*)::int as n from logs.log_lines where ${FORMS.map((_, i) => `message like '%' || $${i + 1} || '%'`).join(' or ')}`, FORMS);
    await db.end();
    expect(leaked.rows[0].n).toBe(0);

    // a word of the log, found with its seq, the way a user opens the context around it
    const line500 = stored.body.items.find((l) => l.message === 'build line 500')!;
    const found = await api.call<{ items: (LogLine & { deploymentId: string })[] }>('GET', `/deployments/${first.body.id}/logs/search?q=${encodeURIComponent('LINE 500')}`);
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual([expect.objectContaining({ seq: line500.seq, message: 'build line 500', deploymentId: first.body.id })]);
    expect((await api.call('GET', `/deployments/${first.body.id}/logs/search?q=`)).status).toBe(400);

    const v1 = await waitTerminal(first.body.id);
    expect(v1.status).toBe('succeeded');
    expect(v1.url).toBeTruthy();
    expect((await getWithHost(stack.edgePort, hostOf(v1.url!))).body).toBe('version v1');

    repo.write(nodeApp('v2'));
    repo.commit('v2');
    const second = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' });
    expect(second.status).toBe(201);
    const v2 = await waitTerminal(second.body.id);
    expect(v2.status).toBe('succeeded');
    expect((await getWithHost(stack.edgePort, hostOf(v2.url!))).body).toBe('version v2');
    expect((await getWithHost(stack.edgePort, hostOf(v1.previewUrl!))).body).toBe('version v1');

    const rb = await api.call<Deployment>('POST', `/deployments/${v2.id}/rollback`, {});
    expect(rb.status).toBeLessThan(300);
    expect(rb.body.trigger).toBe('rollback');
    const rolled = await waitTerminal(rb.body.id);
    expect(rolled.status).toBe('succeeded');
    expect((await getWithHost(stack.edgePort, hostOf(v1.url!))).body).toBe('version v1');
    const rbLogs = await api.call<{ items: LogLine[] }>('GET', `/deployments/${rb.body.id}/logs?limit=5000`);
    expect(rbLogs.body.items.some((l) => l.step === 'build' || l.step === 'install')).toBe(false);
  });

  it('gives a follower that reconnects mid-build every line exactly once', async () => {
    const repo = new GitRepo();
    repo.write(nodeApp('r1', { lines: 2_000 }));
    repo.commit('r1');
    const { project } = await createProject('reconnect', repo);
    const d = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' });

    // the first connection drops once it has seen line 300 (the build is still printing)
    const firstPart = await new Promise<LogLine[]>((resolve, reject) => {
      const seen: LogLine[] = [];
      const socket: FollowSocket = io(`${stack.gatewayUrl}/deployments`, { auth: { token: stack.token }, transports: ['websocket'] });
      socket.on('connect_error', reject);
      socket.on('connect', () => socket.emit('subscribe', { deploymentId: d.body.id }, () => undefined));
      socket.on('logs', (p) => {
        seen.push(...p.lines);
        if (seen.length && seen[seen.length - 1].seq >= 300) {
          socket.close();
          resolve(seen);
        }
      });
      socket.on('end', () => (socket.close(), resolve(seen)));
    });
    const lastSeen = firstPart[firstPart.length - 1].seq;
    const rest = await follow(d.body.id, lastSeen);
    const all = [...firstPart, ...rest.lines];
    expectSeqs(all);
    expect(rest.end?.status).toBe('succeeded');
    expect(all.length).toBe(rest.end!.lastSeq);
  });

  it('fails a broken build with its step, and an unknown ref as invalid-source-ref', async () => {
    const repo = new GitRepo();
    repo.write(nodeApp('b1', { lines: 3, buildExit: 3 }));
    repo.commit('broken');
    const { project } = await createProject('broken', repo);
    const d = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' });
    const failed = await waitTerminal(d.body.id);
    expect(failed.status).toBe('failed');
    expect(failed.errorCode).toBe('deployment/build-failed');
    expect(JSON.stringify(failed)).toContain('build');

    const bad = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'no-such-branch' });
    const unknown = await waitTerminal(bad.body.id, 60_000);
    expect(unknown.status).toBe('failed');
    expect(unknown.errorCode).toBe('deployment/invalid-source-ref');
  });

  it('keeps the previous release serving when a new one never listens', async () => {
    const repo = new GitRepo();
    repo.write(nodeApp('good', { lines: 1 }));
    repo.commit('good');
    const { project } = await createProject('flaky', repo);
    const good = await waitTerminal((await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' })).body.id);
    expect(good.status).toBe('succeeded');
    repo.write(nodeApp('bad', { lines: 1, listen: false }));
    repo.commit('bad');
    const bad = await waitTerminal((await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' })).body.id);
    expect(bad.status).toBe('failed');
    expect(bad.errorCode).toBe('deployment/deploy-failed');
    expect((await getWithHost(stack.edgePort, hostOf(good.url!))).body).toBe('version good');
  });

  it('cancels a running build and stops its process tree within 5 s', async () => {
    const repo = new GitRepo();
    repo.write(nodeApp('slow', { lines: 1, buildSleepS: 120 }));
    repo.commit('slow');
    const { project } = await createProject('slow', repo);
    const d = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' });
    await until('the build to run', async () => {
      const logs = await api.call<{ items: LogLine[] }>('GET', `/deployments/${d.body.id}/logs?limit=5000`);
      return logs.body.items.some((l) => l.message.includes('build line 1'));
    });
    const pgrep = () => {
      try {
        return execFileSync('pgrep', ['-f', 'sleep 120']).toString().trim();
      } catch {
        return '';
      }
    };
    expect(pgrep()).not.toBe('');
    const started = Date.now();
    const res = await api.call('POST', `/deployments/${d.body.id}/cancel`);
    expect(res.status).toBeLessThan(300);
    const canceled = await waitTerminal(d.body.id, 30_000);
    expect(canceled.status).toBe('canceled');
    // the last process of the tree may still be exiting when the status is written: wait for it to be gone
    await until('the build process tree to be gone', async () => pgrep() === '', 5_000, 100);
    expect(Date.now() - started).toBeLessThan(5_000 + 2_000); // the API poll adds up to 0.5 s
    const again = await api.call('POST', `/deployments/${d.body.id}/cancel`);
    expect(again.status).toBe(409);
  });

  it('deploys with the command line: live log, URL and exit 0; a failing build exits non-zero', async () => {
    const cli = (source: string, name: string) =>
      spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', 'deploy', source, '--name', name], {
        cwd: WORKSPACE_ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, FLIGHTDECK_URL: stack.gatewayUrl, FLIGHTDECK_TOKEN: stack.token },
        encoding: 'utf8',
        timeout: 120_000,
      });
    const repo = new GitRepo();
    repo.write(nodeApp('cli', { lines: 5 }));
    repo.commit('cli');
    const good = cli(repo.dir, 'from-cli');
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('created project from-cli');
    expect(good.stdout).toContain('build line 5');
    expect(good.stdout).toMatch(/url: +http:\/\/from-cli-production\.localhost:\d+/);
    const url = /url: +(\S+)/.exec(good.stdout)![1];
    expect((await getWithHost(stack.edgePort, hostOf(url))).body).toBe('version cli');

    repo.write(nodeApp('cli', { lines: 1, buildExit: 2 }));
    repo.commit('broken');
    const bad = cli(repo.dir, 'from-cli');
    expect(bad.status).toBe(10); // the CLI's build-failure exit code (apps/cli/src/exit-codes.ts)
    expect(bad.stdout).toContain('build broke');
    expect(bad.stderr).toContain('deployment/build-failed');
    // what it means and what to do, from the error catalog
    expect(bad.stderr).toContain('The install or build step failed');
    expect(bad.stderr).toContain('what to do: read the build log above');
  });

  it('lists five ready services, and drops one killed with kill -9 within 10 s', async () => {
    const status = await api.call('GET', '/system/status');
    expect(status.status).toBe(200);
    const names = status.body.items.filter((i: { ready: boolean }) => i.ready).map((i: { name: string }) => i.name).sort();
    expect(names).toEqual(['builder', 'deployment-orchestrator', 'environment-manager', 'gateway', 'log-ingest']);

    const victim = stack.services.get('log-ingest')!;
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await until('log-ingest to drop out', async () => {
      const s = await api.call('GET', '/system/status');
      return !s.body.items.some((i: { name: string; ready: boolean }) => i.name === 'log-ingest' && i.ready);
    }, 10_000, 250);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    await stack.start('log-ingest');
    await until('log-ingest to come back', async () => {
      const s = await api.call('GET', '/system/status');
      return s.body.items.some((i: { name: string; ready: boolean }) => i.name === 'log-ingest' && i.ready);
    }, 20_000);
  });
});
