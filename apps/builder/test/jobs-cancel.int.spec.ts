import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type DeployJob, getDeployment, ok } from '@flightdeck/contracts';
import { decodeEnvelope, encodeJson } from '@flightdeck/messaging';
import { aDeployJob, aDeployment, eventually, sleep } from '@flightdeck/testing';
import { isAlive } from '../src/build/process-tree';
import { BuilderHarness } from './support/builder-harness';
import { GitRepo, npmProject, sleepingBuild } from './support/git-repo';
import { buildPids, projectProcesses } from './support/sandbox-processes';

// inside its sandbox a build sees its work dir at /workspace: the file lands in the host's work dir
const PID_FILE = '/workspace/home/pids.json';

jest.setTimeout(120_000);

describe('canceling a deployment', () => {
  let h: BuilderHarness;
  let repo: GitRepo;
  beforeAll(async () => {
    h = await BuilderHarness.start();
    repo = GitRepo.create(sleepingBuild());
  });
  afterAll(async () => {
    repo?.remove();
    await h?.stop();
  });

  const pidFileOf = (job: DeployJob) => join(h.dataDir, 'work', job.deploymentId, 'home', 'pids.json');

  // the pids as the host sees them: every process in the build step's cgroup
  const startSleepingBuild = async (over: Partial<DeployJob> = {}): Promise<{ job: DeployJob; pids: number[] }> => {
    const job = aDeployJob({ repositoryUrl: repo.dir, ...over });
    h.variables.set(job.environmentId, [{ key: 'PID_FILE', value: PID_FILE, sensitive: false }]);
    await h.dispatch(job);
    await eventually('the build to start its processes', () => existsSync(pidFileOf(job)) || undefined);
    const pids = buildPids(job.deploymentId);
    expect(pids.length).toBeGreaterThanOrEqual(3);
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
    expect(projectProcesses(job.projectName)).toEqual([]);
    expect(result).toMatchObject({ outcome: 'canceled', attempt: 1 });
    const lines = await h.logLines(job.deploymentId, result.lastSeq);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: result.lastSeq }, (_, i) => i + 1));
    expect(lines[lines.length - 1]).toMatchObject({ source: 'system', step: 'build', message: 'Canceled: every process has ended' });
    expect(h.provider.deployed.some((s) => s.deploymentId === job.deploymentId)).toBe(false);
    await eventually('work dir removed', () => !existsSync(join(h.dataDir, 'work', job.deploymentId)) || undefined);
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
    await sleep(1_000);
    expect(pids.every(isAlive)).toBe(true);
    h.cancel(job.deploymentId, 2);
    expect((await h.result(job.deploymentId, 10_000)).outcome).toBe('canceled');
  });

  it('stops what a finished step left running in the background', async () => {
    const leaver = GitRepo.create(
      npmProject({
        scripts: {
          build: `node -e "const c = require('child_process').spawn('sh', ['-c', 'unset BUILD_PROCESS_TAG; exec setsid sleep 600'], { stdio: 'ignore', detached: true }); c.unref(); require('fs').mkdirSync('dist'); require('fs').writeFileSync('dist/index.html', 'x')"`,
        },
      }),
    );
    const job = aDeployJob({ repositoryUrl: leaver.dir, projectName: 'leaver' });
    await h.dispatch(job);

    const result = await h.result(job.deploymentId);

    expect(result.outcome).toBe('succeeded');
    // nothing runs as the project's user once the job has ended (it has no release)
    expect(projectProcesses('leaver')).toEqual([]);
    leaver.remove();
  });

  it('skips a job whose cancel arrived before the job did', async () => {
    const job = aDeployJob({ repositoryUrl: repo.dir });
    h.cancel(job.deploymentId, job.attempt);
    await eventually('the cancel to be recorded', async () => (await h.jobRow(job.deploymentId))?.status === 'canceled' || undefined);

    await h.dispatch(job);

    expect(await h.results(job.deploymentId, 1_500)).toEqual([]);
    expect(await h.progress(job.deploymentId, 100)).toEqual([]);
  });
});
