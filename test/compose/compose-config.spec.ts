import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import type { z } from 'zod';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import {
  SERVICE_SCHEMAS,
  createServiceDataSource,
  runMigrationsLocked,
  serviceRole,
} from '@flightdeck/persistence';
import { type PostgresServer, freePort, startPostgres } from '@flightdeck/testing';
import { migrations as builderMigrations } from '@flightdeck/migrations/builder';
import { migrations as orchestratorMigrations } from '@flightdeck/migrations/deployment-orchestrator';
import { migrations as environmentMigrations } from '@flightdeck/migrations/environment-manager';
import { migrations as gatewayMigrations } from '@flightdeck/migrations/gateway';
import { migrations as logMigrations } from '@flightdeck/migrations/log-ingest';
import { MACHINE_NETWORK_VARIABLES } from '../../apps/builder/src/build/network-trust';
import { BuilderEnv, loadBuilderConfig } from '../../apps/builder/src/config/builder.config';
import {
  DeploymentOrchestratorEnv,
  loadDeploymentOrchestratorConfig,
} from '../../apps/deployment-orchestrator/src/config/deployment-orchestrator.config';
import {
  EnvironmentManagerEnv,
  loadEnvironmentManagerConfig,
} from '../../apps/environment-manager/src/config/environment-manager.config';
import { GatewayEnv, loadGatewayConfig } from '../../apps/gateway/src/config/gateway.config';
import { LogIngestEnv, loadLogIngestConfig } from '../../apps/log-ingest/src/config/log-ingest.config';
import {
  type ComposeFile,
  InterpolationError,
  environmentOf,
  loadComposeFile,
  parseEnvFile,
  publishedPorts,
} from './compose-file';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readyUrl } = require('../../deploy/healthcheck.js') as {
  readyUrl: (env: Record<string, string | undefined>) => string;
};

const ROOT = resolve(__dirname, '../..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');
const NATS_CONF = join(ROOT, 'deploy/nats/nats.conf');
const INIT_SCRIPT = join(ROOT, 'deploy/postgres/initdb.d/10-service-roles.sh');
const MIN_NATS_VERSION = [2, 12, 3];

interface ServiceConfig {
  load: (env: NodeJS.ProcessEnv) => { HTTP_HOST: string };
  schema: z.AnyZodObject;
  /** the variable the service takes its operations port (health, metrics) from */
  portKey: 'HTTP_PORT';
  migrations: unknown[];
}

// Each service's real configuration parser, the one its main.ts calls at boot.
const SERVICES: Record<ServiceName, ServiceConfig> = {
  gateway: {
    load: loadGatewayConfig,
    schema: GatewayEnv,
    portKey: 'HTTP_PORT',
    migrations: gatewayMigrations,
  },
  'deployment-orchestrator': {
    load: loadDeploymentOrchestratorConfig,
    schema: DeploymentOrchestratorEnv,
    portKey: 'HTTP_PORT',
    migrations: orchestratorMigrations,
  },
  builder: {
    load: loadBuilderConfig,
    schema: BuilderEnv,
    portKey: 'HTTP_PORT',
    migrations: builderMigrations,
  },
  'log-ingest': {
    load: loadLogIngestConfig,
    schema: LogIngestEnv,
    portKey: 'HTTP_PORT',
    migrations: logMigrations,
  },
  'environment-manager': {
    load: loadEnvironmentManagerConfig,
    schema: EnvironmentManagerEnv,
    portKey: 'HTTP_PORT',
    migrations: environmentMigrations,
  },
};

// Settings a service cannot start without: its schema rejects them absent.
const requiredKeys = (schema: z.AnyZodObject) =>
  Object.entries(schema.shape as Record<string, z.ZodTypeAny>)
    .filter(([, s]) => !s.safeParse(undefined).success)
    .map(([k]) => k);

