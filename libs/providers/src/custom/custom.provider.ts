import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { z } from 'zod';
import { RefusedAddressError, checkHookUrl, checkLiteralHost, guardedLookup, signHookBody, verifyHookSignature } from '@flightdeck/runtime';
import type {
  DeployRequest,
  DeployResult,
  DeploymentProvider,
  DeploymentTarget,
  ProviderCallContext,
  ProviderDeploymentStatus,
  ProviderDefinition,
  ProviderHost,
  ProviderReport,
  ProviderWebhookEvent,
  ProviderWebhookRequest,
  RollbackRequest,
} from '../deployment-provider';
import { ProviderError, ProviderSettingsError, ProviderWebhookError, providerErrorOf, providerErrorOfNetwork } from '../provider-error';
import { withProviderRetry } from '../provider-retry';

const NAME = 'custom';
const ALLOW_SETTING = 'FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE';

const CustomSettings = z
  .object({
    /** the user's endpoint: it receives the signed deployment and answers with the URL it serves it at */
    url: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL'),
    /** the name of a sensitive variable holding the HMAC secret the requests are signed with */
    secretVariable: z.string().min(1).max(200),
    /** how long the endpoint may take to answer one request */
    timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
    /** how long the deployment waits for the endpoint's system to report its result, when it answered without a url */
    reportTimeoutMs: z.number().int().min(1_000).max(86_400_000).default(900_000),
  })
  .strict();
export type CustomSettings = z.infer<typeof CustomSettings>;

/** what the endpoint answers (2xx, JSON) */
const CustomAnswer = z.object({
  // absent (e.g. 202 {}): the endpoint's system reports the result later with the publisher credential
  url: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'an http(s) URL')
    .optional(),
  previewUrl: z.string().url().optional(),
  id: z.string().max(200).optional(),
  /** its own deploy log, shown in the deployment's */
  logs: z.array(z.string().max(10_000)).max(1_000).optional(),
});

/** what the endpoint may send back later, signed the same way */
const CustomEvent = z.object({
  deploymentId: z.string().optional(),
  id: z.string().optional(),
  status: z.enum(['queued', 'building', 'deploying', 'succeeded', 'failed', 'canceled']),
  message: z.string().max(10_000).optional(),
  url: z.string().url().optional(),
});

type ResultReport = Extract<ProviderReport, { kind: 'result' }>;

const headerOf = (h: ProviderWebhookRequest['headers'], name: string) => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

// Any in-house system as a provider: each deploy and rollback is a POST of JSON to the user's URL,
// signed like the outgoing hooks (X-Flightdeck-Signature-256: sha256=HMAC-SHA256 of the raw body
// with the secret), under the same SSRF rule; the endpoint answers 2xx with the URL it serves the
// deployment at. Its 5xx and 429 are retried with backoff (Retry-After honoured); its 4xx fail at once.
export class CustomProvider implements DeploymentProvider {
  constructor(
    private readonly settings: CustomSettings,
    private readonly secret: string,
    private readonly host: ProviderHost,
  ) {}

  async initialize(): Promise<void> {
    try {
      await checkHookUrl(this.settings.url, this.host.allowPrivateAddresses, ALLOW_SETTING);
    } catch (e) {
      if (e instanceof RefusedAddressError) throw new ProviderSettingsError(NAME, 'settings.url', `is refused: ${e.message}`);
      throw e;
    }
  }

