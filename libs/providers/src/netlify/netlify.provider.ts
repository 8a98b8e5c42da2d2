import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
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
import { type RestApi, restCall, restJson } from '../provider-http';
import type { RetryOptions } from '../provider-retry';
import { pause } from '../poll';

const NAME = 'netlify';

const NetlifySettings = z
  .object({
    /** the Netlify site's id (or its <name>.netlify.app) */
    siteId: z.string().min(1).max(200),
    /** the name of a sensitive variable holding a Netlify personal access token */
    tokenVariable: z.string().min(1).max(200),
    apiUrl: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
      .default('https://api.netlify.com'),
    /** the name of a sensitive variable holding the deploy notifications' JWS secret (X-Webhook-Signature) */
    webhookSecretVariable: z.string().min(1).max(200).optional(),
    /** how long a deploy may take on Netlify before we give up on it */
    buildTimeoutSeconds: z.number().int().min(10).max(7200).default(900),
  })
  .strict();
export type NetlifySettings = z.infer<typeof NetlifySettings>;

export interface NetlifyProviderOptions {
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
  /** how often a deploy's state is read while Netlify processes it */
  pollMs?: number;
  requestTimeoutMs?: number;
}

interface NetlifyDeploy {
  id: string;
  state: string;
  required?: string[];
  url?: string;
  ssl_url?: string;
  deploy_url?: string;
  deploy_ssl_url?: string;
  error_message?: string | null;
}

const STATUS: Record<string, ProviderDeploymentStatus> = {
  new: 'queued',
  pending_review: 'queued',
  accepted: 'queued',
  enqueued: 'queued',
  building: 'building',
  preparing: 'building',
  prepared: 'building',
  uploading: 'building',
  uploaded: 'deploying',
  processing: 'deploying',
  processed: 'deploying',
  retrying: 'deploying',
  ready: 'succeeded',
  error: 'failed',
  rejected: 'failed',
};

/** a Netlify deploy's state in our words */
export const netlifyStatus = (state: string): ProviderDeploymentStatus => STATUS[state] ?? 'building';

// Netlify over its REST API with fetch-free node:http (provider-http). Its own client, @netlify/api,
// is ESM-only and jest here loads CommonJS, so the few calls are made directly: a file-digest deploy
// (the static output's SHA1s; only the files Netlify says it needs are PUT), followed to ready or
// error; rollback restores (publishes) an earlier deploy.
export class NetlifyProvider implements DeploymentProvider {
  private readonly api: RestApi;

  constructor(
    private readonly settings: NetlifySettings,
    token: string,
    private readonly webhookSecret: string | undefined,
    host: ProviderHost,
    private readonly options: NetlifyProviderOptions = {},
  ) {
    this.api = { provider: NAME, apiUrl: settings.apiUrl, token, host, retry: options.retry, requestTimeoutMs: options.requestTimeoutMs, explain: (e) => this.explain(e) };
  }

  private get site() {
    return `/api/v1/sites/${encodeURIComponent(this.settings.siteId)}`;
  }

  async initialize(ctx: ProviderCallContext): Promise<void> {
    const s = await restJson<{ id: string; name: string; ssl_url?: string; url?: string }>(this.api, 'GET', this.site, ctx);
    ctx.log(`Netlify site ${s.name} (${s.id}) at ${s.ssl_url ?? s.url}`);
  }

