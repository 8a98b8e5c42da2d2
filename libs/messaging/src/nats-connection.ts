import { Logger } from '@nestjs/common';
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { inboxPrefixOf } from '@flightdeck/contracts';
import type { MessagingOptions } from './messaging.options';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

const connected = new WeakMap<NatsConnection, boolean>();
// nats.js has no public "connected" flag; we track it from the status events.
export const isNatsConnected = (nc: NatsConnection) => !nc.isClosed() && connected.get(nc) !== false;

export type NatsTarget = Pick<MessagingOptions, 'serviceName' | 'natsUrl' | 'natsUser' | 'natsPassword'>;

// nats.js ignores credentials in a server URL (nats://user:pass@host), which nats.go and the nats
// CLI honour: we take them out (a NATS_URL written that way works, and is never logged with its
// password). An explicit user and password win over the URL's.
export function natsConnectionOptions(t: NatsTarget): ConnectionOptions & { servers: string[] } {
  let user = t.natsUser;
  let pass = t.natsPassword;
  const servers = t.natsUrl.split(',').map((raw) => {
    const s = raw.trim();
    const m = /^([a-z]+:\/\/)?([^@/]+)@(.+)$/i.exec(s);
    if (!m) return s;
    const [u, p] = m[2].split(':');
    user ??= decodeURIComponent(u);
    if (p !== undefined) pass ??= decodeURIComponent(p);
    return `${m[1] ?? ''}${m[3]}`;
  });
  return {
    servers,
    name: t.serviceName,
    ...(user ? { user, pass } : {}),
    // requests, JetStream API calls and pulls get their replies under the service's own prefix,
    // the one inbox its NATS user may subscribe to (never `_INBOX.>`)
    inboxPrefix: inboxPrefixOf(t.serviceName),
  };
}

// One connection per service, as its own NATS user. Until NATS first answers it retries with
// backoff, saying so in the log (the service is live but not ready meanwhile); then it reconnects
// forever, logging every state change, so a missing NATS is visible in the logs and in
// /health/ready. Wrong credentials are retried too (an operator may be fixing the server's config)
// and logged as such; a subject outside the user's permissions is refused by the server and logged.
export async function connectNats(target: NatsTarget, logger?: Logger): Promise<NatsConnection>;
export async function connectNats(url: string, name: string, logger?: Logger): Promise<NatsConnection>;
export async function connectNats(
  a: NatsTarget | string,
  b?: string | Logger,
  c?: Logger,
): Promise<NatsConnection> {
  const target: NatsTarget = typeof a === 'string' ? { natsUrl: a, serviceName: b as string } : a;
  const logger = (typeof a === 'string' ? c : (b as Logger | undefined)) ?? new Logger('Nats');
  const options = natsConnectionOptions(target);
  const url = options.servers.join(',');
  logger.log({ url, user: options.user }, 'connecting to NATS');
  let nc: NatsConnection;
  for (let attempt = 1, delay = 250; ; attempt++, delay = Math.min(delay * 2, 10_000)) {
    try {
      nc = await connect({
        ...options,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1_000,
        pingInterval: 10_000,
        // a stack captured for every request and publish (to decorate a timeout's error) is a fair
        // share of a request's CPU; our callers turn timeouts into Results that name the subject
        noAsyncTraces: true,
      });
      break;
    } catch (e) {
      const refused = (e as { code?: string }).code === 'AUTHORIZATION_VIOLATION';
      logger.warn(
        { url, user: options.user, attempt, retryInMs: delay, err: (e as Error).message },
        refused
          ? 'NATS refused our credentials (NATS_USER / NATS_PASSWORD), retrying'
          : 'NATS unreachable, retrying',
      );
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
      if (s.permissionContext) {
        const { operation, subject } = s.permissionContext;
        logger.error(
          { operation, subject, user: options.user },
          "NATS refused: outside this service's permissions",
        );
        continue;
      }
      const level = s.type === 'disconnect' || s.type === 'error' ? 'warn' : 'log';
      logger[level]({ event: s.type, data: String(s.data) }, 'NATS connection status');
    }
  })();
  return nc;
}