  async deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const sensitive = new Set(req.sensitiveKeys ?? []);
    const variables = Object.fromEntries(Object.entries(req.env).filter(([k]) => !sensitive.has(k)));
    const source =
      req.source.type === 'artifact' ? { type: 'artifact', kind: req.source.kind, startCommand: req.source.startCommand ?? null } : { type: 'image', image: req.source.image };
    return this.send(
      'deployment.deploy',
      req,
      {
        deployment: { id: req.deploymentId, projectId: req.projectId ?? null, projectName: req.projectName, environmentName: req.environmentName, commitSha: req.commitSha ?? null },
        source,
        // sensitive values never leave the platform: the endpoint gets their names, its system holds them
        variables,
        sensitiveVariables: [...sensitive].filter((k) => k in req.env).sort(),
      },
      ctx,
    );
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    return this.send(
      'deployment.rollback',
      req,
      {
        deployment: { id: req.deploymentId, projectId: req.projectId ?? null, projectName: req.projectName, environmentName: req.environmentName },
        rollback: { toDeploymentId: req.toDeploymentId, toId: req.toProviderDeploymentId ?? null },
      },
      ctx,
    );
  }

  /** a status the endpoint sends later: its signature verified with the same secret */
  parseWebhook(req: ProviderWebhookRequest): ProviderWebhookEvent {
    if (!verifyHookSignature(this.secret, req.rawBody, headerOf(req.headers, 'x-flightdeck-signature-256'))) {
      throw new ProviderWebhookError('the signature (x-flightdeck-signature-256) does not match the body');
    }
    let json: unknown;
    try {
      json = JSON.parse(req.rawBody.toString('utf8'));
    } catch {
      throw new ProviderWebhookError('the body is not JSON', true);
    }
    const e = CustomEvent.safeParse(json);
    if (!e.success) throw new ProviderWebhookError(`the body is not a status event: ${e.error.issues[0].path.join('.')} ${e.error.issues[0].message}`, true);
    return { deploymentId: e.data.deploymentId, providerDeploymentId: e.data.id, status: e.data.status as ProviderDeploymentStatus, message: e.data.message, url: e.data.url };
  }

  // The request carries a short-lived credential (when the host issues them) for the endpoint's
  // system to report on this deployment: its log lines go into the deployment's log as they come;
  // its result ends the call when the endpoint answered without a url. The credential ends with the
  // call (the host revokes it) or after reportTimeoutMs and a minute, whichever comes first.
  private async send(event: string, target: DeploymentTarget, payload: Record<string, unknown>, ctx: ProviderCallContext): Promise<DeployResult> {
    const delivery = randomUUID();
    let reported: (r: ResultReport) => void = () => undefined;
    const result = new Promise<ResultReport>((resolve) => (reported = resolve));
    const publisher =
      this.host.issuePublisherCredential?.(target, Math.ceil(this.settings.reportTimeoutMs / 1000) + 60, (r) => {
        if (r.kind === 'log') for (const line of r.lines) ctx.log(line, r.level);
        else reported(r);
      }) ?? null;
    const body = JSON.stringify({ event, delivery, ...payload, publisher, sentAt: new Date().toISOString() });
    ctx.log(`Sending ${event} to ${this.settings.url} (delivery ${delivery}, signed${publisher ? ', with a credential to report back until ' + publisher.expiresAt : ''})`);
    const answer = await withProviderRetry(() => this.post(event, delivery, body, ctx.signal), {
      signal: ctx.signal,
      onRetry: (e, n, wait) => ctx.log(`${e.message}: attempt ${n} in ${Math.round(wait / 100) / 10} s`, 'warn'),
    });
    for (const line of answer.logs ?? []) ctx.log(line);
    if (answer.url) {
      ctx.log(`${this.settings.url} serves it at ${answer.url}`);
      return { url: answer.url, previewUrl: answer.previewUrl, providerDeploymentId: answer.id };
    }
    if (!publisher) throw new ProviderError(NAME, 'answered without a url: it must answer {"url": "<where it serves the deployment>"}');
    ctx.log(`${this.settings.url} accepted it; waiting up to ${Math.round(this.settings.reportTimeoutMs / 1000)} s for its result`);
    const r = await this.waitFor(result, ctx.signal);
    if (r.outcome === 'failed') throw new ProviderError(NAME, `its system reported failure: ${r.message ?? 'no message'}`);
    ctx.log(`${this.settings.url} reported it serves it at ${r.url}`);
    return { url: r.url!, previewUrl: r.previewUrl, providerDeploymentId: answer.id };
  }

  private waitFor(result: Promise<ResultReport>, signal: AbortSignal): Promise<ResultReport> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', aborted);
      };
      const aborted = () => {
        done();
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = setTimeout(() => {
        done();
        reject(new ProviderError(NAME, `its system reported no result within ${this.settings.reportTimeoutMs} ms (settings.reportTimeoutMs)`));
      }, this.settings.reportTimeoutMs);
      if (signal.aborted) return aborted();
      signal.addEventListener('abort', aborted, { once: true });
      void result.then((r) => {
        done();
        resolve(r);
      });
    });
  }

  private post(event: string, delivery: string, body: string, signal: AbortSignal): Promise<z.infer<typeof CustomAnswer>> {
    const url = new URL(this.settings.url);
    return new Promise((resolve, reject) => {
      try {
        checkLiteralHost(this.settings.url, this.host.allowPrivateAddresses, ALLOW_SETTING);
      } catch (e) {
        return reject(new ProviderSettingsError(NAME, 'settings.url', `is refused: ${(e as Error).message}`));
      }
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          signal,
          lookup: guardedLookup(this.host.allowPrivateAddresses, ALLOW_SETTING) as never,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'Flightdeck-Provider/1',
            'x-flightdeck-event': event,
            'x-flightdeck-delivery': delivery,
            'x-flightdeck-timestamp': String(Math.floor(Date.now() / 1000)),
            'x-flightdeck-signature-256': signHookBody(this.secret, body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= 1024 * 1024) chunks.push(c);
          });
          res.on('error', (e) => reject(providerErrorOfNetwork(NAME, e)));
          res.on('end', () => {
            clearTimeout(timer);
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) return reject(providerErrorOf(NAME, { status, statusText: res.statusMessage, headers: res.headers }, text));
            let parsed: ReturnType<typeof CustomAnswer.safeParse>;
            try {
              parsed = CustomAnswer.safeParse(JSON.parse(text || '{}'));
            } catch {
              return reject(new ProviderError(NAME, `answered ${status} without a JSON body: it must answer {"url": "<where it serves the deployment>"}`, { status }));
            }
            if (!parsed.success) {
              const issue = parsed.error.issues[0];
              return reject(new ProviderError(NAME, `answered ${status} with ${issue.path.join('.') || 'a body'} ${issue.message.toLowerCase()}: it must answer {"url": "<where it serves the deployment>"}`, { status }));
            }
            resolve(parsed.data);
          });
        },
      );
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${this.settings.timeoutMs} ms`)), this.settings.timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        if ((e as { code?: string }).code === 'EHOOKREFUSED') return reject(new ProviderSettingsError(NAME, 'settings.url', `is refused: ${e.message}`));
        reject(providerErrorOfNetwork(NAME, e));
      });
      req.end(body);
    });
  }
}

export const customProvider: ProviderDefinition<CustomSettings> = {
  name: NAME,
  description: 'any system of yours: a signed webhook to your URL, which answers where it serves the deployment',
  settings: CustomSettings as z.ZodType<CustomSettings>,
  credentials: ['secretVariable'],
  supports: { rollback: true, cancel: false, webhooks: true },
  create: ({ settings, credentials, host }) => new CustomProvider(settings, credentials.secretVariable, host),
};
