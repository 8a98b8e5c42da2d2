import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { type PodBehaviour, type PodInfo, REVISION, RolloutController } from './kube-rollout';
import { type KubeObject, KubeStore, RESOURCES, type ResourceType, apiVersionOf, fieldMatcher, labelMatcher, resourceByKind } from './kube-store';
import { REASON, alreadyExists, notFound, qualified, sendJson, sendStatus } from './kube-status';
import { validate } from './kube-validate';

// A local stand-in for the Kubernetes API server (the paths, verbs, status codes, Status bodies and
// watch streams of its documentation: https://kubernetes.io/docs/reference/using-api/api-concepts/)
// for what the Kubernetes provider uses: namespaces, deployments (create, replace, server-side
// apply), replicasets, pods and their logs, services, secrets, ingresses, Gateway API httproutes,
// events, SelfSubjectAccessReview. It listens on 127.0.0.1 (plain HTTP), takes bearer tokens,
// records every request, and simulates rollouts (kube-rollout.ts). No cluster runs on this machine.

export { REVISION, type PodBehaviour, type PodInfo };

export interface KubeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  contentType?: string;
  body?: unknown;
}

interface Failure {
  method?: string;
  path: RegExp;
  status: number;
  message: string;
  times: number;
  retryAfterSeconds?: number;
}

interface Target {
  resource: ResourceType;
  namespace?: string;
  name?: string;
  sub?: string;
}

const FIELD_MANAGER_REQUIRED = 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch';

function parsePath(path: string): Target | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))(?:\/namespaces\/([^/]+)(?=\/))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const [, coreVersion, group = '', groupVersion, namespace, plural, name, sub] = m;
  const version = coreVersion ?? groupVersion;
  const resource = RESOURCES.find((r) => r.plural === plural && r.group === group && r.version === version);
  if (!resource) return undefined;
  if (resource.namespaced && !namespace && name) return undefined;
  return { resource, namespace, name: name && decodeURIComponent(name), sub };
}

