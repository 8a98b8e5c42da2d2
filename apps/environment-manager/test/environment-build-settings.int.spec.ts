import { randomUUID } from 'node:crypto';
import { type UpdateEnvironmentRequest, getEnvironment, updateEnvironment } from '@flightdeck/contracts';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

describe("an environment's build settings", () => {
  let h: EnvironmentManagerHarness;
  beforeAll(async () => (h = await EnvironmentManagerHarness.start()));
  afterAll(async () => h?.stop());

  const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const stored = async (environmentId: string) =>
    (await h.sql<{ build_settings: unknown }>('select build_settings from environments.environments where id = $1', [environmentId]))[0].build_settings;

  it('starts empty (everything detected), is set field by field by PATCH, and null unsets one', async () => {
    const { project, production } = await h.project(unique('bs'));
    expect(production.buildSettings).toEqual({});
    const at = { projectId: project.id, environmentId: production.id };

    const set = await h.bus.request(updateEnvironment, {
      ...at,
      buildSettings: { rootDirectory: './apps/web/', buildCommand: 'npm run build:prod', outputDirectory: 'dist', nodeVersion: '20', skipBuild: false },
    });
    expect(set.ok && set.data.buildSettings).toEqual({ rootDirectory: 'apps/web', buildCommand: 'npm run build:prod', outputDirectory: 'dist', nodeVersion: '20', skipBuild: false });

    const changed = await h.bus.request(updateEnvironment, { ...at, buildSettings: { buildCommand: null, framework: 'vite' } });
    expect(changed.ok && changed.data.buildSettings).toEqual({ rootDirectory: 'apps/web', outputDirectory: 'dist', nodeVersion: '20', skipBuild: false, framework: 'vite' });
    // what the orchestrator reads at trigger time
    const looked = await h.bus.request(getEnvironment, { environmentId: production.id });
    expect(looked.ok && looked.data.buildSettings).toMatchObject({ rootDirectory: 'apps/web', framework: 'vite' });
    expect(await stored(production.id)).toMatchObject({ rootDirectory: 'apps/web', framework: 'vite' });
  });

  it('keeps a deployment strategy (issue 17) as a build setting, which the orchestrator reads with the rest', async () => {
    const { project, production } = await h.project(unique('bs-strategy'));
    const at = { projectId: project.id, environmentId: production.id };
    const canary = { type: 'canary' as const, steps: [{ percent: 10, holdSeconds: 60 }, { percent: 50, holdSeconds: 120 }], maxErrorRate: 0.02 };
    const set = await h.bus.request(updateEnvironment, { ...at, buildSettings: { strategy: canary, healthCheckPath: '/health' } });
    expect(set.ok && set.data.buildSettings).toEqual({ strategy: canary, healthCheckPath: '/health' });
    const looked = await h.bus.request(getEnvironment, { environmentId: production.id });
    expect(looked.ok && looked.data.buildSettings?.strategy).toEqual(canary);
    const unset = await h.bus.request(updateEnvironment, { ...at, buildSettings: { strategy: null } });
    expect(unset.ok && unset.data.buildSettings).toEqual({ healthCheckPath: '/health' });
  });

  it.each([
    ['a rootDirectory leaving the repository', { rootDirectory: 'apps/../../etc' }, /^buildSettings\.rootDirectory: must stay inside the repository/],
    ['an absolute rootDirectory', { rootDirectory: '/etc' }, /^buildSettings\.rootDirectory: must be relative to the repository root/],
    ['an absolute outputDirectory', { outputDirectory: '/var/www' }, /^buildSettings\.outputDirectory: must be relative/],
    ['a nodeVersion that is not a version', { nodeVersion: 'latest' }, /^buildSettings\.nodeVersion: must be a major/],
    ['a healthCheckPath without its slash', { healthCheckPath: 'health' }, /^buildSettings\.healthCheckPath: must be a path starting with "\/"/],
    ['a multi-line command', { buildCommand: 'npm run build\nrm -rf /' }, /^buildSettings\.buildCommand: must be one line/],
    ['an unknown setting', { buildDir: 'dist' }, /'buildDir'/],
    ['canary steps that do not rise', { strategy: { type: 'canary', steps: [{ percent: 50, holdSeconds: 60 }, { percent: 10, holdSeconds: 60 }] } }, /^buildSettings\.strategy\.steps: each step must send more clients/],
    ['an unknown strategy', { strategy: { type: 'shadow' } }, /^buildSettings\.strategy\.type: /],
  ])('refuses %s, naming the field, and changes nothing', async (_what, buildSettings, message) => {
    const { project, production } = await h.project(unique('bs-bad'));
    await h.bus.request(updateEnvironment, { projectId: project.id, environmentId: production.id, buildSettings: { installCommand: 'npm ci' } });
    const r = await h.bus.request(updateEnvironment, {
      projectId: project.id,
      environmentId: production.id,
      buildSettings,
    } as UpdateEnvironmentRequest);
    expect(!r.ok && r.error.code).toBe('validation/invalid-input');
    expect(!r.ok && r.error.message).toMatch(message);
    expect(await stored(production.id)).toEqual({ installCommand: 'npm ci' });
  });
});
