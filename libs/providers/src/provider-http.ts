import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkLiteralHost, guardedLookup } from '@flightdeck/runtime';
import type { ProviderCallContext, ProviderHost } from './deployment-provider';
import { ProviderError, ProviderSettingsError, providerErrorOf, providerErrorOfNetwork } from './provider-error';
import { type RetryOptions, withProviderRetry } from './provider-retry';

const answerBodies = new WeakMap<ProviderError, Buffer>();

/** the body of the non-2xx answer a ProviderError of providerHttp came from (a platform's details beyond its message) */
export const answerBodyOf = (e: ProviderError): Buffer | undefined => answerBodies.get(e);

export const ALLOW_PRIVATE_SETTING = 'FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE';

export interface ProviderHttpRequest {
  provider: string;
  /** the setting that names the API's URL, for a refused address */
  urlSetting: string;
  url: string;
  method: string;
  headers?: Record<string, string | number>;
  body?: Buffer | string;
  timeoutMs: number;
  signal: AbortSignal;
  allowPrivateAddresses: boolean;
}

export interface ProviderHttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

// A hosted platform's REST API over node:http rather than fetch: the global fetch takes no DNS
// lookup hook (undici is not a dependency here), and a user-given API URL must pass the same SSRF rule
// as the custom provider's at connect time (a private address only with FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE).
// A non-2xx answer rejects with the platform's message, request id and how long it asked to wait.
export function providerHttp(r: ProviderHttpRequest): Promise<ProviderHttpAnswer> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(r.url);
    } catch {
      return reject(new ProviderSettingsError(r.provider, r.urlSetting, `is not a URL: ${r.url}`));
    }
    try {
      // an IP literal is never looked up: checked here
      checkLiteralHost(r.url, r.allowPrivateAddresses, ALLOW_PRIVATE_SETTING);
    } catch (e) {
      return reject(new ProviderSettingsError(r.provider, r.urlSetting, `is refused: ${(e as Error).message}`));
    }
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: r.method,
        signal: r.signal,
        lookup: guardedLookup(r.allowPrivateAddresses, ALLOW_PRIVATE_SETTING) as never,
        headers: { 'user-agent': 'Flightdeck-Provider/1', ...(r.body !== undefined ? { 'content-length': Buffer.byteLength(r.body) } : {}), ...r.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(providerErrorOfNetwork(r.provider, e)));
        res.on('end', () => {
          clearTimeout(timer);
          const body = Buffer.concat(chunks);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve({ status, headers: res.headers, body });
          const e = withRateLimitReset(providerErrorOf(r.provider, { status, statusText: res.statusMessage, headers: res.headers }, body.toString('utf8')), res.headers);
          answerBodies.set(e, body);
          reject(e);
        });
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${r.timeoutMs} ms`)), r.timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      if ((e as { code?: string }).code === 'EHOOKREFUSED') return reject(new ProviderSettingsError(r.provider, r.urlSetting, `is refused: ${e.message}`));
      reject(providerErrorOfNetwork(r.provider, e));
    });
    req.end(r.body);
  });
}

/**
 * a 429 without Retry-After: X-RateLimit-Reset (unix seconds, as Vercel and Netlify send it) or the
 * IETF RateLimit-Reset (seconds from now, as Render sends it) says how long to wait, at most maxMs
 */
export function withRateLimitReset(e: ProviderError, headers: IncomingHttpHeaders, now = Date.now(), maxMs = 120_000): ProviderError {
  if (e.details.retryAfterMs !== undefined || e.details.status !== 429) return e;
  const reset = Number(headers['x-ratelimit-reset']);
  const delta = Number(headers['ratelimit-reset']);
  const wait = Number.isFinite(reset) && reset > 0 ? reset * 1000 - now : Number.isFinite(delta) && delta >= 0 ? delta * 1000 : undefined;
  if (wait === undefined) return e;
  return new ProviderError(e.provider, e.providerMessage, { ...e.details, retryAfterMs: Math.min(Math.max(0, wait), maxMs) });
}

/** a platform's REST API as one environment's provider reaches it */
export interface RestApi {
  provider: string;
  apiUrl: string;
  token: string;
  host: ProviderHost;
  /** query parameters every call carries (Vercel's teamId) */
  query?: Record<string, string>;
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
  requestTimeoutMs?: number;
  /** a platform's failure in the provider's words (a refused token naming its setting) */
  explain?: (e: ProviderError) => Error;
}

export interface RestCallExtra {
  body?: string | Buffer;
  headers?: Record<string, string | number>;
  query?: Record<string, string>;
}

/** one call with the Bearer token, retried while the platform is down or rate limiting (3 attempts, its headers honoured) */
export function restCall(api: RestApi, method: string, path: string, ctx: ProviderCallContext, extra: RestCallExtra = {}): Promise<ProviderHttpAnswer> {
  const url = new URL(path.replace(/^\//, ''), api.apiUrl.replace(/\/?$/, '/'));
  for (const [k, v] of Object.entries({ ...extra.query, ...api.query })) url.searchParams.set(k, v);
  return withProviderRetry(
    () =>
      providerHttp({
        provider: api.provider,
        urlSetting: 'settings.apiUrl',
        url: url.toString(),
        method,
        headers: { authorization: `Bearer ${api.token}`, accept: 'application/json', ...extra.headers },
        body: extra.body,
        timeoutMs: api.requestTimeoutMs ?? 30_000,
        signal: ctx.signal,
        allowPrivateAddresses: api.host.allowPrivateAddresses,
      }).catch((e: unknown) => {
        throw e instanceof ProviderError && api.explain ? api.explain(e) : e;
      }),
    { ...api.retry, signal: ctx.signal, onRetry: (e, n, wait) => ctx.log(`${e.message}: attempt ${n} in ${Math.round(wait / 100) / 10} s`, 'warn') },
  );
}

/** a JSON call: the body sent as JSON, the answer parsed */
export async function restJson<T>(api: RestApi, method: string, path: string, ctx: ProviderCallContext, body?: unknown, query?: Record<string, string>): Promise<T> {
  const answer = await restCall(api, method, path, ctx, { query, ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}) });
  return JSON.parse(answer.body.toString('utf8') || 'null') as T;
}
