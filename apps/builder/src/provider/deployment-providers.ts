import { join } from 'node:path';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { type DeployJob, ErrorCode, type ProviderWebhookRequest, type ProviderWebhookVerdict, type ResolvedVariable, getEnvironment } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import {
  BUILT_IN_PROVIDERS,
  type DeployResult,
  type DeploymentProvider,
  INTERNAL_PROVIDER,
  type ProviderConfig,
  ProviderError,
  type ProviderHost,
  ProviderRegistry,
  ProviderSettingsError,
  ProviderWebhookError,
} from '@flightdeck/providers';
import { StepFailedError } from '../build/step-errors';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { InternalReleaseProvider } from './internal-release-provider';
import { type InternalDeployRequest, InternalDeploymentProvider, internalProviderDefinition } from './internal-deployment-provider';
import type { ReleaseEnvironment, ReleaseLog, ReleaseProvider, ReleaseSpec, ReleaseTarget, ReleaseUrls } from './release-provider';
import { ProviderReports } from './provider-reports';
import { ProviderDeploymentsRepository } from './provider-deployments.repository';
import { Nudge } from './nudge';

/** a deploy or rollback under way with a provider of its own: what its status webhooks are verified with and told to */
interface Running {
  name: string;
  environmentId: string;
  provider: DeploymentProvider;
  log: ReleaseLog;
  nudge: Nudge;
}

interface Prepared {
  name: string;
  provider: DeploymentProvider;
  at: number;
  projectId: string;
  environmentId: string;
  /** the deployment's own variables (not the builder's base environment), for the release */
  variables: ResolvedVariable[];
}

// a job that failed before its deploy leaves its provider here: forgotten after this long
const PREPARED_TTL_MS = 6 * 3600_000;

/**
 * The providers of the builder: the environment's configuration names one (none: the internal
 * provider). `prepare`, in the job's prepare step (before any clone or build), reads the
 * configuration, checks it and resolves its credentials from the deployment's sensitive variables,
 * and lets the provider check them (initialize); the pipeline's deploy or rollback of that
 * deployment then goes to it. As RELEASE_PROVIDER it is what the pipeline releases through.
 */
@Injectable()
export class DeploymentProviders implements ReleaseProvider {
  readonly registry: ProviderRegistry;
  private readonly prepared = new Map<string, Prepared>();
  /** by deployment id: the provider calls under way on this replica */
  private readonly running = new Map<string, Running>();
  /** the internal provider behind the interface: what every deployment without a provider of its own goes through */
  private readonly internalProvider: InternalDeploymentProvider;
  /** the short-lived credentials a provider hands on (the custom provider's), each revoked when its call ends */
  readonly reports: ProviderReports;

  constructor(
    private readonly internal: InternalReleaseProvider,
    @Optional() private readonly bus?: Bus,
    @Optional() @Inject(BUILDER_CONFIG) private readonly config?: BuilderConfig,
    @Optional() reports?: ProviderReports,
    /** what each provider answered per deployment: a rollback hands the provider its id of the earlier one */
    @Optional() private readonly answered?: ProviderDeploymentsRepository,
  ) {
    this.reports = reports ?? new ProviderReports();
    this.registry = new ProviderRegistry([...BUILT_IN_PROVIDERS, internalProviderDefinition(internal)]);
    this.internalProvider = new InternalDeploymentProvider(internal);
  }

  /** the environment's provider for this job, checked before any build: StepFailedError (prepare) naming the setting at fault */
  async prepare(job: Pick<DeployJob, 'deploymentId' | 'environmentId' | 'projectId'>, variables: () => Promise<ResolvedVariable[]>, log: ReleaseLog, signal: AbortSignal): Promise<string> {
    for (const [id, p] of this.prepared) if (Date.now() - p.at > PREPARED_TTL_MS) this.prepared.delete(id);
    this.prepared.delete(job.deploymentId);
    const config = await this.configOf(job.environmentId);
    if (!config || config.name === INTERNAL_PROVIDER) return INTERNAL_PROVIDER;
    let provider: DeploymentProvider;
    const resolved = await variables();
    try {
      provider = this.registry.create(config, resolved, this.hostFor(config.name));
    } catch (e) {
      if (e instanceof ProviderSettingsError) throw new StepFailedError(ErrorCode.DeploymentInvalidConfiguration, 'prepare', e.message);
      throw e;
    }
    log(`Releases of this environment go to the ${config.name} provider`);
    try {
      await provider.initialize?.({ log, signal });
    } catch (e) {
      throw providerFailure(e, 'prepare');
    }
    const forRelease = resolved.filter((v) => v.target !== 'build');
    this.prepared.set(job.deploymentId, { name: config.name, provider, at: Date.now(), projectId: job.projectId, environmentId: job.environmentId, variables: forRelease });
    return config.name;
  }

