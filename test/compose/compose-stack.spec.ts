import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_NAMES } from '@flightdeck/contracts';
import { MACHINE_NETWORK_VARIABLES } from '../../apps/builder/src/build/network-trust';
import { loadBuilderConfig } from '../../apps/builder/src/config/builder.config';
import { loadGatewayConfig } from '../../apps/gateway/src/config/gateway.config';
import { type ComposeFile, environmentOf, loadComposeFile, publishedPorts } from './compose-file';
import { COMPOSE_FILE, NATS_CONF, ROOT, generatedEnv, natsSetting } from './compose-support';

const MIN_NATS_VERSION = [2, 12, 3];

const versionOf = (image: string) => {
  const m = /:(\d+)\.(\d+)\.(\d+)/.exec(image);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
};
const atLeast = (v: number[], min: number[]) => {
  for (let i = 0; i < min.length; i++) if (v[i] !== min[i]) return v[i] > min[i];
  return true;
};

// docker-compose.yml as a whole: what it publishes, what the builder gets from the host, and the
// NATS and Postgres containers.
describe('docker-compose.yml', () => {
  const env = generatedEnv();
  const compose: ComposeFile = loadComposeFile(COMPOSE_FILE, env);
  const service = (name: string) => compose.services[name];

  it("keeps the gateway's operations port (health, metrics, API docs) off the host", () => {
    const config = loadGatewayConfig(environmentOf(service('gateway')));
    expect(config.HTTP_PORT).not.toBe(config.FLIGHTDECK_GATEWAY_PORT);
    expect(publishedPorts(service('gateway')).map((p) => p.target)).not.toContain(config.HTTP_PORT);
  });

  it('publishes only the gateway: its API and its edge, on the ports they listen on', () => {
    const published = Object.entries(compose.services)
      .filter(([, s]) => (s.ports ?? []).length > 0)
      .map(([n]) => n);
    expect(published).toEqual(['gateway']);

    const gatewayConfig = loadGatewayConfig(environmentOf(service('gateway')));
    const gateway = publishedPorts(service('gateway'));
    // the API, and the edge where the deployed apps answer (the port their URLs name)
    expect(gateway).toEqual([
      { hostIp: '127.0.0.1', published: '3000', target: gatewayConfig.FLIGHTDECK_GATEWAY_PORT },
      { hostIp: '127.0.0.1', published: '3080', target: gatewayConfig.FLIGHTDECK_EDGE_PORT },
    ]);
    expect(gatewayConfig.FLIGHTDECK_EDGE_ENABLED).toBe(true);

    // the builders' routers are reached on the compose network only, on the port URLs name
    const builderConfig = loadBuilderConfig(environmentOf(service('builder')));
    expect(publishedPorts(service('builder'))).toEqual([]);
    expect(builderConfig.FLIGHTDECK_EDGE_PORT).toBe(gatewayConfig.FLIGHTDECK_EDGE_PORT);
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
