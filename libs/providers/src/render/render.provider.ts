import { z } from 'zod';
import type { DeployRequest, DeployResult, DeploymentProvider, ProviderCallContext, ProviderDefinition, ProviderDeploymentStatus, ProviderHost, RollbackRequest } from '../deployment-provider';
import { ProviderError, ProviderSettingsError } from '../provider-error';
import { type RestApi, restJson } from '../provider-http';
import { recallProviderId, rememberProviderId } from '../provider-ids';
import type { RetryOptions } from '../provider-retry';
import { pollUntil } from '../poll';

const NAME = 'render';

const RenderSettings = z
  .object({
    /** the Render service deployed (srv-...): it exists, connected to the repository (or an image) */
    serviceId: z.string().regex(/^srv-[a-z0-9]+$/, 'must be a Render service id (srv-...)'),
    /** the name of a sensitive variable holding a Render API key */
    apiKeyVariable: z.string().min(1).max(200),
    /** Render's API; another one only for a proxy (private addresses only where the operator allows them) */
    apiUrl: z.string().url().default('https://api.render.com/v1'),
    /** clear Render's build cache before building */
    clearCache: z.boolean().default(false),
    /** how often the deploy and its logs are read while it runs */
    pollIntervalMs: z.number().int().min(100).max(60_000).default(3_000),
    /** how long a deploy may take before the deployment fails */
    timeoutSeconds: z.number().int().min(1).max(7_200).default(1_800),
  })
  .strict();
export type RenderSettings = z.infer<typeof RenderSettings>;

type RenderStatus = 'created' | 'queued' | 'build_in_progress' | 'update_in_progress' | 'pre_deploy_in_progress' | 'live' | 'deactivated' | 'build_failed' | 'update_failed' | 'pre_deploy_failed' | 'canceled';
interface RenderDeploy {
  id: string;
  status: RenderStatus;
  commit?: { id: string };
  createdAt: string;
}
interface RenderService {
  id: string;
  name: string;
  ownerId: string;
  serviceDetails?: { url?: string };
}
interface LogCursor {
  since: string;
  seen: Set<string>;
  last?: string;
}
interface RenderLogs {
  hasMore: boolean;
  nextStartTime?: string;
  logs: { id: string; message: string; timestamp: string }[];
}

/** Render's deploy statuses in ours */
export const RENDER_STATUS: Record<RenderStatus, ProviderDeploymentStatus> = {
  created: 'queued',
  queued: 'queued',
  build_in_progress: 'building',
  update_in_progress: 'deploying',
  pre_deploy_in_progress: 'deploying',
  live: 'succeeded',
  // a deploy replaced by a newer one: it did go live
  deactivated: 'succeeded',
  build_failed: 'failed',
  update_failed: 'failed',
  pre_deploy_failed: 'failed',
  canceled: 'canceled',
};

export interface RenderProviderOptions {
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
}

// A Render service: a deploy of the deployment's commit triggered through Render's API (Render
// builds it from the connected repository), its status followed into ours and its build log into
// our log, the service's URL as the deployment's. Rollback is Render's own (POST .../rollback).
export class RenderProvider implements DeploymentProvider {
  private readonly api: RestApi;

  constructor(
    private readonly settings: RenderSettings,
    apiKey: string,
    private readonly host: ProviderHost,
    options: RenderProviderOptions = {},
  ) {
    this.api = { provider: NAME, apiUrl: settings.apiUrl, token: apiKey, host, retry: options.retry, explain: (e) => this.explain(e) };
  }

  private get service() {
    return `/services/${encodeURIComponent(this.settings.serviceId)}`;
  }

  async initialize(ctx: ProviderCallContext): Promise<void> {
    const svc = await restJson<RenderService>(this.api, 'GET', this.service, ctx).catch((e: unknown) => {
      if (e instanceof ProviderError && e.details.status === 404) throw new ProviderSettingsError(NAME, 'settings.serviceId', `names no service this API key can see: ${e.providerMessage}`);
      throw e;
    });
    ctx.log(`Render service ${svc.name} (${svc.id})${svc.serviceDetails?.url ? ` at ${svc.serviceDetails.url}` : ''}`);
  }

