import type { DeploymentTarget } from '../deployment-provider';
import type { KubernetesSettings } from './kubernetes-settings';

// The objects an environment is made of, applied with server-side apply: a Deployment (its pods
// non-root, probed, limited), a Service, an Ingress or an HTTPRoute, and a Secret per deployment for
// its sensitive variables (a rollback's pod template still names its own deployment's Secret).

export const LABEL = { project: 'flightdeck.dev/project', environment: 'flightdeck.dev/environment', deployment: 'flightdeck.dev/deployment', role: 'flightdeck.dev/role' } as const;
export const REVISION = 'deployment.kubernetes.io/revision';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
export const CONTAINER = 'app';
export const PULL_SECRET = 'flightdeck-registry';

type Obj = Record<string, unknown>;

const dns = (s: string, max: number) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, max)
    .replace(/-+$/, '') || 'app';
/** a label value: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends */
export const labelValue = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 63).replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'x';

/** the Deployment's, Service's and route's name: <project>-<environment>, a DNS label */
export const appName = (t: DeploymentTarget) => dns(`${dns(t.projectName, 40)}-${dns(t.environmentName, 22)}`, 63);
export const namespaceOf = (t: DeploymentTarget, s: Pick<KubernetesSettings, 'namespace'>) => s.namespace ?? dns(`flightdeck-${dns(t.projectName, 52)}`, 63);
export const envSecretName = (t: DeploymentTarget, deploymentId = t.deploymentId) => `${appName(t)}-env-${deploymentId.slice(0, 8)}`;

export const selectorOf = (t: DeploymentTarget) => ({ [LABEL.project]: labelValue(t.projectName), [LABEL.environment]: labelValue(t.environmentName) });
export const selectorString = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

export const hostOf = (t: DeploymentTarget, s: Pick<KubernetesSettings, 'host'>) => s.host?.replace(/\{project\}/g, dns(t.projectName, 40)).replace(/\{environment\}/g, dns(t.environmentName, 22));

/** the environment's URL: its host, or (expose none, no host) the Service inside the cluster */
export function urlOf(t: DeploymentTarget, s: Pick<KubernetesSettings, 'host' | 'scheme' | 'namespace'>): string {
  const host = hostOf(t, s);
  return host ? `${s.scheme}://${host}` : `http://${appName(t)}.${namespaceOf(t, s)}.svc.cluster.local`;
}

/** the uid a non-numeric USER of our generated images runs as (runAsNonRoot cannot check a name) */
export function uidOf(user: string | undefined): number | undefined {
  if (!user) return undefined;
  const u = user.split(':')[0];
  if (/^\d+$/.test(u)) return undefined;
  return ({ node: 1000, nginx: 101 } as Record<string, number>)[u];
}

export interface Workload {
  image: string;
  port: number;
  healthCheckPath: string;
  /** the deployment's variables, values included: plain ones in the pod template, sensitive ones through the Secret */
  env: Record<string, string>;
  sensitiveKeys: readonly string[];
  runAsUser?: number;
  pullSecret?: boolean;
  commitSha?: string;
}

export function podTemplate(t: DeploymentTarget, s: KubernetesSettings, w: Workload): Obj {
  const keys = Object.keys(w.env).filter((k) => k !== 'PORT').sort();
  const secret = keys.some((k) => w.sensitiveKeys.includes(k)) ? envSecretName(t) : undefined;
  const env = [
    { name: 'PORT', value: String(w.port) },
    ...keys.map((name) => (w.sensitiveKeys.includes(name) ? { name, valueFrom: { secretKeyRef: { name: secret, key: name } } } : { name, value: w.env[name] })),
  ];
  const probe = { httpGet: { path: w.healthCheckPath, port: 'http' } };
  const r = s.resources;
  return {
    metadata: { labels: { ...selectorOf(t), [LABEL.deployment]: labelValue(t.deploymentId) }, ...(w.commitSha ? { annotations: { 'flightdeck.dev/commit': w.commitSha } } : {}) },
    spec: {
      automountServiceAccountToken: false,
      securityContext: { runAsNonRoot: true, ...(w.runAsUser ? { runAsUser: w.runAsUser } : {}), seccompProfile: { type: 'RuntimeDefault' } },
      ...(w.pullSecret ? { imagePullSecrets: [{ name: PULL_SECRET }] } : {}),
      containers: [
        {
          name: CONTAINER,
          image: w.image,
          ports: [{ name: 'http', containerPort: w.port, protocol: 'TCP' }],
          env,
          resources: { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memoryLimit ?? r.memory, ...(r.cpuLimit ? { cpu: r.cpuLimit } : {}) } },
          readinessProbe: { ...probe, periodSeconds: 5, failureThreshold: 3 },
          livenessProbe: { ...probe, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true },
        },
      ],
    },
  };
}

export function deploymentManifest(t: DeploymentTarget, s: KubernetesSettings, template: Obj): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: appName(t), labels: { ...selectorOf(t), [LABEL.deployment]: labelValue(t.deploymentId) } },
    spec: {
      replicas: s.replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: s.progressDeadlineSeconds,
      selector: { matchLabels: selectorOf(t) },
      // new pods ready before old ones go: the environment keeps serving through the rollout
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template,
    },
  };
}

export const envSecretManifest = (t: DeploymentTarget, w: Pick<Workload, 'env' | 'sensitiveKeys'>): Obj => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: envSecretName(t), labels: { ...selectorOf(t), [LABEL.deployment]: labelValue(t.deploymentId), [LABEL.role]: 'env' } },
  type: 'Opaque',
  data: Object.fromEntries(w.sensitiveKeys.filter((k) => k in w.env).map((k) => [k, Buffer.from(w.env[k]).toString('base64')])),
});

export const pullSecretManifest = (registry: string, username: string, password: string): Obj => {
  const server = registry.split('/')[0];
  const auths = { [server]: { username, password, auth: Buffer.from(`${username}:${password}`).toString('base64') } };
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name: PULL_SECRET, labels: { [LABEL.role]: 'registry' } }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': Buffer.from(JSON.stringify({ auths })).toString('base64') } };
};

export const serviceManifest = (t: DeploymentTarget): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: appName(t), labels: selectorOf(t) },
  spec: { type: 'ClusterIP', selector: selectorOf(t), ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
});

export const ingressManifest = (t: DeploymentTarget, s: KubernetesSettings): Obj => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: appName(t), labels: selectorOf(t) },
  spec: {
    ...(s.ingressClassName ? { ingressClassName: s.ingressClassName } : {}),
    ...(s.tlsSecretName ? { tls: [{ hosts: [hostOf(t, s)], secretName: s.tlsSecretName }] } : {}),
    rules: [{ host: hostOf(t, s), http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: appName(t), port: { name: 'http' } } } }] } }],
  },
});

export const httpRouteManifest = (t: DeploymentTarget, s: KubernetesSettings): Obj => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: appName(t), labels: selectorOf(t) },
  spec: {
    parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', ...s.gatewayRef }],
    hostnames: [hostOf(t, s)],
    rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: appName(t), port: 80 }] }],
  },
});