  async deploy(spec: ReleaseSpec, log: ReleaseLog, signal: AbortSignal): Promise<ReleaseUrls> {
    const p = this.take(spec.deploymentId);
    const source = { type: 'artifact' as const, path: spec.artifactPath, kind: spec.kind, startCommand: spec.startCommand, healthCheckPath: spec.healthCheckPath };
    if (!p) {
      // the internal provider gets the builder's whole spec (limits, runtime, the ordering guard...) along
      const { deploymentId, projectName, environmentName, env } = spec;
      const r = await this.internalProvider.deploy({ deploymentId, projectName, environmentName, env, commitSha: spec.commit?.sha, source, spec }, { log, signal });
      return { url: r.url, previewUrl: r.previewUrl ?? r.url };
    }
    const req: InternalDeployRequest = {
      deploymentId: spec.deploymentId,
      projectId: p.projectId,
      projectName: spec.projectName,
      environmentName: spec.environmentName,
      // the deployment's variables: the builder's own base environment (PATH, HOME...) means nothing elsewhere
      env: Object.fromEntries(p.variables.map((v) => [v.key, v.value])),
      sensitiveKeys: p.variables.filter((v) => v.sensitive).map((v) => v.key),
      commitSha: spec.commit?.sha,
      source,
    };
    const nudge = this.track(req.deploymentId, p, log);
    const edge = this.edgeSwitch(req, log);
    try {
      const r = await p.provider.deploy(req, { log, signal, nudged: nudge.next, switchEdge: edge.switchEdge });
      await this.remember(req.deploymentId, p.name, r.providerDeploymentId, log);
      return await edge.urls(r);
    } catch (e) {
      throw providerFailure(e, 'deploy');
    } finally {
      // a credential it handed on ends with its call, and so does listening to its webhooks
      this.reports.revoke(req.deploymentId);
      this.running.delete(req.deploymentId);
    }
  }

  async rollback(target: ReleaseTarget & { toDeploymentId: string }, log: ReleaseLog, signal: AbortSignal): Promise<ReleaseUrls> {
    const p = this.take(target.deploymentId);
    if (!p) {
      const r = await this.internalProvider.rollback(target, { log, signal });
      return { url: r.url, previewUrl: r.previewUrl ?? r.url };
    }
    if (!p.provider.rollback) throw new StepFailedError(ErrorCode.DeploymentNoRollbackTarget, 'deploy', `the ${p.name} provider has no rollback: deploy the earlier commit again instead`);
    // the provider's own id of the deployment it goes back to, when that provider released it
    const earlier = await this.answered?.find(target.toDeploymentId);
    const toProviderDeploymentId = earlier?.provider === p.name ? (earlier.providerDeploymentId ?? undefined) : undefined;
    const nudge = this.track(target.deploymentId, p, log);
    const edge = this.edgeSwitch(target, log);
    try {
      const r = await p.provider.rollback({ ...target, projectId: p.projectId, toProviderDeploymentId }, { log, signal, nudged: nudge.next, switchEdge: edge.switchEdge });
      await this.remember(target.deploymentId, p.name, r.providerDeploymentId, log);
      return await edge.urls(r);
    } catch (e) {
      throw providerFailure(e, 'deploy');
    } finally {
      // a credential it handed on ends with its call, and so does listening to its webhooks
      this.reports.revoke(target.deploymentId);
      this.running.delete(target.deploymentId);
    }
  }

  /**
   * A provider's status webhook for an environment: verified with the secret resolved for a
   * deployment of it this replica is running with that provider (the only place that secret is);
   * about that deployment, its log says what the provider reported and the provider call reads the
   * platform's state at once, so the deployment moves the way it does when the call polls.
   */
  applyWebhook(req: ProviderWebhookRequest): ProviderWebhookVerdict {
    if (this.registry.get(req.provider)?.supports.webhooks === false) return { verdict: 'unsupported', message: `the ${req.provider} provider sends no status webhooks` };
    const candidates = [...this.running].filter(([, r]) => r.environmentId === req.environmentId && r.name === req.provider && r.provider.parseWebhook);
    if (!candidates.length) return { verdict: 'idle' };
    const rawBody = Buffer.from(req.body, 'base64');
    let refused = '';
    for (const [, r] of candidates) {
      let event;
      try {
        event = r.provider.parseWebhook!({ headers: req.headers, rawBody });
      } catch (e) {
        if (!(e instanceof ProviderWebhookError)) throw e;
        // signed with the secret, but no deployment's status (another event type): nothing to apply
        if (e.signatureVerified) return { verdict: 'stale', message: `${req.provider}: ${e.message}` };
        refused = e.message;
        continue;
      }
      const target = event.deploymentId ? this.running.get(event.deploymentId) : undefined;
      if (!target || target.environmentId !== req.environmentId || target.name !== req.provider) {
        return { verdict: 'stale', message: `${req.provider} reported ${event.status} of ${event.deploymentId ?? event.providerDeploymentId ?? 'a deployment'}, which is not under way here` };
      }
      const detail = [event.message, event.providerDeploymentId, event.url].filter(Boolean).join(', ');
      target.log(`${req.provider} reported (status webhook): ${event.status}${detail ? ` (${detail})` : ''}`);
      target.nudge.fire();
      return { verdict: 'applied', deploymentId: event.deploymentId };
    }
    return { verdict: 'invalid-signature', message: refused };
  }

