import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface DebianTool {
  /** the command, looked up on PATH and in /usr/sbin */
  command: string;
  package: string;
  /** what it is for and where else to get it, shown when it cannot be installed */
  hint: string;
}

const found = (command: string) =>
  spawnSync('sh', ['-c', `command -v ${command} || ls /usr/sbin/${command} 2>/dev/null`]).stdout.toString().trim() !== '';

// A tool from PATH; on a Debian-like machine as root we install it (saying so), else we say how.
export function ensureDebianTool(tool: DebianTool, log: (msg: string) => void): void {
  if (found(tool.command)) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    log(`${tool.command} is missing: installing it with apt-get (apt-get install -y ${tool.package})`);
    const update = spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
    const install = spawnSync('apt-get', ['install', '-y', '-q', tool.package], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (update.status === 0 && install.status === 0 && found(tool.command)) return;
  }
  throw new Error(`${tool.command} not found. Install it with:\n  sudo apt-get install -y ${tool.package}\n${tool.hint}`);
}
