import type { SandboxUser } from './sandbox-users';

export interface SandboxMount {
  /** on the host */
  source: string;
  /** inside the sandbox */
  target: string;
  writable?: boolean;
}

// What the host offers a sandbox, probed once at start-up (see isolation-host.ts).
export interface IsolationHost {
  bwrap: string;
  setpriv?: string;
  /** the builder runs as root: bwrap mounts as root and the command drops to the project's user */
  asRoot: boolean;
  /** read-only: the system and the toolchain (`/usr`, `/etc`, node's prefix when outside `/usr`) */
  systemMounts: SandboxMount[];
  /** `/bin` → `usr/bin` and the like, as on the host */
  systemLinks: { path: string; target: string }[];
}

export interface SandboxInvocation {
  argv: string[];
  /** inside the sandbox */
  cwd: string;
  mounts: SandboxMount[];
  /** as root: who the command runs as */
  user?: SandboxUser;
  /** cgroup.procs files the sandbox joins before anything of it runs */
  cgroupProcsFiles: string[];
}

/** '/home/app', '/a/b/c' → '/a', '/a/b', '/home' (sorted, outermost first; '/' and system dirs excluded) */
function parentDirs(targets: string[]): string[] {
  const dirs = new Set<string>();
  for (const target of targets) {
    const parts = target.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) dirs.add(`/${parts.slice(0, i).join('/')}`);
  }
  return [...dirs].filter((d) => !['/usr', '/etc', '/proc', '/dev', '/tmp'].some((s) => d === s || d.startsWith(`${s}/`))).sort();
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// The command line that runs `argv` in a sandbox: its own mount, pid, ipc and uts namespaces
// (bubblewrap), seeing only the system read-only, the given mounts, a fresh /proc with its own
// processes only, a minimal /dev and an empty /tmp; the host's network. As root, bwrap builds the
// mounts and setpriv drops to the project's user with no capabilities and no way to gain any; as
// another user, an unprivileged user namespace does the same for that user. The sandbox joins its
// cgroups before bwrap runs (a shell that writes its own pid, then execs), so that nothing it
// starts is ever outside them. The whole sandbox dies with its pid namespace's first process,
// which dies with bwrap, which dies with the builder (--die-with-parent).
export function sandboxArgv(host: IsolationHost, inv: SandboxInvocation): string[] {
  const bwrap = [
    host.bwrap,
    '--die-with-parent',
    '--new-session',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(host.asRoot ? [] : ['--unshare-user']),
    '--hostname',
    'sandbox',
  ];
  for (const m of host.systemMounts) bwrap.push('--ro-bind', m.source, m.target);
  for (const l of host.systemLinks) bwrap.push('--symlink', l.target, l.path);
  bwrap.push('--proc', '/proc', '--dev', '/dev', '--perms', '1777', '--tmpfs', '/tmp');
  // bwrap (as root) makes the missing parents of a mount point root-only: made readable first
  for (const dir of parentDirs(inv.mounts.map((m) => m.target))) bwrap.push('--perms', '0755', '--dir', dir);
  for (const m of inv.mounts) bwrap.push(m.writable ? '--bind' : '--ro-bind', m.source, m.target);
  bwrap.push('--chdir', inv.cwd, '--');
  if (host.asRoot) {
    if (!inv.user || !host.setpriv) throw new Error('a sandbox started as root needs a user to run as');
    bwrap.push(
      host.setpriv,
      `--reuid=${inv.user.uid}`,
      `--regid=${inv.user.gid}`,
      '--clear-groups',
      '--bounding-set=-all',
      '--inh-caps=-all',
      '--no-new-privs',
      '--',
    );
  }
  bwrap.push(...inv.argv);
  if (!inv.cgroupProcsFiles.length) return bwrap;
  const join = inv.cgroupProcsFiles.map((f) => `echo $$ > ${quote(f)}`).join(' && ');
  return ['/bin/sh', '-c', `${join} && exec "$@"`, 'sandbox', ...bwrap];
}
