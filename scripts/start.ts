// `npm start`: the whole platform on this machine. Postgres and nats-server with their data under
// FLIGHTDECK_DATA_DIR (unless DATABASE_URL / NATS_URL point elsewhere), the five services from source,
// their logs prefixed, and Ctrl-C to stop everything.
import { spawnSync } from 'node:child_process';
import { resolve, join } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { natsPasswordVariable } from '@flightdeck/messaging';
import {
  type PostgresServer,
  Supervisor,
  stopLeftovers,
  natsUnit,
  postgresUnit,
  provisionServices,
  serviceUnit,
  startNats,
  startNatsCluster,
  writeSupervisorStatus,
} from '@flightdeck/local-stack';
import { ensureBubblewrap, ensureNatsServer } from './required-tools';
import { adminToken, loadLocalSecrets, saveLocalSecrets } from './local-secrets';
import { healthPorts, servicePorts, stackSettings } from './stack-settings';
import { deployExampleOnce } from './example-deploy';
import { ensureDashboardBuilt } from './dashboard-build';
import { printLiveEnvironments } from './live-environments';
import { operatorEnvironment } from './operator-env';
import { checkSettings, printSettings } from './settings-report';
import { forwardedSettings } from './service-settings';
import { networkEnvironment, parsePassThroughList } from '../apps/builder/src/build/network-trust';

const COLORS = [36, 35, 33, 32, 34, 31];
const say = (msg: string) => console.log(`\x1b[1m[flightdeck]\x1b[0m ${msg}`);