  async deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const body = {
      clearCache: this.settings.clearCache ? 'clear' : 'do_not_clear',
      ...(req.source.type === 'image' ? { imageUrl: req.source.image } : req.commitSha ? { commitId: req.commitSha } : {}),
    };
    const deploy = await restJson<RenderDeploy>(this.api, 'POST', `${this.service}/deploys`, ctx, body);
    ctx.log(`Render deploy ${deploy.id} of ${req.source.type === 'image' ? req.source.image : `commit ${deploy.commit?.id ?? req.commitSha ?? '(the branch head)'}`} triggered`);
    await rememberProviderId(this.host.dataDir, this.settings.serviceId, req.deploymentId, deploy.id);
    return this.follow(deploy, ctx);
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const to = req.toProviderDeploymentId ?? (await recallProviderId(this.host.dataDir, this.settings.serviceId, req.toDeploymentId));
    if (!to) throw new ProviderError(NAME, `no Render deploy is known for deployment ${req.toDeploymentId}: nothing to roll back to`);
    const deploy = await restJson<RenderDeploy>(this.api, 'POST', `${this.service}/rollback`, ctx, { deployId: to });
    ctx.log(`Render rollback to deploy ${to} (deployment ${req.toDeploymentId}): deploy ${deploy.id}`);
    await rememberProviderId(this.host.dataDir, this.settings.serviceId, req.deploymentId, deploy.id);
    return this.follow(deploy, ctx);
  }

  async status(providerDeploymentId: string, ctx: ProviderCallContext): Promise<ProviderDeploymentStatus> {
    const d = await restJson<RenderDeploy>(this.api, 'GET', `${this.service}/deploys/${encodeURIComponent(providerDeploymentId)}`, ctx);
    return RENDER_STATUS[d.status] ?? 'deploying';
  }

  async cancel(providerDeploymentId: string, ctx: ProviderCallContext): Promise<void> {
    await restJson(this.api, 'POST', `${this.service}/deploys/${encodeURIComponent(providerDeploymentId)}/cancel`, ctx);
  }

  // the deploy read until it ends, its new build lines logged on the way
  private async follow(deploy: RenderDeploy, ctx: ProviderCallContext): Promise<DeployResult> {
    const svc = await restJson<RenderService>(this.api, 'GET', this.service, ctx);
    const logs: LogCursor = { since: deploy.createdAt, seen: new Set<string>() };
    let status: RenderStatus | undefined;
    await pollUntil(
      async () => {
        const d = await restJson<RenderDeploy>(this.api, 'GET', `${this.service}/deploys/${encodeURIComponent(deploy.id)}`, ctx);
        await this.readLogs(svc, logs, ctx);
        if (d.status !== status) ctx.log(`Render deploy ${d.id}: ${d.status} (${RENDER_STATUS[d.status] ?? d.status})`);
        status = d.status;
        const ours = RENDER_STATUS[d.status];
        if (d.status === 'deactivated') throw new ProviderError(NAME, `deploy ${d.id} was deactivated before it finished: a newer deploy of the service replaced it`);
        if (ours === 'failed' || ours === 'canceled') throw new ProviderError(NAME, `deploy ${d.id} ended ${d.status}${logs.last ? `: ${logs.last}` : ''}`);
        return ours === 'succeeded' ? d : undefined;
      },
      {
        intervalMs: this.settings.pollIntervalMs,
        timeoutMs: this.settings.timeoutSeconds * 1000,
        signal: ctx.signal,
        timedOut: () => new ProviderError(NAME, `deploy ${deploy.id} did not go live within ${this.settings.timeoutSeconds} s (settings.timeoutSeconds): still ${status}${logs.last ? `; its last log line: ${logs.last}` : ''}`),
      },
    );
    const url = svc.serviceDetails?.url;
    if (!url) throw new ProviderError(NAME, `deploy ${deploy.id} is live, but service ${svc.id} has no URL (serviceDetails.url): a background worker or private service is not reachable`);
    return { url, providerDeploymentId: deploy.id };
  }

  // GET /logs pages forward from the deploy's start; a line is told once (by its id)
  private async readLogs(svc: RenderService, logs: LogCursor, ctx: ProviderCallContext): Promise<void> {
    for (let page = 0; page < 20; page++) {
      const out = await restJson<RenderLogs>(this.api, 'GET', '/logs', ctx, undefined, { ownerId: svc.ownerId, resource: svc.id, type: 'build', direction: 'forward', startTime: logs.since, limit: '100' });
      for (const l of out.logs) {
        if (logs.seen.has(l.id)) continue;
        logs.seen.add(l.id);
        logs.last = l.message;
        ctx.log(l.message);
      }
      if (!out.hasMore || !out.nextStartTime) return;
      logs.since = out.nextStartTime;
    }
  }

  private explain(e: ProviderError): Error {
    const rid = e.details.requestId ? ` (request id ${e.details.requestId})` : '';
    if (e.details.status === 401 || e.details.status === 403) return new ProviderSettingsError(NAME, 'settings.apiKeyVariable', `holds an API key Render refuses: ${e.providerMessage}${rid}`);
    return e;
  }
}

export const renderProvider: ProviderDefinition<RenderSettings> = {
  name: NAME,
  description: 'Render: triggers a deploy of the commit on a Render service, follows its status and build log',
  settings: RenderSettings as unknown as z.ZodType<RenderSettings>,
  credentials: ['apiKeyVariable'],
  supports: { rollback: true, cancel: true, webhooks: false },
  create: ({ settings, credentials, host }) => new RenderProvider(settings, credentials.apiKeyVariable, host),
};

export { RenderSettings };
