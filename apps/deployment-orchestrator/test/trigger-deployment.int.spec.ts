import { randomUUID } from 'node:crypto';
import { type CommandRequest, getDeployment, listDeployments, retryDeployment } from '@flightdeck/contracts';
import { eventually } from '@flightdeck/testing';
import { OrchestratorHarness, anActor } from './support/orchestrator-harness';

jest.setTimeout(120_000);

describe('trigger deployment', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('queues the deployment in the default environment and dispatches exactly one build job', async () => {
    const { project, production } = h.directory.addProject('shop');
    const r = await h.trigger(project.id, { message: 'first', idempotencyKey: undefined });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const d = r.data.deployment;
    expect(r.data.replayed).toBe(false);
    expect(d).toMatchObject({
      projectId: project.id,
      environmentId: production.id,
      sourceRef: 'main',
      message: 'first',
      status: 'queued',
      // its job goes out once the pre-flight has checked its variables
      phase: 'validating',
      trigger: 'api',
      triggeredBy: 'user-1',
      attempt: 1,
    });
    expect(d.queuedAt).toBeTruthy();

    const job = await h.waitForJob(d.id);
    expect(job).toEqual({
      deploymentId: d.id,
      attempt: 1,
      kind: 'build',
      projectId: project.id,
      projectName: 'shop',
      environmentId: production.id,
      environmentName: 'production',
      repositoryUrl: project.repositoryUrl,
      sourceRef: 'main',
    });
    await h.jobsDelivered();
    expect(h.jobsFor(d.id)).toHaveLength(1);

    const history = await h.sql<{ from_status: string | null; to_status: string }>(
      `select from_status, to_status from orchestrator.deployment_transitions where deployment_id = $1 order by id`,
      [d.id],
    );
    expect(history).toEqual([
      { from_status: null, to_status: 'created' },
      { from_status: 'created', to_status: 'queued' },
      // the pre-flight passed: phase validating → queued, the job sent
      { from_status: 'queued', to_status: 'queued' },
    ]);
    const events = await eventually('the three status events', async () => (h.eventsFor(d.id).length >= 3 ? h.eventsFor(d.id) : undefined));
    expect(events.map((e) => [e.transition.from, e.transition.to, e.transition.phase])).toEqual([
      [null, 'created', 'queued'],
      ['created', 'queued', 'validating'],
      ['queued', 'queued', 'queued'],
    ]);
  });

  it('deploys to the environment asked for', async () => {
    const { project } = h.directory.addProject();
    const staging = h.directory.addEnvironment(project, 'staging');
    const d = await h.deploy(project.id, { environmentId: staging.id });
    expect(d.environmentId).toBe(staging.id);
    expect((await h.waitForJob(d.id)).environmentName).toBe('staging');
  });

  it('returns the same deployment for the same idempotency key, and one job only', async () => {
    const { project } = h.directory.addProject();
    const first = await h.trigger(project.id, { idempotencyKey: 'key-1' });
    const again = await h.trigger(project.id, { idempotencyKey: 'key-1', sourceRef: 'other' });
    expect(first.ok && again.ok).toBe(true);
    if (!first.ok || !again.ok) return;
    expect(again.data).toEqual({ deployment: first.data.deployment, replayed: true });
    await h.waitForJob(first.data.deployment.id);
    await h.jobsDelivered();
    expect(h.jobsFor(first.data.deployment.id)).toHaveLength(1);
  });

  it('answers concurrent triggers with one idempotency key with one deployment', async () => {
    const { project } = h.directory.addProject();
    const replies = await Promise.all(Array.from({ length: 5 }, () => h.trigger(project.id, { idempotencyKey: 'race' })));
    const ids = new Set(replies.map((r) => (r.ok ? r.data.deployment.id : r.error.code)));
    expect(ids.size).toBe(1);
    expect(replies.filter((r) => r.ok && !r.data.replayed)).toHaveLength(1);
  });

  it('refuses a second trigger while one is active in the environment', async () => {
    const { project } = h.directory.addProject();
    const first = await h.deploy(project.id);
    const second = await h.trigger(project.id);
    expect(second).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'deployment/already-running', details: { deploymentId: first.id } }),
    });
    const page = await h.bus.request(listDeployments, { projectId: project.id, limit: 20, offset: 0 });
    expect(page.ok && page.data.total).toBe(1);
  });

  it('lets only one of many concurrent triggers win', async () => {
    const { project } = h.directory.addProject();
    const replies = await Promise.all(Array.from({ length: 6 }, () => h.trigger(project.id)));
    expect(replies.filter((r) => r.ok)).toHaveLength(1);
    expect(replies.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(Array(5).fill('deployment/already-running'));
  });

  it('refuses the eleventh trigger of a project within a minute with deployment/rate-limited and when to retry', async () => {
    const { project } = h.directory.addProject('busy');
    const other = h.directory.addProject('calm').project;
    // forced, so that each of the ten is stored (a refused 409 is not a trigger)
    for (let i = 0; i < 10; i++) expect((await h.trigger(project.id, { force: true, idempotencyKey: undefined })).ok).toBe(true);
    const eleventh = await h.trigger(project.id, { force: true, idempotencyKey: undefined });
    expect(eleventh.ok).toBe(false);
    if (eleventh.ok) return;
    expect(eleventh.error.code).toBe('deployment/rate-limited');
    expect(eleventh.error.details).toMatchObject({ limitPerMinute: 10, retryAfterSeconds: expect.any(Number) });
    const { retryAfterSeconds } = eleventh.error.details as { retryAfterSeconds: number };
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(60);
    const stored = await h.sql<{ n: number }>('select count(*)::int as n from orchestrator.deployments where project_id = $1', [project.id]);
    expect(stored).toEqual([{ n: 10 }]);
    // another project is not held back by it
    expect((await h.trigger(other.id, { idempotencyKey: undefined })).ok).toBe(true);
  });

  it("keeps a trigger's own variables with the deployment, and a retry keeps its parent's", async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id, { idempotencyKey: undefined, variables: { GREETING: 'bonjour' } });
    expect(d.metadata).toMatchObject({ triggerVariables: { GREETING: 'bonjour' } });
    await h.result({ deploymentId: d.id, outcome: 'failed', failure: { code: 'deployment/build-failed', message: 'x' } });
    await h.waitFor(d.id, 'failed', (x) => x.status === 'failed');
    const retry = await h.bus.request(retryDeployment, { deploymentId: d.id, actor: anActor() });
    expect(retry.ok && retry.data.metadata).toMatchObject({ triggerVariables: { GREETING: 'bonjour' } });
  });

  it('refuses trigger variables with a bad key or a control character, naming them', async () => {
    const { project } = h.directory.addProject();
    const badKey = await h.trigger(project.id, { variables: { '9BAD': 'x' } });
    expect(!badKey.ok && badKey.error.code).toBe('validation/invalid-input');
    const control = await h.trigger(project.id, { variables: { GREETING: 'a\u001bb' } });
    expect(!control.ok && control.error.message).toMatch(/GREETING may not hold control characters/);
  });

  it('holds a project to its own trigger rate limit when it has one', async () => {
    const { project } = h.directory.addProject('slow');
    project.triggersPerMinute = 3;
    for (let i = 0; i < 3; i++) expect((await h.trigger(project.id, { force: true, idempotencyKey: undefined })).ok).toBe(true);
    const fourth = await h.trigger(project.id, { force: true, idempotencyKey: undefined });
    expect(!fourth.ok && fourth.error).toMatchObject({ code: 'deployment/rate-limited', details: { limitPerMinute: 3 } });
  });

  it('with force, cancels the active deployment and queues the new one', async () => {
    const { project } = h.directory.addProject();
    const old = await h.deploy(project.id);
    await h.progress({ deploymentId: old.id, stage: 'building', phase: 'building' });
    await h.waitFor(old.id, 'building', (d) => d.status === 'building');

    const forced = await h.deploy(project.id, { force: true });
    expect(forced.status).toBe('queued');
    const canceled = await h.get(old.id);
    expect(canceled).toMatchObject({ status: 'canceled', errorCode: 'deployment/canceled' });
    expect(canceled.errorMessage).toContain(forced.id);
    await eventually('the builder to be told to stop', async () => h.cancelRequests.find((c) => c.deploymentId === old.id));
    await h.waitForJob(forced.id);
    await h.jobsDelivered();
    expect(h.jobsFor(forced.id)).toHaveLength(1);
  });

  it('does not let a forced retry with the same key cancel its own deployment', async () => {
    const { project } = h.directory.addProject();
    const first = await h.deploy(project.id, { idempotencyKey: 'k-force', force: true });
    const retry = await h.trigger(project.id, { idempotencyKey: 'k-force', force: true });
    expect(retry).toEqual({ ok: true, data: { deployment: first, replayed: true } });
    expect((await h.get(first.id)).status).toBe('queued');
  });

  it('names an unknown project or environment', async () => {
    const unknownProject = await h.trigger(randomUUID());
    expect(!unknownProject.ok && unknownProject.error.code).toBe('project/not-found');
    const { project } = h.directory.addProject();
    const other = h.directory.addProject();
    const unknownEnv = await h.trigger(project.id, { environmentId: randomUUID() });
    expect(!unknownEnv.ok && unknownEnv.error.code).toBe('deployment/environment-not-found');
    const foreignEnv = await h.trigger(project.id, { environmentId: other.production.id });
    expect(!foreignEnv.ok && foreignEnv.error.code).toBe('deployment/environment-not-found');
  });

  it('rejects malformed requests naming the field', async () => {
    const r = await h.trigger('not-a-uuid' as string, { sourceRef: '' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('validation/invalid-input');
    expect(r.error.message).toMatch(/projectId/);
    expect(r.error.message).toMatch(/sourceRef/);
  });

  it('reports service/unavailable when environment-manager does not answer', async () => {
    h.directory.stop();
    try {
      const r = await h.trigger(randomUUID());
      expect(!r.ok && r.error.code).toBe('service/unavailable');
    } finally {
      h.directory.start();
    }
  });
});

