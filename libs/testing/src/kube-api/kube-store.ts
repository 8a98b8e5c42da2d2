import { randomUUID } from 'node:crypto';

// The API server's storage as clients see it: objects per resource, one resourceVersion counter for
// all of them, every change an event (ADDED / MODIFIED / DELETED) that watches receive, label and
// field selectors as the API documents them.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- objects of every kind, as JSON
export type KubeObject = { apiVersion?: string; kind?: string; metadata: KubeMeta; spec?: any; status?: any; [k: string]: any };
export interface KubeMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  [k: string]: unknown;
}

export interface ResourceType {
  /** '' for the core group */
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export const RESOURCES: ResourceType[] = [
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', namespaced: true },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true },
  { group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true },
  { group: '', version: 'v1', kind: 'Event', plural: 'events', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', namespaced: true },
  { group: 'gateway.networking.k8s.io', version: 'v1', kind: 'HTTPRoute', plural: 'httproutes', namespaced: true },
];

export const apiVersionOf = (r: ResourceType) => (r.group ? `${r.group}/${r.version}` : r.version);
export const resourceByKind = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
}

interface Watcher {
  resource: ResourceType;
  namespace?: string;
  match: (o: KubeObject) => boolean;
  send: (e: WatchEvent) => void;
}

const key = (r: ResourceType, ns: string | undefined, name: string) => `${r.plural}.${r.group}|${ns ?? ''}|${name}`;

/** a labelSelector: a=b, a==b, a!=b, a, !a, a in (x,y), a notin (x,y), comma-separated */
export function labelMatcher(selector: string | undefined): (labels?: Record<string, string>) => boolean {
  if (!selector) return () => true;
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g)?.map((t) => t.trim()).filter(Boolean) ?? [];
  const tests = terms.map((t) => {
    let m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t);
    if (m) {
      const [, k, op, list] = m;
      const values = list.split(',').map((v) => v.trim());
      return (l: Record<string, string>) => (op === 'in' ? k in l && values.includes(l[k]) : !(k in l) || !values.includes(l[k]));
    }
    m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(t);
    if (m) {
      const [, k, op, v] = m;
      return (l: Record<string, string>) => (op === '!=' ? l[k] !== v : l[k] === v);
    }
    if (t.startsWith('!')) return (l: Record<string, string>) => !(t.slice(1) in l);
    return (l: Record<string, string>) => t in l;
  });
  return (labels = {}) => tests.every((f) => f(labels));
}

/** a fieldSelector: dotted paths compared with = or != (metadata.name=x, involvedObject.name=y) */
export function fieldMatcher(selector: string | undefined): (o: KubeObject) => boolean {
  if (!selector) return () => true;
  const tests = selector.split(',').map((t) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(t.trim());
    if (!m) return () => false;
    const [, path, op, v] = m;
    return (o: KubeObject) => {
      const value = path.split('.').reduce<unknown>((x, p) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[p] : undefined), o);
      return op === '!=' ? String(value ?? '') !== v : String(value ?? '') === v;
    };
  });
  return (o) => tests.every((f) => f(o));
}

export class KubeStore {
  private rv = 1000;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: (WatchEvent & { rv: number; resource: ResourceType })[] = [];
  private readonly watchers = new Set<Watcher>();
  /** told of every change (the rollout controller) */
  onChange?: (resource: ResourceType, event: WatchEvent, before?: KubeObject) => void;

  get resourceVersion(): string {
    return String(this.rv);
  }

  get(r: ResourceType, ns: string | undefined, name: string): KubeObject | undefined {
    const o = this.objects.get(key(r, ns, name));
    return o && structuredClone(o);
  }

  list(r: ResourceType, ns?: string, labelSelector?: string, fieldSelector?: string): KubeObject[] {
    const labels = labelMatcher(labelSelector);
    const fields = fieldMatcher(fieldSelector);
    return [...this.objects.entries()]
      .filter(([k]) => k.startsWith(`${r.plural}.${r.group}|`))
      .map(([, o]) => o)
      .filter((o) => (ns === undefined || o.metadata.namespace === ns) && labels(o.metadata.labels) && fields(o))
      .map((o) => structuredClone(o));
  }

  /** creates or replaces: the server's fields set (uid, resourceVersion, generation when the spec changed) */
  put(r: ResourceType, obj: KubeObject): KubeObject {
    const k = key(r, obj.metadata.namespace, obj.metadata.name);
    const before = this.objects.get(k);
    const o = structuredClone(obj);
    o.apiVersion = apiVersionOf(r);
    o.kind = r.kind;
    o.metadata.uid = before?.metadata.uid ?? randomUUID();
    o.metadata.creationTimestamp = before?.metadata.creationTimestamp ?? new Date().toISOString();
    if (o.spec !== undefined) {
      const changed = !before || JSON.stringify(before.spec) !== JSON.stringify(o.spec);
      o.metadata.generation = (before?.metadata.generation ?? 0) + (changed ? 1 : 0);
    }
    o.metadata.resourceVersion = String(++this.rv);
    this.objects.set(k, o);
    this.emit(r, { type: before ? 'MODIFIED' : 'ADDED', object: o }, before);
    return structuredClone(o);
  }

  delete(r: ResourceType, ns: string | undefined, name: string): KubeObject | undefined {
    const k = key(r, ns, name);
    const o = this.objects.get(k);
    if (!o) return undefined;
    this.objects.delete(k);
    o.metadata.resourceVersion = String(++this.rv);
    this.emit(r, { type: 'DELETED', object: o }, o);
    return structuredClone(o);
  }

  /** events after resourceVersion `since`, then every next one, to `send` until the returned function is called */
  watch(r: ResourceType, ns: string | undefined, match: (o: KubeObject) => boolean, since: number | undefined, send: (e: WatchEvent) => void): () => void {
    const inScope = (o: KubeObject) => (ns === undefined || o.metadata.namespace === ns) && match(o);
    if (since !== undefined) {
      for (const e of this.history) if (e.rv > since && e.resource === r && inScope(e.object)) send({ type: e.type, object: structuredClone(e.object) });
    } else {
      // no resourceVersion: the current objects as ADDED first ("Get State and Start at Most Recent")
      for (const o of this.list(r, ns)) if (inScope(o)) send({ type: 'ADDED', object: o });
    }
    const w: Watcher = { resource: r, namespace: ns, match: inScope, send };
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  private emit(r: ResourceType, e: WatchEvent, before?: KubeObject) {
    const snapshot = structuredClone(e.object);
    this.history.push({ ...e, object: snapshot, rv: this.rv, resource: r });
    for (const w of this.watchers) if (w.resource === r && w.match(snapshot)) w.send({ type: e.type, object: structuredClone(snapshot) });
    this.onChange?.(r, { type: e.type, object: structuredClone(snapshot) }, before && structuredClone(before));
  }
}
