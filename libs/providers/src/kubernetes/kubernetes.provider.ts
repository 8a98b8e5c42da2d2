import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { KubeConfig, Log, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import type { DeployRequest, DeployResult, DeploymentProvider, DeploymentTarget, ProviderCallContext, ProviderDeploymentStatus, ProviderHost, RollbackRequest } from '../deployment-provider';
import { ProviderError, ProviderSettingsError } from '../provider-error';
import type { RetryOptions } from '../provider-retry';
import { type DockerDeployRequest, DockerProvider, DockerSettings, containerEnv, engineEndpoint } from '../docker';
import { KubeClient } from './kube-client';
import {
  CONTAINER,
  LABEL,
  POD_TEMPLATE_HASH,
  REVISION,
  type Workload,
  appName,
  deploymentManifest,
  envSecretManifest,
  httpRouteManifest,
  ingressManifest,
  labelValue,
  namespaceOf,
  podTemplate,
  pullSecretManifest,
  selectorOf,
  selectorString,
  serviceManifest,
  uidOf,
  urlOf,
} from './kube-manifests';
import { RolloutTimeout, rolloutState, waitForRollout } from './kube-rollout-watch';
import { KUBERNETES, KUBERNETES_CREDENTIALS, type KubernetesSettings } from './kubernetes-settings';
import { withoutCredentials } from '../credential-variables';

export interface KubernetesProviderOptions {
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
  /** how long one watch request lasts before it is opened again (default 25 s) */
  watchTimeoutSeconds?: number;
}

type Obj = Record<string, unknown>;

/** what the provider answers for a deployment: its Deployment and the ReplicaSet revision it rolled out (<namespace>/<name>@<revision>) */
export const revisionId = (namespace: string, name: string, revision: string) => `${namespace}/${name}@${revision}`;
function parseRevisionId(id: string): { namespace: string; name: string; revision: string } {
  const m = /^([a-z0-9-]+)\/([a-z0-9-]+)@(\d+)$/.exec(id);
  if (!m) throw new ProviderError(KUBERNETES, `${id} is not a revision of this provider (<namespace>/<deployment>@<revision>)`);
  return { namespace: m[1], name: m[2], revision: m[3] };
}

// A kubeconfig may make the client run commands or read files of the builder's host: only inline credentials are taken.
function kubeConfigFrom(text: string, setting: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (e) {
    throw new ProviderSettingsError(KUBERNETES, setting, `holds no readable kubeconfig (${(e as Error).message.split('\n')[0]})`);
  }
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster?.server) throw new ProviderSettingsError(KUBERNETES, setting, "holds a kubeconfig whose current context names no cluster with a server");
  if (user?.exec || user?.authProvider) throw new ProviderSettingsError(KUBERNETES, setting, 'holds a kubeconfig whose user runs a command or an auth provider on the builder: give a token or a client certificate inline');
  if (cluster.caFile || user?.certFile || user?.keyFile) throw new ProviderSettingsError(KUBERNETES, setting, 'holds a kubeconfig naming files of the builder (certificate-authority, client-certificate or client-key): inline them as *-data');
  return kc;
}

// Kubernetes (@kubernetes/client-node): a Deployment + Service (+ Ingress or HTTPRoute) per
// environment in a namespace per project, the image built by the Docker provider and pushed to the
// registry (or an image as it is), the rollout watched to its end; rollback re-applies an earlier
// revision's pod template.
export class KubernetesProvider implements DeploymentProvider {
  private readonly client: KubeClient;
  private readonly docker?: DockerProvider;
  private readonly registryPassword?: string;

  constructor(
    private readonly settings: KubernetesSettings,
    credentials: { kubeconfig?: string; registryPassword?: string },
    host: ProviderHost,
    private readonly options: KubernetesProviderOptions = {},
  ) {
    let kc: KubeConfig;
    let setting = 'settings.kubeconfigVariable';
    if (settings.inCluster) {
      setting = 'settings.inCluster';
      if (!host.env.KUBERNETES_SERVICE_HOST) throw new ProviderSettingsError(KUBERNETES, setting, 'is true, but the builder does not run in a Kubernetes pod (KUBERNETES_SERVICE_HOST is not set): use kubeconfigVariable');
      kc = new KubeConfig();
      kc.loadFromCluster();
    } else {
      kc = kubeConfigFrom(credentials.kubeconfig ?? '', setting);
    }
    this.client = new KubeClient(kc, setting, options.retry);
    // an engine to build images on: the Docker provider's own (settings.dockerHost, else DOCKER_HOST)
    if (settings.dockerHost || host.env.DOCKER_HOST) {
      const docker = DockerSettings.parse({ dockerHost: settings.dockerHost, nodeImage: settings.nodeImage, staticImage: settings.staticImage, registry: settings.registry, registryUsername: settings.registryUsername });
      this.docker = new DockerProvider(docker, engineEndpoint(docker, host.env), credentials.registryPassword, { retry: options.retry });
    }
    this.registryPassword = credentials.registryPassword;
  }