describe('reading deployments', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('pages a project\'s deployments newest first, filtered by status', async () => {
    const { project } = h.directory.addProject();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await h.deploy(project.id);
      ids.push(d.id);
      await h.succeed(d.id);
    }
    const last = await h.deploy(project.id);

    const all = await h.bus.request(listDeployments, { projectId: project.id, limit: 2, offset: 0 });
    expect(all.ok && all.data).toMatchObject({ total: 4, limit: 2, offset: 0, hasMore: true });
    expect(all.ok && all.data.items.map((d) => d.id)).toEqual([last.id, ids[2]]);
    const rest = await h.bus.request(listDeployments, { projectId: project.id, limit: 2, offset: 2 });
    expect(rest.ok && rest.data.items.map((d) => d.id)).toEqual([ids[1], ids[0]]);
    expect(rest.ok && rest.data.hasMore).toBe(false);

    const queued = await h.bus.request(listDeployments, { projectId: project.id, limit: 20, offset: 0, status: 'queued' });
    expect(queued.ok && queued.data.items.map((d) => d.id)).toEqual([last.id]);
  });

  it("filters a project's deployments by environment, trigger, ref, commit, author and time, and sorts them", async () => {
    const { project, production } = h.directory.addProject();
    const staging = h.directory.addEnvironment(project, 'staging');
    const a = await h.deploy(project.id, { sourceRef: 'main', trigger: 'cli', actor: anActor({ id: 'ada' }) });
    await h.succeed(a.id, { commit: { sha: 'abc1234def', message: 'a', author: 'Ada' } });
    const between = new Date().toISOString();
    const b = await h.deploy(project.id, { sourceRef: 'feature/x', environmentId: staging.id, actor: anActor({ id: 'bob' }) });
    await h.succeed(b.id, { commit: { sha: 'fedcba9876', message: 'b', author: 'Bob' } });
    const c = await h.deploy(project.id, { sourceRef: 'main', trigger: 'cli', actor: anActor({ id: 'ada' }) });
    const list = async (q: Partial<CommandRequest<typeof listDeployments>>) => {
      const r = await h.bus.request(listDeployments, { projectId: project.id, limit: 20, offset: 0, ...q });
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return r.data.items.map((d) => d.id);
    };
    expect(await list({ environmentId: production.id })).toEqual([c.id, a.id]);
    expect(await list({ environmentId: staging.id })).toEqual([b.id]);
    expect(await list({ trigger: 'cli' })).toEqual([c.id, a.id]);
    expect(await list({ sourceRef: 'feature/x' })).toEqual([b.id]);
    expect(await list({ commitSha: 'ABC12' })).toEqual([a.id]);
    expect(await list({ triggeredBy: 'ada', status: 'succeeded' })).toEqual([a.id]);
    expect(await list({ createdAfter: between })).toEqual([c.id, b.id]);
    expect(await list({ createdBefore: between })).toEqual([a.id]);
    expect(await list({ sortOrder: 'asc' })).toEqual([a.id, b.id, c.id]);
    // the one still running has no finish time: last either way
    expect((await list({ sortBy: 'finishedAt' })).at(-1)).toBe(c.id);
    expect(await list({ sortBy: 'finishedAt', sortOrder: 'asc' })).toEqual([a.id, b.id, c.id]);
    const bad = await h.bus.request(listDeployments, { projectId: project.id, limit: 20, offset: 0, commitSha: 'xyz%' });
    expect(!bad.ok && bad.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringContaining('commitSha') });
  });

  it('answers not-found for an unknown deployment or project', async () => {
    const d = await h.bus.request(getDeployment, { deploymentId: randomUUID() });
    expect(!d.ok && d.error.code).toBe('deployment/not-found');
    const list = await h.bus.request(listDeployments, { projectId: randomUUID(), limit: 20, offset: 0 });
    expect(!list.ok && list.error.code).toBe('project/not-found');
  });

  it('keeps who triggered it', async () => {
    const { project } = h.directory.addProject();
    const d = await h.deploy(project.id, { actor: anActor({ id: 'token-7', kind: 'token' }), trigger: 'cli' });
    expect(await h.get(d.id)).toMatchObject({ triggeredBy: 'token-7', trigger: 'cli' });
  });
});