  /**
   * A provider whose release answers where the edge reaches (DeployResult.upstream: the Docker
   * provider's container) is switched to by the environment's edge route, as an internal release
   * is: when the provider calls switchEdge (healthy, before it drains what it replaces), else once
   * it answers. The deployment's url is then the environment's edge URL; the provider's own URL of
   * this release stays its previewUrl (the edge has no preview label for it).
   */
  private edgeSwitch(target: ReleaseTarget, log: ReleaseLog): { switchEdge: (upstream: string) => Promise<void>; urls: (r: DeployResult) => Promise<ReleaseUrls> } {
    let switched: { upstream: string; url: string } | undefined;
    const switchEdge = async (upstream: string) => {
      const urls = await this.internal.routeToUpstream(target, upstream, log);
      switched = { upstream, url: urls.url };
    };
    const urls = async (r: DeployResult): Promise<ReleaseUrls> => {
      if (!r.upstream) return { url: r.url, previewUrl: r.previewUrl ?? r.url };
      if (switched?.upstream !== r.upstream) await switchEdge(r.upstream);
      return { url: switched!.url, previewUrl: r.previewUrl ?? r.url };
    };
    return { switchEdge, urls };
  }

  private track(deploymentId: string, p: Prepared, log: ReleaseLog): Nudge {
    const nudge = new Nudge();
    this.running.set(deploymentId, { name: p.name, environmentId: p.environmentId, provider: p.provider, log, nudge });
    return nudge;
  }

  // Environments retired or reinstated: the internal provider's routes (another provider's releases stay where they are).
  retire(environment: ReleaseEnvironment): Promise<void> {
    return this.internal.retire(environment);
  }

  reinstate(environment: ReleaseEnvironment): Promise<void> {
    return this.internal.reinstate(environment);
  }

  // A failure to note it fails nothing: the deployment is live; a rollback to it then finds it the provider's own way.
  private async remember(deploymentId: string, provider: string, providerDeploymentId: string | undefined, log: ReleaseLog): Promise<void> {
    await this.answered
      ?.record({ deploymentId, provider, providerDeploymentId: providerDeploymentId ?? null })
      .catch((e: Error) => log(`Could not note the ${provider} provider's id of this deployment: ${e.message}`, 'warn'));
  }

  private take(deploymentId: string): Prepared | undefined {
    const p = this.prepared.get(deploymentId);
    this.prepared.delete(deploymentId);
    return p;
  }

  private async configOf(environmentId: string): Promise<ProviderConfig | null> {
    if (!this.bus) return null;
    const r = await this.bus.request(getEnvironment, { environmentId }).catch((e: Error) => ({ ok: false as const, error: { code: ErrorCode.ServiceUnavailable, message: e.message } }));
    // not knowing where to release is no reason to release somewhere else
    if (!r.ok) throw new StepFailedError(r.error.code, 'prepare', `could not read the environment's provider: ${r.error.message}`);
    return r.data.provider ?? null;
  }

  private hostFor(name: string): ProviderHost {
    const dataDir = this.config?.FLIGHTDECK_DATA_DIR ?? process.env.FLIGHTDECK_DATA_DIR ?? './.data';
    return {
      dataDir: join(dataDir, 'providers', name),
      env: process.env,
      allowPrivateAddresses: this.config?.FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE ?? false,
      issuePublisherCredential: (target, ttlSeconds, onReport) => this.reports.issue(target, ttlSeconds, onReport),
    };
  }
}

/** a provider's failure as the deployment's: deployment/provider-error with its message and request id */
const providerFailure = (e: unknown, step: 'prepare' | 'deploy'): Error => {
  if (e instanceof ProviderError) return new StepFailedError(ErrorCode.DeploymentProviderError, step, e.message);
  if (e instanceof ProviderSettingsError) return new StepFailedError(ErrorCode.DeploymentInvalidConfiguration, step, e.message);
  return e as Error;
};
