import { ensureDebianTool } from './ensure-debian-package';

export function ensureNatsServer(log: (msg: string) => void): void {
  if (process.env.NATS_SERVER_BIN) return;
  ensureDebianTool(
    {
      command: 'nats-server',
      package: 'nats-server',
      hint: 'or download it from https://github.com/nats-io/nats-server/releases, or set NATS_URL to a running server.',
    },
    log,
  );
}

// Builds and releases run in bubblewrap sandboxes: the builder refuses to start without it.
export function ensureBubblewrap(log: (msg: string) => void, isolation: string | undefined): void {
  if (isolation === 'unsafe-none') return;
  ensureDebianTool(
    {
      command: 'bwrap',
      package: 'bubblewrap',
      hint: 'The builder runs every build in a bubblewrap sandbox. Without it (unsafe: builds can read the platform\'s secrets) set FLIGHTDECK_ISOLATION=unsafe-none.',
    },
    log,
  );
}
