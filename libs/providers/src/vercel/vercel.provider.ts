import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type {
  DeployRequest,
  DeployResult,
  DeploymentProvider,
  ProviderCallContext,
  ProviderDeploymentStatus,
  ProviderDefinition,
  ProviderHost,
  ProviderWebhookEvent,
  ProviderWebhookRequest,
  RollbackRequest,
} from '../deployment-provider';
import { type ArtifactFile, readArtifactFiles } from '../artifact-files';
import { ProviderError, ProviderSettingsError, ProviderWebhookError } from '../provider-error';
import { type ProviderHttpAnswer, type RestApi, type RestCallExtra, answerBodyOf, restCall, restJson } from '../provider-http';
import type { RetryOptions } from '../provider-retry';
import { pause } from '../poll';

const NAME = 'vercel';

const VercelSettings = z
  .object({
    /** the Vercel project's id or name */
    project: z.string().min(1).max(200),
    /** the team the project belongs to (a personal account's project: none) */
    teamId: z.string().min(1).max(200).optional(),
    /** the name of a sensitive variable holding a Vercel access token */
    tokenVariable: z.string().min(1).max(200),
    target: z.enum(['production', 'preview']).default('production'),
    apiUrl: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
      .default('https://api.vercel.com'),
    /** the name of a sensitive variable holding the webhook's (or integration's) secret: x-vercel-signature */
    webhookSecretVariable: z.string().min(1).max(200).optional(),
    /** how long a deployment may take on Vercel before we give up on it */
    buildTimeoutSeconds: z.number().int().min(10).max(7200).default(1800),
  })
  .strict();
export type VercelSettings = z.infer<typeof VercelSettings>;

export interface VercelProviderOptions {
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
  /** how often a deployment's state is read while it builds */
  pollMs?: number;
  requestTimeoutMs?: number;
}

interface VercelDeployment {
  id: string;
  url: string;
  readyState: string;
  alias?: string[];
  errorCode?: string;
  errorMessage?: string;
}

interface VercelEvent {
  type?: string;
  created?: number;
  payload?: { id?: string; text?: string; serial?: string };
  id?: string;
  text?: string;
}

/** Vercel's readyState in our words */
export const vercelStatus = (readyState: string): ProviderDeploymentStatus =>
  (({ QUEUED: 'queued', INITIALIZING: 'queued', BUILDING: 'building', READY: 'succeeded', ERROR: 'failed', CANCELED: 'canceled' }) as Record<string, ProviderDeploymentStatus>)[readyState] ?? 'building';

const WEBHOOK_STATUS: Record<string, ProviderDeploymentStatus> = {
  'deployment.created': 'building',
  'deployment.succeeded': 'succeeded',
  'deployment.ready': 'succeeded',
  'deployment.promoted': 'succeeded',
  'deployment.error': 'failed',
  'deployment.canceled': 'canceled',
};

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const TERMINAL = new Set(['READY', 'ERROR', 'CANCELED']);

// Vercel over its REST API: the static output's files uploaded by SHA1 digest (only those Vercel
// says it lacks), a deployment created from them and followed to READY or ERROR with its build
// events in our log; rollback promotes an earlier deployment without rebuilding it.
export class VercelProvider implements DeploymentProvider {
  private readonly api: RestApi;

  constructor(
    private readonly settings: VercelSettings,
    token: string,
    private readonly webhookSecret: string | undefined,
    host: ProviderHost,
    private readonly options: VercelProviderOptions = {},
  ) {
    this.api = { provider: NAME, apiUrl: settings.apiUrl, token, host, query: settings.teamId ? { teamId: settings.teamId } : undefined, retry: options.retry, requestTimeoutMs: options.requestTimeoutMs, explain: (e) => this.explain(e) };
  }

  async initialize(ctx: ProviderCallContext): Promise<void> {
    const p = await this.json<{ id: string; name: string }>('GET', `/v9/projects/${encodeURIComponent(this.settings.project)}`, ctx);
    ctx.log(`Vercel project ${p.name} (${p.id})${this.settings.teamId ? ` of team ${this.settings.teamId}` : ''}, target ${this.settings.target}`);
  }

