import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { sandboxCgroupRoot } from '../../src/sandbox/sandboxes';
import { sandboxUserName } from '../../src/sandbox/sandbox-users';

// Processes of sandboxes as the host sees them, found the way an operator would: by cgroup and by
// the project's user, never by a name or a variable the build could change.

const pidsMount = (): string | undefined => {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, mountPoint, type, options] = line.split(' ');
    if (type === 'cgroup' && options?.split(',').includes('pids')) return mountPoint;
  }
  return undefined;
};

/** host pids in the cgroups of a deployment's build steps (every builder's sandboxes on this host) */
export const buildPids = (deploymentId: string): number[] => sandboxPids(`build-${deploymentId}-`);

/** one builder on this host: other builders' (other suites') sandboxes are not its */
export interface SandboxOwner {
  dataDir: string;
  edgePort: number;
}

/** host pids in the cgroup of a release's process, or of every release of `owner` when no id is given */
export const releasePids = (releaseId = '', owner?: SandboxOwner): number[] => sandboxPids(`release-${releaseId}`, owner);

function sandboxPids(prefix: string, owner?: SandboxOwner): number[] {
  const mount = pidsMount();
  if (!mount) return [];
  const own = /^\d+:pids:(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
  const base = join(mount, own);
  const pids: number[] = [];
  const ownRoot = owner && sandboxCgroupRoot(owner.dataDir, owner.edgePort);
  for (const root of readdirSync(base).filter((d) => (ownRoot ? d === ownRoot : d.startsWith('flightdeck-')))) {
    for (const group of readdirSync(join(base, root)).filter((d) => d.startsWith(prefix))) {
      const procs = join(base, root, group, 'cgroup.procs');
      if (existsSync(procs)) pids.push(...readFileSync(procs, 'utf8').split('\n').filter(Boolean).map(Number));
    }
  }
  return pids;
}

const uidOf = (project: string): number | undefined => {
  try {
    return Number(execFileSync('id', ['-u', sandboxUserName(project)], { stdio: 'pipe' }).toString().trim());
  } catch {
    return undefined;
  }
};

/** living processes running as the project's sandbox user (as root) */
export function projectProcesses(project: string): number[] {
  const uid = uidOf(project);
  if (uid === undefined) return [];
  const out: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      if (/^State:\s+[ZX]/m.test(status)) continue;
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}
