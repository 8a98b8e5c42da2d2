import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DeployJob } from '@flightdeck/contracts';
import { aDeployJob, eventually, sleep } from '@flightdeck/testing';
import { isAlive } from '../src/build/process-tree';
import { BuilderHarness } from './support/builder-harness';
import { buildPids } from './support/sandbox-processes';
import { GitRepo, sleepingBuild, staticSite } from './support/git-repo';

jest.setTimeout(120_000);

describe('the job queue', () => {
  let h: BuilderHarness;
  let site: GitRepo;
  let sleeper: GitRepo;
  beforeAll(async () => {
    h = await BuilderHarness.start({ FLIGHTDECK_BUILD_CONCURRENCY: '2' });
    site = GitRepo.create(staticSite());
    sleeper = GitRepo.create(sleepingBuild());
  });
  afterAll(async () => {
    site?.remove();
    sleeper?.remove();
    await h?.stop();
  });

  // the build writes the file inside its sandbox (/workspace = its host work dir) once it runs
  const pidFileOf = (job: DeployJob) => join(h.dataDir, 'work', job.deploymentId, 'home', 'pids.json');
  const sleepingJob = (): DeployJob => {
    const job = aDeployJob({ repositoryUrl: sleeper.dir });
    h.variables.set(job.environmentId, [{ key: 'PID_FILE', value: '/workspace/home/pids.json', sensitive: false }]);
    return job;
  };
  /** the build's processes as the host sees them (its step's cgroup), once it has started them */
  const pidsOf = (job: DeployJob): number[] | undefined => (existsSync(pidFileOf(job)) ? buildPids(job.deploymentId) : undefined);

  it('handles a deployment attempt once, even when its job is dispatched twice', async () => {
    const job = aDeployJob({ repositoryUrl: site.dir });
    await h.dispatch(job);
    await h.dispatch(job);

    await h.result(job.deploymentId);

    expect(await h.results(job.deploymentId, 1_500)).toHaveLength(1);
    expect(h.provider.deployed.filter((s) => s.deploymentId === job.deploymentId)).toHaveLength(1);
  });

  it('rolls back without building: the provider re-points the environment and the target artifact is reported', async () => {
    const target = { deploymentId: randomUUID(), artifact: { id: 'a1', sha256: 'f'.repeat(64), sizeBytes: 123, kind: 'static' as const } };
    const job = await h.dispatch(aDeployJob({ kind: 'rollback', target }));

    const result = await h.result(job.deploymentId);

    expect(result).toMatchObject({ outcome: 'succeeded', artifact: target.artifact, url: 'http://shop-production.localhost:3080' });
    expect(h.provider.rolledBack).toContainEqual(
      expect.objectContaining({ deploymentId: job.deploymentId, toDeploymentId: target.deploymentId, environmentName: 'production' }),
    );
    const lines = await h.logLines(job.deploymentId, result.lastSeq);
    expect(lines.map((l) => l.seq)).toEqual(Array.from({ length: result.lastSeq }, (_, i) => i + 1));
    expect(lines.every((l) => l.step === 'deploy')).toBe(true);
    expect(lines).toContainEqual(expect.objectContaining({ source: 'deploy', message: `routing shop-production to ${target.deploymentId}` }));
    expect((await h.progress(job.deploymentId)).map((p) => p.stage)).toEqual(['initializing', 'deploying']);
  });

  it('fails a rollback that names no target with deployment/no-rollback-target', async () => {
    const job = await h.dispatch(aDeployJob({ kind: 'rollback' }));
    expect((await h.result(job.deploymentId)).failure).toMatchObject({ code: 'deployment/no-rollback-target' });
  });

  it('runs as many builds at once as FLIGHTDECK_BUILD_CONCURRENCY, and the next when a slot frees', async () => {
    const [a, b, c] = [sleepingJob(), sleepingJob(), sleepingJob()];
    for (const job of [a, b, c]) await h.dispatch(job);

    await eventually('two builds running at once', () => (pidsOf(a) && pidsOf(b)) || undefined, { timeoutMs: 30_000 });
    await sleep(1_500);
    expect(pidsOf(c)).toBeUndefined();

    h.cancel(a.deploymentId);
    await eventually('the third build to start', () => pidsOf(c), { timeoutMs: 30_000 });
    for (const job of [b, c]) h.cancel(job.deploymentId);
    for (const job of [a, b, c]) expect((await h.result(job.deploymentId, 10_000)).outcome).toBe('canceled');
  });

  it('ends the job of a builder that died, when another builder starts', async () => {
    const deploymentId = randomUUID();
    await h.sql(
      `insert into builder.build_jobs (deployment_id, attempt, kind, status, instance_id, step, last_seq, heartbeat_at)
       values ($1, 1, 'build', 'running', 'crashed-builder', 'install', 0, now() - interval '5 minutes')`,
      [deploymentId],
    );

    const replica = await h.startBuilder();
    const result = await h.result(deploymentId, 10_000);
    await h.stopBuilder(replica);

    expect(result).toMatchObject({
      outcome: 'failed',
      failure: { code: 'build/interrupted', step: 'install', message: expect.stringContaining('stopped during the install step') },
      lastSeq: 1,
    });
    expect(await h.logLines(deploymentId, 1)).toEqual([expect.objectContaining({ seq: 1, level: 'error', source: 'system' })]);
    expect((await h.jobRow(deploymentId))?.status).toBe('failed');
  });

  it('on shutdown stops running builds, leaves no process behind and reports them failed', async () => {
    const job = sleepingJob();
    await h.dispatch(job);
    const pids = await eventually('the build to start', () => pidsOf(job), { timeoutMs: 30_000 });

    await h.stopBuilder(h.app);
    expect(pids.filter(isAlive)).toEqual([]);
    // the result is in the outbox; a builder that starts again publishes whatever is left there
    await h.startBuilder();

    const result = await h.result(job.deploymentId, 10_000);
    expect(result).toMatchObject({
      outcome: 'failed',
      failure: { code: 'build/interrupted', step: 'build', message: 'the builder shut down during the build step' },
    });
  });
});
