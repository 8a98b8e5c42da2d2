import { createHash, randomBytes } from 'node:crypto';
import { type KubeObject, type KubeStore, type ResourceType, resourceByKind } from './kube-store';

// What the deployment controller, the scheduler and the kubelet would do, in small: a changed
// Deployment gets a ReplicaSet per pod template (the same template: the same ReplicaSet, given the
// next revision, as `kubectl rollout undo` sees it), that ReplicaSet's pods start and become ready
// after a delay the test chooses (or never: an image that cannot be pulled, with the kubelet's
// waiting reasons and events), then the old ReplicaSets scale to 0. The Deployment's status
// (observedGeneration, replicas, updated/ready/available, conditions Progressing and Available,
// ProgressDeadlineExceeded) follows, each change one MODIFIED event.

export const REVISION = 'deployment.kubernetes.io/revision';
const HASH = 'pod-template-hash';

/** how one pod of the fake behaves (chosen per pod by the test) */
export type PodBehaviour =
  | { ready: true; afterMs?: number; logs?: string[] }
  /** the image cannot be pulled: waiting ErrImagePull, then ImagePullBackOff, with the kubelet's events */
  | { ready: false; imagePullError: string }
  /** the container starts and exits: CrashLoopBackOff */
  | { ready: false; crash: { exitCode: number; logs?: string[] } };

export interface PodInfo {
  name: string;
  namespace: string;
  image: string;
  labels: Record<string, string>;
}

const R = {
  deployments: resourceByKind('Deployment'),
  replicasets: resourceByKind('ReplicaSet'),
  pods: resourceByKind('Pod'),
  events: resourceByKind('Event'),
};

const now = () => new Date().toISOString();
const suffix = (n: number) => randomBytes(n).toString('hex').replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]).slice(0, n);
// the API server hashes the decoded template: key order and absent fields do not change it
const canonical = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().filter((k) => (v as Record<string, unknown>)[k] !== undefined && (v as Record<string, unknown>)[k] !== null).map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
const templateHash = (template: unknown) => createHash('sha256').update(JSON.stringify(canonical(template))).digest('hex').replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]).slice(0, 10);

export class RolloutController {
  /** the test's choice per pod; default: ready after readyDelayMs */
  behaviour: (pod: PodInfo) => PodBehaviour = () => ({ ready: true });
  readyDelayMs = 50;
  /** each pod's log lines (stdout and stderr as the kubelet keeps them) */
  readonly podLogs = new Map<string, string[]>();
  readonly logListeners = new Set<(pod: string, line: string) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly deadlines = new Map<string, NodeJS.Timeout>();

  constructor(private readonly store: KubeStore) {}

  stop(): void {
    for (const t of [...this.timers, ...this.deadlines.values()]) clearTimeout(t);
    this.timers.clear();
    this.deadlines.clear();
  }

  private later(ms: number, fn: () => void) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  /** a Deployment was written: roll out when its spec changed */
  deploymentChanged(d: KubeObject, before?: KubeObject): void {
    if (before && before.metadata.generation === d.metadata.generation) return;
    // the controller acts shortly after the write, as a real one does
    this.later(5, () => this.sync(d.metadata.namespace!, d.metadata.name));
  }

