import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { SERVICE_NAMES, type ServiceName, Streams } from '@flightdeck/contracts';
import { NATS_ADMIN_USER, natsPasswordVariable } from '@flightdeck/messaging';
import { SERVICE_SCHEMAS, serviceRole } from '@flightdeck/persistence';
import { DEPLOY_JOBS_DURABLE } from '../../apps/builder/src/jobs/deploy-jobs.consumer';
import { natsHelmValues } from '../../scripts/nats-helm-values';
import type { ManifestResult } from '../../scripts/validate-kubernetes';
import { ROOT, SERVICES, generatedEnv, requiredKeys } from '../compose/compose-support';
import { type Pod, mayConnect, selects } from './network-policy';

// deploy/kubernetes, offline: every manifest against the Kubernetes 1.34 API schemas (kubernetes-models)
// and field names (their TypeScript declarations), KEDA's ScaledObject against @kubernetes-models/keda,
// the CloudNativePG Cluster and the NATS chart's values structurally (no npm package ships their
// schemas), the kustomizations composed as kustomize does, and each service's environment, with the
// Secrets deploy/kubernetes/secrets.sh makes, through the service's own config parser.

const DIR = join(ROOT, 'deploy/kubernetes');
const SENSITIVE = /SECRET|TOKEN|PASSWORD|KEY$|DATABASE_URL/;

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const readDocs = (file: string): Doc[] =>
  parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );

// What `kustomize build <dir>` gives for our kustomizations, which use only namespace, resources
// (files or other kustomization dirs) and images (a tag per image name).
function build(dir: string): Doc[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Doc;
  const unknown = Object.keys(k).filter((key) => !['apiVersion', 'kind', 'namespace', 'resources', 'images'].includes(key));
  if (unknown.length) throw new Error(`${relative(ROOT, dir)}: kustomization fields this test does not compose: ${unknown}`);
  const docs = (k.resources as string[]).flatMap((r) => {
    const path = resolve(dir, r);
    if (!existsSync(path)) throw new Error(`${relative(ROOT, dir)}: resource ${r} does not exist`);
    return existsSync(join(path, 'kustomization.yaml')) ? build(path) : readDocs(path);
  });
  const tags = new Map(((k.images ?? []) as { name: string; newTag: string }[]).map((i) => [i.name, i.newTag]));
  for (const d of docs) {
    if (k.namespace) d.metadata.namespace = k.namespace;
    for (const c of d.spec?.template?.spec?.containers ?? []) if (tags.has(c.image)) c.image = `${c.image}:${tags.get(c.image)}`;
  }
  return docs;
}

