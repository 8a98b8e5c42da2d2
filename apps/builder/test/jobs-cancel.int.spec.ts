import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeployJob, getDeployment, ok } from '@flightdeck/contracts';
import { decodeEnvelope, encodeJson } from '@flightdeck/messaging';
import { aDeployment } from '@flightdeck/testing';
import { isAlive } from '../src/build/process-tree';
import { BuilderHarness, aDeployJob } from './support/builder-harness';
import { GitRepo, npmProject, sleepingBuild } from './support/git-repo';

jest.setTimeout(120_000);

describe('canceling a deployment', () => {
  let h: BuilderHarness;
  let repo: GitRepo;
  let pidDir: string;
  beforeAll(async () => {
    h = await BuilderHarness.start();
    repo = GitRepo.create(sleepingBuild());
    pidDir = mkdtempSync(join(tmpdir(), 'fd-pids-'));
  });
  afterAll(async () => {
    repo?.remove();
    await h?.stop();
    rmSync(pidDir, { recursive: true, force: true });
  });

  const startSleepingBuild = async (over: Partial<DeployJob> = {}): Promise<{ job: DeployJob; pids: number[] }> => {
    const job = aDeployJob({ repositoryUrl: repo.dir, ...over });
    const pidFile = join(pidDir, `${job.deploymentId}.json`);
    h.variables.set(job.environmentId, [{ key: 'PID_FILE', value: pidFile, sensitive: false }]);
    await h.dispatch(job);
    const pids = await h.until('the build to start its processes', () =>
      existsSync(pidFile) ? (JSON.parse(readFileSync(pidFile, 'utf8')) as number[]) : undefined,
    );
    return { job, pids };
  };

  it('stops the whole process tree within 5 s and only then reports canceled', async () => {
    const { job, pids } = await startSleepingBuild();
    expect(pids.every(isAlive)).toBe(true);

    const asked = Date.now();
    h.cancel(job.deploymentId, job.attempt);
    const result = await h.result(job.deploymentId, 10_000);

    // the child ignores SIGTERM: it takes the SIGKILL after 3 s
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(result).toMatchObject({ outcome: 'canceled', attempt: 1 });
    const lines = await h.logLines(job.deploymentId, result.lastSeq);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: result.lastSeq }, (_, i) => i + 1));
    expect(lines[lines.length - 1]).toMatchObject({ source: 'system', step: 'build', message: 'Canceled: every process has ended' });
    expect(h.provider.deployed.some((s) => s.deploymentId === job.deploymentId)).toBe(false);
    await h.until('work dir removed', () => !existsSync(join(h.dataDir, 'work', job.deploymentId)) || undefined);
    expect((await h.jobRow(job.deploymentId))?.status).toBe('canceled');
  });

  it('stops a job whose cancel message was lost, on the heartbeat that asks the orchestrator', async () => {
    const { job, pids } = await startSleepingBuild();
    // the orchestrator's answer: a cancel is pending for this deployment (no cancel message is sent)
    const sub = h.nc.subscribe(getDeployment.subject, {
      callback: (_e, msg) => {
        const asked = decodeEnvelope(msg.data);
        const id = asked.ok ? (asked.envelope.data as { deploymentId: string }).deploymentId : '';
        const status = id === job.deploymentId ? { cancelRequestedAt: new Date().toISOString() } : {};
        msg.respond(encodeJson(ok(aDeployment({ id, attempt: 1, status: 'building', ...status }))));
      },
    });
    try {
      const asked = Date.now();
      const result = await h.result(job.deploymentId, 15_000);
      expect(result).toMatchObject({ outcome: 'canceled', attempt: 1 });
      expect(pids.filter(isAlive)).toEqual([]);
      // a heartbeat (2 s), then the tree's stop (3 s for the child that ignores SIGTERM)
      expect(Date.now() - asked).toBeLessThan(8_000);
    } finally {
      sub.unsubscribe();
    }
  });

  it('says why when the stop was a timeout', async () => {
    const { job, pids } = await startSleepingBuild();
    h.cancel(job.deploymentId, job.attempt, 'timeout');
    const result = await h.result(job.deploymentId, 10_000);
    expect(result.outcome).toBe('canceled');
    expect(pids.filter(isAlive)).toEqual([]);
    const lines = await h.logLines(job.deploymentId, result.lastSeq);
    expect(lines[lines.length - 1].message).toBe('Stopped: the deployment timed out; every process has ended');
  });

  it('ignores a cancel of another attempt of the same deployment', async () => {
    const { job, pids } = await startSleepingBuild({ attempt: 2 });
    h.cancel(job.deploymentId, 1);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(pids.every(isAlive)).toBe(true);
    h.cancel(job.deploymentId, 2);
    expect((await h.result(job.deploymentId, 10_000)).outcome).toBe('canceled');
  });

  it('stops what a finished step left running in the background', async () => {
    const leaver = GitRepo.create(
      npmProject({
        scripts: {
          build: `node -e "const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true }); require('fs').writeFileSync(process.env.PID_FILE, JSON.stringify([c.pid])); c.unref(); require('fs').mkdirSync('dist'); require('fs').writeFileSync('dist/index.html', 'x')"`,
        },
      }),
    );
    const job = aDeployJob({ repositoryUrl: leaver.dir });
    const pidFile = join(pidDir, `${job.deploymentId}.json`);
    h.variables.set(job.environmentId, [{ key: 'PID_FILE', value: pidFile, sensitive: false }]);
    await h.dispatch(job);

    const result = await h.result(job.deploymentId);

    expect(result.outcome).toBe('succeeded');
    const [daemon] = JSON.parse(readFileSync(pidFile, 'utf8')) as number[];
    expect(isAlive(daemon)).toBe(false);
    leaver.remove();
  });

  it('skips a job whose cancel arrived before the job did', async () => {
    const job = aDeployJob({ repositoryUrl: repo.dir });
    h.cancel(job.deploymentId, job.attempt);
    await h.until('the cancel to be recorded', async () => (await h.jobRow(job.deploymentId))?.status === 'canceled' || undefined);

    await h.dispatch(job);

    expect(await h.results(job.deploymentId, 1_500)).toEqual([]);
    expect(await h.progress(job.deploymentId, 100)).toEqual([]);
  });
});
