import { randomUUID } from 'node:crypto';
import {
  type EnvironmentLimits,
  getEnvironment,
  listEnvironments,
  setEnvironmentLimits,
} from '@flightdeck/contracts';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

const LIMITS: EnvironmentLimits = {
  build: {
    memoryMb: 2048,
    processes: 256,
    cpus: 1.5,
    diskMb: 4096,
    installTimeoutSeconds: 600,
    buildTimeoutSeconds: 900,
  },
  release: { memoryMb: 512, processes: 64, cpus: 0.5 },
};

describe('environment limits', () => {
  let h: EnvironmentManagerHarness;

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
  });

  const stored = async (environmentId: string) =>
    (
      await h.sql<{ limits: unknown }>('select limits from environments.environments where id = $1', [
        environmentId,
      ])
    )[0].limits;

  const read = async (environmentId: string) => {
    const r = await h.bus.request(getEnvironment, { environmentId });
    if (!r.ok) throw new Error(`get environment failed: ${r.error.code}`);
    return r.data.limits;
  };

  it('sets limits, and every read of the environment carries them', async () => {
    const { project, production } = await h.project('limits-set');
    const r = await h.bus.request(setEnvironmentLimits, {
      projectId: project.id,
      environmentId: production.id,
      limits: LIMITS,
    });
    expect(r).toEqual({ ok: true, data: { ...production, limits: LIMITS } });

    expect(await read(production.id)).toEqual(LIMITS);
    const envs = await h.bus.request(listEnvironments, { projectId: project.id });
    expect(envs.ok && envs.data.items.map((e) => e.limits)).toEqual([LIMITS]);
    expect(await stored(production.id)).toEqual(LIMITS);
  });

  it('replaces the whole object: what the new one leaves out is unset again', async () => {
    const { project, production } = await h.project('limits-replace');
    const ids = { projectId: project.id, environmentId: production.id };
    await h.bus.request(setEnvironmentLimits, { ...ids, limits: LIMITS });
    const r = await h.bus.request(setEnvironmentLimits, {
      ...ids,
      limits: { build: { buildTimeoutSeconds: 120 } },
    });
    expect(r.ok && r.data.limits).toEqual({ build: { buildTimeoutSeconds: 120 } });
    expect(await read(production.id)).toEqual({ build: { buildTimeoutSeconds: 120 } });
  });

  it('clears them back to the defaults with {}', async () => {
    const { project, production } = await h.project('limits-clear');
    const ids = { projectId: project.id, environmentId: production.id };
    await h.bus.request(setEnvironmentLimits, { ...ids, limits: LIMITS });
    const r = await h.bus.request(setEnvironmentLimits, { ...ids, limits: {} });
    expect(r.ok && r.data.limits).toEqual({});
    expect(await read(production.id)).toEqual({});
    expect(await stored(production.id)).toEqual({});
  });

  it.each([
    ['a memory limit below the minimum', { build: { memoryMb: 5 } }, /^limits\.build\.memoryMb: /],
    ['a fractional process count', { release: { processes: 10.5 } }, /^limits\.release\.processes: /],
    [
      'a timeout given as text',
      { build: { installTimeoutSeconds: '600' } },
      /^limits\.build\.installTimeoutSeconds: /,
    ],
    ['an unknown section', { deploy: { memoryMb: 512 } }, /^limits: .*'deploy'/],
    ['an unknown field of a section', { release: { diskMb: 1024 } }, /^limits\.release: .*'diskMb'/],
    ['a section that is null', { build: null }, /^limits\.build: /],
  ])('refuses %s, naming it, and changes nothing', async (_what, limits, message) => {
    const { project, production } = await h.project(`limits-bad-${randomUUID().slice(0, 8)}`);
    const ids = { projectId: project.id, environmentId: production.id };
    await h.bus.request(setEnvironmentLimits, { ...ids, limits: LIMITS });

    const r = await h.bus.request(setEnvironmentLimits, { ...ids, limits: limits as never });
    expect(!r.ok && r.error.code).toBe('validation/invalid-input');
    expect(!r.ok && r.error.message).toMatch(message);
    expect(await stored(production.id)).toEqual(LIMITS);
  });

  it('answers environment-not-found for an unknown environment or project', async () => {
    const { project, production } = await h.project('limits-unknown');
    const unknownEnv = await h.bus.request(setEnvironmentLimits, {
      projectId: project.id,
      environmentId: randomUUID(),
      limits: LIMITS,
    });
    expect(!unknownEnv.ok && unknownEnv.error.code).toBe('deployment/environment-not-found');
    const unknownProject = await h.bus.request(setEnvironmentLimits, {
      projectId: randomUUID(),
      environmentId: production.id,
      limits: LIMITS,
    });
    expect(!unknownProject.ok && unknownProject.error.code).toBe('deployment/environment-not-found');
    expect(await stored(production.id)).toEqual({});
  });

  it("does not change another project's environment", async () => {
    const mine = await h.project('limits-mine');
    const theirs = await h.project('limits-theirs');
    const r = await h.bus.request(setEnvironmentLimits, {
      projectId: mine.project.id,
      environmentId: theirs.production.id,
      limits: LIMITS,
    });
    expect(!r.ok && r.error.code).toBe('deployment/environment-not-found');
    expect(await read(theirs.production.id)).toEqual({});
    expect(await stored(theirs.production.id)).toEqual({});
  });
});
