// A gateway's public edge in a process of its own, for `npm run bench -- edge`: the gateway's own
// PublicEdge and EdgeRoutes (apps/gateway/src/edge), with its table read from a stand-in of the bus
// that names one router for every label asked about (the route a builder would publish). Started
// as `node -r @swc-node/register bench/support/gateway-edge-process.ts '{"port":…,"router":"127.0.0.1:…"}'`;
// prints "ready" once it listens, stops on SIGTERM.
import 'reflect-metadata';
import { listEdgeRoutes } from '@flightdeck/contracts';
import type { Bus } from '@flightdeck/messaging';
import { EdgeRoutes } from '../../apps/gateway/src/edge/edge-routes';
import { PublicEdge } from '../../apps/gateway/src/edge/public-edge';

export interface EdgeProcessOptions {
  port: number;
  /** host:port of the builder's router */
  router: string;
  /** the labels routed to it */
  labels: string[];
}

async function main(): Promise<void> {
  const o = JSON.parse(process.argv[2] ?? '{}') as EdgeProcessOptions;
  const routes = o.labels.map((label) => ({ label, kind: 'environment', builder: 'bench-builder', address: o.router }));
  // listEdgeRoutes answers the table; any other read (custom domains) answers an empty list
  const bus = {
    request: async (command: unknown) =>
      command === listEdgeRoutes ? { ok: true, data: { routes } } : { ok: true, data: { domains: [] } },
  } as unknown as Bus;
  const edge = new PublicEdge({ host: '127.0.0.1', port: o.port, refreshMs: 60_000 }, new EdgeRoutes(bus));
  await edge.onApplicationBootstrap();
  process.once('SIGTERM', () => void edge.onApplicationShutdown().then(() => process.exit(0)));
  console.log('ready');
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exit(1);
});
