import { randomBytes } from 'node:crypto';
import type { ServiceName } from '@flightdeck/contracts';
import { type NatsServer, type PostgresServer, provisionServices, startNats, startPostgres } from '@flightdeck/local-stack';

export interface TestInfra {
  postgres: PostgresServer;
  nats: NatsServer;
  /** each service's own-role DATABASE_URL */
  databaseUrls: Record<ServiceName, string>;
  /** env a service needs to boot against these servers, its own NATS user included (add its own settings) */
  envFor(name: ServiceName, extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

// A real Postgres and nats-server -js for one test file: call in beforeAll, stop in afterAll. Both
// need credentials over TCP, as under `npm start`: a build in a test has none to guess.
export async function startTestInfra(): Promise<TestInfra> {
  const [pg, ns] = await Promise.allSettled([startPostgres({ fast: true, superuserPassword: randomBytes(12).toString('hex') }), startNats()]);
  const stopBoth = () =>
    Promise.all([
      ns.status === 'fulfilled' ? ns.value.dispose() : undefined,
      pg.status === 'fulfilled' ? pg.value.stop() : undefined,
    ]);
  // one failed to start: do not leave the other running for the rest of the jest run
  if (pg.status === 'rejected' || ns.status === 'rejected') {
    await stopBoth();
    throw pg.status === 'rejected' ? pg.reason : (ns as PromiseRejectedResult).reason;
  }
  const postgres = pg.value;
  const nats = ns.value;
  let urls: Record<ServiceName, string>;
  try {
    ({ urls } = await provisionServices(postgres.url));
  } catch (e) {
    await stopBoth();
    throw e;
  }
  return {
    postgres,
    nats,
    databaseUrls: urls,
    envFor: (name, extra = {}) => ({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      // the service's own NATS user: authorization is on, as in production
      ...nats.envFor(name),
      // the gateway manages external publishers' NATS users in the server's auth dir
      ...(name === 'gateway' && nats.authDir ? { FLIGHTDECK_NATS_AUTH_DIR: nats.authDir } : {}),
      DATABASE_URL: urls[name],
      HTTP_HOST: '127.0.0.1',
      ...extra,
    }),
    stop: async () => {
      await stopBoth();
    },
  };
}
