import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkLiteralHost, guardedLookup } from '@flightdeck/runtime';
import { ProviderError, ProviderSettingsError, providerErrorOf, providerErrorOfNetwork } from './provider-error';

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

/** a 429 without Retry-After: X-RateLimit-Reset (unix seconds, as Vercel and Netlify send it) says how long to wait, at most maxMs */
export function withRateLimitReset(e: ProviderError, headers: IncomingHttpHeaders, now = Date.now(), maxMs = 120_000): ProviderError {
  if (e.details.retryAfterMs !== undefined || e.details.status !== 429) return e;
  const reset = Number(headers['x-ratelimit-reset']);
  if (!Number.isFinite(reset) || reset <= 0) return e;
  const ms = Math.min(Math.max(0, reset * 1000 - now), maxMs);
  return new ProviderError(e.provider, e.providerMessage, { ...e.details, retryAfterMs: ms });
}