// What an operator gets from `deploy/compose-env.sh`: the env compose interpolates the file with.
const generatedEnv = (): Record<string, string> => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-compose-env-'));
  try {
    const file = join(dir, '.env');
    const run = spawnSync('bash', [join(ROOT, 'deploy/compose-env.sh'), file], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`deploy/compose-env.sh failed: ${run.stderr}`);
    return parseEnvFile(readFileSync(file, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const versionOf = (image: string) => {
  const m = /:(\d+)\.(\d+)\.(\d+)/.exec(image);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
};
const atLeast = (v: number[], min: number[]) => {
  for (let i = 0; i < min.length; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
};

// top-level `key: value` and `key: value` inside `jetstream { }` of a nats-server config
const natsSetting = (conf: string, key: string) =>
  new RegExp(`^\\s*${key}\\s*[:=]\\s*"?([^"\\s#]+)"?`, 'm').exec(conf.replace(/#.*$/gm, ''))?.[1];

describe('docker-compose.yml', () => {
  const env = generatedEnv();
  const compose: ComposeFile = loadComposeFile(COMPOSE_FILE, env);
  const service = (name: string) => compose.services[name];

  it('runs Postgres, NATS and the five services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['nats', 'postgres', ...SERVICE_NAMES].sort());
  });

  it('has no default for any secret: without one, compose stops and names it', () => {
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'POSTGRES_PASSWORD',
        'FLIGHTDECK_SECRET_KEY',
        'FLIGHTDECK_ADMIN_TOKEN',
        'FLIGHTDECK_DB_PASSWORD_GATEWAY',
      ]),
    );
    for (const key of Object.keys(env)) {
      const without = { ...env, [key]: '' };
      expect(() => loadComposeFile(COMPOSE_FILE, without)).toThrow(InterpolationError);
      expect(() => loadComposeFile(COMPOSE_FILE, without)).toThrow(
        `required variable ${key} is missing a value`,
      );
    }
  });

  describe.each(SERVICE_NAMES)('%s', (name) => {
    const svc = () => service(name);
    const cfg = SERVICES[name];
    const serviceEnv = () => environmentOf(svc());

    it("satisfies the service's configuration schema", () => {
      const config = cfg.load(serviceEnv()) as unknown as Record<string, unknown>;
      // reachable from the published port and the health check, not only from inside the container
      expect(config.HTTP_HOST).toBe('0.0.0.0');
      expect(readyUrl(serviceEnv())).toBe(`http://127.0.0.1:${config[cfg.portKey]}/health/ready`);
    });

    it('sets every setting the service requires, and none it does not know', () => {
      const keys = Object.keys(serviceEnv());
      expect(keys).toEqual(expect.arrayContaining(requiredKeys(cfg.schema)));
      // a misspelt key would be ignored by the service and its default used instead; the builder
      // also holds the host's network trust, for its builds
      const machine = name === 'builder' ? MACHINE_NETWORK_VARIABLES : [];
      expect(keys.filter((k) => !(k in cfg.schema.shape) && !machine.includes(k))).toEqual([]);
    });

    it('does not start with a required setting missing, and says which', () => {
      const required = requiredKeys(cfg.schema);
      expect(required).toContain('DATABASE_URL');
      for (const key of required) {
        const rest = { ...serviceEnv() };
        delete rest[key];
        expect(() => cfg.load(rest)).toThrow(key);
      }
    });

    it("connects to the compose Postgres as the service's own role, and to the compose NATS", () => {
      const { DATABASE_URL, NATS_URL } = serviceEnv();
      const db = new URL(DATABASE_URL);
      expect(decodeURIComponent(db.username)).toBe(serviceRole(SERVICE_SCHEMAS[name]));
      expect(decodeURIComponent(db.password)).toBe(
        env[`FLIGHTDECK_DB_PASSWORD_${SERVICE_SCHEMAS[name].toUpperCase()}`],
      );
      expect([db.hostname, db.port, db.pathname]).toEqual(['postgres', '5432', '/flightdeck']);
      const nats = new URL(NATS_URL);
      expect([nats.hostname, nats.port]).toEqual([
        'nats',
        natsSetting(readFileSync(NATS_CONF, 'utf8'), 'port'),
      ]);
    });

    it('is built from its own Dockerfile target, which runs its main.ts', () => {
      expect(svc().build).toMatchObject({ context: '.', target: name });
      const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
      const stage = new RegExp(`^FROM runtime AS ${name}\\n([\\s\\S]*?)(?=^FROM |(?![\\s\\S]))`, 'm').exec(
        dockerfile,
      )?.[1];
      expect(stage).toContain(`CMD ["node", "-r", "@swc-node/register", "apps/${name}/src/main.ts"]`);
    });

    it('can be scaled: no container name, no fixed host port', () => {
      expect(svc().container_name).toBeUndefined();
      // the gateway is the one API address: its port is fixed, and it scales behind a proxy
      if (name === 'gateway') return;
      for (const p of publishedPorts(svc())) expect(p.published ?? '').not.toMatch(/^\d+$/);
    });

    it('has a readiness health check and waits for healthy Postgres and NATS', () => {
      expect(svc().healthcheck?.test).toEqual(['CMD', 'node', 'deploy/healthcheck.js']);
      expect(svc().depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        nats: { condition: 'service_healthy' },
      });
    });
  });

  it("keeps the gateway's operations port (health, metrics, API docs) off the host", () => {
    const config = loadGatewayConfig(environmentOf(service('gateway')));
    expect(config.HTTP_PORT).not.toBe(config.FLIGHTDECK_GATEWAY_PORT);
    expect(publishedPorts(service('gateway')).map((p) => p.target)).not.toContain(config.HTTP_PORT);
  });

  it('publishes only the gateway and the edge router, on the ports they listen on', () => {
    const published = Object.entries(compose.services)
      .filter(([, s]) => (s.ports ?? []).length > 0)
      .map(([n]) => n);
    expect(published.sort()).toEqual(['builder', 'gateway']);

    const gateway = publishedPorts(service('gateway'));
    expect(gateway).toEqual([
      {
        hostIp: '127.0.0.1',
        published: '3000',
        target: loadGatewayConfig(environmentOf(service('gateway'))).FLIGHTDECK_GATEWAY_PORT,
      },
    ]);

    const builderConfig = loadBuilderConfig(environmentOf(service('builder')));
    const edge = publishedPorts(service('builder'));
    expect(edge).toHaveLength(1);
    expect(edge[0].target).toBe(builderConfig.FLIGHTDECK_EDGE_PORT);
    // one port per replica out of a range that starts at the port the edge URLs name
    const [from, to] = edge[0].published!.split('-').map(Number);
    expect(from).toBe(3080);
    expect(to - from + 1).toBeGreaterThanOrEqual(3);
  });

  it("hands the host's network trust to the builder, and to no other service", () => {
    const host = {
      ...env,
      HTTPS_PROXY: 'http://proxy.internal:3128',
      no_proxy: 'postgres,nats,localhost',
      npm_config_registry: 'https://npm.mirror.internal/',
      FLIGHTDECK_BUILD_CA_FILE: '/etc/ssl/corp-ca.pem',
      FLIGHTDECK_BUILD_PASS_THROUGH: 'GIT_SSL_CAINFO',
    };
    const moved = loadComposeFile(COMPOSE_FILE, host);
    const builderEnv = environmentOf(moved.services.builder);
    expect(Object.keys(builderEnv)).toEqual(expect.arrayContaining(MACHINE_NETWORK_VARIABLES.filter((k) => !k.startsWith('SSL_CERT_'))));
    expect(builderEnv).toMatchObject({
      HTTPS_PROXY: 'http://proxy.internal:3128',
      no_proxy: 'postgres,nats,localhost',
      npm_config_registry: 'https://npm.mirror.internal/',
      NODE_EXTRA_CA_CERTS: '/etc/flightdeck/build-ca.pem',
    });
    expect(moved.services.builder.volumes).toContain('/etc/ssl/corp-ca.pem:/etc/flightdeck/build-ca.pem:ro');
    expect(loadBuilderConfig(builderEnv).FLIGHTDECK_BUILD_PASS_THROUGH).toEqual(['GIT_SSL_CAINFO']);
    // unset on the host: empty, so the builder passes nothing of it on
    expect(environmentOf(service('builder'))).toMatchObject({ HTTPS_PROXY: '', NODE_EXTRA_CA_CERTS: '' });
    for (const other of SERVICE_NAMES.filter((n) => n !== 'builder')) {
      expect(Object.keys(environmentOf(moved.services[other])).filter((k) => MACHINE_NETWORK_VARIABLES.includes(k))).toEqual([]);
    }
  });

  it('lets the operator move the gateway port', () => {
    const moved = loadComposeFile(COMPOSE_FILE, { ...env, FLIGHTDECK_GATEWAY_PORT: '8080' });
    expect(publishedPorts(moved.services.gateway)[0]).toMatchObject({ published: '8080', target: 3000 });
  });

  it('every container has a health check', () => {
    const without = Object.entries(compose.services).filter(([, s]) => !s.healthcheck?.test?.length);
    expect(without.map(([name]) => name)).toEqual([]);
  });

  it('pins nats-server 2.12.3 or later, configured by deploy/nats/nats.conf with a chosen sync_interval', () => {
    const nats = service('nats');
    const version = versionOf(nats.image ?? '');
    expect(version).toBeDefined();
    expect(atLeast(version!, MIN_NATS_VERSION)).toBe(true);
    expect(nats.command).toEqual(['-c', '/etc/nats/nats.conf']);
    expect(nats.volumes).toContain('./deploy/nats/nats.conf:/etc/nats/nats.conf:ro');

    const conf = readFileSync(NATS_CONF, 'utf8');
    expect(natsSetting(conf, 'sync_interval')).toMatch(/^(always|\d+(ms|s|m|h))$/);
    // the store is on the volume, and the health check asks the monitoring port about JetStream
    const storeDir = natsSetting(conf, 'store_dir')!;
    const dataMount = nats.volumes!.map((v) => v.split(':')).find(([src]) => src === 'nats-data')![1];
    expect(storeDir.startsWith(`${dataMount}/`)).toBe(true);
    expect(nats.healthcheck?.test.join(' ')).toContain(
      `http://127.0.0.1:${natsSetting(conf, 'http_port')}/healthz?js-enabled-only=true`,
    );
  });

  it('Postgres is checked over TCP and provisioned by the init script', () => {
    const pg = service('postgres');
    expect(pg.healthcheck?.test).toEqual([
      'CMD',
      'pg_isready',
      '-h',
      '127.0.0.1',
      '-U',
      'postgres',
      '-d',
      'flightdeck',
    ]);
    expect(pg.volumes).toContain('./deploy/postgres/initdb.d:/docker-entrypoint-initdb.d:ro');
    expect(environmentOf(pg)).toMatchObject({
      POSTGRES_DB: 'flightdeck',
      POSTGRES_PASSWORD: env.POSTGRES_PASSWORD,
    });
  });

  it('keeps secrets and machine-local data out of the image build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['.env', '.data', '.git', '**/node_modules']));
  });
});