  async deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    if (req.source.type !== 'artifact' || req.source.kind !== 'static') {
      throw new ProviderError(NAME, 'this build is a Node server: Netlify serves static files (its functions are bundles it builds itself), so Flightdeck deploys only static output to it (build a static site, or pick another provider for this environment)');
    }
    const files = await readArtifactFiles(req.source.path);
    if (!files.length) throw new ProviderError(NAME, 'the artifact holds no files to deploy');
    ctx.log(`Deploying ${files.length} files to the Netlify site ${this.settings.siteId}`);
    const title = `Flightdeck ${req.deploymentId}${req.commitSha ? ` (${req.commitSha.slice(0, 12)})` : ''}`;
    const created = await restJson<NetlifyDeploy>(this.api, 'POST', `${this.site}/deploys`, ctx, { files: Object.fromEntries(files.map((f) => [`/${f.path}`, f.sha1])), title });
    ctx.log(`Netlify deploy ${created.id} created (${created.state})`);
    await this.upload(created, files, ctx);
    const done = await this.follow(created.id, ctx);
    return this.resultOf(done, ctx);
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const id = req.toProviderDeploymentId ?? (await this.deployOf(req.toDeploymentId, ctx));
    ctx.log(`Restoring (publishing) the Netlify deploy ${id} without rebuilding it`);
    const d = await restJson<NetlifyDeploy>(this.api, 'POST', `${this.site}/deploys/${encodeURIComponent(id)}/restore`, ctx, {});
    return this.resultOf(d, ctx);
  }

  // the builder may not have recorded Netlify's id: the deploy is found by the title it was created with (newest first, 5 pages of 100)
  private async deployOf(deploymentId: string, ctx: ProviderCallContext): Promise<string> {
    for (let page = 1; page <= 5; page++) {
      const deploys = await restJson<(NetlifyDeploy & { title?: string | null })[]>(this.api, 'GET', `${this.site}/deploys`, ctx, undefined, { page: String(page), per_page: '100' });
      const found = deploys.find((d) => d.state === 'ready' && (d.title ?? '').split(' ')[1] === deploymentId);
      if (found) return found.id;
      if (deploys.length < 100) break;
    }
    throw new ProviderError(NAME, `no ready deploy of ${deploymentId} on the Netlify site ${this.settings.siteId}: nothing to restore`);
  }

  async status(providerDeploymentId: string, ctx: ProviderCallContext): Promise<ProviderDeploymentStatus> {
    return netlifyStatus((await restJson<NetlifyDeploy>(this.api, 'GET', `/api/v1/deploys/${encodeURIComponent(providerDeploymentId)}`, ctx)).state);
  }

  async cancel(providerDeploymentId: string, ctx: ProviderCallContext): Promise<void> {
    await restJson(this.api, 'POST', `/api/v1/deploys/${encodeURIComponent(providerDeploymentId)}/cancel`, ctx, {});
  }

  parseWebhook(req: ProviderWebhookRequest): ProviderWebhookEvent {
    if (!this.webhookSecret) throw new ProviderWebhookError('no webhook secret is configured (settings.webhookSecretVariable)');
    const given = req.headers['x-webhook-signature'];
    verifyNetlifySignature(this.webhookSecret, req.rawBody, Array.isArray(given) ? given[0] : given);
    let d: NetlifyDeploy & { title?: string | null };
    try {
      d = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      throw new ProviderWebhookError('the body is not JSON', true);
    }
    if (typeof d?.state !== 'string' || typeof d.id !== 'string') throw new ProviderWebhookError('the body is not a deploy', true);
    const ours = /^Flightdeck (\S+)/.exec(d.title ?? '');
    return { status: netlifyStatus(d.state), providerDeploymentId: d.id, deploymentId: ours?.[1], url: d.deploy_ssl_url ?? d.deploy_url, message: d.error_message ?? undefined };
  }

  // each digest Netlify needs, once: the first file holding it (same bytes, same digest)
  private async upload(d: NetlifyDeploy, files: ArtifactFile[], ctx: ProviderCallContext): Promise<void> {
    const required = new Set(d.required ?? []);
    const bySha = new Map<string, ArtifactFile>();
    for (const f of files) if (required.has(f.sha1) && !bySha.has(f.sha1)) bySha.set(f.sha1, f);
    ctx.log(`Uploading ${bySha.size} of ${files.length} files Netlify does not have yet`);
    for (const f of bySha.values()) {
      const path = f.path.split('/').map(encodeURIComponent).join('/');
      await restCall(this.api, 'PUT', `/api/v1/deploys/${encodeURIComponent(d.id)}/files/${path}`, ctx, { body: f.data, headers: { 'content-type': 'application/octet-stream' } });
    }
  }

  private async follow(id: string, ctx: ProviderCallContext): Promise<NetlifyDeploy> {
    try {
      return await this.followUntilDone(id, ctx);
    } catch (e) {
      if (!ctx.signal.aborted) throw e;
      await this.stopOnNetlify(id, ctx);
      throw new ProviderError(NAME, `deploy ${id} canceled: canceled on Netlify too`);
    }
  }

  // our call has ended (its signal aborted, or out of time): the deploy on Netlify is canceled with a signal of its own
  private async stopOnNetlify(id: string, ctx: ProviderCallContext): Promise<void> {
    try {
      await this.cancel(id, { log: ctx.log, signal: AbortSignal.timeout(15_000) });
      ctx.log(`Canceled the Netlify deploy ${id}`);
    } catch (e) {
      ctx.log(`Could not cancel the Netlify deploy ${id}: ${(e as Error).message}`, 'warn');
    }
  }

  private async followUntilDone(id: string, ctx: ProviderCallContext): Promise<NetlifyDeploy> {
    const deadline = Date.now() + this.settings.buildTimeoutSeconds * 1000;
    let state = '';
    for (;;) {
      const d = await restJson<NetlifyDeploy>(this.api, 'GET', `/api/v1/deploys/${encodeURIComponent(id)}`, ctx);
      if (d.state !== state) {
        state = d.state;
        ctx.log(`Netlify deploy ${id}: ${state}`);
      }
      if (d.state === 'ready' || d.state === 'error' || d.state === 'rejected') return d;
      if (Date.now() > deadline) {
        await this.stopOnNetlify(id, ctx);
        throw new ProviderError(NAME, `deploy ${id} is still ${d.state} after ${this.settings.buildTimeoutSeconds} s (settings.buildTimeoutSeconds): canceled on Netlify`);
      }
      await pause(this.options.pollMs ?? 1000, ctx.signal, ctx.nudged?.());
      if (ctx.signal.aborted) throw new Error('aborted');
    }
  }

  private resultOf(d: NetlifyDeploy, ctx: ProviderCallContext): DeployResult {
    if (d.state !== 'ready') throw new ProviderError(NAME, `deploy ${d.id} failed (${d.state}): ${d.error_message ?? 'no message'}`);
    const url = d.ssl_url ?? d.url ?? '';
    const previewUrl = d.deploy_ssl_url ?? d.deploy_url;
    ctx.log(`Netlify serves it at ${url}${previewUrl ? ` (this deploy: ${previewUrl})` : ''}`);
    return { url, previewUrl, providerDeploymentId: d.id };
  }

  // a refused token or an unknown site is the setting's fault
  private explain(e: ProviderError): Error {
    const status = e.details.status;
    const rid = e.details.requestId ? ` (request id ${e.details.requestId})` : '';
    if (status === 401 || status === 403) return new ProviderSettingsError(NAME, 'settings.tokenVariable', `holds a token Netlify refuses: ${e.providerMessage}${rid}`);
    return e;
  }
}

