import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKSPACE_ROOT } from '@flightdeck/testing';
import { SERVICE_SETTINGS, isKnownSetting, unknownSettings } from '../../scripts/service-settings';
import { StackSettings } from '../../scripts/stack-settings';

// The README's configuration table is the operator's contract: it and the schemas the services
// parse must name the same settings.
const documented = (): string[] => {
  const readme = readFileSync(join(WORKSPACE_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
  const names: string[] = [];
  for (const row of section.split('\n').filter((l) => l.startsWith('| `'))) {
    const firstCell = row.split('|')[1];
    for (const m of firstCell.matchAll(/`([A-Z][A-Z0-9_]*(?:<[A-Z]+>)?)`/g)) names.push(m[1]);
  }
  return names;
};

describe('the README configuration table', () => {
  it('documents every setting a service or npm start reads', () => {
    const names = new Set(documented());
    const declared = [...Object.values(SERVICE_SETTINGS).flatMap((s) => Object.keys(s.shape)), ...Object.keys(StackSettings.shape)];
    expect([...new Set(declared)].filter((k) => !names.has(k))).toEqual([]);
  });

  it('documents no setting that nothing reads', () => {
    const stray = documented().filter((n) => !isKnownSetting(n.replace(/<[A-Z]+>$/, 'GATEWAY')));
    expect(stray).toEqual([]);
  });
});

describe('unknown settings', () => {
  it('names a misspelled setting with the one it probably means', () => {
    expect(unknownSettings({ FLIGHTDECK_BUILD_CONCURENCY: '1', FLIGHTDECK_DEPLOY_TIMEOUT_MS: '1', PATH: '/bin' })).toEqual([
      { name: 'FLIGHTDECK_BUILD_CONCURENCY', suggestion: 'FLIGHTDECK_BUILD_CONCURRENCY' },
    ]);
    expect(unknownSettings({ FLIGHTDECK_WHATEVER_THING: 'x', FLIGHTDECK_NATS_PASSWORD_BUILDER: 'p' })).toEqual([
      { name: 'FLIGHTDECK_WHATEVER_THING' },
    ]);
  });
});
