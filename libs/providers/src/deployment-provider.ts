import type { z } from 'zod';
import type { ProviderReport } from '@flightdeck/contracts';

// One interface for every place a release can go: the internal provider (this machine, behind the
// edge), Docker, GitHub Pages, a custom webhook... A provider is a folder under src/ exporting one
// ProviderDefinition, registered by one line in registry.ts.

export type { ProviderReport };

/** every line a provider says ends up in the deployment's log (source deploy) */
export type ProviderLog = (message: string, level?: 'info' | 'warn' | 'error') => void;

/** the deployment a call is about */
export interface DeploymentTarget {
  deploymentId: string;
  projectId?: string;
  projectName: string;
  environmentName: string;
}

/** what is deployed: the packed build output, or an image a registry holds */
export type DeploySource =
  | {
      type: 'artifact';
      /** the packed artifact (.tar.gz) on this host */
      path: string;
      kind: 'node' | 'static';
      /** node apps: argv run in the app's dir (PORT is set by the provider) */
      startCommand?: string[];
      /** node apps: the path a health check asks */
      healthCheckPath?: string;
    }
  | { type: 'image'; image: string; port?: number; healthCheckPath?: string };

export interface DeployRequest extends DeploymentTarget {
  source: DeploySource;
  /** the deployment's variables (sensitive ones included: never log them) */
  env: Record<string, string>;
  /** which keys of env are sensitive variables (a provider that hands variables on may withhold them) */
  sensitiveKeys?: string[];
  commitSha?: string;
  /** the source tree the build ran in (a Dockerfile lives there), when the provider needs more than the artifact */
  sourceDir?: string;
}

export interface RollbackRequest extends DeploymentTarget {
  /** the earlier deployment to serve again */
  toDeploymentId: string;
  /** what the provider answered for it (DeployResult.providerDeploymentId), when it gave one */
  toProviderDeploymentId?: string;
}

export interface DeployResult {
  /** the environment's URL */
  url: string;
  /** this deployment's own URL, where the provider has one */
  previewUrl?: string;
  /** the provider's id of what it deployed (a commit, a container, a remote deployment id) */
  providerDeploymentId?: string;
  /**
   * where the release answers HTTP on an address the host's edge reaches (http://host:port: the
   * Docker provider's container). Set: the builder routes the environment's edge label there and
   * reports the edge URL as the deployment's `url` (this `url` becomes its previewUrl).
   */
  upstream?: string;
}

export type ProviderDeploymentStatus = 'queued' | 'building' | 'deploying' | 'succeeded' | 'failed' | 'canceled';

/** an incoming HTTP request from the provider, as received: the raw body is what is signed */
export interface ProviderWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export interface ProviderWebhookEvent {
  deploymentId?: string;
  providerDeploymentId?: string;
  status: ProviderDeploymentStatus;
  message?: string;
  url?: string;
}

/** per call: where logs go, when to stop */
export interface ProviderCallContext {
  log: ProviderLog;
  signal: AbortSignal;
  /**
   * resolves the next time the platform's status webhook says something of this deployment (the
   * host verified it): a follow loop reads the platform's state then instead of waiting out its pause
   */
  nudged?: () => Promise<void>;
  /**
   * the host routes the environment's edge to `upstream` (see DeployResult.upstream) and resolves
   * once it does: a provider calls it once its new release is healthy, before it drains and stops
   * what it replaces. Absent: the host routes nothing (the provider's URL is the environment's).
   */
  switchEdge?: (upstream: string) => Promise<void>;
}

/**
 * A provider bound to one environment's settings and credentials. Only deploy is required; what a
 * platform does not have (rollback, cancel, webhooks) is left out, and the platform says so.
 */
export interface DeploymentProvider {
  /** check settings and credentials against the platform before any build (e.g. an authenticated no-op call) */
  initialize?(ctx: ProviderCallContext): Promise<void>;
  /** deploy the source with its variables; resolves once it serves (or throws ProviderError) */
  deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult>;
  /** the platform's current status of one of its deployments */
  status?(providerDeploymentId: string, ctx: ProviderCallContext): Promise<ProviderDeploymentStatus>;
  /** stop a deployment still under way on the platform */
  cancel?(providerDeploymentId: string, ctx: ProviderCallContext): Promise<void>;
  /** serve an earlier deployment again, where the platform has it */
  rollback?(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult>;
  /** the platform's own build/deploy log lines of one of its deployments, streamed */
  logs?(providerDeploymentId: string, ctx: ProviderCallContext): AsyncIterable<string>;
  /** verify (throws ProviderWebhookError on a bad signature) and parse a webhook the platform sent */
  parseWebhook?(req: ProviderWebhookRequest): ProviderWebhookEvent;
}

/** what a provider may use of the host it runs in (the builder) */
export interface ProviderHost {
  /** a directory of its own for this provider, kept across restarts */
  dataDir: string;
  /** the process environment (DOCKER_HOST, KUBECONFIG...) */
  env: NodeJS.ProcessEnv;
  /** operator switch: whether URLs may resolve to loopback/private addresses (the outgoing hooks' SSRF rule) */
  allowPrivateAddresses: boolean;
  /**
   * A short-lived credential for the system a provider hands the deployment to (the custom
   * provider's endpoint) to report back on this one deployment: log lines (given to onReport as
   * they come, to log) and its result. It ends after ttlSeconds, or when the provider's call for the
   * deployment ends, whichever comes first. Absent: the host issues none.
   */
  issuePublisherCredential?(target: DeploymentTarget, ttlSeconds: number, onReport: (report: ProviderReport) => void): PublisherCredential;
}

/** a short-lived credential to report on one deployment: POST a ProviderReport to `path` on the platform's API with `Authorization: Bearer <token>` */
export interface PublisherCredential {
  token: string;
  /** the API route, relative to the platform's URL (the endpoint's system knows where it is) */
  path: string;
  expiresAt: string;
}

/**
 * One provider: its name (what an environment's configuration says), its settings' schema, which
 * settings name sensitive variables (credentials: the setting holds the variable's NAME, the value
 * is read from the environment's sensitive variables at deploy time and never logged), and how to
 * make a provider for one environment.
 */
export interface ProviderDefinition<S extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  readonly description: string;
  readonly settings: z.ZodType<S>;
  /** the settings (keys of S) whose value is the name of a sensitive variable */
  readonly credentials: readonly (keyof S & string)[];
  /** capabilities, shown to users before they pick it */
  readonly supports: { rollback: boolean; cancel: boolean; webhooks: boolean };
  create(input: { settings: S; credentials: Readonly<Record<string, string>>; host: ProviderHost }): DeploymentProvider;
}

/** an environment's configuration of its provider, as stored by environment-manager */
export interface ProviderConfig {
  name: string;
  settings: Record<string, unknown>;
}

export const INTERNAL_PROVIDER = 'internal';
