import { z } from 'zod';
import type { DeployRequest, DeployResult, DeploymentProvider, ProviderCallContext, ProviderDefinition, ProviderDeploymentStatus, ProviderHost, RollbackRequest } from '../deployment-provider';
import { ProviderError, ProviderSettingsError, requestIdOf } from '../provider-error';
import { type RestApi, answerBodyOf, restCall } from '../provider-http';
import { recallProviderId, rememberProviderId } from '../provider-ids';
import type { RetryOptions } from '../provider-retry';
import { pollUntil } from '../poll';

const NAME = 'railway';

const RailwaySettings = z
  .object({
    /** the Railway service (its id) and the environment of it deployed to */
    serviceId: z.string().uuid('must be a Railway service id (a UUID)'),
    environmentId: z.string().uuid('must be a Railway environment id (a UUID)'),
    /** the name of a sensitive variable holding a Railway account or workspace token (Bearer) */
    tokenVariable: z.string().min(1).max(200),
    /** Railway's GraphQL API, up to /graphql (the provider posts to <apiUrl>/v2); another one only for a proxy */
    apiUrl: z.string().url().default('https://backboard.railway.com/graphql'),
    /** where the service is reached; none: the deployment's staticUrl (its *.up.railway.app domain) */
    url: z.string().url().optional(),
    pollIntervalMs: z.number().int().min(100).max(60_000).default(3_000),
    timeoutSeconds: z.number().int().min(1).max(7_200).default(1_800),
  })
  .strict();
export type RailwaySettings = z.infer<typeof RailwaySettings>;

type RailwayStatus = 'QUEUED' | 'WAITING' | 'INITIALIZING' | 'NEEDS_APPROVAL' | 'BUILDING' | 'DEPLOYING' | 'SUCCESS' | 'FAILED' | 'CRASHED' | 'REMOVED' | 'REMOVING' | 'SKIPPED' | 'SLEEPING';

/** Railway's deployment statuses in ours */
export const RAILWAY_STATUS: Record<RailwayStatus, ProviderDeploymentStatus> = {
  QUEUED: 'queued',
  WAITING: 'queued',
  INITIALIZING: 'queued',
  NEEDS_APPROVAL: 'queued',
  BUILDING: 'building',
  DEPLOYING: 'deploying',
  SUCCESS: 'succeeded',
  // a serverless service asleep after it served: it did deploy
  SLEEPING: 'succeeded',
  FAILED: 'failed',
  CRASHED: 'failed',
  REMOVED: 'canceled',
  REMOVING: 'canceled',
  SKIPPED: 'canceled',
};

interface RailwayDeployment {
  id: string;
  status: RailwayStatus;
  url: string | null;
  staticUrl: string | null;
  createdAt: string;
}
interface RailwayLog {
  message: string;
  timestamp: string;
}

const DEPLOYMENT = 'id status url staticUrl createdAt';

export interface RailwayProviderOptions {
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
}

// A Railway service instance: a deployment of the commit triggered through Railway's GraphQL API
// (Railway builds it from the connected repository), its status followed into ours and its build
// log into our log; the deployment's staticUrl (or settings.url) is the URL. Rollback is Railway's
// deploymentRollback of the earlier deployment, followed the same way.
export class RailwayProvider implements DeploymentProvider {
  private readonly api: RestApi;

  constructor(
    private readonly settings: RailwaySettings,
    token: string,
    private readonly host: ProviderHost,
    options: RailwayProviderOptions = {},
  ) {
    this.api = { provider: NAME, apiUrl: settings.apiUrl, token, host, retry: options.retry, explain: (e) => this.explain(e) };
  }

  private get instance() {
    return { serviceId: this.settings.serviceId, environmentId: this.settings.environmentId };
  }

