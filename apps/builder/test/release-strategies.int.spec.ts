import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { type BuildResult, type DeployStrategy, actOnCanary } from '@flightdeck/contracts';
import { encodeEnvelope } from '@flightdeck/messaging';
import { aDeployJob, eventually } from '@flightdeck/testing';
import { CanaryRollout } from '../src/provider/canary-rollout';
import { InternalReleaseProvider } from '../src/provider/internal-release-provider';
import { ReleaseProcesses } from '../src/provider/release-processes';
import { RouteTable } from '../src/edge/route-table';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject } from './support/git-repo';

jest.setTimeout(240_000);

// answers its version on every path; `failing` answers 500 everywhere but its health path; /die ends it
const app = (version: string, failing = false) =>
  npmProject(
    { scripts: { start: 'node server.js' } },
    {
      'server.js': `require('node:http').createServer((q, s) => {
        if (q.url === '/die') process.exit(3);
        if (${failing} && q.url !== '/health') { s.statusCode = 500; return s.end('broken ${version}'); }
        s.end('${version}');
      }).listen(Number(process.env.PORT), process.env.HOST);`,
    },
  );

interface Answer {
  status: number;
  body: string;
  cookie?: string;
}

// one request on a fresh connection, with the client's cookie if it has one
const get = (port: number, host: string, cookie?: string, path = '/'): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...(cookie ? { cookie } : {}) }, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] }));
    });
    req.on('error', reject);
    req.end();
  });

