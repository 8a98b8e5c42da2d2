import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig } from '@flightdeck/runtime';
import type { BuilderConfig } from '../config/builder.config';
import type { ResourceLimits } from '../sandbox/resource-limits';

export interface ProviderSettings {
  /** FLIGHTDECK_DATA_DIR/releases */
  releasesDir: string;
  /** FLIGHTDECK_DATA_DIR/cache: the projects' caches (their corepack's package managers) */
  cacheDir: string;
  /** what a release process may use when its release recorded nothing */
  releaseLimits: ResourceLimits;
  edgeHost: string;
  /** the port environment and preview URLs name (the edge's) */
  edgePort: number;
  /** the port this builder's router listens on (edgeHost): the edge proxies to it */
  routerPort: number;
  /** the host the edges reach the router at (default: edgeHost, or this host's name for 0.0.0.0) */
  routerAdvertise?: string;
  /** this replica's stable name */
  builderId?: string;
  /** a replica silent this long has its releases taken over */
  builderDeadAfterMs: number;
  /** a new Node release must answer GET healthPath below 500 within this */
  healthTimeoutMs: number;
  healthPath: string;
  /** releases kept on disk per environment, the current one included */
  keptReleases: number;
  /** Node processes of releases that no environment serves (previews), started on first request */
  maxPreviewProcesses: number;
  previewIdleMs: number;
  /** SIGTERM → SIGKILL grace when a release process is stopped */
  stopGraceMs: number;
  /**
   * after a switch the previous release keeps answering what it was sent (requests in flight,
   * open WebSockets) up to this long; then its WebSockets are closed and it is stopped
   */
  drainTimeoutMs: number;
  /** supervision of current Node releases: GET healthPath every healthIntervalMs, each probe up to healthProbeTimeoutMs */
  healthIntervalMs: number;
  healthProbeTimeoutMs: number;
  /** consecutive failed probes after which a running release is restarted */
  unhealthyThreshold: number;
  /** the first restart waits this long, each next one twice as long, up to restartBackoffMaxMs */
  restartBackoffMs: number;
  restartBackoffMaxMs: number;
  /** this many restarts within crashLoopWindowMs: crash-looping, restarts stop until a deploy or rollback */
  crashLoopRestarts: number;
  crashLoopWindowMs: number;
}

export type ProviderModuleOptions = Partial<ProviderSettings>;

// The health timeout from the environment when no builder config is given (the provider tested alone), so that
// ProviderModule.forRoot() needs nothing but the builder's config.
const ProviderEnv = z.object({
  FLIGHTDECK_HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  FLIGHTDECK_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  FLIGHTDECK_HEALTH_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  FLIGHTDECK_HEALTH_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  FLIGHTDECK_UNHEALTHY_THRESHOLD: z.coerce.number().int().min(1).max(100).default(3),
});

type ConfigShape = Partial<
  Pick<
    BuilderConfig,
    | 'FLIGHTDECK_DATA_DIR'
    | 'FLIGHTDECK_EDGE_PORT'
    | 'FLIGHTDECK_ROUTER_PORT'
    | 'FLIGHTDECK_ROUTER_ADVERTISE'
    | 'FLIGHTDECK_BUILDER_ID'
    | 'FLIGHTDECK_BUILDER_DEAD_AFTER_MS'
    | 'HTTP_HOST'
    | 'FLIGHTDECK_RELEASE_MEMORY_MB'
    | 'FLIGHTDECK_RELEASE_PROCESSES'
    | 'FLIGHTDECK_RELEASE_CPUS'
  >
> & {
  FLIGHTDECK_HEALTH_TIMEOUT_MS?: number;
  FLIGHTDECK_DRAIN_TIMEOUT_MS?: number;
  FLIGHTDECK_HEALTH_INTERVAL_MS?: number;
  FLIGHTDECK_HEALTH_PROBE_TIMEOUT_MS?: number;
  FLIGHTDECK_UNHEALTHY_THRESHOLD?: number;
};

export function resolveProviderSettings(
  config: ConfigShape | undefined,
  options: ProviderModuleOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ProviderSettings {
  const fromEnv = parseConfig(ProviderEnv, env);
  const dataDir = resolve(config?.FLIGHTDECK_DATA_DIR ?? env.FLIGHTDECK_DATA_DIR ?? './.data');
  return {
    releasesDir: join(dataDir, 'releases'),
    cacheDir: join(dataDir, 'cache'),
    releaseLimits: {
      memoryMb: config?.FLIGHTDECK_RELEASE_MEMORY_MB ?? 1_024,
      processes: config?.FLIGHTDECK_RELEASE_PROCESSES ?? 256,
      cpus: config?.FLIGHTDECK_RELEASE_CPUS ?? 1,
    },
    // the edge listens where the service's HTTP port does (0.0.0.0 in a container)
    edgeHost: config?.HTTP_HOST ?? '127.0.0.1',
    edgePort: config?.FLIGHTDECK_EDGE_PORT ?? 3080,
    routerPort: config?.FLIGHTDECK_ROUTER_PORT ?? config?.FLIGHTDECK_EDGE_PORT ?? 3080,
    routerAdvertise: config?.FLIGHTDECK_ROUTER_ADVERTISE,
    builderId: config?.FLIGHTDECK_BUILDER_ID,
    builderDeadAfterMs: config?.FLIGHTDECK_BUILDER_DEAD_AFTER_MS ?? 10_000,
    healthTimeoutMs: config?.FLIGHTDECK_HEALTH_TIMEOUT_MS ?? fromEnv.FLIGHTDECK_HEALTH_TIMEOUT_MS,
    healthPath: '/',
    keptReleases: 5,
    maxPreviewProcesses: 3,
    previewIdleMs: 10 * 60_000,
    stopGraceMs: 5_000,
    drainTimeoutMs: config?.FLIGHTDECK_DRAIN_TIMEOUT_MS ?? fromEnv.FLIGHTDECK_DRAIN_TIMEOUT_MS,
    healthIntervalMs: config?.FLIGHTDECK_HEALTH_INTERVAL_MS ?? fromEnv.FLIGHTDECK_HEALTH_INTERVAL_MS,
    healthProbeTimeoutMs: config?.FLIGHTDECK_HEALTH_PROBE_TIMEOUT_MS ?? fromEnv.FLIGHTDECK_HEALTH_PROBE_TIMEOUT_MS,
    unhealthyThreshold: config?.FLIGHTDECK_UNHEALTHY_THRESHOLD ?? fromEnv.FLIGHTDECK_UNHEALTHY_THRESHOLD,
    restartBackoffMs: 1_000,
    restartBackoffMaxMs: 30_000,
    crashLoopRestarts: 5,
    crashLoopWindowMs: 10 * 60_000,
    ...options,
  };
}

export const PROVIDER_SETTINGS = Symbol('PROVIDER_SETTINGS');