  async deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    if (req.source.type !== 'artifact' || req.source.kind !== 'static') {
      throw new ProviderError(
        NAME,
        'this build is a Node server: Vercel runs servers as functions it builds from the source itself, so Flightdeck deploys only static output to it (build a static site, or pick another provider for this environment)',
      );
    }
    const files = await readArtifactFiles(req.source.path);
    if (!files.length) throw new ProviderError(NAME, 'the artifact holds no files to deploy');
    const bytes = files.reduce((n, f) => n + f.size, 0);
    ctx.log(`Deploying ${files.length} files (${bytes} bytes) to the Vercel project ${this.settings.project} (${this.settings.target})`);
    const body = {
      name: this.settings.project,
      project: this.settings.project,
      target: this.settings.target,
      files: files.map((f) => ({ file: f.path, sha: f.sha1, size: f.size })),
      // a static output served as it is: no framework detection or build on Vercel's side
      projectSettings: { framework: null, buildCommand: null, installCommand: null, outputDirectory: null },
      meta: { flightdeckDeploymentId: req.deploymentId, ...(req.commitSha ? { githubCommitSha: req.commitSha } : {}) },
    };
    let created = await this.createDeployment(body, ctx);
    if ('missing' in created) {
      await this.upload(files, created.missing, ctx);
      created = await this.createDeployment(body, ctx);
      if ('missing' in created) throw new ProviderError(NAME, `still misses ${created.missing.length} uploaded files`);
    }
    ctx.log(`Vercel deployment ${created.id} created: https://${created.url}`);
    const done = await this.follow(created.id, ctx);
    return this.resultOf(done, ctx);
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    if (this.settings.target !== 'production') throw new ProviderError(NAME, 'a rollback promotes an earlier deployment to production: this environment deploys previews (settings.target preview)');
    const id = req.toProviderDeploymentId ?? (await this.deploymentOf(req.toDeploymentId, ctx));
    ctx.log(`Promoting the Vercel deployment ${id} to production without rebuilding it`);
    await this.json('POST', `/v10/projects/${encodeURIComponent(this.settings.project)}/promote/${encodeURIComponent(id)}`, ctx, {});
    const d = await this.json<VercelDeployment>('GET', `/v13/deployments/${encodeURIComponent(id)}`, ctx);
    return this.resultOf(d, ctx);
  }

  // the builder may not have recorded Vercel's id: the deployment is found by the meta it was created with
  private async deploymentOf(deploymentId: string, ctx: ProviderCallContext): Promise<string> {
    const query = { projectId: this.settings.project, 'meta-flightdeckDeploymentId': deploymentId, limit: '1' };
    const { deployments } = await this.json<{ deployments: { uid: string }[] }>('GET', '/v6/deployments', ctx, undefined, query);
    if (!deployments[0]) throw new ProviderError(NAME, `no deployment of ${deploymentId} on the Vercel project ${this.settings.project}: nothing to promote`);
    return deployments[0].uid;
  }

  async status(providerDeploymentId: string, ctx: ProviderCallContext): Promise<ProviderDeploymentStatus> {
    return vercelStatus((await this.json<VercelDeployment>('GET', `/v13/deployments/${encodeURIComponent(providerDeploymentId)}`, ctx)).readyState);
  }

  async cancel(providerDeploymentId: string, ctx: ProviderCallContext): Promise<void> {
    await this.call('PATCH', `/v12/deployments/${encodeURIComponent(providerDeploymentId)}/cancel`, ctx);
  }

  async *logs(providerDeploymentId: string, ctx: ProviderCallContext): AsyncIterable<string> {
    for (const e of await this.events(providerDeploymentId, ctx)) {
      const text = e.payload?.text ?? e.text;
      if (text) yield text;
    }
  }

  parseWebhook(req: ProviderWebhookRequest): ProviderWebhookEvent {
    if (!this.webhookSecret) throw new ProviderWebhookError('no webhook secret is configured (settings.webhookSecretVariable)');
    const given = req.headers['x-vercel-signature'];
    const signature = Buffer.from(String(Array.isArray(given) ? given[0] : (given ?? '')));
    const expected = Buffer.from(createHmac('sha1', this.webhookSecret).update(req.rawBody).digest('hex'));
    if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) throw new ProviderWebhookError('the signature (x-vercel-signature) does not match the body');
    let event: { type?: string; payload?: { deployment?: { id?: string; url?: string; meta?: Record<string, string> } } };
    try {
      event = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      throw new ProviderWebhookError('the body is not JSON', true);
    }
    const status = WEBHOOK_STATUS[event.type ?? ''];
    if (!status) throw new ProviderWebhookError(`not a deployment event: ${event.type ?? 'no type'}`, true);
    const d = event.payload?.deployment;
    return { status, providerDeploymentId: d?.id, deploymentId: d?.meta?.flightdeckDeploymentId, url: d?.url ? `https://${d.url}` : undefined, message: event.type };
  }

  private async createDeployment(body: unknown, ctx: ProviderCallContext): Promise<VercelDeployment | { missing: string[] }> {
    try {
      return await this.json<VercelDeployment>('POST', '/v13/deployments', ctx, body);
    } catch (e) {
      // 400 missing_files names the digests Vercel lacks: those are uploaded, then the same request again
      const answer = e instanceof ProviderError && e.details.status === 400 ? answerBodyOf(e) : undefined;
      const error = answer ? (safeJson(answer.toString('utf8')) as { error?: { code?: string; missing?: unknown } } | undefined)?.error : undefined;
      if (error?.code === 'missing_files' && Array.isArray(error.missing)) return { missing: error.missing.map(String) };
      throw e;
    }
  }

  private async upload(files: ArtifactFile[], missing: string[], ctx: ProviderCallContext): Promise<void> {
    const want = new Set(missing);
    const bySha = new Map(files.filter((f) => want.has(f.sha1)).map((f) => [f.sha1, f]));
    ctx.log(`Uploading ${bySha.size} of ${files.length} files Vercel does not have yet`);
    for (const f of bySha.values()) {
      await this.call('POST', '/v2/files', ctx, { body: f.data, headers: { 'content-type': 'application/octet-stream', 'x-vercel-digest': f.sha1, 'x-vercel-size': f.size } });
    }
  }

  private async follow(id: string, ctx: ProviderCallContext): Promise<VercelDeployment> {
    try {
      return await this.followUntilDone(id, ctx);
    } catch (e) {
      if (!ctx.signal.aborted) throw e;
      await this.stopOnVercel(id, ctx);
      throw new ProviderError(NAME, `deployment ${id} canceled: canceled on Vercel too`);
    }
  }

  private async followUntilDone(id: string, ctx: ProviderCallContext): Promise<VercelDeployment> {
    const deadline = Date.now() + this.settings.buildTimeoutSeconds * 1000;
    const seen = new Set<string>();
    let state = '';
    for (;;) {
      const d = await this.json<VercelDeployment>('GET', `/v13/deployments/${encodeURIComponent(id)}`, ctx);
      for (const e of await this.events(id, ctx)) {
        const key = e.payload?.id ?? e.id ?? `${e.created}:${e.payload?.text ?? e.text}`;
        const text = e.payload?.text ?? e.text;
        if (seen.has(key) || !text) continue;
        seen.add(key);
        ctx.log(`vercel: ${text}`, e.type === 'stderr' ? 'warn' : 'info');
      }
      if (d.readyState !== state) {
        state = d.readyState;
        ctx.log(`Vercel deployment ${id}: ${state}`);
      }
      if (TERMINAL.has(d.readyState)) return d;
      if (Date.now() > deadline) {
        await this.stopOnVercel(id, ctx);
        throw new ProviderError(NAME, `deployment ${id} is still ${d.readyState} after ${this.settings.buildTimeoutSeconds} s (settings.buildTimeoutSeconds): canceled on Vercel`);
      }
      await pause(this.options.pollMs ?? 1000, ctx.signal, ctx.nudged?.());
      if (ctx.signal.aborted) throw new Error('aborted');
    }
  }

  // our call has ended (its signal aborted, or out of time): the build on Vercel is canceled with a signal of its own
  private async stopOnVercel(id: string, ctx: ProviderCallContext): Promise<void> {
    try {
      await this.cancel(id, { log: ctx.log, signal: AbortSignal.timeout(15_000) });
      ctx.log(`Canceled the Vercel deployment ${id}`);
    } catch (e) {
      ctx.log(`Could not cancel the Vercel deployment ${id}: ${(e as Error).message}`, 'warn');
    }
  }

  private resultOf(d: VercelDeployment, ctx: ProviderCallContext): DeployResult {
    if (d.readyState === 'ERROR') throw new ProviderError(NAME, `deployment ${d.id} failed: ${d.errorMessage ?? 'no message'}${d.errorCode ? ` (${d.errorCode})` : ''}`);
    if (d.readyState === 'CANCELED') throw new ProviderError(NAME, `deployment ${d.id} was canceled on Vercel`);
    const previewUrl = `https://${d.url}`;
    const alias = this.settings.target === 'production' ? d.alias?.[0] : undefined;
    const url = alias ? `https://${alias}` : previewUrl;
    ctx.log(`Vercel serves it at ${url}${alias ? ` (this deployment: ${previewUrl})` : ''}`);
    return { url, previewUrl, providerDeploymentId: d.id };
  }

  private events(id: string, ctx: ProviderCallContext): Promise<VercelEvent[]> {
    return this.json<VercelEvent[]>('GET', `/v3/deployments/${encodeURIComponent(id)}/events`, ctx, undefined, { builds: '1', direction: 'forward', limit: '-1' });
  }

  private json<T>(method: string, path: string, ctx: ProviderCallContext, body?: unknown, query?: Record<string, string>): Promise<T> {
    return restJson<T>(this.api, method, path, ctx, body, query);
  }

  private call(method: string, path: string, ctx: ProviderCallContext, extra: RestCallExtra = {}): Promise<ProviderHttpAnswer> {
    return restCall(this.api, method, path, ctx, extra);
  }

  // a refused token is the setting's fault, said before anything else
  private explain(e: ProviderError): Error {
    const status = e.details.status;
    if (status === 401 || status === 403) {
      const team = this.settings.teamId ? ` or has no access to team ${this.settings.teamId}` : '';
      return new ProviderSettingsError(NAME, 'settings.tokenVariable', `holds a token Vercel refuses${team}: ${e.providerMessage}${e.details.requestId ? ` (request id ${e.details.requestId})` : ''}`);
    }
    return e;
  }
}

export const vercelProvider: ProviderDefinition<VercelSettings> = {
  name: NAME,
  description: 'Vercel: the static output uploaded by digest and deployed through its REST API; rollback promotes an earlier deployment',
  settings: VercelSettings as z.ZodType<VercelSettings>,
  credentials: ['tokenVariable', 'webhookSecretVariable'],
  supports: { rollback: true, cancel: true, webhooks: true },
  create: ({ settings, credentials, host }) => new VercelProvider(settings, credentials.tokenVariable, credentials.webhookSecretVariable, host, {}),
};
