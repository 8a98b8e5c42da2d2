import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeDockerEngine, type FakeKubeApi, eventually, startFakeDockerEngine, startFakeKubeApi } from '@flightdeck/testing';
import { BUILT_IN_PROVIDERS, type DeployRequest, ProviderError, ProviderRegistry, ProviderSettingsError } from '../src';
import { KubernetesProvider, KubernetesSettings } from '../src/kubernetes';

// The Kubernetes provider against a fake of the Kubernetes API (libs/testing/src/kube-api): no
// cluster runs here. What it sends (the exact objects), how it follows a rollout, and its failures.

const SECRET_VALUE = 's3cret-db-password';

describe('the Kubernetes provider, against a fake Kubernetes API', () => {
  let kube: FakeKubeApi;
  let lines: { message: string; level?: string }[];
  const ctx = (signal = new AbortController().signal) => ({ log: (message: string, level?: string) => void lines.push({ message, level }), signal });
  const logText = () => lines.map((l) => l.message).join('\n');
  const host = { dataDir: '/unused', env: {}, allowPrivateAddresses: true };
  const provider = (over: Record<string, unknown> = {}, kubeconfig = kube.kubeconfig()) =>
    new KubernetesProvider(KubernetesSettings.parse({ kubeconfigVariable: 'KUBECONFIG_PROD', host: '{environment}.{project}.apps.example.com', ...over }), { kubeconfig }, host, { retry: { baseDelayMs: 5 } });
  const aRequest = (over: Partial<DeployRequest> = {}): DeployRequest => ({
    deploymentId: randomUUID(),
    projectName: 'shop',
    environmentName: 'production',
    source: { type: 'image', image: 'registry.example.com/shop/web:1.0.0', port: 8080, healthCheckPath: '/healthz' },
    env: { GREETING: 'hello', DB_PASSWORD: SECRET_VALUE },
    sensitiveKeys: ['DB_PASSWORD'],
    ...over,
  });

  beforeAll(async () => {
    kube = await startFakeKubeApi();
    kube.rollout.readyDelayMs = 30;
  });
  beforeEach(() => {
    lines = [];
    kube.podBehaviour = () => ({ ready: true });
  });
  afterAll(() => kube.stop());

  it('creates the namespace, applies a non-root, probed, limited Deployment with its Secret, Service and Ingress, and follows the rollout to its URL', async () => {
    const req = aRequest({ env: { GREETING: 'hello', DB_PASSWORD: SECRET_VALUE, KUBECONFIG_PROD: kube.kubeconfig() }, sensitiveKeys: ['DB_PASSWORD', 'KUBECONFIG_PROD'] });
    const p = new ProviderRegistry(BUILT_IN_PROVIDERS).create(
      { name: 'kubernetes', settings: { kubeconfigVariable: 'KUBECONFIG_PROD', host: '{environment}.{project}.apps.example.com', replicas: 3, ingressClassName: 'nginx', resources: { cpu: '250m', memory: '512Mi' } } },
      [{ key: 'KUBECONFIG_PROD', value: kube.kubeconfig(), sensitive: true }],
      host,
    );
    await p.initialize!(ctx());
    const result = await p.deploy(req, ctx());

    expect(result).toEqual({ url: 'https://production.shop.apps.example.com', providerDeploymentId: 'flightdeck-shop/shop-production@1' });
    expect(kube.get('Namespace', undefined, 'flightdeck-shop')).toBeDefined();
    const applies = kube.requests.filter((r) => r.method === 'PATCH');
    expect(applies.every((r) => r.contentType === 'application/apply-patch+yaml' && r.query.fieldManager === 'flightdeck' && r.query.force === 'true')).toBe(true);
    const labels = { 'flightdeck.dev/project': 'shop', 'flightdeck.dev/environment': 'production' };
    const d = kube.get('Deployment', 'flightdeck-shop', 'shop-production')!;
    expect(d.spec).toMatchObject({ replicas: 3, progressDeadlineSeconds: 600, selector: { matchLabels: labels }, strategy: { rollingUpdate: { maxUnavailable: 0 } } });
    const pod = d.spec.template.spec;
    expect(d.spec.template.metadata.labels).toEqual({ ...labels, 'flightdeck.dev/deployment': req.deploymentId });
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const secretName = `shop-production-env-${req.deploymentId.slice(0, 8)}`;
    expect(pod.containers).toEqual([
      {
        name: 'app',
        image: 'registry.example.com/shop/web:1.0.0',
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        env: [
          { name: 'PORT', value: '8080' },
          { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: secretName, key: 'DB_PASSWORD' } } },
          { name: 'GREETING', value: 'hello' },
        ],
        resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '512Mi' } },
        readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
        livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 6 },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true },
      },
    ]);
    // the sensitive variable only in the Secret, never in the pod template or the log
    const secret = kube.get('Secret', 'flightdeck-shop', secretName)!;
    expect(Buffer.from(secret.data.DB_PASSWORD, 'base64').toString()).toBe(SECRET_VALUE);
    expect(JSON.stringify(d)).not.toContain(SECRET_VALUE);
    // the cluster's credentials are not handed to the app
    expect(Object.keys(secret.data)).toEqual(['DB_PASSWORD']);
    expect(logText()).not.toContain(SECRET_VALUE);
    expect(kube.get('Service', 'flightdeck-shop', 'shop-production')!.spec).toMatchObject({ selector: labels, ports: [{ port: 80, targetPort: 'http' }] });
    expect(kube.get('Ingress', 'flightdeck-shop', 'shop-production')!.spec).toEqual({
      ingressClassName: 'nginx',
      rules: [{ host: 'production.shop.apps.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop-production', port: { name: 'http' } } } }] } }],
    });
    // progress from the watch, in order
    const progress = lines.map((l) => l.message).filter((m) => /^\d+\/\d+ pods ready$/.test(m));
    expect(progress[0]).toBe('0/3 pods ready');
    expect(progress.at(-1)).toBe('3/3 pods ready');
    expect(kube.requestsTo('GET', /\/deployments$/).some((r) => r.query.watch === 'true' && r.query.fieldSelector === 'metadata.name=shop-production')).toBe(true);
    expect(logText()).toContain('rolled out: revision 1 of flightdeck-shop/shop-production, 3/3 pods ready');
  });

  it('fails a rollout whose pods never become ready with their waiting reasons and events; the previous pods keep serving', async () => {
    const p = provider({ namespace: 'team-a', expose: 'none', progressDeadlineSeconds: 1 });
    await p.deploy(aRequest({ environmentName: 'stuck' }), ctx());
    kube.podBehaviour = () => ({ ready: false, imagePullError: 'pull access denied for registry.example.com/shop/web, repository does not exist' });
    const failed = await p.deploy(aRequest({ environmentName: 'stuck', source: { type: 'image', image: 'registry.example.com/shop/web:nope' } }), ctx()).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ProviderError);
    const message = (failed as ProviderError).message;
    expect(message).toMatch(/^kubernetes: the rollout of team-a\/shop-stuck failed: deployment "shop-stuck" exceeded its progress deadline/);
    expect(message).toMatch(/pod shop-stuck-\w+-\w+: ImagePullBackOff \(Back-off pulling image "registry.example.com\/shop\/web:nope"\)/);
    expect(message).toContain('events: Failed: Failed to pull image "registry.example.com/shop/web:nope": pull access denied');
    expect(message).toContain('the pods of the previous revision keep serving');
    expect(kube.list('Pod', 'team-a').filter((x) => x.status.containerStatuses[0].ready).map((x) => x.spec.containers[0].image)).toEqual(['registry.example.com/shop/web:1.0.0']);

    // a crash loop past rolloutTimeoutSeconds: the same report, by the provider's own clock
    kube.podBehaviour = () => ({ ready: false, crash: { exitCode: 3, logs: ['Error: DATABASE_URL is not set'] } });
    const timedOut = await provider({ namespace: 'team-a', expose: 'none', rolloutTimeoutSeconds: 1 }).deploy(aRequest({ environmentName: 'crashy' }), ctx()).then(() => new Error('deployed'), (e: Error) => e);
    expect(timedOut.message).toMatch(/the rollout of team-a\/shop-crashy failed: it did not complete within 1s; pod shop-crashy-\w+-\w+: CrashLoopBackOff .*, last exit code 3; events: BackOff: Back-off restarting failed container app/);
  });

  it('rolls back by applying the earlier revision\'s pod template again, and streams the pods\' logs', async () => {
    const p = provider({ expose: 'httproute', gatewayRef: { name: 'public', namespace: 'gateways' } });
    const first = aRequest({ environmentName: 'staging' });
    const one = await p.deploy(first, ctx());
    const two = await p.deploy(aRequest({ environmentName: 'staging', source: { type: 'image', image: 'registry.example.com/shop/web:2.0.0', port: 8080 }, env: { GREETING: 'two' }, sensitiveKeys: [] }), ctx());
    expect([one.providerDeploymentId, two.providerDeploymentId]).toEqual(['flightdeck-shop/shop-staging@1', 'flightdeck-shop/shop-staging@2']);
    expect(kube.get('HTTPRoute', 'flightdeck-shop', 'shop-staging')!.spec).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'gateways' }],
      hostnames: ['staging.shop.apps.example.com'],
      rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'shop-staging', port: 80 }] }],
    });
    expect(kube.get('Ingress', 'flightdeck-shop', 'shop-staging')).toBeUndefined();

    lines = [];
    const rb = await p.rollback({ deploymentId: randomUUID(), projectName: 'shop', environmentName: 'staging', toDeploymentId: first.deploymentId }, ctx());
    // the first ReplicaSet serves again, as revision 3; its Secret was kept for it
    expect(rb).toEqual({ url: 'https://staging.shop.apps.example.com', providerDeploymentId: 'flightdeck-shop/shop-staging@3' });
    const d = kube.get('Deployment', 'flightdeck-shop', 'shop-staging')!;
    expect(d.spec.template.spec.containers[0].image).toBe('registry.example.com/shop/web:1.0.0');
    expect(d.spec.template.metadata.labels['flightdeck.dev/deployment']).toBe(first.deploymentId);
    expect(kube.list('ReplicaSet', 'flightdeck-shop', 'flightdeck.dev/environment=staging').map((rs) => rs.metadata.annotations!['deployment.kubernetes.io/revision']).sort()).toEqual(['2', '3']);
    expect(kube.get('Secret', 'flightdeck-shop', `shop-staging-env-${first.deploymentId.slice(0, 8)}`)).toBeDefined();
    expect(logText()).toMatch(/rolling back to revision 1 \(deployment .*\): its pod template applied again, nothing built/);

    // logs of the revision: what its pod printed, then what it prints next
    const controller = new AbortController();
    const got: string[] = [];
    const reading = (async () => {
      for await (const l of p.logs!(rb.providerDeploymentId!, ctx(controller.signal))) got.push(l);
    })();
    await eventually('the pod\'s first line', () => got.includes('listening on 8080'));
    const [pod] = kube.list('Pod', 'flightdeck-shop', 'flightdeck.dev/environment=staging');
    kube.writeLog(pod.metadata.name, 'GET / 200');
    await eventually('the next line, followed', () => got.includes('GET / 200'));
    controller.abort();
    await reading;
    await expect(p.status!(rb.providerDeploymentId!, ctx())).resolves.toBe('succeeded');
    await expect(p.status!(two.providerDeploymentId!, ctx())).resolves.toBe('canceled');
  });

  it('follows a rollout longer than one watch request from the last resourceVersion it saw', async () => {
    kube.podBehaviour = () => ({ ready: true, afterMs: 2200 });
    const p = new KubernetesProvider(KubernetesSettings.parse({ kubeconfigVariable: 'K', expose: 'none' }), { kubeconfig: kube.kubeconfig() }, host, { watchTimeoutSeconds: 1 });
    await expect(p.deploy(aRequest({ environmentName: 'slow' }), ctx())).resolves.toMatchObject({ providerDeploymentId: 'flightdeck-shop/shop-slow@1' });
    const watches = kube.requestsTo('GET', /\/deployments$/).filter((r) => r.query.fieldSelector === 'metadata.name=shop-slow');
    expect(watches.length).toBeGreaterThanOrEqual(2);
    expect(watches.map((w) => w.query.timeoutSeconds)).toEqual(watches.map(() => '1'));
    // each re-opened from the resourceVersion last seen: nothing missed, nothing judged twice
    expect(Number(watches[1].query.resourceVersion)).toBeGreaterThan(Number(watches[0].query.resourceVersion));
    expect(lines.map((l) => l.message).filter((m) => /^\d+\/\d+ pods ready$/.test(m))).toEqual(['0/1 pods ready', '1/1 pods ready']);
  });

  it('names the credential setting when the cluster refuses it, and refuses a kubeconfig that would run a command on the builder', async () => {
    const wrong = provider({}, kube.kubeconfig('not-the-token'));
    const refused = await wrong.initialize(ctx()).then(() => new Error('initialized'), (e: Error) => e);
    expect(refused).toBeInstanceOf(ProviderSettingsError);
    expect(refused.message).toMatch(/^provider kubernetes: settings.kubeconfigVariable holds credentials the cluster at http:\/\/127.0.0.1:\d+ refuses \(check the credentials \(SelfSubjectAccessReview\): HTTP 401 Unauthorized\)$/);

    kube.forbidden.add('patch deployments');
    try {
      await expect(provider({ namespace: 'team-a' }).initialize(ctx())).rejects.toThrow('provider kubernetes: settings.kubeconfigVariable holds credentials that may not patch deployments in the namespace team-a');
      // no namespace configured: a cluster-wide refusal is no verdict on the project's own namespace
      await expect(provider().initialize(ctx())).resolves.toBeUndefined();
      expect(lines.at(-1)).toMatchObject({ level: 'warn', message: expect.stringContaining("may not patch Deployments in every namespace; the project's namespace decides at deploy time") });
      await expect(provider({ namespace: 'team-a' }).deploy(aRequest(), ctx())).rejects.toThrow(/settings.kubeconfigVariable holds credentials that may not apply Deployment team-a\/shop-production: deployments.apps "shop-production" is forbidden: User "system:serviceaccount:ci:deployer" cannot patch resource "deployments"/);
    } finally {
      kube.forbidden.clear();
    }
    const exec = `${kube.kubeconfig()}`.replace(/ {4}token: .*/, '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: /bin/sh\n      args: ["-c", "id"]');
    expect(() => provider({}, exec)).toThrow('settings.kubeconfigVariable holds a kubeconfig whose user runs a command or an auth provider on the builder');
    expect(() => provider({}, 'not: [a kubeconfig')).toThrow(/settings.kubeconfigVariable holds no readable kubeconfig/);
    expect(KubernetesSettings.safeParse({ kubeconfigVariable: 'K', expose: 'httproute', host: 'a.example.com' }).error?.issues[0]).toMatchObject({ path: ['gatewayRef'] });
  });

  it('retries a 500 and a 429 (waiting as long as Retry-After asks), and fails with the API\'s message when it persists', async () => {
    kube.failNext({ method: 'PATCH', path: /\/deployments\/shop-retry$/ }, 500, 'etcdserver: request timed out');
    const started = Date.now();
    kube.failNext({ method: 'PATCH', path: /\/services\/shop-retry$/ }, 429, 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
    await expect(provider({ expose: 'none' }).deploy(aRequest({ environmentName: 'retry' }), ctx())).resolves.toMatchObject({ url: 'https://retry.shop.apps.example.com' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'apply Deployment flightdeck-shop/shop-retry: HTTP 500: etcdserver: request timed out; attempt 2 in 0.0s',
      'apply Service flightdeck-shop/shop-retry: HTTP 429: Too many requests, please try again later.; attempt 2 in 1.0s',
    ]);

    kube.failNext({ method: 'PATCH', path: /\/deployments\/shop-retry$/ }, 500, 'etcdserver: leader changed', { times: 3 });
    const e = await provider({ expose: 'none' }).deploy(aRequest({ environmentName: 'retry' }), ctx()).then(() => new Error('deployed'), (x: Error) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.message).toMatch(/^kubernetes: apply Deployment flightdeck-shop\/shop-retry: HTTP 500: etcdserver: leader changed \(request id [0-9a-f-]{36}\)$/);
  });

  it('builds a deployment\'s source with the Docker provider\'s engine, pushes it to the registry, and runs it as the image\'s user', async () => {
    const engine: FakeDockerEngine = await startFakeDockerEngine();
    const dir = mkdtempSync(join(tmpdir(), 'kube-src-'));
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'node server.js' } }));
      writeFileSync(join(dir, 'package-lock.json'), '{}');
      writeFileSync(join(dir, 'server.js'), 'require("http").createServer((q, s) => s.end("ok")).listen(process.env.PORT)');
      const build = aRequest({ environmentName: 'built', source: { type: 'artifact', path: '/unused.tar.gz', kind: 'node' }, sourceDir: dir } as Partial<DeployRequest>);
      await expect(provider().deploy(build, ctx())).rejects.toThrow('provider kubernetes: settings.dockerHost is required to deploy a build');
      await expect(provider({ dockerHost: engine.dockerHost }).deploy(build, ctx())).rejects.toThrow('provider kubernetes: settings.registry is required to deploy a build');

      const p = new KubernetesProvider(
        KubernetesSettings.parse({ kubeconfigVariable: 'K', expose: 'none', dockerHost: engine.dockerHost, registry: 'registry.example.com/team', registryUsername: 'ci', registryPasswordVariable: 'REGISTRY_TOKEN' }),
        { kubeconfig: kube.kubeconfig(), registryPassword: 'registry-token' },
        host,
        { retry: { baseDelayMs: 5 } },
      );
      const result = await p.deploy(build, ctx());
      expect(result.url).toBe('http://shop-built.flightdeck-shop.svc.cluster.local');
      const image = `registry.example.com/team/flightdeck/shop-built:${build.deploymentId}`;
      expect(engine.pushes).toEqual([{ ref: image, auth: { username: 'ci', password: 'registry-token', serveraddress: 'registry.example.com' } }]);
      const pod = kube.get('Deployment', 'flightdeck-shop', 'shop-built')!.spec.template.spec;
      expect(pod.containers[0]).toMatchObject({ image, ports: [{ containerPort: 3000 }] });
      // the generated image's USER node, as the uid runAsNonRoot can check; the registry's credentials as a pull secret
      expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.imagePullSecrets).toEqual([{ name: 'flightdeck-registry' }]);
      const pull = kube.get('Secret', 'flightdeck-shop', 'flightdeck-registry')!;
      expect(pull.type).toBe('kubernetes.io/dockerconfigjson');
      expect(JSON.parse(Buffer.from(pull.data['.dockerconfigjson'], 'base64').toString()).auths['registry.example.com']).toMatchObject({ username: 'ci', password: 'registry-token' });
      expect(logText()).not.toContain('registry-token');
    } finally {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
