import type { DeployStrategy } from '@flightdeck/contracts';
import type { AppKind } from '../build/app-kind';
import type { ResourceLimits } from '../sandbox/resource-limits';

// The seam between the build pipeline and whatever serves releases. The internal provider
// (this folder) serves them on this machine behind the edge router; later providers implement
// the same interface for other targets.

export interface ReleaseTarget {
  deploymentId: string;
  projectName: string;
  environmentName: string;
}

/** an environment as releases know it: by its project's and its own name */
export type ReleaseEnvironment = Pick<ReleaseTarget, 'projectName' | 'environmentName'>;

export interface ReleaseSpec extends ReleaseTarget {
  /** the packed artifact (.tar.gz) in the artifact store */
  artifactPath: string;
  kind: AppKind;
  /** node apps: argv run in the release dir (PORT is set by the provider) */
  startCommand?: string[];
  /** the deployment's variables plus the minimal base environment */
  env: Record<string, string>;
  /** node apps: the values of its sensitive variables, masked in its runtime log */
  secrets?: string[];
  /** what its process may use; the operator's release defaults when absent */
  limits?: ResourceLimits;
  /** the commit released: it never takes the route from a newer commit of the environment */
  commit?: ReleasedCommit;
  /** an explicit force deploy: the ordering guard is bypassed */
  force?: boolean;
  /** node apps: the path its health check asks (the build settings' healthCheckPath); the provider's default when absent */
  healthCheckPath?: string;
  /** node apps built with a nodeVersion other than the builder's own: that Node's folder (its bin/ is on env.PATH) */
  nodeRuntimeDir?: string;
  /** how it takes the environment's traffic (rolling when absent); canary and blue-green for Node releases */
  strategy?: DeployStrategy;
  /** a canary's step (1-based) of how many and its share of clients, as it enters each */
  onCanaryStep?: (step: number, of: number, percent: number) => void;
}

export interface ReleasedCommit {
  sha: string;
  /** true when `sha` is an ancestor of `liveSha` (the environment already serves something newer) */
  isOlderThan(liveSha: string): Promise<boolean>;
}

export interface ReleaseUrls {
  /** the environment's URL: http://<project>-<environment>.localhost:<edge port> */
  url: string;
  /** this deployment's own URL: http://<project>-<first 8 of deployment id>.localhost:<edge port> */
  previewUrl: string;
}

/** every line the provider says ends up in the deployment's log (source deploy) */
export type ReleaseLog = (message: string, level?: 'info' | 'warn' | 'error') => void;

export class ReleaseFailedError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

// An older commit finished after a newer one went live: it does not take the route.
export class ReleaseSupersededError extends ReleaseFailedError {}

export interface ReleaseProvider {
  /**
   * Unpack, start, health-check; only then switch the environment's route atomically, stop the
   * previous release (kept on disk, last 5 per environment). Throws ReleaseFailedError when the
   * release does not become healthy: the previous release keeps serving.
   */
  deploy(spec: ReleaseSpec, log: ReleaseLog, signal: AbortSignal): Promise<ReleaseUrls>;
  /** serve an earlier release of the environment again, without building */
  rollback(target: ReleaseTarget & { toDeploymentId: string }, log: ReleaseLog, signal: AbortSignal): Promise<ReleaseUrls>;
  /** the environment was deleted: its URL stops serving and its release stops, also across restarts */
  retire(environment: ReleaseEnvironment): Promise<void>;
  /** the environment was restored: its URL serves the release it served before */
  reinstate(environment: ReleaseEnvironment): Promise<void>;
}

export const RELEASE_PROVIDER = Symbol('RELEASE_PROVIDER');