// Deployment strategies with the internal provider and real release processes: a canary's share
// of cookie-less clients, its stickiness, promote, its automatic rollback on 5xx; blue-green's warm
// previous release and instant switch back.
describe('deployment strategies', () => {
  let h: BuilderHarness;
  let edgePort: number;
  const repo = GitRepo.create(app('v1'), 'v1');
  const host = () => `strat-production.localhost:${edgePort}`;
  const deploy = async (strategy?: DeployStrategy, extra: Record<string, unknown> = {}) => {
    const job = aDeployJob({ projectName: 'strat', repositoryUrl: repo.dir, buildSettings: { ...(strategy ? { strategy } : {}), ...extra } });
    await h.dispatch(job);
    return job.deploymentId;
  };
  const result = (id: string): Promise<BuildResult> => h.result(id, 120_000);
  const canaryRunning = (id: string) => eventually(`the canary of ${id.slice(0, 8)} to start`, () => h.app.get(CanaryRollout).isRunning(id), { timeoutMs: 60_000 });

  beforeAll(async () => {
    ({ h, edgePort } = await BuilderHarness.withInternalProvider({ healthTimeoutMs: 8_000 }));
    const first = await deploy();
    expect((await result(first)).outcome).toBe('succeeded');
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('sends about 10 % of cookie-less clients to a canary, keeps every client where it went, and promotes it', async () => {
    repo.write(app('v2')).commit('v2');
    const id = await deploy({ type: 'canary', steps: [{ percent: 10, holdSeconds: 120 }] });
    await canaryRunning(id);

    const N = 500;
    const answers: Answer[] = [];
    for (let i = 0; i < N; i++) answers.push(await get(edgePort, host()));
    const toCanary = answers.filter((a) => a.body === 'v2').length;
    // binomial(500, 0.1): mean 50, sd 6.7; 5–15 % is 3.7 sd either way
    expect(toCanary).toBeGreaterThanOrEqual(N * 0.05);
    expect(toCanary).toBeLessThanOrEqual(N * 0.15);
    expect(answers.every((a) => a.status === 200 && a.cookie)).toBe(true);

    // sticky: each client with its cookie gets the same release, five times over
    const clients = [...answers.filter((a) => a.body === 'v2').slice(0, 5), ...answers.filter((a) => a.body === 'v1').slice(0, 5)];
    for (const c of clients) {
      for (let i = 0; i < 5; i++) expect((await get(edgePort, host(), c.cookie)).body).toBe(c.body);
    }

    // as the gateway's POST /deployments/:id/promote asks, over the bus (one builder here: one answer)
    const reply = await h.nc.request(actOnCanary.subject, encodeEnvelope(actOnCanary.subject, actOnCanary.version, { deploymentId: id, action: 'promote' }), { timeout: 5_000 });
    expect(reply.json()).toEqual({ ok: true, data: { handled: true } });
    expect((await result(id)).outcome).toBe('succeeded');
    for (let i = 0; i < 20; i++) expect((await get(edgePort, host())).body).toBe('v2');
    // the step is the deployment's progress: 10 % of clients → 82 %
    expect(await h.progress(id)).toContainEqual(expect.objectContaining({ stage: 'deploying', phase: 'updating_routes', progress: 82 }));
  });

  it('rolls a canary back when its 5xx share passes the threshold, and the previous release serves everyone', async () => {
    repo.write(app('v3', true)).commit('v3 broken');
    const id = await deploy({ type: 'canary', steps: [{ percent: 50, holdSeconds: 120 }], maxErrorRate: 0.2, minRequests: 10 }, { healthCheckPath: '/health' });
    await canaryRunning(id);
    const pending = result(id);
    // traffic until the canary is judged (each cookie-less request has a 50 % chance of reaching it)
    await eventually('the canary to be rolled back', async () => {
      await get(edgePort, host());
      return !h.app.get(CanaryRollout).isRunning(id);
    }, { timeoutMs: 30_000, intervalMs: 10 });
    const r = await pending;
    expect(r.outcome).toBe('failed');
    expect(r.failure?.message).toMatch(/canary was rolled back/);
    const lines = await h.logLines(id, r.lastSeq);
    expect(lines.some((l) => /Canary rolled back: \d+ of its \d+ answers were 5xx/.test(l.message))).toBe(true);
    for (let i = 0; i < 20; i++) expect(await get(edgePort, host())).toMatchObject({ status: 200, body: 'v2' });
  });

  it('rolls a canary back when its process ends', async () => {
    repo.write(app('v3b')).commit('v3b');
    const id = await deploy({ type: 'canary', steps: [{ percent: 10, holdSeconds: 120 }] });
    await canaryRunning(id);
    // through its own preview URL: the canary ends itself
    await get(edgePort, `strat-${id.slice(0, 8)}.localhost:${edgePort}`, undefined, '/die').catch(() => undefined);
    const r = await result(id);
    expect(r.outcome).toBe('failed');
    expect(r.failure?.message).toMatch(/canary was rolled back/);
    const lines = await h.logLines(id, r.lastSeq);
    expect(lines.some((l) => /Canary rolled back: its process ended: process exited with code 3/.test(l.message))).toBe(true);
    for (let i = 0; i < 20; i++) expect((await get(edgePort, host())).body).toBe('v2');
  });

  it('keeps the previous release warm with blue-green: switching back to it takes well under a second', async () => {
    const v2 = h.app.get(RouteTable).environment('strat-production')!.id;
    repo.write(app('v4')).commit('v4');
    const id = await deploy({ type: 'blue-green', keepWarmSeconds: 60 });
    expect((await result(id)).outcome).toBe('succeeded');
    expect((await get(edgePort, host())).body).toBe('v4');
    // drained at once (nothing was in flight): a rolling deploy would have stopped it by now
    expect(h.app.get(ReleaseProcesses).pidOf(v2)).toBeDefined();

    const started = Date.now();
    const log: string[] = [];
    await h.app.get(InternalReleaseProvider).rollback(
      { deploymentId: randomUUID(), projectName: 'strat', environmentName: 'production', toDeploymentId: v2 },
      (m) => log.push(m),
      new AbortController().signal,
    );
    const tookMs = Date.now() - started;
    expect((await get(edgePort, host())).body).toBe('v2');
    expect(tookMs).toBeLessThan(1_000);
    // warm: switched without a start
    expect(log.some((m) => /is already running/.test(m))).toBe(true);
  });
});
