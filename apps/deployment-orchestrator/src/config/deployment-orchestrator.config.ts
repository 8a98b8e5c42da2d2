import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';

const millis = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const DeploymentOrchestratorEnv = BaseServiceEnv.extend({
  HTTP_PORT: httpPort(3001),
  // a deployment still active after this long (from when its job went out, by the database's clock) ends as timeout
  FLIGHTDECK_DEPLOY_TIMEOUT_MS: millis(30 * 60_000),
  // attempts of one deployment: a deployment whose builder stopped (build/interrupted) or went silent
  // is sent to a builder again, its log continuing, until this many attempts have run
  FLIGHTDECK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  // a running deployment whose phase has not moved and from whose builder no heartbeat came for this
  // long is lost: it is sent again (next attempt) or failed with the reason
  FLIGHTDECK_STUCK_AFTER_MS: z.coerce.number().int().min(5_000).default(5 * 60_000),
  // how long a cancel waits for the builder to confirm its work stopped before it is marked canceled anyway
  FLIGHTDECK_CANCEL_GRACE_MS: millis(10_000),
  // how often the sweeper looks for timed-out deployments and unanswered cancels
  FLIGHTDECK_SWEEP_INTERVAL_MS: millis(1_000),
  // triggers one project may make in any minute, across every replica; more get 429 with Retry-After
  FLIGHTDECK_TRIGGERS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
  // a deployment that failed for a temporary reason (the catalog's `temporary`, e.g. the clone hit
  // the network) is retried this many times; 0 turns it off
  FLIGHTDECK_AUTO_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  // the first automatic retry waits this long, each next one twice as long
  FLIGHTDECK_AUTO_RETRY_DELAY_MS: millis(5_000),
});
export type DeploymentOrchestratorConfig = z.infer<typeof DeploymentOrchestratorEnv>;

export const loadDeploymentOrchestratorConfig = (env: NodeJS.ProcessEnv = process.env): DeploymentOrchestratorConfig =>
  parseConfig(DeploymentOrchestratorEnv, env);

export const ORCHESTRATOR_CONFIG = Symbol('ORCHESTRATOR_CONFIG');
