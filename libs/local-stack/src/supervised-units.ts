import { renameSync, writeFileSync } from 'node:fs';
import type { ServiceName, SupervisorStatus } from '@flightdeck/contracts';
import type { NatsServer } from './nats.server';
import { type PostgresServer, type StartPostgresOptions, startPostgres } from './postgres.server';
import { type ServiceProcess, spawnService, waitForReady } from './service-stack';
import type { SupervisedUnit } from './supervisor';

// The launcher's processes as supervised units: each restart comes back on the same port and data.

/** Postgres on its data dir and port; `onStart` sees every run (the first one's movedFrom, say) */
export const postgresUnit = (
  opts: StartPostgresOptions,
  onStart?: (pg: PostgresServer) => void,
): SupervisedUnit => ({
  name: 'postgres',
  kind: 'postgres',
  start: async () => {
    const pg = await startPostgres(opts);
    onStart?.(pg);
    return { pid: pg.pid, exited: pg.exited, stop: pg.stop };
  },
});

/** an already started nats-server: a restart runs the same config (users, port, store) again */
export const natsUnit = (nats: NatsServer, name = 'nats-server'): SupervisedUnit => ({
  name,
  kind: 'nats-server',
  start: async () => {
    await nats.start(); // a no-op for the first run, which the caller started
    return { pid: nats.pid(), exited: nats.exited(), stop: nats.stop };
  },
});

/** a service from source with the same environment and ports each time; ready once /health/ready answers */
export const serviceUnit = (
  name: ServiceName,
  env: Record<string, string | undefined>,
  opts: Parameters<typeof spawnService>[2] & { readyTimeoutMs?: number },
  onStart?: (svc: ServiceProcess) => void,
): SupervisedUnit => {
  let healthPort = opts.healthPort ?? opts.port;
  return {
    name,
    kind: 'service',
    start: async () => {
      const svc = await spawnService(name, env, opts);
      healthPort = svc.healthPort;
      onStart?.(svc);
      return {
        pid: svc.child.pid,
        exited: svc.exited.then((code) => ({ code, signal: svc.child.signalCode })),
        stop: () => svc.stop(),
      };
    },
    ready: (run) => waitForReady(healthPort!, opts.readyTimeoutMs ?? 120_000, run.exited),
  };
};

// Written whole and renamed into place: a reader never sees half a file.
export const writeSupervisorStatus = (file: string, status: SupervisorStatus) => {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
};
