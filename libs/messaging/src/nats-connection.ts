import { Logger } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

const connected = new WeakMap<NatsConnection, boolean>();
// nats.js has no public "connected" flag; we track it from the status events.
export const isNatsConnected = (nc: NatsConnection) => !nc.isClosed() && connected.get(nc) !== false;

// One connection per service. Until NATS first answers it retries with backoff, saying so in
// the log (the service is live but not ready meanwhile); then it reconnects forever, logging
// every state change, so a missing NATS is visible in the logs and in /health/ready.
export async function connectNats(url: string, name: string, logger = new Logger('Nats')): Promise<NatsConnection> {
  logger.log({ url }, 'connecting to NATS');
  let nc: NatsConnection;
  for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 10_000)) {
    try {
      nc = await connect({
        servers: url.split(','),
        name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        pingInterval: 10_000,
      });
      break;
    } catch (e) {
      logger.warn({ url, attempt, retryInMs: delay, err: (e as Error).message }, 'NATS unreachable, retrying');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
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
