import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EnvironmentHealth, type Result, getEnvironmentHealth } from '@flightdeck/contracts';
import { decodeJson, encodeEnvelope } from '@flightdeck/messaging';
import { eventually, getWithHost } from '@flightdeck/testing';
import { ProviderModule } from '../src/provider/provider.module';
import { ReleaseProcesses } from '../src/provider/release-processes';
import { RELEASE_PROVIDER, type ReleaseProvider, type ReleaseSpec } from '../src/provider/release-provider';
import { LogRecorder, nodeApp, packArtifact } from './provider-fixtures';
import { BuilderHarness } from './support/builder-harness';

jest.setTimeout(120_000);

const SUPERVISION = {
  healthTimeoutMs: 8_000,
  healthIntervalMs: 200,
  healthProbeTimeoutMs: 500,
  unhealthyThreshold: 2,
  // long enough for the test to see "degraded" before the restart
  restartBackoffMs: 800,
  restartBackoffMaxMs: 1_000,
  crashLoopRestarts: 3,
  crashLoopWindowMs: 60_000,
};

// serves until it is started a second time: then it exits at once, every time
const startsOnce = () =>
  nodeApp(
    'once',
    `const fs = require('node:fs'), marker = require('node:path').join(process.env.HOME, 'started');
     if (fs.existsSync(marker)) { console.error('boom: cannot start twice'); process.exit(3); }
     fs.writeFileSync(marker, '1');
     require('node:http').createServer((q, s) => s.end('once')).listen(Number(process.env.PORT), process.env.HOST);`,
  );

// GET / answers 500 from the first GET /break on, until the process is restarted
const breaksOnRequest = () =>
  nodeApp(
    'sick',
    `let broken = false;
     require('node:http').createServer((q, s) => {
       if (q.url === '/break') broken = true;
       s.statusCode = broken ? 500 : 200;
       s.end(broken ? 'broken' : 'fine');
     }).listen(Number(process.env.PORT), process.env.HOST);`,
  );

