import type { ConfiguredVariable } from '@flightdeck/contracts';
import { configuredVariable, diffConfigurations } from './configuration-diff';

const v = (key: string, value: string, over: Partial<ConfiguredVariable> = {}): ConfiguredVariable => ({
  key,
  sensitive: false,
  value,
  version: '2026-01-01T00:00:00.000Z',
  ...over,
});
const secret = (key: string, version: string): ConfiguredVariable => ({ key, sensitive: true, value: null, version });
const config = (variables: ConfiguredVariable[], settings: Record<string, unknown> = {}) => ({ variables, settings });

describe('a deployment\'s recorded variables', () => {
  it('keep a non-sensitive value, and only the version of a sensitive one', () => {
    expect(configuredVariable({ key: 'GREETING', value: 'hello', sensitive: false, target: 'runtime', level: 'project', updatedAt: '2026-01-02T00:00:00.000Z' })).toEqual({
      key: 'GREETING',
      sensitive: false,
      target: 'runtime',
      level: 'project',
      value: 'hello',
      version: '2026-01-02T00:00:00.000Z',
    });
    const sealed = configuredVariable({ key: 'TOKEN', value: 'tok-123', sensitive: true, updatedAt: '2026-01-02T00:00:00.000Z' });
    expect(sealed).toEqual({ key: 'TOKEN', sensitive: true, value: null, version: '2026-01-02T00:00:00.000Z' });
    expect(JSON.stringify(sealed)).not.toContain('tok-123');
  });
});

describe('config diff', () => {
  it('names each changed, added and removed variable, with values only for non-sensitive ones', () => {
    const before = config([v('GREETING', 'hello'), secret('TOKEN', 'v1'), v('OLD', 'x'), secret('SAME', 'v1')]);
    const after = config([v('GREETING', 'bonjour'), secret('TOKEN', 'v2'), v('NEW', 'y'), secret('SAME', 'v1'), secret('KEY', 'v1')]);
    expect(diffConfigurations(after, before).variables).toEqual([
      { key: 'GREETING', change: 'changed', sensitive: false, from: 'hello', to: 'bonjour' },
      { key: 'KEY', change: 'added', sensitive: true },
      { key: 'NEW', change: 'added', sensitive: false, from: null, to: 'y' },
      { key: 'OLD', change: 'removed', sensitive: false, from: 'x', to: null },
      { key: 'TOKEN', change: 'changed', sensitive: true },
    ]);
  });

  it('shows no value of a variable that became sensitive, and names a new target', () => {
    const diff = diffConfigurations(config([secret('API', 'v2')]), config([v('API', 'was-public', { target: 'build' })]));
    expect(diff.variables).toEqual([{ key: 'API', change: 'changed', sensitive: true, detail: ['target build → both'] }]);
    expect(JSON.stringify(diff)).not.toContain('was-public');
  });

  it('finds nothing between identical configurations', () => {
    const c = config([v('A', '1'), secret('B', 'v1')], { limits: { memoryMb: 512 } });
    expect(diffConfigurations(c, c)).toEqual({ variables: [], settings: [] });
  });

  it('compares environment settings by path', () => {
    const diff = diffConfigurations(
      config([], { type: 'production', limits: { memoryMb: 1024 }, concurrencyPolicy: 'queue' }),
      config([], { type: 'production', limits: { memoryMb: 512, cpus: 1 }, concurrencyPolicy: 'reject' }),
    );
    expect(diff.settings).toEqual([
      { path: 'concurrencyPolicy', from: 'reject', to: 'queue' },
      { path: 'limits.cpus', from: 1, to: null },
      { path: 'limits.memoryMb', from: 512, to: 1024 },
    ]);
  });
});