  private namespace(t: DeploymentTarget): string {
    return namespaceOf(t, this.settings);
  }

  async initialize(ctx: ProviderCallContext): Promise<void> {
    // the credentials checked before any build: may they apply Deployments here? (kubectl auth can-i patch deployments)
    const ns = this.settings.namespace;
    const review = await this.client.call(
      'check the credentials (SelfSubjectAccessReview)',
      () => this.client.authz.createSelfSubjectAccessReview({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'patch', group: 'apps', resource: 'deployments', ...(ns ? { namespace: ns } : {}) } } }),
      ctx,
    );
    if (!review.status?.allowed && ns) throw new ProviderSettingsError(KUBERNETES, this.client.credential, `holds credentials that may not patch deployments in the namespace ${ns}${review.status?.reason ? ` (${review.status.reason})` : ''}`);
    // the project's own namespace is known at deploy time: credentials bound to it alone are checked then
    if (!review.status?.allowed) return ctx.log(`Kubernetes API at ${this.client.server}: these credentials may not patch Deployments in every namespace; the project's namespace decides at deploy time`, 'warn');
    ctx.log(`Kubernetes API at ${this.client.server}: these credentials may apply Deployments${ns ? ` in ${ns}` : ''}`);
  }

  async deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const w = await this.workload(req, ctx);
    const ns = this.namespace(req);
    await this.ensureNamespace(ns, ctx);
    if (w.pullSecret) await this.client.apply(ns, pullSecretManifest(this.settings.registry!, this.settings.registryUsername!, this.registryPassword ?? ''), ctx);
    if (w.sensitiveKeys.some((k) => k in w.env)) {
      await this.client.apply(ns, envSecretManifest(req, w), ctx);
      ctx.log(`Secret ${ns}/${appName(req)}-env-${req.deploymentId.slice(0, 8)}: the sensitive variables (${w.sensitiveKeys.filter((k) => k in w.env).length}) for the pods, by reference`);
    }
    const applied = await this.client.apply(ns, deploymentManifest(req, this.settings, podTemplate(req, this.settings, w)), ctx);
    ctx.log(`Deployment ${ns}/${appName(req)} applied: ${w.image}, ${this.settings.replicas} replica${this.settings.replicas > 1 ? 's' : ''}, port ${w.port}, probes on ${w.healthCheckPath}`);
    await this.expose(req, ns, ctx);
    return this.rollOut(req, ns, applied, ctx);
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const ns = this.namespace(req);
    const sets = await this.replicaSets(req, ns, ctx);
    // the ReplicaSet whose pod template carries that deployment's label (a revision number changes when it is rolled back to)
    const earlier = sets.find((rs) => rs.spec?.template?.metadata?.labels?.[LABEL.deployment] === labelValue(req.toDeploymentId));
    if (!earlier?.spec?.template) {
      throw new ProviderError(KUBERNETES, `the ReplicaSet of deployment ${req.toDeploymentId} is no longer kept in ${ns} (revisionHistoryLimit keeps the last 10): deploy it again instead`);
    }
    const template = JSON.parse(JSON.stringify(earlier.spec.template)) as { metadata: { labels: Record<string, string>; creationTimestamp?: unknown } };
    delete template.metadata.labels[POD_TEMPLATE_HASH];
    delete template.metadata.creationTimestamp;
    ctx.log(`rolling back to revision ${earlier.metadata?.annotations?.[REVISION]} (deployment ${req.toDeploymentId}): its pod template applied again, nothing built`);
    const applied = await this.client.apply(ns, deploymentManifest(req, this.settings, template), ctx);
    await this.expose(req, ns, ctx);
    return this.rollOut(req, ns, applied, ctx);
  }

  /** the platform's state of one revision: a revision no longer the Deployment's is canceled (superseded) */
  async status(providerDeploymentId: string, ctx: ProviderCallContext): Promise<ProviderDeploymentStatus> {
    const { namespace, name, revision } = parseRevisionId(providerDeploymentId);
    const d = await this.client.call(`read Deployment ${namespace}/${name}`, () => this.client.apps.readNamespacedDeployment(name, namespace), ctx);
    const state = rolloutState(d);
    if (state.revision !== revision) return 'canceled';
    return state.failed ? 'failed' : state.done ? 'succeeded' : 'deploying';
  }

  /** the output of the pods of a revision, followed while they run (lines prefixed by the pod's name when there are several) */
  async *logs(providerDeploymentId: string, ctx: ProviderCallContext): AsyncIterable<string> {
    const { namespace: ns, name, revision } = parseRevisionId(providerDeploymentId);
    const sets = await this.client.call(`list the ReplicaSets in ${ns}`, () => this.client.apps.listNamespacedReplicaSet(ns), ctx);
    const rs = sets.items.find((r) => r.metadata?.ownerReferences?.some((o) => o.name === name) && r.metadata?.annotations?.[REVISION] === revision);
    const hash = rs?.metadata?.labels?.[POD_TEMPLATE_HASH];
    if (!hash) return;
    const pods = (await this.client.call(`list the pods in ${ns}`, () => this.client.core.listNamespacedPod(ns, undefined, undefined, undefined, undefined, `${POD_TEMPLATE_HASH}=${hash}`), ctx)).items;
    if (!pods.length) return;
    const out = new PassThrough();
    const log = new Log(this.client.config);
    let open = pods.length;
    const requests: { abort(): void }[] = [];
    for (const p of pods) {
      const pod = p.metadata!.name!;
      const stream = new PassThrough();
      createInterface({ input: stream }).on('line', (l) => out.write(`${pods.length > 1 ? `[${pod}] ` : ''}${l}\n`));
      stream.on('end', () => --open === 0 && out.end());
      log.log(ns, pod, CONTAINER, stream, { follow: true }).then(
        (r) => requests.push(r),
        () => stream.end(),
      );
    }
    ctx.signal.addEventListener('abort', () => (requests.forEach((r) => r.abort()), out.end()), { once: true });
    yield* createInterface({ input: out });
  }

  // the image to run: an image source as it is; a build's artifact built by the Docker provider's engine and pushed to the registry
  private async workload(req: DeployRequest, ctx: ProviderCallContext): Promise<Workload> {
    // the cluster's and the registry's credentials are the platform's, not the app's
    const env = withoutCredentials(containerEnv(req.env), this.settings, KUBERNETES_CREDENTIALS);
    const base = { env, sensitiveKeys: req.sensitiveKeys ?? [], commitSha: req.commitSha, pullSecret: !!(this.settings.registry && this.settings.registryUsername) };
    if (req.source.type === 'image') {
      return { ...base, image: req.source.image, port: req.source.port ?? this.settings.port, healthCheckPath: req.source.healthCheckPath ?? '/' };
    }
    if (!this.docker) throw new ProviderSettingsError(KUBERNETES, 'settings.dockerHost', 'is required to deploy a build: the image is built on a Docker engine (or DOCKER_HOST on the builder) and pushed to settings.registry for the cluster to pull');
    if (!this.settings.registry) throw new ProviderSettingsError(KUBERNETES, 'settings.registry', 'is required to deploy a build: the cluster pulls the image the Docker engine builds from a registry');
    const built = await this.docker.buildImage(req as DockerDeployRequest, ctx);
    return { ...base, image: built.image, port: built.port, healthCheckPath: built.healthCheckPath, runAsUser: uidOf(built.user) };
  }

  private async ensureNamespace(ns: string, ctx: ProviderCallContext): Promise<void> {
    try {
      await this.client.call(`create the namespace ${ns}`, () => this.client.core.createNamespace({ metadata: { name: ns, labels: { 'app.kubernetes.io/managed-by': 'flightdeck' } } }), ctx);
      ctx.log(`namespace ${ns} created`);
    } catch (e) {
      const status = (e as ProviderError).details?.status;
      if (status === 409) return;
      // credentials limited to one namespace may not create namespaces: the Deployment's apply says whether it exists
      if (e instanceof ProviderSettingsError && /may not create the namespace/.test(e.message)) return ctx.log(`namespace ${ns}: these credentials may not create namespaces; it must exist`, 'warn');
      throw e;
    }
  }

  private async expose(t: DeploymentTarget, ns: string, ctx: ProviderCallContext): Promise<void> {
    await this.client.apply(ns, serviceManifest(t), ctx);
    if (this.settings.expose === 'ingress') await this.client.apply(ns, ingressManifest(t, this.settings), ctx);
    if (this.settings.expose === 'httproute') await this.client.apply(ns, httpRouteManifest(t, this.settings), ctx);
    ctx.log(`Service ${ns}/${appName(t)}${this.settings.expose === 'none' ? '' : ` and ${this.settings.expose === 'ingress' ? 'Ingress' : 'HTTPRoute'} for ${urlOf(t, this.settings)}`} applied`);
  }

  private async rollOut(t: DeploymentTarget, ns: string, applied: Obj, ctx: ProviderCallContext): Promise<DeployResult> {
    const name = appName(t);
    let state;
    try {
      state = await waitForRollout(this.client, { namespace: ns, name, resourceVersion: (applied.metadata as { resourceVersion?: string }).resourceVersion, timeoutMs: this.settings.rolloutTimeoutSeconds * 1000, watchTimeoutSeconds: this.options.watchTimeoutSeconds, ctx });
    } catch (e) {
      if (!(e instanceof RolloutTimeout) && !(e instanceof ProviderError && /progress deadline/.test(e.providerMessage))) throw e;
      const why = await this.whyNotReady(t, ns, ctx).catch((x: Error) => `(the pods could not be read: ${x.message})`);
      throw new ProviderError(KUBERNETES, `the rollout of ${ns}/${name} failed: ${e instanceof RolloutTimeout ? `it ${e.message}` : (e as ProviderError).providerMessage}${why ? `; ${why}` : ''}; the pods of the previous revision keep serving`);
    }
    ctx.log(`rolled out: revision ${state.revision} of ${ns}/${name}, ${state.ready}/${state.desired} pods ready`);
    await this.pruneSecrets(t, ns, ctx).catch((e: Error) => ctx.log(`old Secrets not pruned: ${e.message}`, 'warn'));
    return { url: urlOf(t, this.settings), providerDeploymentId: revisionId(ns, name, state.revision ?? '0') };
  }

  // The new revision's pods, each with what keeps it from being ready (waiting reason, last exit) and its kubelet's warnings.
  private async whyNotReady(t: DeploymentTarget, ns: string, ctx: ProviderCallContext): Promise<string> {
    const d = await this.client.call(`read Deployment ${ns}/${appName(t)}`, () => this.client.apps.readNamespacedDeployment(appName(t), ns), ctx);
    const revision = d.metadata?.annotations?.[REVISION];
    const rs = (await this.replicaSets(t, ns, ctx)).find((r) => r.metadata?.annotations?.[REVISION] === revision);
    const hash = rs?.metadata?.labels?.[POD_TEMPLATE_HASH];
    if (!hash) return 'no pods were created for the new revision';
    const pods = (await this.pods(t, ns, hash, ctx)).filter((p) => !p.status?.containerStatuses?.every((c) => c.ready));
    const parts: string[] = [];
    for (const p of pods.slice(0, 3)) {
      const name = p.metadata!.name!;
      const c = p.status?.containerStatuses?.[0];
      const waiting = c?.state?.waiting;
      const last = c?.lastState?.terminated;
      const reason = waiting ? `${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}` : c?.state?.running ? 'running, not ready (its readiness probe fails)' : p.status?.phase ?? 'unknown';
      const events = await this.client.call(`read the events of pod ${name}`, () => this.client.core.listNamespacedEvent(ns, undefined, undefined, undefined, `involvedObject.name=${name}`), ctx);
      const warnings = [...new Set(events.items.filter((e) => e.type === 'Warning').map((e) => `${e.reason}: ${e.message}`))].slice(-3);
      parts.push(`pod ${name}: ${reason}${last ? `, last exit code ${last.exitCode}` : ''}${warnings.length ? `; events: ${warnings.join(' | ')}` : ''}`);
    }
    return parts.join('; ') || 'no pod of the new revision is waiting';
  }

  private async replicaSets(t: DeploymentTarget, ns: string, ctx: ProviderCallContext): Promise<V1ReplicaSet[]> {
    const list = await this.client.call(`list the ReplicaSets in ${ns}`, () => this.client.apps.listNamespacedReplicaSet(ns, undefined, undefined, undefined, undefined, selectorString(selectorOf(t))), ctx);
    return list.items.sort((a, b) => Number(b.metadata?.annotations?.[REVISION] ?? 0) - Number(a.metadata?.annotations?.[REVISION] ?? 0));
  }

  private async pods(t: DeploymentTarget, ns: string, hash: string, ctx: ProviderCallContext): Promise<V1Pod[]> {
    const list = await this.client.call(`list the pods in ${ns}`, () => this.client.core.listNamespacedPod(ns, undefined, undefined, undefined, undefined, selectorString({ ...selectorOf(t), [POD_TEMPLATE_HASH]: hash })), ctx);
    return list.items;
  }

  // Each deployment's Secret stays while a kept ReplicaSet's template names it (a rollback needs it); the others go.
  private async pruneSecrets(t: DeploymentTarget, ns: string, ctx: ProviderCallContext): Promise<void> {
    const used = new Set((await this.replicaSets(t, ns, ctx)).map((rs) => rs.spec?.template?.metadata?.labels?.[LABEL.deployment]));
    used.add(labelValue(t.deploymentId));
    const secrets = await this.client.call(`list the Secrets in ${ns}`, () => this.client.core.listNamespacedSecret(ns, undefined, undefined, undefined, undefined, selectorString({ ...selectorOf(t), [LABEL.role]: 'env' })), ctx);
    for (const s of secrets.items.filter((x) => !used.has(x.metadata?.labels?.[LABEL.deployment]))) {
      await this.client.call(`delete Secret ${ns}/${s.metadata!.name}`, () => this.client.core.deleteNamespacedSecret(s.metadata!.name!, ns), ctx);
    }
  }
}
