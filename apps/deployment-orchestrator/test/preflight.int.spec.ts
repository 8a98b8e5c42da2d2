import { cancelDeployment } from '@flightdeck/contracts';
import { OrchestratorHarness, anActor } from './support/orchestrator-harness';

jest.setTimeout(120_000);

// The pre-flight as the orchestrator runs it: environment-manager's answer is played by the fake
// directory (configurationProblems); the test plays the builder and reads which jobs went out.
describe('pre-flight', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start({ FLIGHTDECK_TRIGGERS_PER_MINUTE: '1000' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const problems = [
    { key: 'DATABASE_URL', kind: 'missing' as const, message: 'DATABASE_URL is required (.env.example) and not set' },
    { key: 'APP_URL', kind: 'invalid' as const, message: 'APP_URL must be an http(s) URL with a host' },
  ];

  it('fails a deployment whose variables have problems, naming each, and sends no job', async () => {
    const { project, production } = h.directory.addProject();
    h.directory.configurationProblems.set(production.id, problems);
    const d = await h.deploy(project.id);
    const failed = await h.waitFor(d.id, 'failed', (x) => x.status === 'failed');
    expect(failed).toMatchObject({
      errorCode: 'deployment/invalid-configuration',
      errorMessage: '2 variables to fix before a build: DATABASE_URL is required (.env.example) and not set; APP_URL must be an http(s) URL with a host',
      errorClass: { severity: 'recoverable', actions: ['check-variables'] },
      metadata: { preflight: { checked: true, problems } },
    });
    await h.jobsDelivered();
    expect(h.jobsFor(d.id)).toEqual([]);
  });

  it('records skipValidation and sends the job at once', async () => {
    const { project, production } = h.directory.addProject();
    h.directory.configurationProblems.set(production.id, problems);
    const d = await h.deploy(project.id, { skipValidation: true });
    expect(d).toMatchObject({ phase: 'queued', metadata: { skipValidation: true } });
    await h.waitForJob(d.id);
    const history = await h.sql<{ phase: string; reason: string }>(
      `select phase, reason from orchestrator.deployment_transitions where deployment_id = $1 order by id`,
      [d.id],
    );
    expect(history.map((r) => r.phase)).not.toContain('validating');
    expect(history[1].reason).toContain('skipValidation by user user-1');
  });

  it('checks a waiting deployment when its turn comes, and the queue goes on past it', async () => {
    const { project, production } = h.directory.addProject();
    h.directory.environments.set(production.id, { ...production, concurrencyPolicy: 'queue' });
    const first = await h.deploy(project.id);
    await h.waitForJob(first.id);
    const second = await h.deploy(project.id);
    const third = await h.deploy(project.id);
    expect([second.phase, third.phase]).toEqual(['waiting', 'waiting']);
    h.directory.configurationProblems.set(second.id, problems);
    await h.succeed(first.id);
    await h.waitFor(second.id, 'failed by its pre-flight', (x) => x.errorCode === 'deployment/invalid-configuration');
    // the failed one ended: the next in line takes its turn, is checked, and goes out
    const third2 = await h.waitFor(third.id, 'dispatched', (x) => x.phase === 'queued');
    expect(third2.metadata.preflight).toMatchObject({ checked: true, problems: [] });
    await h.waitForJob(third.id);
    expect(h.jobsFor(second.id)).toEqual([]);
  });

  it('can be canceled while it validates; the pre-flight then changes nothing', async () => {
    const { project } = h.directory.addProject();
    h.directory.preflightDelayMs = 1_500;
    try {
      const d = await h.deploy(project.id);
      expect(d.phase).toBe('validating');
      const canceled = await h.bus.request(cancelDeployment, { deploymentId: d.id, actor: anActor() });
      expect(canceled.ok && canceled.data.status).toBe('canceled');
      // the answer arrives after the cancel: the runner finds the deployment no longer validating
      await new Promise((r) => setTimeout(r, 2_000));
      await h.jobsDelivered();
      expect(h.jobsFor(d.id)).toEqual([]);
      const after = await h.get(d.id);
      expect(after.status).toBe('canceled');
      expect(after.metadata.preflight).toBeUndefined();
    } finally {
      h.directory.preflightDelayMs = 0;
    }
  });
});