  async initialize(ctx: ProviderCallContext): Promise<void> {
    const { serviceInstance: si } = await this.gql<{ serviceInstance: { serviceName: string } }>(
      'read the service',
      'query Instance($serviceId: String!, $environmentId: String!) { serviceInstance(serviceId: $serviceId, environmentId: $environmentId) { serviceName } }',
      this.instance,
      ctx,
    ).catch((e: unknown) => {
      if (e instanceof ProviderError && /not found/i.test(e.providerMessage)) throw new ProviderSettingsError(NAME, 'settings.serviceId', `(with settings.environmentId) names no service instance this token can see: ${e.providerMessage}`);
      throw e;
    });
    ctx.log(`Railway service ${si.serviceName} (${this.settings.serviceId}), environment ${this.settings.environmentId}`);
  }

  async deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const { serviceInstanceDeployV2: id } = await this.gql<{ serviceInstanceDeployV2: string }>(
      'trigger the deployment',
      'mutation Deploy($serviceId: String!, $environmentId: String!, $commitSha: String) { serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId, commitSha: $commitSha) }',
      { ...this.instance, commitSha: req.commitSha ?? null },
      ctx,
    );
    ctx.log(`Railway deployment ${id} of commit ${req.commitSha ?? '(the branch head)'} triggered`);
    await rememberProviderId(this.host.dataDir, this.settings.serviceId, req.deploymentId, id);
    return this.follow(id, ctx);
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const to = req.toProviderDeploymentId ?? (await recallProviderId(this.host.dataDir, this.settings.serviceId, req.toDeploymentId));
    if (!to) throw new ProviderError(NAME, `no Railway deployment is known for deployment ${req.toDeploymentId}: nothing to roll back to`);
    const before = new Set((await this.recent(ctx)).map((d) => d.id));
    await this.gql('roll back', 'mutation Rollback($id: String!) { deploymentRollback(id: $id) }', { id: to }, ctx);
    // deploymentRollback answers true, not the deployment it starts: the newest one of the instance that was not there before
    const started = (await this.recent(ctx)).find((d) => !before.has(d.id));
    if (!started) throw new ProviderError(NAME, `deploymentRollback of ${to} answered, but no new deployment of the service appeared`);
    ctx.log(`Railway rollback to deployment ${to} (deployment ${req.toDeploymentId}): deployment ${started.id}`);
    await rememberProviderId(this.host.dataDir, this.settings.serviceId, req.deploymentId, started.id);
    return this.follow(started.id, ctx);
  }

  async status(providerDeploymentId: string, ctx: ProviderCallContext): Promise<ProviderDeploymentStatus> {
    return RAILWAY_STATUS[(await this.read(providerDeploymentId, ctx)).status] ?? 'deploying';
  }

  async cancel(providerDeploymentId: string, ctx: ProviderCallContext): Promise<void> {
    await this.gql('cancel the deployment', 'mutation Cancel($id: String!) { deploymentCancel(id: $id) }', { id: providerDeploymentId }, ctx);
  }

  private async recent(ctx: ProviderCallContext): Promise<RailwayDeployment[]> {
    const out = await this.gql<{ deployments: { edges: { node: RailwayDeployment }[] } }>(
      'list the deployments',
      `query Recent($input: DeploymentListInput!) { deployments(input: $input, first: 10) { edges { node { ${DEPLOYMENT} } } } }`,
      { input: this.instance },
      ctx,
    );
    return out.deployments.edges.map((e) => e.node);
  }

  private async read(id: string, ctx: ProviderCallContext): Promise<RailwayDeployment> {
    return (await this.gql<{ deployment: RailwayDeployment }>('read the deployment', `query Deployment($id: String!) { deployment(id: $id) { ${DEPLOYMENT} } }`, { id }, ctx)).deployment;
  }

  private async follow(id: string, ctx: ProviderCallContext): Promise<DeployResult> {
    const seen = new Set<string>();
    let last: string | undefined;
    let status: RailwayStatus | undefined;
    const tell = async (field: 'buildLogs' | 'deploymentLogs') => {
      const out = await this.gql<Record<string, RailwayLog[]>>('read the logs', `query Logs($id: String!) { ${field}(deploymentId: $id, limit: 500) { message timestamp } }`, { id }, ctx);
      for (const l of out[field]) {
        const key = `${field}|${l.timestamp}|${l.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        last = l.message;
        ctx.log(l.message);
      }
    };
    return pollUntil(
      async () => {
        const d = await this.read(id, ctx);
        await tell('buildLogs');
        if (d.status !== status) ctx.log(`Railway deployment ${d.id}: ${d.status} (${RAILWAY_STATUS[d.status] ?? d.status})`);
        status = d.status;
        const ours = RAILWAY_STATUS[d.status];
        if (d.status === 'CRASHED') await tell('deploymentLogs');
        if (ours === 'failed' || ours === 'canceled') throw new ProviderError(NAME, `deployment ${d.id} ended ${d.status}${last ? `: ${last}` : ''}`);
        if (ours !== 'succeeded') return undefined;
        const url = this.settings.url ?? d.url ?? (d.staticUrl ? `https://${d.staticUrl}` : undefined);
        if (!url) throw new ProviderError(NAME, `deployment ${d.id} succeeded, but the service has no domain: give it one on Railway, or set settings.url`);
        return { url, providerDeploymentId: d.id };
      },
      {
        intervalMs: this.settings.pollIntervalMs,
        timeoutMs: this.settings.timeoutSeconds * 1000,
        signal: ctx.signal,
        timedOut: () => new ProviderError(NAME, `deployment ${id} did not succeed within ${this.settings.timeoutSeconds} s (settings.timeoutSeconds): still ${status}${last ? `; its last log line: ${last}` : ''}`),
      },
    );
  }

  // one GraphQL operation: HTTP failures retried by restCall; the GraphQL errors of a 200 are Railway's answer
  private async gql<T>(doing: string, query: string, variables: Record<string, unknown>, ctx: ProviderCallContext): Promise<T> {
    const answer = await restCall(this.api, 'POST', 'v2', ctx, { body: JSON.stringify({ query, variables }), headers: { 'content-type': 'application/json' } });
    const json = JSON.parse(answer.body.toString('utf8') || '{}') as { data?: T; errors?: { message: string }[] };
    if (json.errors?.length) {
      const message = json.errors.map((e) => e.message).join('; ');
      const requestId = requestIdOf(answer.headers);
      if (/not authori[sz]ed|unauthenticated/i.test(message)) throw new ProviderSettingsError(NAME, 'settings.tokenVariable', `holds a token Railway refuses: ${message}${requestId ? ` (request id ${requestId})` : ''}`);
      throw new ProviderError(NAME, `${doing}: ${message}`, { status: answer.status, requestId });
    }
    return json.data as T;
  }

  // a non-2xx answer's message is in GraphQL's errors array
  private explain(e: ProviderError): Error {
    let message = e.providerMessage;
    try {
      const json = JSON.parse(answerBodyOf(e)?.toString('utf8') ?? '') as { errors?: { message: string }[] };
      if (json.errors?.length) message = `HTTP ${e.details.status}: ${json.errors.map((x) => x.message).join('; ')}`;
    } catch {
      // not JSON: the message as it was
    }
    if (e.details.status === 401 || e.details.status === 403) return new ProviderSettingsError(NAME, 'settings.tokenVariable', `holds a token Railway refuses: ${message}`);
    return message === e.providerMessage ? e : new ProviderError(NAME, message, e.details);
  }
}

export const railwayProvider: ProviderDefinition<RailwaySettings> = {
  name: NAME,
  description: 'Railway: deploys the commit on a Railway service through its GraphQL API, follows its status and build log',
  settings: RailwaySettings as unknown as z.ZodType<RailwaySettings>,
  credentials: ['tokenVariable'],
  supports: { rollback: true, cancel: true, webhooks: false },
  create: ({ settings, credentials, host }) => new RailwayProvider(settings, credentials.tokenVariable, host),
};

export { RailwaySettings };
