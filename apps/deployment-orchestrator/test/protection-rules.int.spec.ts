import { OrchestratorHarness } from './support/orchestrator-harness';

jest.setTimeout(120_000);

// Protection rules of an environment (issue 23), decided by the orchestrator's trigger use case:
// the path every trigger takes (api, cli, webhook, schedule, retry).
describe('protection rules', () => {
  let h: OrchestratorHarness;

  beforeAll(async () => {
    h = await OrchestratorHarness.start({ FLIGHTDECK_TRIGGERS_PER_MINUTE: '10000' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  const count = async (environmentId: string) =>
    Number((await h.sql<{ n: string }>(`select count(*) as n from orchestrator.deployments where environment_id = $1`, [environmentId]))[0].n);

  describe('allowed refs', () => {
    it('refuses a ref matching no pattern with deployment/ref-not-allowed and creates nothing; a matching branch or tag deploys', async () => {
      const { project, production } = h.directory.addProject();
      h.directory.environments.set(production.id, { ...production, allowedRefs: ['main', 'v*'] });

      const refused = await h.trigger(project.id, { sourceRef: 'feature/login' });
      expect(!refused.ok && refused.error.code).toBe('deployment/ref-not-allowed');
      expect(!refused.ok && refused.error.details).toEqual({ ref: 'feature/login', allowedRefs: ['main', 'v*'] });
      // a webhook names its branch in ref, its commit in sourceRef: the branch is what is checked
      const pushed = await h.trigger(project.id, { sourceRef: 'a'.repeat(40), ref: 'develop', trigger: 'webhook' });
      expect(!pushed.ok && pushed.error.code).toBe('deployment/ref-not-allowed');
      const scheduled = await h.trigger(project.id, { sourceRef: 'nightly', trigger: 'schedule' });
      expect(!scheduled.ok && scheduled.error.code).toBe('deployment/ref-not-allowed');
      expect(await count(production.id)).toBe(0);

      const tag = await h.deploy(project.id, { sourceRef: 'v1.4.0' });
      await h.succeed(tag.id);
      const main = await h.deploy(project.id, { sourceRef: 'b'.repeat(40), ref: 'main', trigger: 'webhook' });
      expect(main.sourceRef).toBe('b'.repeat(40));
      expect(await count(production.id)).toBe(2);
    });

    it('allows any ref when the environment sets none', async () => {
      const { project } = h.directory.addProject();
      const d = await h.deploy(project.id, { sourceRef: 'anything/goes' });
      expect(d.sourceRef).toBe('anything/goes');
    });
  });
});