// Issue 17 item 3: the current release of an environment is supervised — restarted when its process
// dies or its health path fails, reported crash-looping (and no longer restarted) when restarts do
// not help, all without a request through the edge to set it off.
describe('supervision of live releases', () => {
  let h: BuilderHarness;
  let edgePort: number;
  let work: string;
  let app: INestApplication;
  let p: { provider: ReleaseProvider; processes: ReleaseProcesses };
  const attach = () => {
    p = { provider: app.get<ReleaseProvider>(RELEASE_PROVIDER, { strict: false }), processes: app.get(ReleaseProcesses, { strict: false }) };
  };

  const deploy = async (projectName: string, files: Record<string, string>): Promise<ReleaseSpec> => {
    const spec: ReleaseSpec = {
      deploymentId: randomUUID(),
      projectName,
      environmentName: 'production',
      artifactPath: await packArtifact(files, work),
      kind: 'node',
      startCommand: ['node', 'server.js'],
      env: { PATH: process.env.PATH! },
    };
    await p.provider.deploy(spec, new LogRecorder().log, new AbortController().signal);
    return spec;
  };
  // as the gateway asks: over the bus, any builder replica answers
  const health = async (projectName: string): Promise<EnvironmentHealth> => {
    const subject = getEnvironmentHealth.subject;
    const reply = await h.nc.request(subject, encodeEnvelope(subject, getEnvironmentHealth.version, { projectName, environmentName: 'production' }), { timeout: 5_000 });
    const result = decodeJson(reply.data) as Result<EnvironmentHealth>;
    if (!result.ok) throw new Error(JSON.stringify(result));
    return result.data;
  };
  const get = (project: string, path = '/') => getWithHost(edgePort, `${project}-production.localhost:${edgePort}`, path);

  beforeAll(async () => {
    ({ h, edgePort, app } = await BuilderHarness.withInternalProvider(SUPERVISION));
    work = mkdtempSync(join(tmpdir(), 'fd-supervision-work-'));
    attach();
  });

  afterAll(async () => {
    await h?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('answers no health for an environment no Node release serves', async () => {
    expect(await health('nothing-here')).toEqual({ health: null, releaseDeploymentId: null, crashLooping: false, restarts: 0, lastFailure: null, updatedAt: null });
  });

  it('restarts a release killed with SIGKILL on its own: degraded, then healthy with one restart, serving again', async () => {
    const spec = await deploy('steady', nodeApp('v1'));
    expect(await health('steady')).toMatchObject({ health: 'healthy', releaseDeploymentId: spec.deploymentId, restarts: 0, crashLooping: false, lastFailure: null });
    const pid = p.processes.pidOf(spec.deploymentId)!;
    expect(pid).toBeGreaterThan(0);

    process.kill(pid, 'SIGKILL');
    await eventually('degraded', async () => (await health('steady')).health === 'degraded', { intervalMs: 25 });
    const recovered = await eventually('healthy again', async () => {
      const h = await health('steady');
      return h.health === 'healthy' && h;
    });
    expect(recovered).toMatchObject({ restarts: 1, crashLooping: false, lastFailure: { reason: expect.stringMatching(/killed by SIGKILL|gone|no process/) } });
    // started by the supervisor, not by a request: a new process is already there
    expect(p.processes.pidOf(spec.deploymentId)).not.toBe(pid);
    expect(await get('steady')).toMatchObject({ status: 200, body: expect.stringMatching(/^v1 /) });
  });

  it('restarts a release whose health path answers 500', async () => {
    const spec = await deploy('sick', breaksOnRequest());
    const pid = p.processes.pidOf(spec.deploymentId);
    expect(await get('sick', '/break')).toMatchObject({ status: 500 });
    const recovered = await eventually('restarted and healthy', async () => {
      const h = await health('sick');
      return h.health === 'healthy' && h.restarts === 1 && h;
    });
    expect(recovered.lastFailure?.reason).toBe('health check: GET / answered 500 (2 checks in a row)');
    expect(p.processes.pidOf(spec.deploymentId)).not.toBe(pid);
    expect(await get('sick')).toMatchObject({ status: 200, body: 'fine' });
  });

  it('reports a release that exits at once on every restart as crash-looping and down, stops restarting it, and a deploy ends that', async () => {
    const spec = await deploy('loop', startsOnce());
    process.kill(p.processes.pidOf(spec.deploymentId)!, 'SIGKILL');
    const down = await eventually(
      'crash-looping',
      async () => {
        const h = await health('loop');
        return h.crashLooping && h;
      },
      { timeoutMs: 20_000 },
    );
    expect(down).toMatchObject({ health: 'down', restarts: 3, lastFailure: { reason: 'restart failed: process exited with code 3' } });
    expect(p.processes.isActive(spec.deploymentId)).toBe(false);
    // a request does not start it again either: it says why
    const answer = await get('loop');
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { message: expect.stringMatching(/is crash-looping: it is not restarted until a deploy or rollback$/) } });
    expect(p.processes.isActive(spec.deploymentId)).toBe(false);

    await deploy('loop', nodeApp('fixed'));
    expect(await health('loop')).toMatchObject({ health: 'healthy', restarts: 0, crashLooping: false });
    expect(await get('loop')).toMatchObject({ status: 200, body: expect.stringMatching(/^fixed /) });
  });

  it('supervises the current releases again after a builder restart', async () => {
    await h.stopBuilder(app);
    app = await h.startBuilder({ FLIGHTDECK_EDGE_PORT: String(edgePort) }, ProviderModule.forRoot(SUPERVISION));
    attach();
    expect(await get('steady')).toMatchObject({ status: 200, body: expect.stringMatching(/^v1 /) });
    const restored = await health('steady');
    expect(restored).toMatchObject({ health: 'healthy', restarts: 0 });
    const pid = p.processes.pidOf(restored.releaseDeploymentId!)!;
    process.kill(pid, 'SIGKILL');
    await eventually('restarted by the new builder', async () => {
      const now = await health('steady');
      return now.health === 'healthy' && now.restarts === 1;
    });
    expect(p.processes.pidOf(restored.releaseDeploymentId!)).not.toBe(pid);
  });
});
