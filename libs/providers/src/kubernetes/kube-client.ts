import { AppsV1Api, AuthorizationV1Api, CoreV1Api, CustomObjectsApi, HttpError, type KubeConfig, NetworkingV1Api, PatchUtils } from '@kubernetes/client-node';
import type { ProviderCallContext } from '../deployment-provider';
import { ProviderError, ProviderSettingsError, isRetryableStatus, retryAfterMs } from '../provider-error';
import { type RetryOptions, withProviderRetry } from '../provider-retry';
import { KUBERNETES } from './kubernetes-settings';

// The Kubernetes API as the provider uses it (@kubernetes/client-node): every call retried on what
// may pass by itself (429 honouring Retry-After, 5xx, a connection that failed), its failures as
// ProviderError with the API's Status message and audit id; 401/403 name the credential's setting.

const FIELD_MANAGER = 'flightdeck';
const APPLY = { headers: { 'Content-Type': PatchUtils.PATCH_FORMAT_APPLY_YAML } };

type Obj = Record<string, unknown> & { kind?: string; metadata?: { name?: string } };

interface StatusBody {
  message?: string;
  reason?: string;
}

/** an API failure as the provider's error: the Status message kept; 401/403 a credential problem naming its setting */
export function kubeError(e: unknown, doing: string, credential: string, server: string): Error {
  if (e instanceof ProviderError || e instanceof ProviderSettingsError) return e;
  const err = e as Error & { statusCode?: number; code?: string; response?: { headers?: Record<string, string | string[] | undefined>; statusMessage?: string } };
  const status = err instanceof HttpError ? err.statusCode : err.statusCode;
  if (status) {
    const body = (err as HttpError).body as StatusBody | string | undefined;
    const message = (typeof body === 'object' && body?.message) || (typeof body === 'string' && body.trim()) || err.response?.statusMessage || err.message || 'no message';
    if (status === 401) return new ProviderSettingsError(KUBERNETES, credential, `holds credentials the cluster at ${server} refuses (${doing}: HTTP 401 ${message})`);
    if (status === 403) return new ProviderSettingsError(KUBERNETES, credential, `holds credentials that may not ${doing}: ${message}`);
    const headers = err.response?.headers ?? {};
    const auditId = headers['audit-id'];
    return new ProviderError(KUBERNETES, `${doing}: HTTP ${status}: ${message}`, {
      status,
      requestId: Array.isArray(auditId) ? auditId[0] : auditId,
      retryable: isRetryableStatus(status),
      retryAfterMs: retryAfterMs(headers),
    });
  }
  if (err.code) return new ProviderError(KUBERNETES, `${doing}: cannot reach the Kubernetes API at ${server} (${err.code})`, { retryable: true });
  return new ProviderError(KUBERNETES, `${doing}: ${err.message}`);
}

export class KubeClient {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly networking: NetworkingV1Api;
  readonly custom: CustomObjectsApi;
  readonly authz: AuthorizationV1Api;
  readonly server: string;

  constructor(
    readonly config: KubeConfig,
    /** the setting the credentials come from, for messages */
    readonly credential: string,
    private readonly retry: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'> = {},
  ) {
    this.core = config.makeApiClient(CoreV1Api);
    this.apps = config.makeApiClient(AppsV1Api);
    this.networking = config.makeApiClient(NetworkingV1Api);
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.authz = config.makeApiClient(AuthorizationV1Api);
    this.server = config.getCurrentCluster()?.server ?? '(no cluster)';
  }

  error(e: unknown, doing: string): Error {
    return kubeError(e, doing, this.credential, this.server);
  }

  /** a call that is safe to repeat (reads, creates answered 409, server-side applies) */
  call<T>(doing: string, fn: () => Promise<{ body: T }>, ctx: ProviderCallContext): Promise<T> {
    return withProviderRetry(
      () =>
        fn().then(
          (r) => r.body,
          (e: unknown) => {
            throw this.error(e, doing);
          },
        ),
      { ...this.retry, signal: ctx.signal, onRetry: (e, attempt, waitMs) => ctx.log(`${e.providerMessage}; attempt ${attempt} in ${(waitMs / 1000).toFixed(1)}s`, 'warn') },
    );
  }

  /** server-side apply of one object in the namespace: created when absent, this manager's fields replaced */
  apply(ns: string, o: Obj, ctx: ProviderCallContext): Promise<Obj> {
    const name = o.metadata!.name!;
    const doing = `apply ${o.kind} ${ns}/${name}`;
    const args = [undefined, undefined, FIELD_MANAGER, undefined, true, APPLY] as const;
    switch (o.kind) {
      case 'Deployment':
        return this.call(doing, () => this.apps.patchNamespacedDeployment(name, ns, o, ...args), ctx) as Promise<Obj>;
      case 'Service':
        return this.call(doing, () => this.core.patchNamespacedService(name, ns, o, ...args), ctx) as Promise<Obj>;
      case 'Secret':
        return this.call(doing, () => this.core.patchNamespacedSecret(name, ns, o, ...args), ctx) as Promise<Obj>;
      case 'Ingress':
        return this.call(doing, () => this.networking.patchNamespacedIngress(name, ns, o, ...args), ctx) as Promise<Obj>;
      case 'HTTPRoute':
        return this.call(doing, () => this.custom.patchNamespacedCustomObject('gateway.networking.k8s.io', 'v1', ns, 'httproutes', name, o, undefined, FIELD_MANAGER, true, APPLY), ctx) as Promise<Obj>;
      default:
        throw new Error(`no apply for ${o.kind}`);
    }
  }
}
