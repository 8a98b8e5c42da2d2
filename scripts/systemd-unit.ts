import { dirname } from 'node:path';

export interface UnitOptions {
  /** the checkout `npm start` runs from */
  workDir: string;
  dataDir: string;
  /** the user the launcher runs as (root: Postgres still runs as its own unprivileged user) */
  user: string;
  group?: string;
  /** absolute path of node */
  node: string;
  /** an extra settings file systemd reads (besides <data dir>/.env, which npm start reads itself) */
  environmentFile?: string;
}

const quoted = (value: string) => (/[\s"\\]/.test(value) ? `"${value.replace(/(["\\])/g, '\\$1')}"` : value);

// The unit for one machine: the launcher (npm start) as the service, restarted if it dies, started
// at boot. KillMode=mixed: `systemctl stop` sends SIGTERM to the launcher alone, which stops the
// services, then nats-server, then Postgres, in that order; whatever is still in the unit's cgroup
// after TimeoutStopSec (a wedged child) is SIGKILLed, so nothing it started outlives it.
export function renderSystemdUnit(o: UnitOptions): string {
  const path = [
    dirname(o.node),
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
  ].join(':');
  return [
    '[Unit]',
    'Description=Flightdeck deployment control plane (npm start)',
    `Documentation=file://${o.workDir}/README.md`,
    'After=network-online.target',
    'Wants=network-online.target',
    // a launcher that fails five times in five minutes (a bad setting) stays failed: see journalctl -u flightdeck
    'StartLimitIntervalSec=300',
    'StartLimitBurst=5',
    '',
    '[Service]',
    'Type=simple',
    `User=${o.user}`,
    `Group=${o.group ?? o.user}`,
    `WorkingDirectory=${quoted(o.workDir)}`,
    `Environment=${quoted(`FLIGHTDECK_DATA_DIR=${o.dataDir}`)}`,
    `Environment=${quoted(`PATH=${path}`)}`,
    'Environment=NODE_ENV=production',
    ...(o.environmentFile ? [`EnvironmentFile=-${quoted(o.environmentFile)}`] : []),
    `ExecStart=${quoted(o.node)} -r @swc-node/register scripts/start.ts`,
    // systemctl reload: the launcher starts again what it had given up on (crash-looping)
    'ExecReload=/bin/kill -USR2 $MAINPID',
    'Restart=on-failure',
    'RestartSec=5s',
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=90s',
    'LimitNOFILE=65536',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
