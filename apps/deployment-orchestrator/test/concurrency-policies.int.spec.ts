import type { INestApplication } from '@nestjs/common';
import { type ConcurrencyPolicy, type Environment, MAX_QUEUED, type Project, triggerDeployment } from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
import { OrchestratorHarness, anActor } from './support/orchestrator-harness';

jest.setTimeout(180_000);

// 50 triggers at once on one environment, answered by two orchestrator replicas, under each policy.
// The test plays the builder (it takes the jobs and reports results) and reads what a user sees:
// each trigger's answer, each deployment's status and reason, which jobs went out and in what order.
describe('concurrency policies under 50 simultaneous triggers', () => {
  const settings = { FLIGHTDECK_TRIGGERS_PER_MINUTE: '10000' };
  let h: OrchestratorHarness;
  let replica: INestApplication;

  beforeAll(async () => {
    h = await OrchestratorHarness.start(settings);
    replica = await h.startReplica(settings);
  });
  afterAll(async () => {
    await replica?.close();
    await h?.stop();
  });

  const environmentWith = (policy: ConcurrencyPolicy): { project: Project; env: Environment } => {
    const { project, production } = h.directory.addProject();
    const env = { ...production, concurrencyPolicy: policy };
    h.directory.environments.set(env.id, env);
    return { project, env };
  };

  // 50 transactions in a row on one environment's lock: on a loaded machine the last answer may
  // take longer than a client's usual 5 s, and a timed-out request is not a refusal
  const triggerAtOnce = (projectId: string, n: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        h.bus.request(triggerDeployment, { projectId, sourceRef: 'main', trigger: 'api', actor: anActor(), message: `push ${i}` }, { timeoutMs: 60_000 }),
      ),
    );

  const accepted = (answers: Awaited<ReturnType<typeof triggerAtOnce>>) =>
    answers.flatMap((a) => (a.ok ? [a.data.deployment.id] : []));

  /** the environment's deployments in the order their triggers were accepted */
  const inTriggerOrder = (environmentId: string) =>
    h.sql<{ id: string; status: string; phase: string; reason: string | null }>(
      `select d.id, d.status, d.phase,
              (select t.reason from orchestrator.deployment_transitions t where t.deployment_id = d.id order by t.id desc limit 1) as reason
         from orchestrator.deployments d where d.environment_id = $1 order by d.queue_seq`,
      [environmentId],
    );

  /** deployments of the environment that hold its one running place (what the builder may work on) */
  const runningIn = async (environmentId: string) =>
    (await inTriggerOrder(environmentId)).filter((d) => !['succeeded', 'failed', 'canceled', 'timeout'].includes(d.status) && d.phase !== 'waiting');

  it('reject: one runs, the other 49 get deployment/already-running', async () => {
    const { project, env } = environmentWith('reject');
    const answers = await triggerAtOnce(project.id, 50);
    const ids = accepted(answers);
    expect(ids).toHaveLength(1);
    const refused = answers.filter((a) => !a.ok);
    expect(refused).toHaveLength(49);
    for (const r of refused) if (!r.ok) expect(r.error.code).toBe('deployment/already-running');
    expect(await inTriggerOrder(env.id)).toHaveLength(1);
    await h.waitForJob(ids[0]);
    await h.succeed(ids[0]);
  });

  it('queue: all 50 run, one after another, in the order they were accepted, never two at once', async () => {
    const { project, env } = environmentWith('queue');
    const answers = await triggerAtOnce(project.id, 50);
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    const order = (await inTriggerOrder(env.id)).map((d) => d.id);
    expect(order).toHaveLength(50);
    const waiting = (await inTriggerOrder(env.id)).filter((d) => d.phase === 'waiting');
    expect(waiting).toHaveLength(49);
    expect(waiting[0].status).toBe('queued');
    expect(waiting[0].reason).toMatch(/waiting for its turn \(policy queue\)/);

    const ran: string[] = [];
    for (let i = 0; i < 50; i++) {
      const job = await eventually(`job ${i + 1} of 50`, async () => h.jobs.find((j) => j.environmentId === env.id && !ran.includes(j.deploymentId)), {
        timeoutMs: 30_000,
      });
      ran.push(job.deploymentId);
      const running = await runningIn(env.id);
      expect(running.map((d) => d.id)).toEqual([job.deploymentId]);
      await h.succeed(job.deploymentId);
    }
    expect(ran).toEqual(order);
    const end = await inTriggerOrder(env.id);
    expect(end.every((d) => d.status === 'succeeded')).toBe(true);
    // each ran once: one job per deployment
    for (const id of order) expect(h.jobsFor(id)).toHaveLength(1);
  });

  it('supersede: the first runs, the newest waits and then runs, the 48 between are canceled as superseded', async () => {
    const { project, env } = environmentWith('supersede');
    const answers = await triggerAtOnce(project.id, 50);
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    const all = await inTriggerOrder(env.id);
    const [first, ...rest] = all;
    const newest = rest[rest.length - 1];
    const between = rest.slice(0, -1);
    expect(between).toHaveLength(48);
    for (const d of between) {
      expect(d.status).toBe('canceled');
      expect(d.reason).toMatch(/superseded by newer deployment .* before its turn \(policy supersede\)/);
    }
    expect(newest).toMatchObject({ status: 'queued', phase: 'waiting' });
    await h.waitForJob(first.id);
    expect(between.flatMap((d) => h.jobsFor(d.id))).toEqual([]);
    await h.succeed(first.id);
    await h.waitForJob(newest.id);
    await h.succeed(newest.id);
    expect(h.jobs.filter((j) => j.environmentId === env.id).map((j) => j.deploymentId)).toEqual([first.id, newest.id]);
  });

  it('cancel-in-progress: the newest runs, the 49 before it end canceled by it', async () => {
    const { project, env } = environmentWith('cancel-in-progress');
    const answers = await triggerAtOnce(project.id, 50);
    expect(answers.filter((a) => !a.ok)).toEqual([]);
    const all = await inTriggerOrder(env.id);
    const newest = all[all.length - 1];
    const older = all.slice(0, -1);
    for (const [i, d] of older.entries()) {
      expect(d.status).toBe('canceled');
      expect(d.reason).toContain(`superseded by deployment ${all[i + 1].id} (policy cancel-in-progress)`);
    }
    expect(newest.status).toBe('queued');
    // each canceled one that had a job was told to stop it
    await eventually('cancel requests for the canceled ones', async () =>
      older.every((d) => h.jobsFor(d.id).length === 0 || h.cancelRequests.some((c) => c.deploymentId === d.id)),
    );
    await h.waitForJob(newest.id);
    const done = await h.succeed(newest.id);
    expect(done.status).toBe('succeeded');
  });

  it(`queue: the ${MAX_QUEUED + 1}st waiting trigger is refused with deployment/queue-full and changes nothing`, async () => {
    const { project, env } = environmentWith('queue');
    for (let i = 0; i <= MAX_QUEUED; i++) await h.deploy(project.id, { message: `push ${i}` });
    const before = await inTriggerOrder(env.id);
    expect(before.filter((d) => d.phase === 'waiting')).toHaveLength(MAX_QUEUED);
    const full = await h.trigger(project.id, { message: 'one too many' });
    expect(full.ok).toBe(false);
    if (!full.ok) {
      expect(full.error.code).toBe('deployment/queue-full');
      expect(full.error.message).toContain(`at most ${MAX_QUEUED}`);
    }
    expect(await inTriggerOrder(env.id)).toEqual(before);
    // a forced trigger still wins: everything waiting and running is canceled
    const forced = await h.deploy(project.id, { force: true });
    const after = await inTriggerOrder(env.id);
    expect(after.filter((d) => d.status !== 'canceled').map((d) => d.id)).toEqual([forced.id]);
  });
});