/**
 * X-Webhook-Signature of Netlify's deploy notifications: a JWS signed HS256 with the notification's
 * secret whose payload says {iss: "netlify", sha256: <hex SHA256 of the raw body>}. node:crypto: no
 * JWT library is a dependency of ours. Throws ProviderWebhookError when it does not verify.
 */
export function verifyNetlifySignature(secret: string, body: Buffer, jws: string | undefined): void {
  const parts = (jws ?? '').split('.');
  if (parts.length !== 3) throw new ProviderWebhookError('the signature (x-webhook-signature) is not a JWS');
  const [header, payload, sig] = parts;
  let h: { alg?: string };
  let p: { iss?: string; sha256?: string };
  try {
    h = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new ProviderWebhookError('the signature (x-webhook-signature) is not a JWS');
  }
  if (h.alg !== 'HS256') throw new ProviderWebhookError(`the signature (x-webhook-signature) uses ${h.alg ?? 'no algorithm'}, not HS256`);
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ProviderWebhookError('the signature (x-webhook-signature) does not verify with the secret');
  if (p.iss !== 'netlify') throw new ProviderWebhookError('the signature (x-webhook-signature) was not issued by netlify');
  if (p.sha256 !== createHash('sha256').update(body).digest('hex')) throw new ProviderWebhookError('the signature (x-webhook-signature) is of another body');
}

export const netlifyProvider: ProviderDefinition<NetlifySettings> = {
  name: NAME,
  description: 'Netlify: the static output deployed by file digest through its REST API; rollback restores an earlier deploy',
  settings: NetlifySettings as z.ZodType<NetlifySettings>,
  credentials: ['tokenVariable', 'webhookSecretVariable'],
  supports: { rollback: true, cancel: true, webhooks: true },
  create: ({ settings, credentials, host }) => new NetlifyProvider(settings, credentials.tokenVariable, credentials.webhookSecretVariable, host),
};
