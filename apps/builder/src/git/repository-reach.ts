import { realpathSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode } from '@flightdeck/contracts';
import { StepFailedError } from '../build/step-errors';
import type { RepositorySource } from './repository-url';

// Link-local addresses: where cloud metadata services answer (169.254.169.254, fd00:ec2::254 is
// reached through them too); a clone must never become a way to read them.
const linkLocal = new BlockList();
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4');
linkLocal.addSubnet('fe80::', 10, 'ipv6');

export const isLinkLocal = (address: string): boolean => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isLinkLocal(mapped[1]);
  const family = isIP(address);
  return family !== 0 && linkLocal.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

const real = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return path; // not there: git says so
  }
};

const inside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * What a build may not clone, whatever its project says: a path inside the builder's own
 * directories (other projects' checkouts, caches, artifacts and releases live there) and a host
 * that is link-local. Throws the clone's failure (deployment/source-unavailable) naming why.
 */
export async function checkRepositoryReach(source: RepositorySource, builderDirs: readonly string[]): Promise<void> {
  const refuse = (why: string) => new StepFailedError(ErrorCode.DeploymentSourceUnavailable, 'clone', `repository ${source.display} cannot be cloned: ${why}`);
  const url = source.cloneUrl;
  if (isAbsolute(url) || url.startsWith('file:')) {
    const path = real(isAbsolute(url) ? url : fileURLToPath(url));
    if (builderDirs.some((dir) => inside(real(dir), path))) throw refuse("it is inside the builder's own data (other projects' builds, caches and releases)");
    return;
  }
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : await lookup(host, { all: true }).then((all) => all.map((a) => a.address), () => []);
  const bad = addresses.find(isLinkLocal);
  if (bad) throw refuse(`${host} is a link-local address (${bad}), where cloud metadata services answer`);
}
