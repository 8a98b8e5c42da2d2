import { z } from 'zod';
import type { ServiceName } from '@flightdeck/contracts';
import { parseConfig } from '@flightdeck/runtime';

// Settings of `npm start` itself (each service has its own schema for the rest).
export const StackSettings = z.object({
  FLIGHTDECK_DATA_DIR: z.string().default('./.data'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL of a superuser').optional(),
  NATS_URL: z.string().optional(),
  FLIGHTDECK_PG_PORT: z.coerce.number().int().default(15432),
  FLIGHTDECK_NATS_PORT: z.coerce.number().int().default(14222),
  // nats-server nodes to run (without NATS_URL): 3 is a cluster on FLIGHTDECK_NATS_PORT and the next
  // ports, whose streams get 3 replicas (`npm start -- --nats-cluster 3` sets it too)
  FLIGHTDECK_NATS_CLUSTER: z.coerce.number().int().min(1).max(7).default(1),
  FLIGHTDECK_GATEWAY_PORT: z.coerce.number().int().default(3000),
  FLIGHTDECK_EDGE_PORT: z.coerce.number().int().default(3080),
  // the builder's own router, behind the edge (the gateway's): not for clients
  FLIGHTDECK_ROUTER_PORT: z.coerce.number().int().default(3081),
  FLIGHTDECK_SERVICE_PORT_BASE: z.coerce.number().int().default(3001),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('pretty'),
  FLIGHTDECK_SKIP_EXAMPLE: z
    .enum(['0', '1', 'true', 'false'])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
});
export type StackSettings = z.infer<typeof StackSettings>;

export const stackSettings = (env: NodeJS.ProcessEnv) => parseConfig(StackSettings, env);

// The port each service serves on: the gateway's public port, the others' operations port.
export const servicePorts = (s: StackSettings): Record<ServiceName, number> => ({
  ...healthPorts(s),
  gateway: s.FLIGHTDECK_GATEWAY_PORT,
});

// Each service's operations port (HTTP_PORT: health, metrics; the gateway's API docs too).
export const healthPorts = (s: StackSettings): Record<ServiceName, number> => ({
  'deployment-orchestrator': s.FLIGHTDECK_SERVICE_PORT_BASE,
  builder: s.FLIGHTDECK_SERVICE_PORT_BASE + 1,
  'log-ingest': s.FLIGHTDECK_SERVICE_PORT_BASE + 2,
  'environment-manager': s.FLIGHTDECK_SERVICE_PORT_BASE + 3,
  gateway: s.FLIGHTDECK_SERVICE_PORT_BASE + 4,
});