// The validator runs as a child process: the models are ES modules, which jest cannot load.
function validate(files: string[]): ManifestResult[] {
  const run = spawnSync(
    process.execPath,
    ['-r', '@swc-node/register', join(ROOT, 'scripts/validate-kubernetes.ts'), '--json', ...files],
    { cwd: ROOT, encoding: 'utf8', timeout: 90_000 },
  );
  if (run.status === null || run.status > 1) throw new Error(`validate-kubernetes failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ManifestResult[];
}

// Mutated copies of real manifests: each must be refused, with the reason named.
const MUTATIONS: { name: string; file: string; mutate: (docs: Doc[]) => void; error: RegExp }[] = [
  {
    name: 'a misspelt probe field',
    file: 'base/gateway.yaml',
    mutate: (docs) => {
      const c = docs.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0];
      c.readinesProbe = c.readinessProbe;
      delete c.readinessProbe;
    },
    error: /readinesProbe/,
  },
  {
    name: 'a CPU limit that is no quantity',
    file: 'base/log-ingest.yaml',
    mutate: (docs) => {
      docs.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].resources.limits.cpu = 'lots';
    },
    error: /limits\/cpu: must match format "quantity"/,
  },
  {
    name: 'a container port given as a name',
    file: 'base/builder.yaml',
    mutate: (docs) => {
      docs.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].ports[0].containerPort = 'router';
    },
    error: /containerPort: must be integer/,
  },
  {
    name: 'a Deployment without a selector',
    file: 'base/environment-manager.yaml',
    mutate: (docs) => {
      delete docs.find((d) => d.kind === 'Deployment')!.spec.selector;
    },
    error: /must have required property '?selector/,
  },
  {
    name: 'a KEDA trigger threshold given as a number',
    file: 'base/builder-scaledobject.yaml',
    mutate: (docs) => {
      docs[0].spec.triggers[0].metadata.lagThreshold = 2;
    },
    error: /lagThreshold: must be string/,
  },
  {
    name: 'a NetworkPolicy with an unknown policy type',
    file: 'base/network-policies.yaml',
    mutate: (docs) => {
      docs[0].spec.policyTypes = ['Ingress', 'Outgress'];
    },
    error: /policyTypes/,
  },
];

describe('deploy/kubernetes', () => {
  let tmp: string;
  let results: ManifestResult[];
  let secrets: Map<string, Record<string, string>>;
  const env = generatedEnv();
  const overlays = ['overlays/cnpg', 'overlays/external-postgres'];
  const manifests = yamlFiles(DIR).filter((f) => !f.endsWith('kustomization.yaml') && !f.includes('/nats/'));

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'fd-k8s-'));
    // the Secrets an operator applies, made from a compose-env.sh env file
    writeFileSync(join(tmp, '.env'), Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n'));
    const run = spawnSync('bash', [join(DIR, 'secrets.sh'), join(tmp, '.env')], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`secrets.sh failed: ${run.stderr}`);
    writeFileSync(join(tmp, 'secrets.yaml'), run.stdout);
    secrets = new Map(readDocs(join(tmp, 'secrets.yaml')).map((d) => [d.metadata.name, d.stringData]));
    const mutated = MUTATIONS.map((m, i) => {
      const docs = readDocs(join(DIR, m.file));
      m.mutate(docs);
      const file = join(tmp, `mutation-${i}.yaml`);
      writeFileSync(file, docs.map((d) => `---\n${JSON.stringify(d)}\n`).join(''));
      return file;
    });
    // one child process for everything: the originals, the Secrets, the mutated copies
    results = validate([...manifests, join(tmp, 'secrets.yaml'), ...mutated]);
  }, 120_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  const resultsOf = (file: string) => results.filter((r) => resolve(ROOT, r.file) === file);

  it('every manifest is valid against the Kubernetes 1.34 API (and KEDA) schemas; only the CloudNativePG Cluster has none', () => {
    const originals = manifests.flatMap(resultsOf);
    expect(originals.length).toBeGreaterThan(30);
    expect(originals.filter((r) => r.status === 'invalid')).toEqual([]);
    expect(originals.filter((r) => r.status === 'no-schema').map((r) => `${r.apiVersion} ${r.kind}`)).toEqual([
      'postgresql.cnpg.io/v1 Cluster',
    ]);
    expect(originals.filter((r) => r.kind === 'ScaledObject').map((r) => r.status)).toEqual(['valid']);
  });

  it('so are the Secrets secrets.sh makes, and no manifest holds a Secret', () => {
    const made = resultsOf(join(tmp, 'secrets.yaml'));
    expect(made.map((r) => [r.kind, r.status])).toEqual(made.map(() => ['Secret', 'valid']));
    for (const file of manifests) expect(readDocs(file).filter((d) => d.kind === 'Secret')).toEqual([]);
  });

  it.each(MUTATIONS.map((m, i) => [m.name, i] as const))('refuses %s', (_name, i) => {
    const invalid = resultsOf(join(tmp, `mutation-${i}.yaml`)).filter((r) => r.status === 'invalid');
    expect(invalid).toHaveLength(1);
    expect(invalid[0].errors.join('\n')).toMatch(MUTATIONS[i].error);
  });

  it('the kustomizations list every manifest of their folder, and each overlay builds on the base', () => {
    for (const dir of ['base', ...overlays]) {
      const k = parse(readFileSync(join(DIR, dir, 'kustomization.yaml'), 'utf8')) as Doc;
      const local = readdirSync(join(DIR, dir)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
      expect(k.resources.filter((r: string) => !r.startsWith('../')).sort()).toEqual(local.sort());
      if (dir !== 'base') expect(k.resources).toContain('../../base');
      const docs = build(join(DIR, dir));
      const ids = docs.map((d) => `${d.kind}/${d.metadata.name}`);
      expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
      expect(new Set(docs.map((d) => d.metadata.namespace))).toEqual(new Set(['flightdeck']));
    }
  });

  describe.each(overlays)('%s', (overlay) => {
    let built: Doc[] | undefined;
    const docs = () => (built ??= build(join(DIR, overlay)));
    const find = (kind: string, name: string) => docs().find((d) => d.kind === kind && d.metadata.name === name);

    // one pod of a service's Deployment as the cluster runs it: its name, IP, labels and ports
    const podOf = (name: ServiceName) => {
      const template = find('Deployment', name)!.spec.template;
      const container = template.spec.containers[0];
      const pod: Pod & { name: string } = {
        name: `${name}-7d9c8b6f5-x2x4q`,
        namespace: 'flightdeck',
        namespaceLabels: { 'kubernetes.io/metadata.name': 'flightdeck' },
        labels: template.metadata.labels,
        ip: `10.244.${SERVICE_NAMES.indexOf(name) + 1}.7`,
        ports: Object.fromEntries((container.ports as Doc[]).map((p) => [p.name, p.containerPort])),
      };
      return { pod, template, container };
    };
    // the container's environment as the kubelet resolves it, with secrets.sh's Secrets
    const containerEnv = (name: ServiceName): Record<string, string> => {
      const { pod, container } = podOf(name);
      const fields: Record<string, string> = { 'metadata.name': pod.name, 'status.podIP': pod.ip };
      const out: Record<string, string> = {};
      for (const e of container.env as Doc[]) {
        if ('value' in e) out[e.name] = String(e.value);
        else if (e.valueFrom?.fieldRef) {
          const value = fields[e.valueFrom.fieldRef.fieldPath];
          if (value === undefined) throw new Error(`${e.name}: no value here for field ${e.valueFrom.fieldRef.fieldPath}`);
          out[e.name] = value;
        } else if (e.valueFrom?.secretKeyRef) {
          const { name: secret, key, optional } = e.valueFrom.secretKeyRef;
          const value = secrets.get(secret)?.[key];
          if (value === undefined && !optional) throw new Error(`${e.name}: no key ${key} in Secret ${secret}`);
          if (value !== undefined) out[e.name] = value;
        } else throw new Error(`${e.name}: unexpected source ${JSON.stringify(e.valueFrom)}`);
      }
      return out;
    };
    const configOf = (name: ServiceName) => SERVICES[name].load(containerEnv(name)) as unknown as Record<string, unknown>;

    describe.each(SERVICE_NAMES)('%s', (name: ServiceName) => {
      const deployment = () => find('Deployment', name)!;
      const pod = () => deployment().spec.template;
      const container = () => pod().spec.containers[0];
      const cfg = SERVICES[name];
      const schema = SERVICE_SCHEMAS[name];

      it("satisfies the service's configuration schema, setting every required key and none it does not know", () => {
        const resolved = containerEnv(name);
        const config = cfg.load(resolved) as unknown as Record<string, unknown>;
        expect(config.HTTP_HOST).toBe('0.0.0.0');
        expect(Object.keys(resolved)).toEqual(expect.arrayContaining(requiredKeys(cfg.schema)));
        expect(Object.keys(resolved).filter((k) => !(k in cfg.schema.shape))).toEqual([]);
      });

      it('references its secrets, never inlines them, and connects as its own NATS user and Postgres role', () => {
        for (const e of container().env as Doc[]) {
          if (SENSITIVE.test(e.name)) expect([e.name, e.valueFrom?.secretKeyRef?.name]).toEqual([e.name, expect.any(String)]);
        }
        const resolved = containerEnv(name);
        expect(resolved.NATS_USER).toBe(name);
        expect(resolved.NATS_PASSWORD).toBe(env[natsPasswordVariable(name)]);
        expect(new URL(resolved.NATS_URL).hostname).toBe('nats');
        // as many stream copies as the chart runs nodes
        expect(resolved.NATS_STREAM_REPLICAS).toBe(String(parse(readFileSync(join(DIR, 'nats/values.yaml'), 'utf8')).config.cluster.replicas));
        const db = new URL(resolved.DATABASE_URL);
        expect(decodeURIComponent(db.username)).toBe(serviceRole(schema));
        expect(decodeURIComponent(db.password)).toBe(env[`FLIGHTDECK_DB_PASSWORD_${schema.toUpperCase()}`]);
      });

      it('is probed on its operations port: live on /health/live, ready on /health/ready', () => {
        const port = String(configOf(name)[cfg.portKey]);
        const ops = (container().ports as Doc[]).find((p) => p.name === 'ops');
        expect(String(ops?.containerPort)).toBe(port);
        expect(container().livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'ops' });
        expect(container().readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'ops' });
      });

      it('has resource requests and limits, a disruption budget and an autoscaler', () => {
        const { requests, limits } = container().resources;
        expect(Object.keys(requests).sort()).toEqual(['cpu', 'memory']);
        expect(Object.keys(limits).sort()).toEqual(['cpu', 'memory']);
        const labels = pod().metadata.labels as Record<string, string>;
        const selects = (sel: Doc) => Object.entries(sel.matchLabels).every(([k, v]) => labels[k] === v);
        const pdb = docs().find((d) => d.kind === 'PodDisruptionBudget' && selects(d.spec.selector));
        expect(pdb).toBeDefined();
        const scaler = docs().find(
          (d) => ['HorizontalPodAutoscaler', 'ScaledObject'].includes(d.kind) && d.spec.scaleTargetRef.name === name,
        );
        expect(scaler?.kind).toBe(name === 'builder' ? 'ScaledObject' : 'HorizontalPodAutoscaler');
        expect(scaler!.spec.minReplicas ?? scaler!.spec.minReplicaCount).toBeGreaterThanOrEqual(2);
      });

      it('runs as its own ServiceAccount, with no API token mounted', () => {
        const sa = find('ServiceAccount', name);
        expect(sa?.automountServiceAccountToken).toBe(false);
        expect(pod().spec.serviceAccountName).toBe(name);
        expect(pod().spec.automountServiceAccountToken).toBe(false);
        expect(docs().filter((d) => /Role/.test(d.kind))).toEqual([]);
      });

      it('may reach NATS and Postgres: selected by both egress policies, and admitted by their ingress', () => {
        const labels = pod().metadata.labels as Record<string, string>;
        const selects = (d: Doc) => Object.entries(d.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
        const egress = (port: number) =>
          docs().filter(
            (d) =>
              d.kind === 'NetworkPolicy' && selects(d) && (d.spec.egress ?? []).some((e: Doc) => e.ports?.some((p: Doc) => p.port === port)),
          );
        expect(egress(4222).map((d) => d.metadata.name)).toEqual(['flightdeck-to-nats']);
        expect(egress(5432).map((d) => d.metadata.name)).toEqual(['flightdeck-to-postgres']);
        const natsIngress = find('NetworkPolicy', 'nats-ingress')!.spec.ingress[0];
        expect(Object.entries(natsIngress.from[0].podSelector.matchLabels).every(([k, v]) => labels[k] === v)).toBe(true);
      });
    });

    it('the builder scales on the pending jobs of its durable consumer on the deploy-job queue', () => {
      const so = find('ScaledObject', 'builder')!;
      const trigger = so.spec.triggers[0];
      expect(trigger.type).toBe('nats-jetstream');
      expect(trigger.metadata).toMatchObject({ stream: Streams.deployJobs.name, consumer: DEPLOY_JOBS_DURABLE });
      const concurrency = (find('Deployment', 'builder')!.spec.template.spec.containers[0].env as Doc[]).find(
        (e) => e.name === 'FLIGHTDECK_BUILD_CONCURRENCY',
      )!.value;
      expect(trigger.metadata.lagThreshold).toBe(concurrency);
      expect(trigger.metadata.natsServerMonitoringEndpoint).toMatch(/^nats-headless\.flightdeck\.svc\.cluster\.local:8222$/);
    });

    it('deployed apps are served by the gateway: Service edge selects its pods only, on the port its edge listens on', () => {
      const edge = find('Service', 'edge')!;
      const selected = SERVICE_NAMES.filter((s) => selects({ matchLabels: edge.spec.selector }, podOf(s).pod.labels));
      expect(selected).toEqual(['gateway']);
      const config = configOf('gateway');
      expect(config.FLIGHTDECK_EDGE_ENABLED).toBe(true);
      expect(edge.spec.ports.map((p: Doc) => [p.port, podOf('gateway').pod.ports![p.targetPort]])).toEqual([[80, config.FLIGHTDECK_EDGE_PORT]]);
      // the builders' routers are reached pod by pod, never through a Service
      const builder = podOf('builder').pod;
      expect(docs().filter((d) => d.kind === 'Service' && selects({ matchLabels: d.spec.selector }, builder.labels))).toEqual([]);
    });

    it("each builder pod advertises its router at its own IP, under its pod's name, on the port it names", () => {
      const { pod } = podOf('builder');
      const config = configOf('builder');
      expect(config.FLIGHTDECK_ROUTER_ADVERTISE).toBe(pod.ip);
      expect(config.FLIGHTDECK_BUILDER_ID).toBe(pod.name);
      expect(config.FLIGHTDECK_ROUTER_PORT ?? config.FLIGHTDECK_EDGE_PORT).toBe(pod.ports!.router);
      // the URLs a builder hands out name the port the gateway's edge serves
      expect(config.FLIGHTDECK_EDGE_PORT).toBe(configOf('gateway').FLIGHTDECK_EDGE_PORT);
    });

    it("the builder's router admits the gateway's edge and nothing else; the API and the edge admit the ingress controller", () => {
      const policies = docs().filter((d) => d.kind === 'NetworkPolicy');
      const pod = (name: ServiceName) => podOf(name).pod;
      const outside = (namespace: string, app: string, ip: string): Pod => ({
        namespace,
        namespaceLabels: { 'kubernetes.io/metadata.name': namespace },
        labels: { 'app.kubernetes.io/name': app },
        ip,
      });
      const ingressController = outside('ingress-nginx', 'ingress-nginx', '10.244.9.3');
      const router = pod('builder').ports!.router;
      expect(mayConnect(policies, pod('gateway'), pod('builder'), router)).toBe(true);
      const others = [
        ...SERVICE_NAMES.filter((s) => s !== 'gateway').map((s) => [s, pod(s)] as const),
        ['ingress controller', ingressController] as const,
        ['a pod of another namespace', outside('shop', 'shop', '10.244.9.4')] as const,
      ];
      expect(others.filter(([, from]) => mayConnect(policies, from, pod('builder'), router)).map(([n]) => n)).toEqual([]);
      const gateway = pod('gateway');
      expect([gateway.ports!.api, gateway.ports!.edge].map((port) => mayConnect(policies, ingressController, gateway, port))).toEqual([true, true]);
      // nor does the gateway reach anything else of the builder's
      expect(mayConnect(policies, gateway, pod('builder'), pod('builder').ports!.ops)).toBe(false);
    });
  });

  it('overlays/cnpg: a 3-instance CloudNativePG Cluster with one login role and schema per service, passwords from Secrets', () => {
    // structural: no npm package ships CloudNativePG's CRD schema
    const cluster = readDocs(join(DIR, 'overlays/cnpg/postgres-cluster.yaml'))[0];
    expect([cluster.apiVersion, cluster.kind, cluster.spec.instances]).toEqual(['postgresql.cnpg.io/v1', 'Cluster', 3]);
    expect(cluster.spec.bootstrap.initdb.database).toBe('flightdeck');
    const sql = (cluster.spec.bootstrap.initdb.postInitApplicationSQL as string[]).join(';\n');
    const roles = cluster.spec.managed.roles as Doc[];
    expect(roles.map((r) => r.name).sort()).toEqual(SERVICE_NAMES.map((s) => serviceRole(SERVICE_SCHEMAS[s])).sort());
    for (const s of SERVICE_NAMES) {
      const schema = SERVICE_SCHEMAS[s];
      const role = roles.find((r) => r.name === serviceRole(schema))!;
      expect(role).toMatchObject({ ensure: 'present', login: true, superuser: false, createdb: false, createrole: false });
      // the role's password is the one in the service's DATABASE_URL
      const secret = secrets.get(role.passwordSecret.name)!;
      expect(secret).toEqual({ username: role.name, password: env[`FLIGHTDECK_DB_PASSWORD_${schema.toUpperCase()}`] });
      expect(new URL(secrets.get(`flightdeck-db-${schema}`)!.uri).host).toBe(`${cluster.metadata.name}-rw:5432`);
      expect(sql).toContain(`create schema ${schema} authorization ${role.name}`);
      expect(sql).toContain(`alter role ${role.name} set search_path = ${schema}`);
    }
  });

  describe('nats/values.yaml (the official NATS chart)', () => {
    const values = parse(readFileSync(join(DIR, 'nats/values.yaml'), 'utf8')) as Doc;

    it('is what `npm run nats-config -- --helm-values` renders from libs/contracts', () => {
      // a new bus permission changes it, as it changes deploy/nats/auth.conf
      if (readFileSync(join(DIR, 'nats/values.yaml'), 'utf8') !== natsHelmValues())
        throw new Error('deploy/kubernetes/nats/values.yaml is stale: npm run -s nats-config -- --helm-values > deploy/kubernetes/nats/values.yaml');
    });

    it('runs 3 nodes with JetStream on a volume each', () => {
      expect(values.config.cluster).toEqual({ enabled: true, replicas: 3 });
      expect(values.config.jetstream).toMatchObject({ enabled: true, fileStore: { enabled: true, pvc: { enabled: true } } });
      expect(values.config.monitor).toEqual({ enabled: true, port: 8222 });
    });

    it("has each service's user and admin, each password read from the Secret the services read theirs from", () => {
      const users = values.config.merge.authorization.users as Doc[];
      expect(users.map((u) => u.user)).toEqual([...SERVICE_NAMES, NATS_ADMIN_USER]);
      for (const u of users) {
        const variable = natsPasswordVariable(u.user);
        expect(u.password).toBe(`<< $${variable} >>`);
        expect(values.container.env[variable]).toEqual({ valueFrom: { secretKeyRef: { name: 'flightdeck-nats', key: u.user } } });
        expect(secrets.get('flightdeck-nats')![u.user]).toBe(env[variable]);
        if (u.user !== NATS_ADMIN_USER) expect(u.permissions.publish.allow.length).toBeGreaterThan(0);
      }
    });
  });

  it('secrets.sh refuses an env file without a value it needs, and names it', () => {
    const partial = join(tmp, 'partial.env');
    writeFileSync(partial, `FLIGHTDECK_ADMIN_TOKEN=${env.FLIGHTDECK_ADMIN_TOKEN}\n`);
    const run = spawnSync('bash', [join(DIR, 'secrets.sh'), partial], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('FLIGHTDECK_NATS_PASSWORD_GATEWAY is missing');
    expect(dirname(partial)).toBe(tmp);
  });
});
