import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import type { Deployment, DeploymentStatusChanged, LogLine } from '@flightdeck/contracts';
import { decodeEnvelope } from '@flightdeck/messaging';
import { type ServiceProcess, freePort, queryRows, spawnService, waitForReady } from '@flightdeck/testing';
import { networkEnvironment } from '../../apps/builder/src/build/network-trust';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, deploymentEnded, until } from '../support/http';
import { type TestStack, startStack } from '../support/stack';

jest.setTimeout(600_000);

const TERMINAL = ['succeeded', 'failed', 'canceled', 'timeout'];

// Crashes in the middle of work, with the five services as processes on a real Postgres and NATS:
// a builder killed mid-build while another replica runs, and the orchestrator killed while 20
// deployments are in flight.
describe('crash recovery', () => {
  let stack: TestStack;
  let api: Api;
  let secondBuilder: ServiceProcess | undefined;
  let secondDataDir: string | undefined;

  beforeAll(async () => {
    stack = await startStack({
      // a killed builder's job is found by another replica after 6 s of silence (default 30 s)
      builder: { FLIGHTDECK_JOB_STALE_AFTER_MS: '6000', FLIGHTDECK_BUILD_CONCURRENCY: '4' },
      'deployment-orchestrator': { FLIGHTDECK_AUTO_RETRIES: '0', FLIGHTDECK_TRIGGERS_PER_MINUTE: '100' },
    });
    api = new Api(stack.gatewayUrl, stack.token);
  });
  afterAll(async () => {
    await secondBuilder?.stop();
    await stack?.stop();
    if (secondDataDir) rmSync(secondDataDir, { recursive: true, force: true });
  });

  const createProject = async (name: string, files: Record<string, string>) => {
    const repo = new GitRepo();
    repo.write(files);
    repo.commit('v1');
    const res = await api.call('POST', '/projects', { name, repositoryUrl: repo.dir });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };
  const deploy = async (projectId: string): Promise<Deployment> => {
    const res = await api.call<Deployment>('POST', `/projects/${projectId}/deployments`, { sourceRef: 'main' });
    expect(res.status).toBe(201);
    return res.body;
  };
  const sql = <T>(text: string, params: unknown[] = []) => queryRows<T>(stack.infra.postgres.url, text, params);

  it('kill -9 of a builder mid-build: the other replica finishes the job, and the log shows both attempts in order', async () => {
    const project = await createProject('slow-build', nodeApp('v1', { lines: 20, buildSleepS: 8 }));
    const d = await deploy(project.id);
    await until('the build step to run', async () => {
      const { body } = await api.call<Deployment>('GET', `/deployments/${d.id}`);
      return body.phase === 'building' && body.progress >= 45;
    });

    // a second replica joins, then the first dies in the middle of the build
    secondDataDir = mkdtempSync(join(tmpdir(), 'fd-builder-2-'));
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...stack.infra.envFor('builder', {
        ...networkEnvironment(process.env),
        FLIGHTDECK_EDGE_PORT: String(await freePort()),
        FLIGHTDECK_DATA_DIR: secondDataDir,
        FLIGHTDECK_JOB_STALE_AFTER_MS: '6000',
      }),
    };
    secondBuilder = await spawnService('builder', env);
    await waitForReady(secondBuilder.healthPort, 90_000, secondBuilder.exited);
    const first = stack.services.get('builder')!;
    first.child.kill('SIGKILL');
    await first.exited;

    const ended = await deploymentEnded(api, d.id, 180_000);
    expect(ended).toMatchObject({ status: 'succeeded', attempt: 2 });

    const { body } = await api.call<{ items: LogLine[] }>('GET', `/deployments/${d.id}/logs?limit=5000`);
    const lines = body.items;
    // one log: seq 1..N, no gap and no line twice, the attempts one after the other
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l.message));
    const attempt1 = at(/attempt 1, on builder /);
    const lost = at(/Failed: the builder running attempt 1 .* stopped during the build step/);
    const attempt2 = at(/^Attempt 2: the builder of attempt 1 stopped/);
    const deployed = at(/^Deployed: /);
    expect(attempt1).toBeGreaterThanOrEqual(0);
    expect([attempt1 < lost, lost < attempt2, attempt2 < deployed]).toEqual([true, true, true]);
    expect(lines.filter((l) => /build line 20$/.test(l.message)).length).toBeGreaterThanOrEqual(1);
    // the second builder ran attempt 2: its own builder id, not the first's
    const builders = lines.flatMap((l) => /attempt \d, on builder (\S+)/.exec(l.message)?.[1] ?? []);
    expect(new Set(builders).size).toBe(2);

    const jobs = await sql<{ attempt: number; status: string; error_code: string | null }>(
      `select attempt, status, error_code from builder.build_jobs where deployment_id = $1 order by attempt`,
      [d.id],
    );
    expect(jobs).toEqual([
      { attempt: 1, status: 'failed', error_code: 'build/interrupted' },
      { attempt: 2, status: 'succeeded', error_code: null },
    ]);
  });

  it('kill -9 of the orchestrator with 20 deployments in flight: each ends as its builder ended it, every status event exactly once', async () => {
    const projects = [];
    for (let i = 0; i < 20; i++) {
      projects.push(await createProject(`many-${i}`, i % 5 === 4 ? nodeApp(`v${i}`, { lines: 5, buildExit: 3 }) : { 'index.html': `<h1>site ${i}</h1>` }));
    }
    const deployments = await Promise.all(projects.map((p) => deploy(p.id)));
    // some have ended, some run, some wait for a builder
    await until('a few to have ended', async () => {
      const rows = await sql<{ n: number }>(`select count(*)::int as n from orchestrator.deployments where id = any($1) and finished_at is not null`, [
        deployments.map((d) => d.id),
      ]);
      return rows[0].n >= 2;
    });
    const atKill = await sql<{ status: string }>(`select status from orchestrator.deployments where id = any($1)`, [deployments.map((d) => d.id)]);
    const orchestrator = stack.services.get('deployment-orchestrator')!;
    orchestrator.child.kill('SIGKILL');
    await orchestrator.exited;
    await stack.start('deployment-orchestrator');

    // in various states when it died: some ended, some not
    expect(atKill.some((d) => TERMINAL.includes(d.status))).toBe(true);
    expect(atKill.some((d) => !TERMINAL.includes(d.status))).toBe(true);
    // the bound: every one has ended within 3 minutes of the restart (about 10 s here)
    const ended = await Promise.all(deployments.map((d) => deploymentEnded(api, d.id, 180_000)));
    // what the builder did decides: its last attempt's result is the deployment's end
    const jobs = await sql<{ deployment_id: string; status: string }>(
      `select distinct on (deployment_id) deployment_id, status from builder.build_jobs where deployment_id = any($1) order by deployment_id, attempt desc`,
      [deployments.map((d) => d.id)],
    );
    const byBuilder = new Map(jobs.map((j) => [j.deployment_id, j.status]));
    for (const [i, d] of ended.entries()) {
      expect({ i, status: d.status }).toEqual({ i, status: byBuilder.get(d.id) });
      expect({ i, status: d.status }).toEqual({ i, status: i % 5 === 4 ? 'failed' : 'succeeded' });
    }

    // every status change in the history went out once, none twice, none lost
    await until('the outbox to be empty', async () => {
      const [row] = await sql<{ n: number }>(`select count(*)::int as n from orchestrator.outbox where published_at is null`);
      return row.n === 0;
    });
    const nc = await connect({ ...stack.infra.nats.connectOptions(), name: 'crash-recovery-test' });
    try {
      // the whole status feed as the stream holds it, message by message
      const jsm = await nc.jetstreamManager();
      const { state } = await jsm.streams.info('DEPLOYMENT_EVENTS');
      const events: DeploymentStatusChanged[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
        const m = await jsm.streams.getMessage('DEPLOYMENT_EVENTS', { seq }).catch(() => undefined);
        if (!m?.subject.startsWith('deployments.evt.status.')) continue;
        const decoded = decodeEnvelope(m.data);
        if (decoded.ok) events.push(decoded.envelope.data as DeploymentStatusChanged);
      }
      for (const d of deployments) {
        const history = await sql<{ to_status: string; phase: string; at: Date }>(
          `select to_status, phase, at from orchestrator.deployment_transitions where deployment_id = $1 order by id`,
          [d.id],
        );
        const published = events.filter((e) => e.deployment.id === d.id).map((e) => `${e.transition.to}/${e.transition.phase}@${e.transition.at}`);
        expect(published).toEqual(history.map((t) => `${t.to_status}/${t.phase}@${t.at.toISOString()}`));
        expect(TERMINAL).toContain(history[history.length - 1].to_status);
      }
    } finally {
      await nc.close();
    }
  });
});
