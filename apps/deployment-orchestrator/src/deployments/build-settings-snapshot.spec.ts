import { buildSettingsSnapshot, settingsOf } from './build-settings-snapshot';

describe('build settings snapshot', () => {
  it("puts the trigger's settings over the environment's, field by field", () => {
    expect(buildSettingsSnapshot({ rootDirectory: 'apps/web', buildCommand: 'npm run build' }, { buildCommand: 'npm run build:staging' })).toEqual({
      rootDirectory: 'apps/web',
      buildCommand: 'npm run build:staging',
    });
  });

  it('records nothing when neither sets anything', () => {
    expect(buildSettingsSnapshot({}, undefined)).toBeUndefined();
    expect(buildSettingsSnapshot(undefined, {})).toBeUndefined();
  });

  it("keeps a retry's parent snapshot, not the environment's current settings", () => {
    expect(buildSettingsSnapshot({ rootDirectory: 'apps/new' }, undefined, { buildSettings: { rootDirectory: 'apps/old' } })).toEqual({ rootDirectory: 'apps/old' });
    expect(settingsOf({ buildSettings: { rootDirectory: '../x' } })).toBeUndefined();
  });
});
