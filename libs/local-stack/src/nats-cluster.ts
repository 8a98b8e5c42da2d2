import { connect } from 'nats';
import type { ServiceName } from '@flightdeck/contracts';
import { NATS_ADMIN_USER, completeNatsPasswords } from '@flightdeck/messaging';
import { freePort } from '@flightdeck/runtime';
import { type NatsCredentials, type NatsServer, type NatsUser, type StartNatsOptions, startNats } from './nats.server';

export interface NatsCluster {
  /** the nodes, `flightdeck-nats-1` … in order; each can be stopped (or killed) and started again */
  nodes: (NatsServer & { name: string })[];
  /** every node's client URL, comma-separated, as NATS_URL takes them (no credentials) */
  url: string;
  credentials: Record<NatsUser, NatsCredentials>;
  /** options for nats.js `connect`: every node, as the admin by default */
  connectOptions(as?: NatsUser): { servers: string[]; user?: string; pass?: string };
  /** NATS_URL (every node), NATS_USER and NATS_PASSWORD for a service */
  envFor(service: ServiceName): Record<'NATS_URL' | 'NATS_USER' | 'NATS_PASSWORD', string>;
  /** the node by its server name (a stream's `cluster.leader`) */
  node(name: string): NatsServer & { name: string };
  dispose(): Promise<void>;
}

export interface StartNatsClusterOptions {
  /** nodes; 3 tolerates the loss of one (R3 streams keep a quorum of 2) */
  size?: number;
  /** each node's store is `<storeDir>/<node name>`; default: temp dirs removed by dispose */
  storeDir?: string;
  passwords?: NonNullable<Exclude<StartNatsOptions['authorization'], false>>['passwords'];
  /** each node's client port, in order (npm start: FLIGHTDECK_NATS_PORT and the next ones); default: free ports */
  clientPorts?: number[];
  onLog?: (node: string, line: string) => void;
  /** how long to wait for the cluster's JetStream to elect its meta leader */
  readyTimeoutMs?: number;
}

const CLUSTER_NAME = 'flightdeck';

// A NATS cluster on loopback ports: `size` nats-server processes with JetStream, routed to each other,
// each with the platform's users (the same passwords on every node). Resolves once JetStream answers
// (its meta group has a leader), so streams with replicas can be created at once.
export async function startNatsCluster(opts: StartNatsClusterOptions = {}): Promise<NatsCluster> {
  const size = opts.size ?? 3;
  if (size < 1) throw new Error('a NATS cluster needs at least one node');
  const passwords = completeNatsPasswords(opts.passwords);
  const ports: { client: number; route: number }[] = [];
  for (let i = 0; i < size; i++) ports.push({ client: opts.clientPorts?.[i] ?? (await freePort()), route: await freePort() });
  const names = ports.map((_, i) => `flightdeck-nats-${i + 1}`);
  const started = await Promise.allSettled(
    ports.map((p, i) =>
      startNats({
        port: p.client,
        storeDir: opts.storeDir ? `${opts.storeDir}/${names[i]}` : undefined,
        serverName: names[i],
        cluster: {
          name: CLUSTER_NAME,
          port: p.route,
          routes: ports.filter((_, j) => j !== i).map((q) => `nats://127.0.0.1:${q.route}`),
        },
        authorization: { passwords },
        onLog: opts.onLog ? (line) => opts.onLog!(names[i], line) : undefined,
      }).then((s) => Object.assign(s, { name: names[i] })),
    ),
  );
  const nodes = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const dispose = async () => {
    await Promise.all(nodes.map((n) => n.dispose()));
  };
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await dispose();
    throw failed.reason;
  }
  const credentials = nodes[0].credentials;
  const servers = nodes.map((n) => n.url);
  const cluster: NatsCluster = {
    nodes,
    url: servers.join(','),
    credentials,
    connectOptions: (as = NATS_ADMIN_USER) => ({ servers, ...credentials[as] }),
    envFor: (service) => ({
      NATS_URL: servers.join(','),
      NATS_USER: credentials[service].user,
      NATS_PASSWORD: credentials[service].pass,
    }),
    node: (name) => {
      const n = nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no NATS node named ${name}`);
      return n;
    },
    dispose,
  };
  try {
    await jetStreamReady(cluster, opts.readyTimeoutMs ?? 30_000);
  } catch (e) {
    await dispose();
    throw e;
  }
  return cluster;
}

async function jetStreamReady(cluster: NatsCluster, timeoutMs: number) {
  const nc = await connect({ ...cluster.connectOptions(), maxReconnectAttempts: -1 });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        // refused until the meta group has a leader
        await (await nc.jetstreamManager({ timeout: 2_000 })).getAccountInfo();
        return;
      } catch (e) {
        if (Date.now() > deadline)
          throw new Error(`the NATS cluster's JetStream did not answer within ${timeoutMs} ms: ${(e as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await nc.close();
  }
}
