import { type IsolationHost, sandboxArgv } from './sandbox-command';

const host = (asRoot: boolean): IsolationHost => ({
  bwrap: '/usr/bin/bwrap',
  setpriv: asRoot ? '/usr/bin/setpriv' : undefined,
  asRoot,
  systemMounts: [{ source: '/usr', target: '/usr' }],
  systemLinks: [{ path: '/bin', target: 'usr/bin' }],
});

const invocation = {
  argv: ['npm', 'start'],
  cwd: '/app',
  mounts: [
    { source: '/data/releases/p/e/1/app', target: '/app', writable: true },
    { source: '/data/releases/p/e/1/home', target: '/home/app', writable: true },
    { source: '/data/cache/p', target: '/cache' },
  ],
  user: { name: 'fdp-x', uid: 990, gid: 991 },
  cgroupProcsFiles: ['/sys/fs/cgroup/pids/fd/release-1/cgroup.procs', '/sys/fs/cgroup/memory/fd/release-1/cgroup.procs'],
};

describe('sandboxArgv', () => {
  it('as root: joins the cgroups first, then bwrap builds the mounts and setpriv drops to the project user for good', () => {
    const argv = sandboxArgv(host(true), invocation);
    expect(argv.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(argv[2]).toBe(
      "echo $$ > '/sys/fs/cgroup/pids/fd/release-1/cgroup.procs' && echo $$ > '/sys/fs/cgroup/memory/fd/release-1/cgroup.procs' && exec \"$@\"",
    );
    const bwrap = argv.slice(argv.indexOf('/usr/bin/bwrap'));
    expect(bwrap).toEqual(expect.arrayContaining(['--die-with-parent', '--unshare-pid', '--new-session']));
    expect(bwrap).not.toContain('--unshare-user');
    // the parent of a nested mount point is made readable before the mount
    const home = bwrap.indexOf('/home');
    expect(bwrap.slice(home - 3, home + 1)).toEqual(['--perms', '0755', '--dir', '/home']);
    expect(bwrap.join(' ')).toContain('--ro-bind /data/cache/p /cache');
    const tail = bwrap.slice(bwrap.indexOf('--'));
    expect(tail).toEqual(['--', '/usr/bin/setpriv', '--reuid=990', '--regid=991', '--clear-groups', '--bounding-set=-all', '--inh-caps=-all', '--no-new-privs', '--', 'npm', 'start']);
  });

  it('as another user: an unprivileged user namespace, no setpriv', () => {
    const argv = sandboxArgv(host(false), { ...invocation, user: undefined, cgroupProcsFiles: [] });
    expect(argv[0]).toBe('/usr/bin/bwrap');
    expect(argv).toContain('--unshare-user');
    expect(argv.slice(-3)).toEqual(['--', 'npm', 'start']);
  });

  it('refuses to run as root without a user to drop to', () => {
    expect(() => sandboxArgv(host(true), { ...invocation, user: undefined })).toThrow(/needs a user/);
  });
});