async function main() {
  const { env: operatorEnv, files } = operatorEnvironment(resolve(__dirname, '..'));
  if (files.length) say(`settings from ${files.join(' and ')} (the shell wins)`);
  if (process.argv.includes('--print-config')) {
    printSettings(operatorEnv);
    return;
  }
  const clusterFlag = process.argv.indexOf('--nats-cluster');
  if (clusterFlag >= 0) operatorEnv.FLIGHTDECK_NATS_CLUSTER = process.argv[clusterFlag + 1] ?? '3';
  // a misspelled or malformed setting is reported by name before anything starts
  if (!checkSettings(operatorEnv, say)) process.exit(1);
  const settings = stackSettings(operatorEnv);
  const dataDir = resolve(settings.FLIGHTDECK_DATA_DIR);
  const secrets = loadLocalSecrets(dataDir);
  let postgres: PostgresServer | undefined;
  // the nats-server auth dirs the gateway keeps external publishers' users in: one per node
  let natsAuthDirs: string[] = [];
  // the supervised nats-server units: one, or a cluster's nodes
  let natsUnits = ['nats-server'];
  let stopping = false;
  // what it runs, restarted when it dies; the gateway shows this file in /api/v1/system/status
  const statusFile = join(dataDir, 'supervisor.json');
  const supervisor = new Supervisor({ say, onChange: (status) => writeSupervisorStatus(statusFile, status) });

  // services run from source: one restarted after a `git pull` runs the new code beside the old
  const headAtStart = checkoutHead();
  const warnIfCheckoutMoved = (name: string) => {
    const now = checkoutHead();
    if (headAtStart && now && now !== headAtStart) {
      say(
        `warning: ${name} (re)started from a checkout that moved since this start (${headAtStart.slice(0, 8)} → ${now.slice(0, 8)}): ` +
          'it runs the new code beside services running the old; stop and start flightdeck to upgrade them all',
      );
    }
  };

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping services…');
    // services first (they drain), then the bus, then the database
    await supervisor.stop([[...SERVICE_NAMES], natsUnits, ['postgres']]);
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  // the terminal closed: stop in order as for Ctrl-C (a write to it now fails, and must not crash us)
  process.on('SIGHUP', () => {
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    void shutdown(0);
  });
  // the operator fixed what made something crash-loop: try those again, leave the rest running
  process.on('SIGUSR2', () => {
    if (!supervisor.retryCrashLooping().length) say('SIGUSR2: nothing is crash-looping');
  });

  try {
    await ensureDashboardBuilt(say);
    const leftovers = await stopLeftovers(statusFile, dataDir);
    if (leftovers?.stopped.length) {
      say(`the last launcher (pid ${leftovers.launcherPid}) died without stopping them: stopped ${leftovers.stopped.join(', ')}`);
    }
    let adminUrl = settings.DATABASE_URL;
    if (!adminUrl) {
      say(
        `starting Postgres on 127.0.0.1:${settings.FLIGHTDECK_PG_PORT} (data in ${join(dataDir, 'postgres')})`,
      );
      const pgOptions = {
        dataDir: join(dataDir, 'postgres'),
        port: settings.FLIGHTDECK_PG_PORT,
        superuserPassword: secrets.postgresPassword,
        database: 'flightdeck',
      };
      await supervisor.add(postgresUnit(pgOptions, (pg) => (postgres = pg)));
      if (!postgres) throw new Error('Postgres did not start');
      if (postgres.movedFrom) {
        say(`Postgres data is in ${postgres.dataDir}: its user cannot reach ${dataDir}, so ${postgres.movedFrom} links there`);
      }
      adminUrl = postgres.url;
    }
    let natsUrl = settings.NATS_URL;
    // each service's own NATS user: ours with the passwords kept in secrets.json, or the operator's
    let natsEnv = (name: ServiceName): Record<string, string | undefined> => operatorNatsCredentials(name);
    // copies of each stream: more than one on a cluster only
    let streamReplicas: Record<string, string> = {};
    ensureBubblewrap(say, operatorEnv.FLIGHTDECK_ISOLATION);
    if (!natsUrl && settings.FLIGHTDECK_NATS_CLUSTER > 1) {
      ensureNatsServer(say);
      const size = settings.FLIGHTDECK_NATS_CLUSTER;
      const clientPorts = Array.from({ length: size }, (_, i) => settings.FLIGHTDECK_NATS_PORT + i);
      say(`starting a ${size}-node nats-server cluster on 127.0.0.1:${clientPorts.join(',')} (stores in ${join(dataDir, 'nats-cluster')})`);
      const cluster = await startNatsCluster({
        size,
        clientPorts,
        storeDir: join(dataDir, 'nats-cluster'),
        passwords: secrets.natsPasswords,
      });
      for (const node of cluster.nodes) await supervisor.add(natsUnit(node, node.name));
      natsUnits = cluster.nodes.map((n) => n.name);
      natsUrl = cluster.url;
      natsEnv = (name) => cluster.envFor(name);
      // every node includes its own users.conf: the gateway rewrites and reloads each
      natsAuthDirs = cluster.nodes.flatMap((n) => (n.authDir ? [n.authDir] : []));
      streamReplicas = { NATS_STREAM_REPLICAS: String(Math.min(3, size)) };
    } else if (!natsUrl) {
      ensureNatsServer(say);
      say(
        `starting nats-server on 127.0.0.1:${settings.FLIGHTDECK_NATS_PORT} (store in ${join(dataDir, 'nats')})`,
      );
      const local = await startNats({
        storeDir: join(dataDir, 'nats'),
        port: settings.FLIGHTDECK_NATS_PORT,
        // users and bcrypt hashes of secrets.json's passwords, mode 0600
        configFile: join(dataDir, 'nats-server.conf'),
        // platform-users.json, users.conf (platform users + the gateway's publishers), the pid file
        authDir: join(dataDir, 'nats-auth'),
        authorization: { passwords: secrets.natsPasswords },
      });
      natsAuthDirs = local.authDir ? [local.authDir] : [];
      await supervisor.add(natsUnit(local));
      natsUrl = local.url;
      natsEnv = (name) => local.envFor(name);
    }

    const { urls, passwords } = await provisionServices(adminUrl, secrets.servicePasswords);
    saveLocalSecrets(dataDir, { ...secrets, servicePasswords: passwords });
    const admin = adminToken(dataDir);
    const ports = servicePorts(settings);
    const opsPorts = healthPorts(settings);

    const base = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: process.env.LANG,
      NODE_ENV: process.env.NODE_ENV ?? 'development',
      LOG_LEVEL: settings.LOG_LEVEL,
      LOG_FORMAT: settings.LOG_FORMAT,
      NATS_URL: natsUrl,
      ...streamReplicas,
      HTTP_HOST: '127.0.0.1',
      FLIGHTDECK_DATA_DIR: dataDir,
    };
    const own: Record<ServiceName, Record<string, string>> = {
      gateway: {
        FLIGHTDECK_ADMIN_TOKEN: admin.token,
        FLIGHTDECK_SUPERVISOR_FILE: statusFile,
        // our nats-server: the gateway adds and removes external publishers' users (same OS user, so SIGHUP works)
        ...(natsAuthDirs.length ? { FLIGHTDECK_NATS_AUTH_DIR: natsAuthDirs.join(',') } : {}),
        // the edge: every deployed app on this port, proxied to the builder running it; pull
        // requests' preview URLs name it
        FLIGHTDECK_EDGE_PORT: String(settings.FLIGHTDECK_EDGE_PORT),
        FLIGHTDECK_EDGE_ENABLED: 'true',
      },
      'environment-manager': {
        FLIGHTDECK_SECRET_KEY: operatorEnv.FLIGHTDECK_SECRET_KEY ?? secrets.secretKey,
        // older keys during a rotation (`npm run rotate-key`), from the operator only
        ...(operatorEnv.FLIGHTDECK_PREVIOUS_SECRET_KEYS ? { FLIGHTDECK_PREVIOUS_SECRET_KEYS: operatorEnv.FLIGHTDECK_PREVIOUS_SECRET_KEYS } : {}),
      },
      'deployment-orchestrator': {},
      // URLs name the edge's port; the builder's router, which the edge proxies to, has its own
      builder: { FLIGHTDECK_EDGE_PORT: String(settings.FLIGHTDECK_EDGE_PORT), FLIGHTDECK_ROUTER_PORT: String(settings.FLIGHTDECK_ROUTER_PORT) },
      'log-ingest': {},
    };
    // the machine's network trust (CA bundle, proxies, registry, and the operator's extra names,
    // checked above by the builder's schema): the builder hands it to every build, and only it gets it
    const network: Partial<Record<ServiceName, Record<string, string>>> = {
      builder: networkEnvironment(operatorEnv, parsePassThroughList(operatorEnv.FLIGHTDECK_BUILD_PASS_THROUGH)),
    };
    const width = Math.max(...SERVICE_NAMES.map((n) => n.length));
    say('starting services (migrations are applied as each one starts)');
    for (const [i, name] of SERVICE_NAMES.entries()) {
      const prefix = `\x1b[${COLORS[i % COLORS.length]}m${name.padEnd(width)}\x1b[0m |`;
      const env = {
        ...network[name],
        ...base,
        ...forwardedSettings(name, operatorEnv),
        ...own[name],
        ...natsEnv(name),
        DATABASE_URL: urls[name],
      };
      const output = (line: string) => console.log(`${prefix} ${line}`);
      await supervisor.add(
        serviceUnit(name, env, { port: ports[name], healthPort: opsPorts[name], onOutput: output }, () => warnIfCheckoutMoved(name)),
      );
    }
    const { crashLooping, notReady } = await supervisor.settled([...SERVICE_NAMES], 180_000);
    if (crashLooping.length === SERVICE_NAMES.length) throw new Error('every service is crash-looping');
    if (notReady.length) throw new Error(`not ready after 180 s: ${notReady.join(', ')}`);

    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    if (crashLooping.length) {
      say(`${SERVICE_NAMES.length - crashLooping.length} of ${SERVICE_NAMES.length} services ready; crash-looping: ${crashLooping.join(', ')}`);
    } else say(`all ${SERVICE_NAMES.length} services ready`);
    if (admin.created)
      say(`admin token (shown once, also in ${join(dataDir, 'admin-token')}): ${admin.token}`);
    else say(`admin token: in ${join(dataDir, 'admin-token')} or FLIGHTDECK_ADMIN_TOKEN`);
    say(
      `gateway: ${gatewayUrl}  (try: curl -H "Authorization: Bearer $(cat ${join(dataDir, 'admin-token')})" ${gatewayUrl}/api/v1/system/status)`,
    );
    say(`dashboard: ${gatewayUrl}/  (sign in with the admin token)`);
    const opsUrl = `http://127.0.0.1:${opsPorts.gateway}`;
    say(`API docs: ${opsUrl}/docs (${opsUrl}/openapi.json); health and metrics: ${opsUrl}/health/ready, ${opsUrl}/metrics`);
    if (!settings.FLIGHTDECK_SKIP_EXAMPLE) await deployExampleOnce(dataDir, gatewayUrl, admin.token, say);
    await printLiveEnvironments(gatewayUrl, admin.token, settings.FLIGHTDECK_EDGE_PORT, say);
    say('press Ctrl-C to stop');
  } catch (e) {
    console.error(`[flightdeck] start failed: ${(e as Error).message}`);
    await shutdown(1);
  }
}

function checkoutHead(): string | undefined {
  const res = spawnSync('git', ['-C', resolve(__dirname, '..'), 'rev-parse', 'HEAD'], { encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : undefined;
}

// With NATS_URL (a server of the operator's): FLIGHTDECK_NATS_PASSWORD_<SERVICE> (and, for another
// user name, FLIGHTDECK_NATS_USER_<SERVICE>) per service, else NATS_USER / NATS_PASSWORD for all.
function operatorNatsCredentials(name: ServiceName): Record<string, string | undefined> {
  const password = process.env[natsPasswordVariable(name)];
  if (password) {
    const user = process.env[natsPasswordVariable(name).replace('_PASSWORD_', '_USER_')] ?? name;
    return { NATS_USER: user, NATS_PASSWORD: password };
  }
  return { NATS_USER: process.env.NATS_USER, NATS_PASSWORD: process.env.NATS_PASSWORD };
}

void main();
