import type { ResolvedVariable } from '@flightdeck/contracts';
import { releaseEnvironment, stepEnvironment } from './build-environment';

describe('variables by target', () => {
  const base = { PATH: '/usr/bin', HOME: '/workspace/home', TMPDIR: '/workspace/tmp', CI: 'true' };
  const variables: ResolvedVariable[] = [
    { key: 'NPM_TOKEN', value: 'build-only', sensitive: true, target: 'build' },
    { key: 'DATABASE_URL', value: 'runtime-only', sensitive: true, target: 'runtime' },
    { key: 'APP_NAME', value: 'both', sensitive: false, target: 'both' },
    // from an environment-manager older than targets: both
    { key: 'LEGACY', value: 'legacy', sensitive: false },
  ];

  it.each(['install', 'build'] as const)('gives %s the build and both variables, never a runtime-only one', (step) => {
    const env = stepEnvironment(base, variables, step);
    expect(env).toMatchObject({ NPM_TOKEN: 'build-only', APP_NAME: 'both', LEGACY: 'legacy' });
    expect(env).not.toHaveProperty('DATABASE_URL');
  });

  it('gives the running app the runtime and both variables, never a build-only one', () => {
    const env = releaseEnvironment(base, variables);
    expect(env).toMatchObject({ DATABASE_URL: 'runtime-only', APP_NAME: 'both', LEGACY: 'legacy', NODE_ENV: 'production' });
    expect(env).not.toHaveProperty('NPM_TOKEN');
  });
});
