import { ErrorCode } from '@flightdeck/contracts';

// A provider's failure, mapped to one stable code (deployment/provider-error) whatever the
// platform: the platform's own message and request id kept, and whether trying again is safe.

export class ProviderError extends Error {
  readonly code = ErrorCode.DeploymentProviderError;

  constructor(
    readonly provider: string,
    /** the platform's own message */
    readonly providerMessage: string,
    readonly details: {
      /** the platform's request id (x-request-id, x-github-request-id...), for its support */
      requestId?: string;
      /** HTTP status, when there was one */
      status?: number;
      /** safe to try again (outage, 5xx, rate limit, a connection that failed) */
      retryable?: boolean;
      /** the platform asked to wait this long (Retry-After, x-ratelimit-reset) */
      retryAfterMs?: number;
    } = {},
  ) {
    super(`${provider}: ${providerMessage}${details.requestId ? ` (request id ${details.requestId})` : ''}`);
  }

  get retryable(): boolean {
    return this.details.retryable ?? false;
  }
}

/** settings or credentials that cannot work: named, found before any build */
export class ProviderSettingsError extends Error {
  readonly code = ErrorCode.DeploymentInvalidConfiguration;

  constructor(
    readonly provider: string,
    /** the setting at fault (e.g. "settings.tokenVariable") */
    readonly setting: string,
    problem: string,
  ) {
    super(`provider ${provider}: ${setting} ${problem}`);
  }
}

/** a webhook whose signature does not verify, or (signatureVerified) a signed one that is no status event of a deployment */
export class ProviderWebhookError extends Error {
  constructor(
    message: string,
    readonly signatureVerified = false,
  ) {
    super(message);
  }
}

const REQUEST_ID_HEADERS = ['x-request-id', 'x-github-request-id', 'x-amzn-requestid', 'x-vercel-id', 'x-nf-request-id', 'cf-ray'];

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

const header = (headers: HeaderBag, name: string): string | undefined => {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
};

export const requestIdOf = (headers: HeaderBag): string | undefined => {
  for (const name of REQUEST_ID_HEADERS) {
    const v = header(headers, name);
    if (v) return v;
  }
  return undefined;
};

/** Retry-After (seconds or an HTTP date) in ms; at most maxMs, undefined when absent or unreadable */
export const retryAfterMs = (headers: HeaderBag, now = Date.now(), maxMs = 120_000): number | undefined => {
  const v = header(headers, 'retry-after');
  if (!v) return undefined;
  const seconds = Number(v);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(v) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), maxMs) : undefined;
};

/** 408, 425, 429 and 5xx may pass by themselves; any other 4xx will not */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 425 || status === 429 || status >= 500;

/** a non-2xx HTTP answer as a ProviderError: the platform's message from its JSON body when it has one */
export const providerErrorOf = (provider: string, res: { status: number; statusText?: string; headers: HeaderBag }, body: string): ProviderError => {
  let message = body.trim().slice(0, 500);
  try {
    const json = JSON.parse(body) as { message?: unknown; error?: unknown };
    const m = json.message ?? (typeof json.error === 'object' && json.error ? (json.error as { message?: unknown }).message : json.error);
    if (typeof m === 'string' && m) message = m;
  } catch {
    // not JSON: the text as it is
  }
  return new ProviderError(provider, `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${message ? `: ${message}` : ''}`, {
    status: res.status,
    requestId: requestIdOf(res.headers),
    retryable: isRetryableStatus(res.status),
    retryAfterMs: retryAfterMs(res.headers),
  });
};

/** a connection that failed (refused, reset, timed out) may pass by itself */
export const providerErrorOfNetwork = (provider: string, e: Error): ProviderError => {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return new ProviderError(provider, `${e.message}${cause?.code ? ` (${cause.code})` : cause?.message ? ` (${cause.message})` : ''}`, { retryable: true });
};
