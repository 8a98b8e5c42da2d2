import { randomUUID } from 'node:crypto';
import { getEnvironment, listEnvironments, setEnvironmentConcurrency } from '@flightdeck/contracts';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

describe('environment concurrency policy', () => {
  let h: EnvironmentManagerHarness;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const policyOf = async (environmentId: string) => {
    const r = await h.bus.request(getEnvironment, { environmentId });
    if (!r.ok) throw new Error(`get environment failed: ${r.error.code}`);
    return r.data.concurrencyPolicy;
  };

  it('is reject for a new environment, as before policies existed', async () => {
    const { production } = await h.project('concurrency-default');
    expect(production.concurrencyPolicy).toBe('reject');
    expect(await policyOf(production.id)).toBe('reject');
  });

  it('is set per environment, and every read of the environment carries it', async () => {
    const { project, production } = await h.project('concurrency-set');
    const r = await h.bus.request(setEnvironmentConcurrency, { projectId: project.id, environmentId: production.id, policy: 'queue' });
    expect(r).toEqual({ ok: true, data: { ...production, concurrencyPolicy: 'queue' } });
    expect(await policyOf(production.id)).toBe('queue');
    const envs = await h.bus.request(listEnvironments, { projectId: project.id });
    expect(envs.ok && envs.data.items.map((e) => e.concurrencyPolicy)).toEqual(['queue']);
  });

  it('refuses an unknown policy, naming it, and changes nothing', async () => {
    const { project, production } = await h.project('concurrency-bad');
    const r = await h.bus.request(setEnvironmentConcurrency, { projectId: project.id, environmentId: production.id, policy: 'parallel' as never });
    expect(!r.ok && r.error.code).toBe('validation/invalid-input');
    expect(!r.ok && r.error.message).toMatch(/^policy: /);
    expect(await policyOf(production.id)).toBe('reject');
  });

  it("does not change another project's environment, nor an unknown one", async () => {
    const mine = await h.project('concurrency-mine');
    const theirs = await h.project('concurrency-theirs');
    const r = await h.bus.request(setEnvironmentConcurrency, { projectId: mine.project.id, environmentId: theirs.production.id, policy: 'supersede' });
    expect(!r.ok && r.error.code).toBe('deployment/environment-not-found');
    expect(await policyOf(theirs.production.id)).toBe('reject');
    const unknown = await h.bus.request(setEnvironmentConcurrency, { projectId: mine.project.id, environmentId: randomUUID(), policy: 'queue' });
    expect(!unknown.ok && unknown.error.code).toBe('deployment/environment-not-found');
  });
});