describe('deploy/healthcheck.js', () => {
  const check = (env: Record<string, string>) =>
    new Promise<number | null>((done) => {
      const child = spawn(process.execPath, [join(ROOT, 'deploy/healthcheck.js')], {
        env: { PATH: process.env.PATH, ...env },
        stdio: 'ignore',
      });
      child.once('exit', (code) => done(code));
    });

  it('passes only while /health/ready answers 200', async () => {
    let status = 503;
    const server = createServer((req, res) => {
      res.writeHead(req.url === '/health/ready' ? status : 404).end();
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      expect(await check({ HTTP_PORT: String(port) })).toBe(1);
      status = 200;
      expect(await check({ HTTP_PORT: String(port) })).toBe(0);
      // the gateway's public port serves no health: the check asks its operations port
      expect(await check({ HTTP_PORT: String(port), FLIGHTDECK_GATEWAY_PORT: '1' })).toBe(0);
      expect(await check({ FLIGHTDECK_GATEWAY_PORT: String(port) })).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await check({ HTTP_PORT: String(port) })).toBe(1);
  });
});

// The compose Postgres, for real: the init script provisions a fresh server, then each service, with
// the DATABASE_URL compose gives it, applies its migrations and is confined to its own schema.
describe('deploy/postgres/initdb.d on a real Postgres', () => {
  const env = generatedEnv();
  const compose = loadComposeFile(COMPOSE_FILE, env);
  let pg: PostgresServer;
  const urlOf = (name: ServiceName) => {
    const u = new URL(environmentOf(compose.services[name]).DATABASE_URL);
    u.hostname = '127.0.0.1';
    u.port = String(pg.port);
    return u.toString();
  };
  // psql sits beside initdb, which is not always on PATH (Debian: /usr/lib/postgresql/<v>/bin)
  const pgBinDirs = [
    process.env.FLIGHTDECK_PG_BIN,
    ...['17', '16', '15', '14'].map((v) => `/usr/lib/postgresql/${v}/bin`),
  ];
  const psqlPath = [process.env.PATH, ...pgBinDirs.filter((d) => d && existsSync(join(d, 'psql')))].join(':');
  const runInitScript = () =>
    spawnSync('bash', [INIT_SCRIPT], {
      encoding: 'utf8',
      env: {
        PATH: psqlPath,
        ...environmentOf(compose.services.postgres),
        PGHOST: '127.0.0.1',
        PGPORT: String(pg.port),
        PGPASSWORD: env.POSTGRES_PASSWORD,
      },
    });

  beforeAll(async () => {
    // password logins over TCP (scram), as in the postgres image: a wrong role password fails
    pg = await startPostgres({
      fast: true,
      database: 'flightdeck',
      superuserPassword: env.POSTGRES_PASSWORD,
    });
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('provisions every role and schema, and can run again', () => {
    for (let i = 0; i < 2; i++) {
      const run = runInitScript();
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    }
  });

  it("lets each service migrate its own schema with compose's DATABASE_URL", async () => {
    for (const name of SERVICE_NAMES) {
      const schema = SERVICE_SCHEMAS[name];
      const ds = createServiceDataSource({
        url: urlOf(name),
        schema,
        entities: [],
        migrations: SERVICES[name].migrations as never,
        poolSize: 2,
      });
      await ds.initialize();
      try {
        await runMigrationsLocked(ds, schema);
        const [who] = await ds.query('select current_user as role, current_schema() as schema');
        expect(who).toEqual({ role: serviceRole(schema), schema });
        expect(await ds.query(`select count(*)::int as n from "${schema}".migrations`)).toEqual([
          { n: SERVICES[name].migrations.length },
        ]);
      } finally {
        await ds.destroy();
      }
    }
  });

  it("refuses a service role another service's schema, and a wrong password", async () => {
    const gateway = new Client({ connectionString: urlOf('gateway') });
    await gateway.connect();
    try {
      await expect(gateway.query('select count(*) from logs.log_lines')).rejects.toThrow(/permission denied/);
      await expect(gateway.query('create table public.stray (id int)')).rejects.toThrow(/permission denied/);
    } finally {
      await gateway.end();
    }
    const wrong = new URL(urlOf('builder'));
    wrong.password = 'not-the-password';
    const intruder = new Client({ connectionString: wrong.toString() });
    await expect(intruder.connect()).rejects.toThrow(/password authentication failed/);
    await intruder.end().catch(() => undefined);
  });
});
