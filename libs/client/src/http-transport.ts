import type { z } from 'zod';
import {
  ALL_ERROR_CODES,
  type ErrorBody,
  ErrorCode,
  type Result,
  describeIssues,
  err,
  ok,
} from '@flightdeck/contracts';

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue>;

/** `/api/v1` + path + the query's set values (undefined and null are left out), each encoded */
export function apiUrl(baseUrl: string, path: string, query: Query = {}): string {
  const base = baseUrl.replace(/\/+$/, '');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) params.append(k, String(v));
  const qs = params.toString();
  return `${base}/api/v1${path}${qs ? `?${qs}` : ''}`;
}

/** a path with each id encoded, so a key or an id can never become another path */
export const pathOf = (strings: TemplateStringsArray, ...ids: string[]): string =>
  strings.reduce((acc, s, i) => acc + s + (i < ids.length ? encodeURIComponent(ids[i]) : ''), '');

// The code when a reply's body carries none we know (a proxy's page, a newer gateway's code).
const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.InvalidInput,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.InsufficientPermissions,
  404: ErrorCode.NotFound,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  429: ErrorCode.RateLimited,
  502: ErrorCode.ServiceUnavailable,
  503: ErrorCode.ServiceUnavailable,
  504: ErrorCode.ServiceUnavailable,
};
export const errorCodeOfStatus = (status: number): ErrorCode =>
  CODE_OF_STATUS[status] ?? (status >= 500 ? ErrorCode.InternalError : ErrorCode.InvalidInput);

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * An HTTP answer as a Result: 2xx parsed by the route's contract schema (a body that does not
 * parse is `validation/invalid-message`: client and gateway disagree on a version), anything else
 * the gateway's `{error:{code,message,details?}}` as it sent it; a code this client does not know
 * is kept in details.serverCode beside the code of the status.
 */
export function resultOf<S extends z.ZodTypeAny>(
  status: number,
  body: unknown,
  schema: S,
): Result<z.output<S>> {
  if (status >= 200 && status < 300) {
    const parsed = schema.safeParse(body);
    if (parsed.success) return ok(parsed.data);
    const { message, fields } = describeIssues(parsed.error);
    return err(
      ErrorCode.InvalidMessage,
      `the gateway's answer did not match this client's contract: ${message}`,
      { fields },
    );
  }
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  const code = typeof error?.code === 'string' ? error.code : undefined;
  if (code && (ALL_ERROR_CODES as readonly string[]).includes(code))
    return {
      ok: false,
      error: {
        code: code as ErrorCode,
        message,
        ...(error?.details === undefined ? {} : { details: error.details }),
      },
    };
  const details: Record<string, unknown> = { status };
  if (code) details.serverCode = code;
  if (error?.details !== undefined) details.details = error.details;
  return err(errorCodeOfStatus(status), message, details);
}

/** the network failed (refused, reset, DNS, timeout): nothing was answered */
export const unavailable = <T>(url: string, cause: unknown): Result<T> =>
  err(
    ErrorCode.ServiceUnavailable,
    `cannot reach ${url}: ${cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause)}`,
  );

export interface RequestOptions {
  query?: Query;
  /** a JSON body, or raw text sent as is (contentType then says what it is) */
  body?: unknown;
  rawBody?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface TransportOptions {
  baseUrl: string;
  token?: string;
  /** per request; past it the Result is service/unavailable (default 30 s) */
  timeoutMs?: number;
  /** another fetch (tests, a proxying one); the global one by default (Node 20 and browsers) */
  fetch?: typeof fetch;
}

export class HttpTransport {
  constructor(private readonly opts: TransportOptions) {}

  get baseUrl() {
    return this.opts.baseUrl;
  }
  get token() {
    return this.opts.token;
  }

  url(path: string, query?: Query) {
    return apiUrl(this.opts.baseUrl, path, query);
  }

  async request<S extends z.ZodTypeAny>(
    method: string,
    path: string,
    schema: S,
    o: RequestOptions = {},
  ): Promise<Result<z.output<S>>> {
    const url = this.url(path, o.query);
    const headers: Record<string, string> = { accept: 'application/json', ...(o.headers ?? {}) };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let body: BodyInit | undefined;
    if (o.rawBody !== undefined) {
      body = o.rawBody as BodyInit;
      headers['content-type'] = o.contentType ?? 'text/plain';
    } else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    }
    const doFetch = this.opts.fetch ?? globalThis.fetch;
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, {
        method,
        headers,
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 30_000),
      });
      text = await res.text();
    } catch (e) {
      return unavailable(url, e);
    }
    let parsed: unknown = text;
    if (text.length > 0 && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.ok)
          return err(ErrorCode.InvalidMessage, `the gateway's answer to ${method} ${path} is not JSON`);
      }
    }
    return resultOf(res.status, parsed, schema);
  }
}

export type { ErrorBody };
