import { z } from 'zod';
import { BaseServiceEnv, ConfigError, httpPort, parseConfig } from '@flightdeck/runtime';

export const ADMIN_TOKEN_MIN_LENGTH = 16;

export const GatewayEnv = BaseServiceEnv.extend({
  // the public port: /api/v1 and Socket.IO, nothing else
  FLIGHTDECK_GATEWAY_PORT: httpPort(3000),
  // the operations port, like every service's: /health/*, /metrics and the API docs
  HTTP_PORT: httpPort(3005),
  // Bearer token with admin rights. `npm start` creates one on the first start when it is unset.
  FLIGHTDECK_ADMIN_TOKEN: z
    .string({ required_error: `required: the admin bearer token (at least ${ADMIN_TOKEN_MIN_LENGTH} characters)` })
    .min(ADMIN_TOKEN_MIN_LENGTH, `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`)
    .regex(/^\S+$/, 'must not contain whitespace')
    .describe('sensitive'),
  // Set when this gateway manages the NATS server's users (npm start, tests): the dir holding
  // platform-users.json, users.conf and nats-server's pid file. Unset: publisher routes answer
  // publisher/unsupported and the operator manages publisher users.
  FLIGHTDECK_NATS_AUTH_DIR: z.string().min(1).optional(),
  // Set by `npm start`: the file where its supervisor writes what it runs (states, restarts), shown
  // in GET /api/v1/system/status. Unset: the status lists the bus's answers only.
  FLIGHTDECK_SUPERVISOR_FILE: z.string().min(1).optional(),
  // API requests one token may make in any minute (per gateway replica; 0: no limit). The bootstrap
  // admin token is not limited.
  FLIGHTDECK_API_REQUESTS_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(1200),
  // the NATS servers shown to external publishers, comma-separated (default: NATS_URL, without credentials)
  FLIGHTDECK_NATS_PUBLIC_URL: z.string().min(1).optional(),
  // the edge's port: deployed apps are served on it (when FLIGHTDECK_EDGE_ENABLED), and a pull
  // request's preview URL is http://<project>-pr-<n>.localhost:<port>
  FLIGHTDECK_EDGE_PORT: httpPort(3080),
  // whether this gateway is an edge too: it serves every deployed app on FLIGHTDECK_EDGE_PORT
  // (HTTP_HOST), routing each Host to the builder that runs its release (npm start, compose and
  // the Kubernetes manifests turn it on)
  FLIGHTDECK_EDGE_ENABLED: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  // the edge reads the builders' whole route table this often (each change is also announced at once)
  FLIGHTDECK_EDGE_REFRESH_MS: z.coerce.number().int().min(200).max(600_000).default(5_000),
  // the GitHub REST API that pull request previews are reported to as commit statuses (a project with a GitHub token)
  FLIGHTDECK_GITHUB_API_URL: z.string().url().default('https://api.github.com'),
  // outgoing hooks: whether a hook URL may resolve to a loopback, private or link-local address
  // (off: such URLs are refused at creation and at delivery, so the platform is no SSRF proxy)
  FLIGHTDECK_HOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  // how long one delivery attempt may take before it counts as failed and is retried
  FLIGHTDECK_HOOKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  // the first retry's delay; each next one doubles it (8 attempts in all, then the delivery is failed)
  FLIGHTDECK_HOOKS_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(10_000),
});
export type GatewayConfig = z.infer<typeof GatewayEnv>;

export const loadGatewayConfig = (env: NodeJS.ProcessEnv = process.env): GatewayConfig => {
  const config = parseConfig(GatewayEnv, env);
  if (config.HTTP_PORT === config.FLIGHTDECK_GATEWAY_PORT) {
    throw new ConfigError(
      `invalid configuration:\n  HTTP_PORT: the operations port must differ from FLIGHTDECK_GATEWAY_PORT (${config.HTTP_PORT})`,
    );
  }
  return config;
};
