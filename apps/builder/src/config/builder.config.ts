import { resolve } from 'node:path';
import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';
import { parsePassThroughList, passThroughProblems } from '../build/network-trust';

const BuilderSettings = BaseServiceEnv.extend({
  HTTP_PORT: httpPort(3002),
  // work dirs, the artifact store, releases and the npm cache live under it
  FLIGHTDECK_DATA_DIR: z
    .string()
    .min(1)
    .default('./.data')
    .transform((p) => resolve(p)),
  // the edge's port: environment and preview URLs point at it (the gateway's edge serves it; a
  // builder alone is its own edge and listens on it)
  FLIGHTDECK_EDGE_PORT: httpPort(3080),
  // this builder's router (its releases, on HTTP_HOST), which the edge proxies its labels to;
  // unset: FLIGHTDECK_EDGE_PORT (the builder alone is the edge)
  FLIGHTDECK_ROUTER_PORT: httpPort(3081).optional(),
  // host (or IP) the edges reach this builder's router at; unset: HTTP_HOST, or this host's name
  // when HTTP_HOST is 0.0.0.0 (a pod: its IP)
  FLIGHTDECK_ROUTER_ADVERTISE: z.string().trim().min(1).max(253).optional(),
  // this replica's stable name (its releases stay its own across a restart); unset: <hostname>-<router port>
  FLIGHTDECK_BUILDER_ID: z.string().trim().regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - (at most 100)').optional(),
  // a replica silent this long is dead: another replica takes its releases over and serves them
  FLIGHTDECK_BUILDER_DEAD_AFTER_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(10_000),
  // builds one replica runs at once; more jobs wait on the queue for this or another replica
  FLIGHTDECK_BUILD_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  // a running job heartbeats every 2 s; one silent this long has lost its builder and is ended
  // (reported as build/interrupted, which the orchestrator sends to another builder)
  FLIGHTDECK_JOB_STALE_AFTER_MS: z.coerce.number().int().min(6_000).max(3_600_000).default(30_000),
  // a new release must answer GET / below 500 within this, or the deployment fails
  FLIGHTDECK_HEALTH_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  // after a switch the previous release finishes its requests in flight (WebSockets stay open) up
  // to this long, then is stopped; 0 stops it at once
  FLIGHTDECK_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  // every current Node release answers GET <its health path> every interval (each probe up to the
  // probe timeout); this many failures in a row and it is restarted
  FLIGHTDECK_HEALTH_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  FLIGHTDECK_HEALTH_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  FLIGHTDECK_UNHEALTHY_THRESHOLD: z.coerce.number().int().min(1).max(100).default(3),
  // builds and releases run sandboxed (bubblewrap) and the builder refuses to start without it;
  // `unsafe-none` runs them as the builder itself, able to read the platform's secrets
  FLIGHTDECK_ISOLATION: z.enum(['sandbox', 'unsafe-none']).default('sandbox'),
  // what one build may use unless its environment says otherwise (capped at what the host gives)
  FLIGHTDECK_BUILD_MEMORY_MB: z.coerce.number().int().min(64).max(1_048_576).default(4_096),
  FLIGHTDECK_BUILD_PROCESSES: z.coerce.number().int().min(16).max(65_536).default(1_024),
  FLIGHTDECK_BUILD_CPUS: z.coerce.number().min(0.05).max(1024).default(2),
  FLIGHTDECK_BUILD_DISK_MB: z.coerce.number().int().min(64).max(10_485_760).default(10_240),
  FLIGHTDECK_INSTALL_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  FLIGHTDECK_BUILD_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(86_400).default(900),
  // what one release process may use unless its environment says otherwise
  FLIGHTDECK_RELEASE_MEMORY_MB: z.coerce.number().int().min(64).max(1_048_576).default(1_024),
  FLIGHTDECK_RELEASE_PROCESSES: z.coerce.number().int().min(16).max(65_536).default(256),
  FLIGHTDECK_RELEASE_CPUS: z.coerce.number().min(0.05).max(1024).default(1),
  // whether an environment's provider may reach loopback, private and link-local addresses and file:// repositories
  // (the custom provider's URL, a GitHub Pages repository); off, they are refused before any build
  FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  // the Docker engine of the docker provider when an environment's settings name none (unix:///var/run/docker.sock,
  // tcp://host:2376, ssh://user@host), with the docker CLI's TLS settings for tcp; read by the provider as the CLI reads them
  DOCKER_HOST: z.string().trim().min(1).optional(),
  DOCKER_TLS_VERIFY: z.string().optional(),
  DOCKER_CERT_PATH: z.string().min(1).optional(),
  // lines of output one deployment's log keeps per second at most; past it a build's lines are
  // dropped and a system line in the log says how many (a flood of 50,000 lines/s is capped)
  FLIGHTDECK_LOG_LINES_PER_SECOND: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
  // lines of one release's own output (its runtime log) kept per second; past it they are counted
  // and one warn line says how many: a chatty app cannot flood the bus or log-ingest
  FLIGHTDECK_RUNTIME_LOG_LINES_PER_SECOND: z.coerce.number().int().min(1).max(100_000).default(200),
});

export const BuilderEnv = BuilderSettings.extend({
  // more variables of the machine's network trust that builds get besides the CA bundle, proxy and
  // registry ones (comma-separated names); a platform credential or a builder setting stops the start
  FLIGHTDECK_BUILD_PASS_THROUGH: z
    .string()
    .optional()
    .transform(parsePassThroughList)
    .superRefine((names, ctx) => {
      for (const message of passThroughProblems(names, [...Object.keys(BuilderSettings.shape), 'FLIGHTDECK_BUILD_PASS_THROUGH'])) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      }
    }),
});
export type BuilderConfig = z.infer<typeof BuilderEnv>;

export const loadBuilderConfig = (env: NodeJS.ProcessEnv = process.env): BuilderConfig => parseConfig(BuilderEnv, env);

export const BUILDER_CONFIG = Symbol('BUILDER_CONFIG');
