import { RefusedAddressError, checkHookUrl, checkLiteralHost } from '@flightdeck/runtime';
import { z } from 'zod';
import type { ProviderCallContext, ProviderHost } from '../deployment-provider';
import { containerEnv } from '../docker/docker-release';
import { ProviderError, ProviderSettingsError, providerErrorOfNetwork } from '../provider-error';
import { type RetryOptions, withProviderRetry } from '../provider-retry';

// What the AWS providers (aws-lambda, aws-ecs) share: the region, credentials and endpoint settings,
// the SDK client's configuration (its own retries off: ours log and honour Retry-After), and AWS
// errors mapped to ProviderError with the service's message and x-amzn-RequestId.

const ALLOW_SETTING = 'FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE';

export const AwsSettingsFields = {
  /** e.g. eu-west-1 */
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1'),
  /** the name of a sensitive variable holding the access key id (none: the builder's own AWS credentials, e.g. its instance role) */
  accessKeyIdVariable: z.string().min(1).max(200).optional(),
  /** the name of a sensitive variable holding the secret access key */
  secretAccessKeyVariable: z.string().min(1).max(200).optional(),
  /** another endpoint than AWS's (a VPC endpoint, a compatible service); private addresses only where the operator allows them */
  endpoint: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
    .optional(),
  /** how often a rollout or update is read while it runs */
  pollIntervalMs: z.number().int().min(100).max(60_000).default(2_000),
};

/** both credential variables, or neither */
export const bothCredentials = (s: { accessKeyIdVariable?: string; secretAccessKeyVariable?: string }) => (s.accessKeyIdVariable === undefined) === (s.secretAccessKeyVariable === undefined);
export const BOTH_CREDENTIALS = { message: 'is required with accessKeyIdVariable: both name sensitive variables, or neither (the builder\'s own AWS credentials)', path: ['secretAccessKeyVariable'] };

export interface AwsSettings {
  region: string;
  accessKeyIdVariable?: string;
  secretAccessKeyVariable?: string;
  endpoint?: string;
}

export interface AwsProviderOptions {
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
}

/** the deployment's variables for the function or task: not the builder's own paths, nor the deployer's AWS credentials (whose variables the settings name) */
export function deploymentEnv(env: Record<string, string>, settings: AwsSettings): Record<string, string> {
  const credentials = new Set([settings.accessKeyIdVariable, settings.secretAccessKeyVariable]);
  return Object.fromEntries(Object.entries(containerEnv(env)).filter(([k]) => !credentials.has(k)));
}

/** the SDK client's configuration for one environment's settings */
export function awsClientConfig(provider: string, settings: AwsSettings, credentials: Readonly<Record<string, string>>, host: ProviderHost) {
  if (settings.endpoint) {
    try {
      checkLiteralHost(settings.endpoint, host.allowPrivateAddresses, ALLOW_SETTING);
    } catch (e) {
      throw new ProviderSettingsError(provider, 'settings.endpoint', `is refused: ${(e as Error).message}`);
    }
  }
  const { accessKeyIdVariable: accessKeyId, secretAccessKeyVariable: secretAccessKey } = credentials;
  return {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    // one attempt per call: withProviderRetry retries, logs each retry and honours Retry-After
    maxAttempts: 1,
  };
}

/** the endpoint's host name resolved and checked, before any build */
export async function checkAwsEndpoint(provider: string, settings: AwsSettings, host: ProviderHost): Promise<void> {
  if (!settings.endpoint) return;
  try {
    await checkHookUrl(settings.endpoint, host.allowPrivateAddresses, ALLOW_SETTING);
  } catch (e) {
    if (e instanceof RefusedAddressError) throw new ProviderSettingsError(provider, 'settings.endpoint', `is refused: ${e.message}`);
    throw e;
  }
}

interface AwsSdkError {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
  retryAfterSeconds?: string;
  code?: string;
}

// the caller's credentials themselves refused (not a missing permission: that one names the action)
const CREDENTIALS_REFUSED = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignatureException', 'MissingAuthenticationTokenException', 'ExpiredTokenException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'CredentialsProviderError']);
const RETRYABLE = new Set(['ThrottlingException', 'TooManyRequestsException', 'ServiceException', 'ServerException', 'ServiceUnavailableException', 'InternalFailure', 'RequestLimitExceeded', 'ResourceConflictException', 'EC2ThrottledException']);

/** an SDK error as a ProviderError (or a ProviderSettingsError naming the credential settings) */
export function awsError(provider: string, e: unknown, doing: string): Error {
  if (e instanceof ProviderError || e instanceof ProviderSettingsError) return e;
  const err = e as AwsSdkError;
  const status = err.$metadata?.httpStatusCode;
  const requestId = err.$metadata?.requestId;
  if (status === undefined && err.name !== 'CredentialsProviderError') return providerErrorOfNetwork(provider, Object.assign(new Error(`${doing}: ${err.message}`), { cause: { code: err.code } }));
  if (CREDENTIALS_REFUSED.has(err.name)) {
    return new ProviderSettingsError(provider, 'settings.accessKeyIdVariable', `(with settings.secretAccessKeyVariable) names credentials AWS refused while trying to ${doing}: ${err.name}: ${err.message}${requestId ? ` (request id ${requestId})` : ''}`);
  }
  const headers = err.$response?.headers ?? {};
  const after = Number(err.retryAfterSeconds ?? headers['retry-after']);
  return new ProviderError(provider, `${doing}: ${err.name}${status ? ` (HTTP ${status})` : ''}: ${err.message}`, {
    status,
    requestId,
    retryable: err.$fault === 'server' || (status !== undefined && (status === 429 || status >= 500)) || RETRYABLE.has(err.name) || !!err.$retryable,
    retryAfterMs: Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 120_000) : undefined,
  });
}

/** one SDK call, retried with backoff while AWS says it may pass (5xx, throttling, an update in progress) */
export function awsCall<T>(provider: string, doing: string, fn: () => Promise<T>, ctx: ProviderCallContext, options: AwsProviderOptions = {}): Promise<T> {
  return withProviderRetry(
    () =>
      fn().catch((e: unknown) => {
        throw awsError(provider, e, doing);
      }),
    {
      ...options.retry,
      signal: ctx.signal,
      onRetry: (e, attempt, waitMs) => ctx.log(`${e.message}; attempt ${attempt} in ${(waitMs / 1000).toFixed(1)} s`, 'warn'),
    },
  );
}
