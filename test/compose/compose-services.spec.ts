import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@flightdeck/contracts';
import { SERVICE_SCHEMAS, serviceRole } from '@flightdeck/persistence';
import { MACHINE_NETWORK_VARIABLES } from '../../apps/builder/src/build/network-trust';
import { type ComposeFile, InterpolationError, environmentOf, loadComposeFile, publishedPorts } from './compose-file';
import { COMPOSE_FILE, NATS_CONF, ROOT, SERVICES, generatedEnv, natsSetting, requiredKeys } from './compose-support';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { readyUrl } = require('../../deploy/healthcheck.js') as {
  readyUrl: (env: Record<string, string | undefined>) => string;
};

// docker-compose.yml as each of the five services sees it: its settings, database, image and health.
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
});
