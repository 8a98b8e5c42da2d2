import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { IsolationHost, SandboxMount } from './sandbox-command';
import { sandboxArgv } from './sandbox-command';

const which = (name: string): string | undefined => {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/bin:/sbin:/bin` } });
  const path = found.stdout?.toString().trim();
  return path && existsSync(path) ? path : undefined;
};

const TOP_LEVEL_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

// Read-only: /usr and /etc, the top-level links into /usr (or the dirs themselves on a host that
// has not merged /usr), and the prefix node runs from when it is not under /usr (nvm, /opt/node).
function systemLayout(): Pick<IsolationHost, 'systemMounts' | 'systemLinks'> {
  const systemMounts: SandboxMount[] = [
    { source: '/usr', target: '/usr' },
    { source: '/etc', target: '/etc' },
  ];
  const systemLinks: IsolationHost['systemLinks'] = [];
  for (const path of TOP_LEVEL_LINKS) {
    if (!existsSync(path)) continue;
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) systemLinks.push({ path, target: readlinkSync(path) });
    else if (stat.isDirectory()) systemMounts.push({ source: path, target: path });
  }
  const nodePrefix = dirname(dirname(process.execPath));
  if (!['/usr', '/'].includes(nodePrefix) && !nodePrefix.startsWith('/usr/')) systemMounts.push({ source: nodePrefix, target: nodePrefix });
  return { systemMounts, systemLinks };
}

/** files named by the machine's CA settings that live outside /usr and /etc, to be visible read-only */
export function trustFileMounts(env: Record<string, string>): SandboxMount[] {
  const out: SandboxMount[] = [];
  for (const key of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'SSL_CERT_DIR']) {
    const path = env[key] && resolve(env[key]);
    if (!path || !existsSync(path) || path.startsWith('/usr/') || path.startsWith('/etc/')) continue;
    if (!out.some((m) => m.source === path)) out.push({ source: path, target: path });
  }
  return out;
}

export interface IsolationProbe {
  host?: IsolationHost;
  /** what is missing for isolation, in words an operator can act on */
  missing?: string;
}

// Finds bubblewrap (and setpriv as root) and runs one sandbox to prove it works here: a kernel
// without user namespaces, or a container that forbids mounts, fails now rather than at a build.
export function probeIsolation(): IsolationProbe {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const bwrap = which('bwrap');
  if (!bwrap) return { missing: 'bubblewrap (bwrap) is not installed: apt-get install bubblewrap' };
  const setpriv = asRoot ? which('setpriv') : undefined;
  if (asRoot && !setpriv) return { missing: 'setpriv (util-linux) is not installed' };
  const host: IsolationHost = { bwrap, setpriv, asRoot, ...systemLayout() };
  const argv = sandboxArgv(host, {
    argv: ['/bin/sh', '-c', 'test "$(id -u)" != 0'],
    cwd: '/',
    mounts: [],
    user: asRoot ? { name: 'nobody', uid: 65534, gid: 65534 } : undefined,
    cgroupProcsFiles: [],
  });
  const tried = spawnSync(argv[0], argv.slice(1), { env: { PATH: '/usr/bin:/bin' }, timeout: 15_000 });
  if (tried.status !== 0) {
    const why = tried.stderr?.toString().trim() || tried.error?.message || `exit ${tried.status}`;
    return { missing: `bubblewrap cannot create a sandbox here (${why}); user namespaces or mount namespaces may be disabled` };
  }
  return { host };
}
