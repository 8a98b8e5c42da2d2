// `npm run install-service`: runs this checkout's `npm start` as a systemd service, started at boot
// and restarted if the launcher itself dies (the launcher restarts what it runs).
//   npm run install-service -- [--user <name>] [--data-dir <dir>] [--unit-file <path>] [--print]
// As root it writes /etc/systemd/system/flightdeck.service and says what to run next; --print
// writes the unit to stdout instead, --unit-file somewhere else.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { renderSystemdUnit } from './systemd-unit';

const REPO = resolve(__dirname, '..');

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};

const groupOf = (user: string): string => {
  try {
    return execFileSync('id', ['-gn', user], { stdio: 'pipe' }).toString().trim();
  } catch {
    throw new Error(`no such user: ${user} (create it first, e.g. useradd --system --create-home ${user})`);
  }
};

function main() {
  // the user who ran `sudo npm run install-service`, else whoever runs it
  const user = arg('user') ?? process.env.SUDO_USER ?? userInfo().username;
  const dataDir = resolve(arg('data-dir') ?? process.env.FLIGHTDECK_DATA_DIR ?? join(REPO, '.data'));
  const unit = renderSystemdUnit({
    workDir: REPO,
    dataDir,
    user,
    group: groupOf(user),
    node: process.execPath,
  });
  if (process.argv.includes('--print')) {
    process.stdout.write(unit);
    return;
  }
  const file = resolve(arg('unit-file') ?? '/etc/systemd/system/flightdeck.service');
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, unit, { mode: 0o644 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EACCES') throw e;
    throw new Error(
      `cannot write ${file}: run it as root (sudo npm run install-service), or use --print or --unit-file`,
    );
  }
  console.log(`wrote ${file}: npm start in ${REPO} as ${user}, data in ${dataDir}`);
  if (!existsSync(dataDir))
    console.log(`the data dir is created on the first start (it must be writable by ${user})`);
  console.log(
    'next: systemctl daemon-reload && systemctl enable --now flightdeck && journalctl -fu flightdeck',
  );
}

try {
  main();
} catch (e) {
  console.error(`install-service: ${(e as Error).message}`);
  process.exit(1);
}
