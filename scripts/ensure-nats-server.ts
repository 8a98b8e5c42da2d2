import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const found = () =>
  spawnSync('sh', ['-c', 'command -v nats-server || ls /usr/sbin/nats-server 2>/dev/null']).stdout.toString().trim() !== '';

// nats-server from PATH; on a Debian-like machine as root we install it (saying so), else we say how.
export function ensureNatsServer(log: (msg: string) => void): void {
  if (process.env.NATS_SERVER_BIN || found()) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    log('nats-server is missing: installing it with apt-get (apt-get install -y nats-server)');
    const update = spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
    const install = spawnSync('apt-get', ['install', '-y', '-q', 'nats-server'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (update.status === 0 && install.status === 0 && found()) return;
  }
  throw new Error(
    'nats-server not found. Install it with:\n  sudo apt-get install -y nats-server\n' +
      'or download it from https://github.com/nats-io/nats-server/releases, or set NATS_URL to a running server.',
  );
}