  private sync(ns: string, name: string): void {
    const d = this.store.get(R.deployments, ns, name);
    if (!d) return;
    const owned = this.replicaSets(d);
    const template = structuredClone(d.spec.template);
    const hash = templateHash(template);
    const maxRevision = Math.max(0, ...owned.map((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0)));
    let current = owned.find((rs) => rs.metadata.labels?.[HASH] === hash);
    const desired = d.spec.replicas ?? 1;
    const created = !current;
    if (!current) {
      current = this.store.put(R.replicasets, {
        metadata: {
          name: `${name}-${hash}`,
          namespace: ns,
          labels: { ...template.metadata?.labels, [HASH]: hash },
          annotations: { [REVISION]: String(maxRevision + 1) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: d.metadata.uid!, controller: true }],
        },
        spec: { replicas: desired, selector: { matchLabels: { ...d.spec.selector?.matchLabels, [HASH]: hash } }, template: { ...template, metadata: { ...template.metadata, labels: { ...template.metadata?.labels, [HASH]: hash } } } },
        status: { replicas: 0, readyReplicas: 0, availableReplicas: 0 },
      });
      this.event(ns, d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${current.metadata.name} to ${desired}`);
    } else {
      const revision = Number(current.metadata.annotations?.[REVISION] ?? 0);
      current.metadata.annotations = { ...current.metadata.annotations, [REVISION]: String(revision === maxRevision ? revision : maxRevision + 1) };
      current.spec.replicas = desired;
      current = this.store.put(R.replicasets, current);
    }
    d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: current.metadata.annotations![REVISION] };
    d.status = { ...d.status, observedGeneration: d.metadata.generation };
    this.setCondition(d, 'Progressing', 'True', created ? 'NewReplicaSetCreated' : 'FoundNewReplicaSet', `ReplicaSet "${current.metadata.name}" is progressing.`);
    // the pods the new ReplicaSet lacks
    const have = this.podsOf(current).length;
    for (let i = have; i < desired; i++) this.startPod(current);
    this.armDeadline(d);
    // observedGeneration is written with the counts of the new ReplicaSet, never with the old ones'
    this.refresh(ns, name, d);
  }

  private armDeadline(d: KubeObject) {
    const k = `${d.metadata.namespace}/${d.metadata.name}`;
    clearTimeout(this.deadlines.get(k));
    const t = setTimeout(() => {
      this.deadlines.delete(k);
      const cur = this.store.get(R.deployments, d.metadata.namespace!, d.metadata.name);
      if (!cur || this.complete(cur)) return;
      const rs = this.replicaSets(cur).find((x) => x.metadata.annotations?.[REVISION] === cur.metadata.annotations?.[REVISION]);
      this.setCondition(cur, 'Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${rs?.metadata.name}" has timed out progressing.`);
      this.store.put(R.deployments, cur);
    }, (d.spec.progressDeadlineSeconds ?? 600) * 1000);
    this.deadlines.set(k, t);
  }

  private complete(d: KubeObject): boolean {
    const s = d.status ?? {};
    const want = d.spec.replicas ?? 1;
    return s.observedGeneration >= d.metadata.generation! && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want;
  }

  private replicaSets(d: KubeObject): KubeObject[] {
    return this.store.list(R.replicasets, d.metadata.namespace).filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid));
  }

  private podsOf(rs: KubeObject): KubeObject[] {
    return this.store.list(R.pods, rs.metadata.namespace).filter((p) => p.metadata.ownerReferences?.some((o) => o.uid === rs.metadata.uid));
  }

  private startPod(rs: KubeObject) {
    const ns = rs.metadata.namespace!;
    const container = rs.spec.template.spec.containers[0];
    const name = `${rs.metadata.name}-${suffix(5)}`;
    const pod = this.store.put(R.pods, {
      metadata: { name, namespace: ns, labels: { ...rs.spec.template.metadata.labels }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid!, controller: true }] },
      spec: structuredClone(rs.spec.template.spec),
      status: {
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
        containerStatuses: [{ name: container.name, image: container.image, ready: false, restartCount: 0, started: false, state: { waiting: { reason: 'ContainerCreating' } } }],
      },
    });
    this.podLogs.set(name, []);
    this.event(ns, pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to fake-node-1`);
    this.event(ns, pod, 'Normal', 'Pulling', `Pulling image "${container.image}"`);
    const b = this.behaviour({ name, namespace: ns, image: container.image, labels: pod.metadata.labels ?? {} });
    if (b.ready) {
      this.later(b.afterMs ?? this.readyDelayMs, () => {
        this.event(ns, pod, 'Normal', 'Pulled', `Successfully pulled image "${container.image}"`);
        this.event(ns, pod, 'Normal', 'Started', `Started container ${container.name}`);
        this.updatePod(ns, name, (p) => {
          p.status.phase = 'Running';
          p.status.conditions = [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }];
          p.status.containerStatuses[0] = { ...p.status.containerStatuses[0], ready: true, started: true, state: { running: { startedAt: now() } } };
        });
        for (const line of b.logs ?? [`listening on ${container.ports?.[0]?.containerPort ?? 8080}`]) this.writeLog(name, line);
        this.refresh(ns, rs.metadata.ownerReferences![0].name);
      });
    } else if ('imagePullError' in b) {
      this.later(this.readyDelayMs, () => {
        this.event(ns, pod, 'Warning', 'Failed', `Failed to pull image "${container.image}": ${b.imagePullError}`);
        this.event(ns, pod, 'Warning', 'Failed', 'Error: ErrImagePull');
        this.updatePod(ns, name, (p) => (p.status.containerStatuses[0].state = { waiting: { reason: 'ErrImagePull', message: `rpc error: code = Unknown desc = ${b.imagePullError}` } }));
        this.later(this.readyDelayMs, () => {
          this.event(ns, pod, 'Normal', 'BackOff', `Back-off pulling image "${container.image}"`);
          this.event(ns, pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
          this.updatePod(ns, name, (p) => (p.status.containerStatuses[0].state = { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${container.image}"` } }));
        });
      });
    } else {
      this.later(this.readyDelayMs, () => {
        for (const line of b.crash.logs ?? []) this.writeLog(name, line);
        this.event(ns, pod, 'Warning', 'BackOff', `Back-off restarting failed container ${container.name} in pod ${name}`);
        this.updatePod(ns, name, (p) => {
          p.status.phase = 'Running';
          p.status.containerStatuses[0] = {
            ...p.status.containerStatuses[0],
            restartCount: 1,
            state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${container.name} pod=${name}` } },
            lastState: { terminated: { exitCode: b.crash.exitCode, reason: 'Error' } },
          };
        });
      });
    }
  }

  writeLog(pod: string, line: string): void {
    this.podLogs.get(pod)?.push(line);
    for (const l of this.logListeners) l(pod, line);
  }

  private updatePod(ns: string, name: string, fn: (p: KubeObject) => void) {
    const p = this.store.get(R.pods, ns, name);
    if (!p) return;
    fn(p);
    this.store.put(R.pods, p);
  }

  /** counts pods into the ReplicaSets' and the Deployment's status; old ReplicaSets scaled down once the new one is available */
  private refresh(ns: string, name: string, synced?: KubeObject) {
    const d = synced ?? this.store.get(R.deployments, ns, name);
    if (!d) return;
    const revision = d.metadata.annotations?.[REVISION];
    const want = d.spec.replicas ?? 1;
    const sets = this.replicaSets(d);
    const current = sets.find((rs) => rs.metadata.annotations?.[REVISION] === revision);
    const readyOf = (rs: KubeObject) => this.podsOf(rs).filter((p) => p.status.containerStatuses?.[0]?.ready).length;
    if (current && readyOf(current) >= want) {
      for (const old of sets.filter((rs) => rs !== current && rs.spec.replicas > 0)) {
        for (const p of this.podsOf(old)) this.store.delete(R.pods, ns, p.metadata.name);
        old.spec.replicas = 0;
        old.status = { replicas: 0, readyReplicas: 0, availableReplicas: 0 };
        this.store.put(R.replicasets, old);
        this.event(ns, d, 'Normal', 'ScalingReplicaSet', `Scaled down replica set ${old.metadata.name} to 0 from 1`);
      }
    }
    let replicas = 0;
    let ready = 0;
    for (const rs of this.replicaSets(d)) {
      const pods = this.podsOf(rs).length;
      const r = readyOf(rs);
      replicas += pods;
      ready += r;
      if (rs.status?.replicas !== pods || rs.status?.readyReplicas !== r) {
        rs.status = { replicas: pods, readyReplicas: r, availableReplicas: r, fullyLabeledReplicas: pods, observedGeneration: rs.metadata.generation };
        this.store.put(R.replicasets, rs);
      }
    }
    const updated = current ? this.podsOf(current).length : 0;
    const deadlineHit = d.status?.conditions?.some((c: { reason?: string }) => c.reason === 'ProgressDeadlineExceeded');
    d.status = { ...d.status, replicas, updatedReplicas: updated, readyReplicas: ready, availableReplicas: ready, unavailableReplicas: Math.max(0, replicas - ready) };
    this.setCondition(d, 'Available', ready >= want ? 'True' : 'False', ready >= want ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', ready >= want ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.');
    if (this.complete(d)) this.setCondition(d, 'Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${current?.metadata.name}" has successfully progressed.`);
    else if (!deadlineHit) this.setCondition(d, 'Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${current?.metadata.name}" is progressing.`);
    this.store.put(R.deployments, d);
  }

  private setCondition(d: KubeObject, type: string, status: string, reason: string, message: string) {
    const conditions: { type: string; status: string; reason: string; message: string; lastUpdateTime: string; lastTransitionTime: string }[] = d.status?.conditions ?? [];
    const old = conditions.find((c) => c.type === type);
    const next = { type, status, reason, message, lastUpdateTime: now(), lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now() };
    d.status = { ...d.status, conditions: [...conditions.filter((c) => c.type !== type), next] };
  }

  private event(ns: string, about: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string) {
    const kind = about.kind ?? 'Pod';
    const r: ResourceType = R.events;
    this.store.put(r, {
      metadata: { name: `${about.metadata.name}.${suffix(16)}`, namespace: ns },
      involvedObject: { kind, namespace: ns, name: about.metadata.name, uid: about.metadata.uid, apiVersion: about.apiVersion },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now(),
      lastTimestamp: now(),
      source: { component: kind === 'Pod' ? 'kubelet' : 'deployment-controller' },
    });
  }
}
