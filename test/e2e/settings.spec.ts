import { chmodSync, lstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { type Deployment, type LogLine, SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { MOVED_CLUSTERS_DIR, postgresUser } from '@flightdeck/testing';
import { connect } from 'nats';
import { forwardableSettings } from '../../scripts/service-settings';
import { GitRepo } from '../support/git-repo';
import { Api, until } from '../support/http';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(300_000);

// A value unlike the default for every setting npm start forwards: a setting added to a schema
// without one here fails the first test, so none can be silently ignored again.
const NON_DEFAULT: Record<string, string> = {
  SERVICE_INSTANCE_ID: 'settings-test-instance',
  // the stack below runs a 3-node NATS cluster: one server refuses replicated streams
  NATS_STREAM_REPLICAS: '3',
  FLIGHTDECK_NATS_PUBLIC_URL: 'nats://nats.public.example:4222',
  FLIGHTDECK_GITHUB_API_URL: 'http://github-api.settings.example',
  FLIGHTDECK_HOOKS_ALLOW_PRIVATE: 'true',
  FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE: 'true',
  // no environment here uses the docker provider: the engine is never dialled
  DOCKER_HOST: 'unix:///nonexistent/docker.sock',
  DOCKER_TLS_VERIFY: '1',
  DOCKER_CERT_PATH: '/nonexistent/docker-certs',
  FLIGHTDECK_HOOKS_TIMEOUT_MS: '7000',
  FLIGHTDECK_HOOKS_RETRY_BASE_MS: '5000',
  FLIGHTDECK_DEPLOY_TIMEOUT_MS: '600000',
  FLIGHTDECK_MAX_ATTEMPTS: '4',
  FLIGHTDECK_STUCK_AFTER_MS: '600000',
  FLIGHTDECK_JOB_STALE_AFTER_MS: '45000',
  FLIGHTDECK_CANCEL_GRACE_MS: '7000',
  FLIGHTDECK_SWEEP_INTERVAL_MS: '1500',
  FLIGHTDECK_TRIGGERS_PER_MINUTE: '30',
  FLIGHTDECK_API_REQUESTS_PER_MINUTE: '900',
  FLIGHTDECK_AUTO_RETRIES: '1',
  FLIGHTDECK_AUTO_RETRY_DELAY_MS: '7000',
  FLIGHTDECK_BUILD_CONCURRENCY: '1',
  FLIGHTDECK_HEALTH_TIMEOUT_MS: '45000',
  FLIGHTDECK_DRAIN_TIMEOUT_MS: '20000',
  FLIGHTDECK_HEALTH_INTERVAL_MS: '4000',
  FLIGHTDECK_HEALTH_PROBE_TIMEOUT_MS: '1500',
  FLIGHTDECK_UNHEALTHY_THRESHOLD: '4',
  // where the edge reaches the builder's router (its default is HTTP_HOST, 127.0.0.1 here too)
  FLIGHTDECK_ROUTER_ADVERTISE: '127.0.0.1',
  FLIGHTDECK_BUILDER_ID: 'settings-test-builder',
  FLIGHTDECK_BUILDER_DEAD_AFTER_MS: '15000',
  FLIGHTDECK_EDGE_REFRESH_MS: '3000',
  FLIGHTDECK_BUILD_PASS_THROUGH: 'FD_E2E_BUILD_TRUST',
  // its one other value turns isolation off: the builds here must run sandboxed, as users get them
  FLIGHTDECK_ISOLATION: 'sandbox',
  FLIGHTDECK_BUILD_MEMORY_MB: '3072',
  FLIGHTDECK_BUILD_PROCESSES: '900',
  FLIGHTDECK_BUILD_CPUS: '1.5',
  FLIGHTDECK_BUILD_DISK_MB: '8192',
  FLIGHTDECK_INSTALL_TIMEOUT_SECONDS: '600',
  FLIGHTDECK_BUILD_TIMEOUT_SECONDS: '700',
  FLIGHTDECK_RELEASE_MEMORY_MB: '768',
  FLIGHTDECK_RELEASE_PROCESSES: '200',
  FLIGHTDECK_RELEASE_CPUS: '0.75',
  FLIGHTDECK_LOG_LINES_PER_SECOND: '20000',
  FLIGHTDECK_RUNTIME_LOG_LINES_PER_SECOND: '150',
  LOG_INGEST_MAX_MESSAGES_PER_TX: '32',
  LOG_INGEST_MAX_LINES_PER_TX: '10000',
  LOG_INGEST_RETENTION_DAYS: '14',
};
const ADMIN_TOKEN = 'fdk_settings-test-admin-token-0123456789';

// The machine's extra CA bundle: this machine's, or (on one without) Node's own roots in a file.
let caDir: string | undefined;
const machineCaBundle = (): string => {
  if (process.env.NODE_EXTRA_CA_CERTS) return process.env.NODE_EXTRA_CA_CERTS;
  caDir = mkdtempSync(join(tmpdir(), 'fd-ca-'));
  chmodSync(caDir, 0o755);
  const file = join(caDir, 'extra-ca.pem');
  writeFileSync(file, rootCertificates.join('\n'), { mode: 0o644 });
  return file;
};

describe('every documented setting works under npm start', () => {
  let stack: Launched;
  const caBundle = machineCaBundle();

  beforeAll(async () => {
    stack = await startLauncher({
      ...NON_DEFAULT,
      FLIGHTDECK_NATS_CLUSTER: '3',
      FLIGHTDECK_ADMIN_TOKEN: ADMIN_TOKEN,
      // misspelled: must be reported, not ignored
      FLIGHTDECK_BUILD_CONCURENCY: '5',
      // the machine's network trust, and a variable the operator adds to it
      NODE_EXTRA_CA_CERTS: caBundle,
      FD_E2E_BUILD_TRUST: 'operator-added-trust',
    });
  });
  afterAll(async () => {
    await stack?.stop();
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });

  const settingsOf = async (name: ServiceName): Promise<Record<string, unknown>> => {
    const url =
      name === 'gateway'
        ? `${stack.gatewayUrl}/api/v1/debug/settings`
        : `http://127.0.0.1:${stack.servicePorts[name]}/debug/settings`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { settings: Record<string, unknown> }).settings;
  };

  it('has a non-default value here for every setting a service takes from the operator', () => {
    const forwardable = new Set(SERVICE_NAMES.flatMap(forwardableSettings));
    expect([...forwardable].sort()).toEqual(Object.keys(NON_DEFAULT).sort());
  });

  it('hands each service every setting its schema declares, and each service runs with it', async () => {
    for (const name of SERVICE_NAMES) {
      const settings = await settingsOf(name);
      for (const key of forwardableSettings(name)) expect([name, key, String(settings[key])]).toEqual([name, key, NON_DEFAULT[key]]);
      // and the ones npm start owns: its log level, and secrets shown masked only
      expect(settings.LOG_LEVEL).toBe('warn');
      expect(JSON.stringify(settings)).not.toContain(ADMIN_TOKEN);
    }
    expect((await settingsOf('gateway')).FLIGHTDECK_ADMIN_TOKEN).toBe('***');
  });

  it('uses the operator admin token and warns about a misspelled setting by name', async () => {
    const res = await fetch(`${stack.gatewayUrl}/api/v1/projects`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(stack.output.join('\n')).toMatch(/FLIGHTDECK_BUILD_CONCURENCY is not a setting.*did you mean FLIGHTDECK_BUILD_CONCURRENCY\?/);
  });

  it('refuses the settings endpoint of the gateway without the admin token', async () => {
    expect((await fetch(`${stack.gatewayUrl}/api/v1/debug/settings`)).status).toBe(401);
  });

  it("serves the gateway's health, metrics and API docs on its operations port only, and says where", async () => {
    for (const path of ['/health/live', '/health/ready', '/metrics', '/docs', '/openapi.json']) {
      expect([path, (await fetch(`${stack.gatewayOpsUrl}${path}`)).status]).toEqual([path, 200]);
      expect([path, (await fetch(`${stack.gatewayUrl}${path}`)).status]).toEqual([path, 404]);
    }
    expect(stack.output.join('\n')).toContain(`API docs: ${stack.gatewayOpsUrl}/docs`);
  });

  // startLauncher puts the data dir in a `mktemp -d` directory (0700, root's when the tests run as root)
  it('runs with its data dir in a directory only root can enter, and opens nothing of it up', () => {
    expect(statSync(dirname(stack.dataDir)).mode & 0o777).toBe(0o700);
    if (!postgresUser()) return; // not root: Postgres runs as this user, which can enter it
    // the Postgres user cannot: its cluster lives where it can, and the data dir links to it
    expect(lstatSync(join(stack.dataDir, 'postgres')).isSymbolicLink()).toBe(true);
    expect(stack.output.join('\n')).toContain(`Postgres data is in ${MOVED_CLUSTERS_DIR}/`);
  });

  // yarn comes through corepack, which downloads it from the registry, then installs a real
  // dependency: both need the machine's CA bundle on a network that intercepts TLS
  it('hands an external publisher a NATS credential every node of the cluster accepts', async () => {
    const api = new Api(stack.gatewayUrl, ADMIN_TOKEN);
    const project = await api.call<{ id: string }>('POST', '/projects', { name: 'published', repositoryUrl: 'https://example.com/published.git' });
    expect(project.status).toBe(201);
    const created = await api.call<{ nats: { servers: string[]; user: string; password: string; inboxPrefix: string } }>(
      'POST',
      `/projects/${project.body.id}/publishers`,
      { name: 'ci' },
    );
    expect(created.status).toBe(201);
    // they are told FLIGHTDECK_NATS_PUBLIC_URL; the nodes themselves are the launcher's ports
    const { servers, user, password, inboxPrefix } = created.body.nats;
    expect(servers).toEqual(['nats://nats.public.example:4222']);
    expect(stack.natsPorts).toHaveLength(3);
    for (const server of stack.natsPorts.map((p) => `nats://127.0.0.1:${p}`)) {
      const nc = await connect({ servers: [server], user, pass: password, inboxPrefix, reconnect: false, ignoreClusterUpdates: true, timeout: 5_000 });
      await nc.close();
    }
  });

  it("gives builds the machine's network trust: a yarn project with a registry dependency deploys with no project variable", async () => {
    const api = new Api(stack.gatewayUrl, ADMIN_TOKEN);
    const repo = GitRepo.create(yarnApp());
    const project = await api.call<{ id: string }>('POST', '/projects', { name: 'yarn-app', repositoryUrl: repo.dir });
    expect(project.status).toBe(201);
    const created = await api.call<Deployment>('POST', `/projects/${project.body.id}/deployments`, { sourceRef: 'main' });
    expect(created).toMatchObject({ status: 201 });
    const done = await until(
      'the yarn deployment to end',
      async () => {
        const { body } = await api.call<Deployment>('GET', `/deployments/${created.body.id}`);
        return ['succeeded', 'failed', 'canceled', 'timeout'].includes(body.status) ? body : undefined;
      },
      180_000,
      500,
    );
    const logs = await api.call<{ items: LogLine[] }>('GET', `/deployments/${created.body.id}/logs?limit=5000`);
    const printed = logs.body.items.map((l) => l.message).join('\n');
    expect({ status: done.status, error: done.errorMessage, logs: done.status === 'succeeded' ? '' : printed.slice(-3000) }).toMatchObject({
      status: 'succeeded',
      logs: '',
    });
    expect(printed).toContain('is-number says true');
    expect(printed).toContain(`extra CA ${caBundle}`);
    expect(printed).toContain('operator trust operator-added-trust');
    // and nothing of the platform's own environment
    expect(printed).toContain('database url unset');
    repo.remove();
  });
});

// A Node server installed with yarn 1 from its lockfile: one small dependency from the registry.
const yarnApp = () => ({
  'package.json': JSON.stringify({
    name: 'yarn-app',
    version: '1.0.0',
    private: true,
    packageManager: 'yarn@1.22.22',
    dependencies: { 'is-number': '7.0.0' },
    scripts: { build: 'node build.js', start: 'node server.js' },
  }),
  'yarn.lock': [
    '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.',
    '# yarn lockfile v1',
    '',
    '',
    'is-number@7.0.0:',
    '  version "7.0.0"',
    '  resolved "https://registry.yarnpkg.com/is-number/-/is-number-7.0.0.tgz#7535345b896734d5f80c4d06c50955527a14f12b"',
    '  integrity sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==',
    '',
  ].join('\n'),
  'build.js': `
console.log('is-number says ' + require('is-number')(7));
console.log('extra CA ' + process.env.NODE_EXTRA_CA_CERTS);
console.log('operator trust ' + (process.env.FD_E2E_BUILD_TRUST || 'unset'));
console.log('database url ' + (process.env.DATABASE_URL ? 'set' : 'unset'));
`,
  'server.js': `require('http').createServer((q, r) => r.end('yarn app')).listen(process.env.PORT, '127.0.0.1');`,
});