/** a merge patch (RFC 7386): objects merged key by key, null removes, anything else replaces */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeKubeApi {
  readonly requests: KubeRequest[] = [];
  readonly store = new KubeStore();
  readonly rollout = new RolloutController(this.store);
  /** bearer tokens the server accepts */
  readonly tokens = new Set<string>();
  /** "verb resource" pairs (e.g. "patch deployments") answered 403 Forbidden, and denied by SelfSubjectAccessReview */
  readonly forbidden = new Set<string>();
  private failures: Failure[] = [];
  private readonly closers = new Set<() => void>();

  constructor(
    private readonly server: Server,
    readonly url: string,
    token: string,
  ) {
    this.tokens.add(token);
    this.store.onChange = (r, e, before) => {
      if (r.kind === 'Deployment' && e.type !== 'DELETED') this.rollout.deploymentChanged(e.object, before);
    };
    server.on('request', (req, res) => void this.handle(req, res));
  }

  get token(): string {
    return [...this.tokens][0];
  }

  /** a kubeconfig for this server (YAML, as `kubectl config view --raw` prints one) */
  kubeconfig(token = this.token, namespace?: string): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${this.url}`,
      'users:',
      '- name: deployer',
      '  user:',
      `    token: ${token}`,
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: deployer',
      ...(namespace ? [`    namespace: ${namespace}`] : []),
      'current-context: fake',
      '',
    ].join('\n');
  }

  /** how each new pod behaves (default: ready after rollout.readyDelayMs) */
  set podBehaviour(fn: (pod: PodInfo) => PodBehaviour) {
    this.rollout.behaviour = fn;
  }

  /** the next `times` requests matching answer `status` with a Status (429 with Retry-After when retryAfterSeconds is set) */
  failNext(match: { method?: string; path: RegExp }, status: number, message: string, options: { times?: number; retryAfterSeconds?: number } = {}): void {
    this.failures.push({ ...match, status, message, times: options.times ?? 1, retryAfterSeconds: options.retryAfterSeconds });
  }

  requestsTo(method: string, path: RegExp): KubeRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(resourceByKind(kind), namespace, name);
  }

  list(kind: string, namespace?: string, labelSelector?: string): KubeObject[] {
    return this.store.list(resourceByKind(kind), namespace, labelSelector);
  }

  /** a line a pod writes (its log, followed by `kubectl logs -f`) */
  writeLog(pod: string, line: string): void {
    this.rollout.writeLog(pod, line);
  }

  async stop(): Promise<void> {
    this.rollout.stop();
    for (const close of this.closers) close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const url = new URL(req.url ?? '/', 'http://kube');
    const query = Object.fromEntries(url.searchParams);
    const contentType = req.headers['content-type']?.split(';')[0];
    let body: unknown;
    if (raw) {
      try {
        body = contentType?.includes('yaml') ? parseYaml(raw) : JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query, headers: req.headers, contentType, body });
    try {
      const auth = req.headers.authorization;
      if (!auth?.startsWith('Bearer ') || !this.tokens.has(auth.slice(7))) return sendStatus(res, 401, 'Unauthorized');
      const f = this.failures.find((x) => (!x.method || x.method === method) && x.path.test(url.pathname));
      if (f) {
        if (--f.times <= 0) this.failures = this.failures.filter((x) => x !== f);
        const retry = f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : undefined;
        return sendStatus(res, f.status, f.message, REASON[f.status], retry ? { retryAfterSeconds: f.retryAfterSeconds } : undefined, retry);
      }
      if (method === 'GET' && url.pathname === '/version') return sendJson(res, 200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake', platform: 'linux/amd64' });
      if (method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') return this.accessReview(res, body as KubeObject);
      const target = parsePath(url.pathname);
      if (!target) return sendStatus(res, 404, 'the server could not find the requested resource', 'NotFound');
      const verb = method === 'GET' ? (target.name ? 'get' : query.watch === 'true' || query.watch === '1' ? 'watch' : 'list') : ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method];
      if (this.forbidden.has(`${verb} ${target.resource.plural}`)) {
        const what = target.name ? `${qualified(target.resource)} "${target.name}"` : qualified(target.resource);
        return sendStatus(res, 403, `${what} is forbidden: User "system:serviceaccount:ci:deployer" cannot ${verb} resource "${target.resource.plural}" in API group "${target.resource.group}"${target.namespace ? ` in the namespace "${target.namespace}"` : ''}`, 'Forbidden', { name: target.name, group: target.resource.group, kind: target.resource.plural });
      }
      if (target.sub === 'log' && target.resource.kind === 'Pod' && method === 'GET') return this.podLog(req, res, target, query);
      if (target.sub) return sendStatus(res, 404, 'the server could not find the requested resource', 'NotFound');
      if (!target.name) {
        if (method === 'GET') return verb === 'watch' ? this.watch(req, res, target, query) : this.listObjects(res, target, query);
        if (method === 'POST') return this.create(res, target, body as KubeObject);
        return sendStatus(res, 405, `the server does not allow this method on the requested resource`);
      }
      if (method === 'GET') {
        const o = this.store.get(target.resource, target.namespace, target.name);
        return o ? sendJson(res, 200, o) : notFound(res, target.resource, target.name);
      }
      if (method === 'PUT') return this.replace(res, target as Required<Target>, body as KubeObject);
      if (method === 'PATCH') return this.patch(res, target as Required<Target>, body as KubeObject, contentType, query);
      if (method === 'DELETE') {
        const o = this.store.delete(target.resource, target.namespace, target.name);
        return o ? sendJson(res, 200, o) : notFound(res, target.resource, target.name);
      }
      sendStatus(res, 405, 'the server does not allow this method on the requested resource');
    } catch (e) {
      if (!res.headersSent) sendStatus(res, 500, (e as Error).message);
      else res.end();
    }
  }

  private accessReview(res: ServerResponse, body: KubeObject) {
    const a = body?.spec?.resourceAttributes ?? {};
    const allowed = !this.forbidden.has(`${a.verb} ${a.resource}`);
    sendJson(res, 201, { ...body, status: { allowed, ...(allowed ? { reason: 'RBAC: allowed' } : {}) } });
  }

  private namespaceMissing(res: ServerResponse, t: Target): boolean {
    if (!t.resource.namespaced || this.store.get(resourceByKind('Namespace'), undefined, t.namespace!)) return false;
    notFound(res, resourceByKind('Namespace'), t.namespace!);
    return true;
  }

  private invalid(res: ServerResponse, t: Target, o: KubeObject): boolean {
    const causes = validate(o, t.resource.kind);
    if (!causes.length) return false;
    const kind = t.resource.group ? `${t.resource.kind}.${t.resource.group}` : t.resource.kind;
    sendStatus(res, 422, `${kind} "${o.metadata?.name ?? ''}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, 'Invalid', { name: o.metadata?.name, group: t.resource.group, kind: t.resource.kind, causes });
    return true;
  }

  /** what the API server fills in: defaults the provider would otherwise see change under it */
  private withDefaults(t: Target, o: KubeObject, before?: KubeObject): KubeObject {
    o.metadata = { ...o.metadata, namespace: t.resource.namespaced ? t.namespace : undefined };
    if (t.resource.kind === 'Deployment') o.spec = { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, ...o.spec };
    if (t.resource.kind === 'Service') o.spec = { type: 'ClusterIP', clusterIP: before?.spec?.clusterIP ?? `10.96.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250) + 1}`, ...o.spec };
    if (t.resource.kind === 'Secret') {
      const { stringData, ...rest } = o as KubeObject & { stringData?: Record<string, string> };
      o = { type: 'Opaque', ...rest, data: { ...rest.data, ...Object.fromEntries(Object.entries(stringData ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) } };
    }
    if (t.resource.kind === 'Namespace') o.status = { phase: 'Active' };
    if (before) {
      // server-owned: status, and the controllers' annotations (the revision)
      o.status = before.status;
      const kept = before.metadata.annotations?.[REVISION];
      if (kept) o.metadata.annotations = { ...o.metadata.annotations, [REVISION]: kept };
    }
    return o;
  }

  private create(res: ServerResponse, t: Target, body: KubeObject) {
    if (!body || typeof body !== 'object') return sendStatus(res, 400, 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
    if (this.namespaceMissing(res, t) || this.invalid(res, t, body)) return;
    if (this.store.get(t.resource, t.namespace, body.metadata.name)) return alreadyExists(res, t.resource, body.metadata.name);
    sendJson(res, 201, this.store.put(t.resource, this.withDefaults(t, structuredClone(body))));
  }

  private replace(res: ServerResponse, t: Required<Target>, body: KubeObject) {
    const before = this.store.get(t.resource, t.namespace, t.name);
    if (!before) return notFound(res, t.resource, t.name);
    if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== before.metadata.resourceVersion) {
      return sendStatus(res, 409, `Operation cannot be fulfilled on ${qualified(t.resource)} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`, 'Conflict', { name: t.name, group: t.resource.group, kind: t.resource.plural });
    }
    if (this.invalid(res, t, body)) return;
    sendJson(res, 200, this.store.put(t.resource, this.withDefaults(t, structuredClone(body), before)));
  }

  // Server-side apply (application/apply-patch+yaml): the object as applied, created when absent;
  // one field manager here, so the applied configuration is the object (server-owned fields kept).
  private patch(res: ServerResponse, t: Required<Target>, body: KubeObject, contentType: string | undefined, query: Record<string, string>) {
    const before = this.store.get(t.resource, t.namespace, t.name);
    if (contentType === 'application/apply-patch+yaml') {
      if (!query.fieldManager) return sendStatus(res, 400, FIELD_MANAGER_REQUIRED, 'BadRequest');
      if (!body || typeof body !== 'object') return sendStatus(res, 400, 'error decoding YAML: the body is not an object', 'BadRequest');
      if (body.metadata?.name && body.metadata.name !== t.name) return sendStatus(res, 400, `the name of the object (${body.metadata.name}) does not match the name on the URL (${t.name})`, 'BadRequest');
      if (body.kind !== t.resource.kind || body.apiVersion !== apiVersionOf(t.resource)) return sendStatus(res, 400, `apply patch: expected kind ${t.resource.kind} and apiVersion ${apiVersionOf(t.resource)}, got ${body.kind} ${body.apiVersion}`, 'BadRequest');
      if (!before && this.namespaceMissing(res, t)) return;
      const o = { ...body, metadata: { ...before?.metadata, ...body.metadata, name: t.name, annotations: { ...before?.metadata.annotations, ...body.metadata?.annotations } } };
      if (this.invalid(res, t, o)) return;
      return sendJson(res, before ? 200 : 201, this.store.put(t.resource, this.withDefaults(t, o, before)));
    }
    if (contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json') {
      if (!before) return notFound(res, t.resource, t.name);
      const o = mergePatch(before, body) as KubeObject;
      if (this.invalid(res, t, o)) return;
      return sendJson(res, 200, this.store.put(t.resource, this.withDefaults(t, o, before)));
    }
    sendStatus(res, 415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`, 'UnsupportedMediaType');
  }

  private listObjects(res: ServerResponse, t: Target, q: Record<string, string>) {
    const items = this.store.list(t.resource, t.namespace, q.labelSelector, q.fieldSelector);
    sendJson(res, 200, { kind: `${t.resource.kind}List`, apiVersion: apiVersionOf(t.resource), metadata: { resourceVersion: this.store.resourceVersion }, items });
  }

  // ?watch=true: one JSON object per line ({type, object}), from after resourceVersion when given;
  // closed after timeoutSeconds, or when the client goes.
  private watch(req: IncomingMessage, res: ServerResponse, t: Target, q: Record<string, string>) {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const labels = labelMatcher(q.labelSelector);
    const fields = fieldMatcher(q.fieldSelector);
    const since = q.resourceVersion && q.resourceVersion !== '0' ? Number(q.resourceVersion) : undefined;
    const off = this.store.watch(t.resource, t.namespace, (o) => labels(o.metadata.labels) && fields(o), since, (e) => res.write(`${JSON.stringify(e)}\n`));
    const close = () => {
      off();
      clearTimeout(timer);
      this.closers.delete(close);
      res.end();
    };
    const timer = setTimeout(close, Number(q.timeoutSeconds ?? 1800) * 1000);
    this.closers.add(close);
    req.socket.once('close', close);
  }

  private podLog(req: IncomingMessage, res: ServerResponse, t: Target, q: Record<string, string>) {
    const pod = this.store.get(t.resource, t.namespace, t.name!);
    if (!pod) return notFound(res, t.resource, t.name!);
    const container = pod.spec.containers[0].name;
    if (q.container && q.container !== container) return sendStatus(res, 400, `container ${q.container} is not valid for pod ${t.name}`, 'BadRequest');
    const state = pod.status.containerStatuses?.[0]?.state;
    if (state?.waiting && !pod.status.containerStatuses[0].restartCount) {
      return sendStatus(res, 400, `container "${container}" in pod "${t.name}" is waiting to start: ${state.waiting.reason}`, 'BadRequest');
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    const lines = this.rollout.podLogs.get(t.name!) ?? [];
    for (const l of q.tailLines ? lines.slice(-Number(q.tailLines)) : lines) res.write(`${l}\n`);
    if (q.follow !== 'true' && q.follow !== '1') return void res.end();
    const listener = (p: string, line: string) => p === t.name && res.write(`${line}\n`);
    this.rollout.logListeners.add(listener);
    const offPod = this.store.watch(t.resource, t.namespace, (o) => o.metadata.name === t.name, Number(this.store.resourceVersion), (e) => e.type === 'DELETED' && close());
    const close = () => {
      this.rollout.logListeners.delete(listener);
      offPod();
      this.closers.delete(close);
      res.end();
    };
    this.closers.add(close);
    req.socket.once('close', close);
  }
}

/** a fake API server on 127.0.0.1:<free port>, accepting `token` */
export async function startFakeKubeApi(options: { token?: string } = {}): Promise<FakeKubeApi> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return new FakeKubeApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, options.token ?? `fake-token-${Math.random().toString(36).slice(2)}`);
}
