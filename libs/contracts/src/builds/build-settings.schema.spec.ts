import { BuildSettings, BuildSettingsPatch, applyBuildSettingsPatch } from './build-settings.schema';

describe('deployment strategy in build settings', () => {
  it('takes rolling, blue-green and a canary with rising steps', () => {
    expect(BuildSettings.parse({ strategy: { type: 'rolling' } })).toEqual({ strategy: { type: 'rolling' } });
    expect(BuildSettings.parse({ strategy: { type: 'blue-green', keepWarmSeconds: 300 } }).strategy).toEqual({ type: 'blue-green', keepWarmSeconds: 300 });
    const canary = { type: 'canary', steps: [{ percent: 10, holdSeconds: 60 }, { percent: 50, holdSeconds: 120 }], maxErrorRate: 0.02, minRequests: 50 };
    expect(BuildSettings.parse({ strategy: canary }).strategy).toEqual(canary);
  });

  it('refuses steps that do not rise, a share of 0 or 100, an unknown type or field', () => {
    const steps = (s: { percent: number; holdSeconds: number }[]) => BuildSettings.safeParse({ strategy: { type: 'canary', steps: s } }).success;
    expect(steps([{ percent: 50, holdSeconds: 1 }, { percent: 10, holdSeconds: 1 }])).toBe(false);
    expect(steps([{ percent: 0, holdSeconds: 1 }])).toBe(false);
    expect(steps([{ percent: 100, holdSeconds: 1 }])).toBe(false);
    expect(steps([])).toBe(false);
    expect(BuildSettings.safeParse({ strategy: { type: 'shadow' } }).success).toBe(false);
    expect(BuildSettings.safeParse({ strategy: { type: 'rolling', steps: [] } }).success).toBe(false);
  });

  it('is set and unset (null) by a PATCH like any build setting', () => {
    const set = applyBuildSettingsPatch({ healthCheckPath: '/h' }, BuildSettingsPatch.parse({ strategy: { type: 'blue-green' } }));
    expect(set).toEqual({ healthCheckPath: '/h', strategy: { type: 'blue-green' } });
    expect(applyBuildSettingsPatch(set, BuildSettingsPatch.parse({ strategy: null }))).toEqual({ healthCheckPath: '/h' });
  });
});
