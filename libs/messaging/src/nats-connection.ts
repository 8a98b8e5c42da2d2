import { Logger } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

const connected = new WeakMap<NatsConnection, boolean>();
// nats.js has no public "connected" flag; we track it from the status events.
export const isNatsConnected = (nc: NatsConnection) => !nc.isClosed() && connected.get(nc) !== false;

// One connection per service. It waits for the first connect and reconnects forever, logging
// every state change, so a missing NATS is visible in the logs and in /health/ready.
export async function connectNats(url: string, name: string, logger = new Logger('Nats')): Promise<NatsConnection> {
  logger.log({ url }, 'connecting to NATS');
  const nc = await connect({
    servers: url.split(','),
    name,
    waitOnFirstConnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
    pingInterval: 10_000,
  });
  connected.set(nc, true);
  logger.log({ url, server: nc.getServer() }, 'connected to NATS');
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'pingTimer') continue;
      if (s.type === 'disconnect') connected.set(nc, false);
      if (s.type === 'reconnect') connected.set(nc, true);
      const level = s.type === 'disconnect' || s.type === 'error' ? 'warn' : 'log';
      logger[level]({ event: s.type, data: String(s.data) }, 'NATS connection status');
    }
  })();
  return nc;
}
