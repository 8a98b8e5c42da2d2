import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment, LogLine } from '@flightdeck/contracts';
import { eventually, startFakeDockerEngine } from '@flightdeck/testing';
import { startFakeVercelApi } from '@flightdeck/testing'; // vercel (helper-vercel-netlify)
import { startFakeKubeApi } from '@flightdeck/testing'; // kubernetes (helper-kubernetes)
import { startFakeNetlifyApi } from '@flightdeck/testing'; // netlify (issue 21)
import { startFakeEcsApi } from '@flightdeck/testing'; // aws-ecs (issue 21)
import { startFakeLambdaApi, unzip } from '@flightdeck/testing'; // aws-lambda (issue 21)
import { startFakeRenderApi } from '@flightdeck/testing'; // render (issue 21)
import { startFakeRailwayApi } from '@flightdeck/testing'; // railway (issue 21)
import { GitRepo } from '../support/git-repo';
import { Api, deploymentEnded, getWithHost, hostOf } from '../support/http';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(400_000);

// Deployments released by an environment's provider instead of the internal one, through the API
// of the stack `npm start` runs: GitHub Pages against a real bare git repository, the custom provider
// against a receiver on 127.0.0.1 that checks the signature as a team's endpoint would.
describe('providers end to end', () => {
  let stack: Launched;
  let api: Api;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'fd-providers-e2e-'));
    stack = await startLauncher({ FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE: 'true' });
    api = new Api(stack.gatewayUrl, stack.token);
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const site = (title: string) => ({ 'index.html': `<!doctype html><title>${title}</title><h1>${title}</h1>\n` });
  const createProject = async (name: string, repo: GitRepo) => {
    const res = await api.call('POST', '/projects', { name, repositoryUrl: repo.dir });
    expect(res.status).toBe(201);
    const envs = await api.call<{ items: { id: string; name: string }[] }>('GET', `/projects/${res.body.id}/environments`);
    return { projectId: res.body.id as string, envId: envs.body.items.find((e) => e.name === 'production')!.id };
  };
  const configure = (projectId: string, envId: string, provider: unknown) => api.call('PATCH', `/projects/${projectId}/environments/${envId}`, { provider });
  const deploy = async (projectId: string, extra: Record<string, unknown> = {}): Promise<Deployment> => {
    const res = await api.call<Deployment>('POST', `/projects/${projectId}/deployments`, { sourceRef: 'main', ...extra });
    expect(res.status).toBe(201);
    return deploymentEnded(api, res.body.id);
  };
  const logOf = async (id: string) => (await api.call<{ items: LogLine[] }>('GET', `/deployments/${id}/logs?limit=5000`)).body.items.map((l) => l.message).join('\n');

  it('GitHub Pages: pushes to the branch of a real repository, reports the Pages URL, rolls back by pushing the earlier output; refuses bad settings and fails with the provider\'s message', async () => {
    const bare = join(tmp, 'pages.git');
    execFileSync('git', ['init', '-q', '--bare', bare]);
    const branchFile = (path: string) => execFileSync('git', ['--git-dir', bare, 'show', `gh-pages:${path}`], { encoding: 'utf8' });
    const repo = GitRepo.create(site('one'));
    const { projectId, envId } = await createProject('pages-site', repo);
    const pages = { name: 'github-pages', settings: { repository: `file://${bare}`, url: 'https://acme.github.io/pages-site/', tokenVariable: 'PAGES_TOKEN' } };

    // bad settings: refused by the API, naming the setting; nothing stored
    const bad = await configure(projectId, envId, { name: 'github-pages', settings: { repository: 'https://git.example.com/a/b.git' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation/invalid-input', details: { field: 'provider.settings.url' } });
    expect((await configure(projectId, envId, { name: 'netlify-ish', settings: {} })).body.error.message).toMatch(/name is not a provider this platform has/);
    const ok = await configure(projectId, envId, pages);
    expect(ok.status).toBe(200);
    expect(ok.body.provider).toEqual({ name: 'github-pages', settings: { ...pages.settings, branch: 'gh-pages' } });

    // its credential names a variable the environment does not have: failed before any clone
    const noToken = await deploy(projectId);
    expect(noToken).toMatchObject({ status: 'failed', errorCode: 'deployment/invalid-configuration' });
    expect(noToken.errorMessage).toContain('provider github-pages: settings.tokenVariable names the variable PAGES_TOKEN, which this environment does not have');
    expect(await logOf(noToken.id)).not.toMatch(/Cloning|Cloned/i);

    const token = 'ghp_e2e_token_never_logged';
    expect((await api.call('PUT', `/environments/${envId}/variables/PAGES_TOKEN`, { value: token, sensitive: true })).status).toBe(200);
    const first = await deploy(projectId);
    expect(first).toMatchObject({ status: 'succeeded', url: 'https://acme.github.io/pages-site/' });
    const firstLog = await logOf(first.id);
    expect(firstLog).toContain('Releases of this environment go to the github-pages provider');
    expect(firstLog).toMatch(/Pushed [0-9a-f]{12} to gh-pages of file:\/\/.*: GitHub Pages serves it at https:\/\/acme\.github\.io\/pages-site\//);
    expect(firstLog).not.toContain(token);
    expect(branchFile('index.html')).toContain('<h1>one</h1>');

    repo.write(site('two')).commit('two');
    const second = await deploy(projectId);
    expect(second.status).toBe('succeeded');
    expect(branchFile('index.html')).toContain('<h1>two</h1>');

    const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
    expect(rb.status).toBe(201);
    const rolledBack = await deploymentEnded(api, rb.body.id);
    expect(rolledBack).toMatchObject({ status: 'succeeded', url: 'https://acme.github.io/pages-site/' });
    expect(branchFile('index.html')).toContain('<h1>one</h1>');
    expect(execFileSync('git', ['--git-dir', bare, 'log', '--format=%s', 'gh-pages'], { encoding: 'utf8' }).split('\n')[0]).toBe(`Roll back to ${first.id}`);

    // the repository is gone: the provider's own message, as deployment/provider-error, the branch untouched elsewhere
    expect((await configure(projectId, envId, { ...pages, settings: { ...pages.settings, repository: `file://${tmp}/gone.git` } })).status).toBe(200);
    // (a rollback paused the environment: forced)
    const gone = await deploy(projectId, { force: true });
    expect(gone).toMatchObject({ status: 'failed', errorCode: 'deployment/provider-error' });
    expect(gone.errorMessage).toMatch(/github-pages: reading file:\/\/.*gone\.git failed \(git exit 128\)/);
  });

  it('Docker: builds the image on the engine (a fake of its API), runs it, serves its URL once healthy, rolls back without building; an engine failure is the provider\'s message', async () => {
    const engine = await startFakeDockerEngine();
    try {
      const server = (v: string) => ({
        'package.json': JSON.stringify({ name: 'docker-app', version: v, scripts: { start: 'node server.js' } }),
        'server.js': `require('http').createServer((q, s) => s.end('v${v}')).listen(process.env.PORT)\n`,
      });
      const repo = GitRepo.create(server('1'));
      const { projectId, envId } = await createProject('docker-app', repo);
      const docker = { name: 'docker', settings: { dockerHost: engine.dockerHost, drainSeconds: 0, healthTimeoutSeconds: 30 } };
      expect((await configure(projectId, envId, docker)).status).toBe(200);
      expect((await api.call('PUT', `/environments/${envId}/variables/API_KEY`, { value: 'docker-e2e-secret', sensitive: true })).status).toBe(200);

      // the environment's edge URL serves the healthy container (through the gateway's edge and the
      // builder's router); the container's own address is the deployment's preview
      const viaEdge = async (d: Deployment) => (await getWithHost(stack.edgePort, hostOf(d.url!))).body;
      const container = expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/);
      const first = await deploy(projectId);
      expect(first).toMatchObject({ status: 'succeeded', previewUrl: container });
      expect(new URL(first.url!).port).toBe(String(stack.edgePort));
      expect(await viaEdge(first)).toMatch(/^hello from flightdeck-docker-app-production-/);
      await expect(fetch(first.previewUrl!).then((r) => r.text())).resolves.toMatch(/^hello from flightdeck-docker-app-production-/);
      const log = await logOf(first.id);
      expect(log).toContain('Releases of this environment go to the docker provider');
      expect(log).toMatch(/Step 1\/\d+ : ARG NODE_IMAGE=node:\d+-bookworm-slim/);
      expect(log).toContain('healthy: GET / on http://127.0.0.1:');
      expect(log).not.toContain('docker-e2e-secret');
      // the image holds the build's artifact, runs `node server.js` as the unprivileged user node
      const [build] = engine.builds;
      expect(build.context.list()).toEqual([`${first.id}.tar.gz`, 'Dockerfile.flightdeck'].sort());
      expect(engine.findImage(build.tags[0])!.Config).toMatchObject({ User: 'node', Cmd: ['node', 'server.js'] });
      const running = () => [...engine.containers.values()].filter((c) => c.running);
      expect(running().map((c) => c.env('API_KEY'))).toEqual(['docker-e2e-secret']);

      repo.write(server('2')).commit('two');
      const second = await deploy(projectId);
      expect(second).toMatchObject({ status: 'succeeded', url: first.url });
      expect(running().map((c) => c.spec.Image)).toEqual([engine.builds[1].tags[0]]);
      expect(await viaEdge(second)).toContain(`(${engine.builds[1].tags[0]})`);

      const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
      expect(rb.status).toBe(201);
      const rolledBack = await deploymentEnded(api, rb.body.id);
      expect(rolledBack).toMatchObject({ status: 'succeeded', url: first.url, previewUrl: container });
      expect(engine.builds).toHaveLength(2);
      expect(running().map((c) => c.spec.Image)).toEqual([build.tags[0]]);
      expect(await viaEdge(rolledBack)).toContain(`(${build.tags[0]})`);

      // a repository with its own Dockerfile: the builder installs and builds nothing, the engine builds that Dockerfile
      const own = GitRepo.create({
        Dockerfile: 'FROM node:22-bookworm-slim\nWORKDIR /app\nCOPY server.js ./\nEXPOSE 8080\nUSER node\nCMD ["node","server.js"]\n',
        'server.js': server('3')['server.js'],
        'package.json': JSON.stringify({ name: 'own-dockerfile', scripts: { build: 'exit 1' } }),
      });
      const ownProject = await createProject('docker-own', own);
      expect((await configure(ownProject.projectId, ownProject.envId, docker)).status).toBe(200);
      const built = await deploy(ownProject.projectId);
      expect(built).toMatchObject({ status: 'succeeded', previewUrl: container });
      expect(await logOf(built.id)).toContain('The Docker provider builds the image from this Dockerfile on its engine: nothing is installed or built here');
      const ownBuild = engine.builds.at(-1)!;
      expect(ownBuild.query.dockerfile).toBe('Dockerfile');
      expect(ownBuild.context.list()).toEqual(['Dockerfile', 'package.json', 'server.js']);
      expect(engine.requestsTo('POST', /^\/containers\/create$/).at(-1)!.body).toMatchObject({ Env: expect.arrayContaining(['PORT=8080']), ExposedPorts: { '8080/tcp': {} } });

      // the engine fails every build: retried, then deployment/provider-error with its message (a rollback paused the environment: forced)
      engine.failNext({ method: 'POST', path: /^\/build$/ }, 500, 'write /var/lib/docker/tmp: no space left on device', 3);
      const failed = await deploy(projectId, { force: true });
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'deployment/provider-error' });
      expect(failed.errorMessage).toContain('docker: build the image: HTTP 500: write /var/lib/docker/tmp: no space left on device');
      expect(running().filter((c) => c.name.startsWith('flightdeck-docker-app-')).map((c) => c.spec.Image)).toEqual([build.tags[0]]);
    } finally {
      await engine.stop();
    }
  });

  it('custom: a signed webhook per deploy and rollback to a receiver, which answers the URL or reports it with its credential; its 500s end in deployment/provider-error with its message', async () => {
    const SECRET = 'whsec_e2e_custom_never_logged';
    const got: { event: string; signed: boolean; body: Record<string, unknown> }[] = [];
    let failing = false;
    // reporting: the receiver answers 202 and reports a log line and its URL with the credential it was sent
    let reporting: { otherDeploymentId: string } | null = null;
    const reports: { what: string; status: number; code?: string }[] = [];
    let credential: { token: string; path: string; expiresAt: string } | null = null;
    const report = async (what: string, path: string, token: string, body: unknown) => {
      const res = await fetch(`${stack.gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
      const json = (await res.json()) as { error?: { code: string } };
      reports.push({ what, status: res.status, code: json.error?.code });
    };
    const receiver: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const signed = req.headers['x-flightdeck-signature-256'] === `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`;
        const body = JSON.parse(raw.toString('utf8'));
        got.push({ event: String(req.headers['x-flightdeck-event']), signed, body });
        if (!signed) return res.writeHead(401).end('{"message":"bad signature"}');
        if (failing) return res.writeHead(500, { 'x-request-id': 'recv-500' }).end('{"message":"cluster on fire"}');
        const id = (body.deployment as { id: string }).id;
        if (reporting) {
          const other = reporting.otherDeploymentId;
          const c = (credential = body.publisher as { token: string; path: string; expiresAt: string });
          res.writeHead(202, { 'content-type': 'application/json' }).end('{}');
          void (async () => {
            await report('another deployment', c.path.replace(id, other), c.token, { kind: 'log', lines: ['not mine'] });
            await report('log', c.path, c.token, { kind: 'log', lines: ['receiver: rolled out by our own deployer'] });
            await report('result', c.path, c.token, { kind: 'result', outcome: 'succeeded', url: `https://reported.example/${id.slice(0, 8)}/` });
          })();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: `https://apps.internal.example/${id.slice(0, 8)}/`, id: `rel-${id.slice(0, 8)}`, logs: [`receiver: ${body.event} accepted`] }));
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/flightdeck`;
      const repo = GitRepo.create(site('custom one'));
      const { projectId, envId } = await createProject('custom-site', repo);
      expect((await configure(projectId, envId, { name: 'custom', settings: { url, secretVariable: 'HOOK_SECRET' } })).status).toBe(200);
      expect((await api.call('PUT', `/environments/${envId}/variables/HOOK_SECRET`, { value: SECRET, sensitive: true })).status).toBe(200);
      expect((await api.call('PUT', `/environments/${envId}/variables/PUBLIC_NAME`, { value: 'custom-site', sensitive: false })).status).toBe(200);

      const first = await deploy(projectId);
      expect(first).toMatchObject({ status: 'succeeded', url: `https://apps.internal.example/${first.id.slice(0, 8)}/` });
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ event: 'deployment.deploy', signed: true, body: { deployment: { id: first.id, projectId, projectName: 'custom-site', environmentName: 'production' } } });
      expect(got[0].body.variables).toEqual({ PUBLIC_NAME: 'custom-site' });
      expect(got[0].body.sensitiveVariables).toEqual(['HOOK_SECRET']);
      const firstLog = await logOf(first.id);
      expect(firstLog).toContain('receiver: deployment.deploy accepted');
      expect(firstLog).toContain(`${url} serves it at https://apps.internal.example/${first.id.slice(0, 8)}/`);
      expect(firstLog).not.toContain(SECRET);

      repo.write(site('custom two')).commit('two');
      reporting = { otherDeploymentId: first.id };
      const second = await deploy(projectId);
      reporting = null;
      expect(second).toMatchObject({ status: 'succeeded', provider: 'custom', url: `https://reported.example/${second.id.slice(0, 8)}/` });
      expect(credential!.path).toBe(`/api/v1/deployments/${second.id}/provider-report`);
      // the result's own answer may come after the deployment ended on it
      await eventually('the three reports answered', () => reports.length === 3);
      expect(reports).toEqual([
        { what: 'another deployment', status: 403, code: 'publisher/wrong-deployment' },
        { what: 'log', status: 202, code: undefined },
        { what: 'result', status: 202, code: undefined },
      ]);
      const secondLog = await logOf(second.id);
      expect(secondLog).toContain('receiver: rolled out by our own deployer');
      expect(secondLog).not.toContain(credential!.token);
      // the deployment ended: its credential with it
      await report('after the end', credential!.path, credential!.token, { kind: 'log', lines: ['too late'] });
      expect(reports.at(-1)).toEqual({ what: 'after the end', status: 401, code: 'publisher/credential-invalid' });
      const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
      expect(rb.status).toBe(201);
      const rolledBack = await deploymentEnded(api, rb.body.id);
      expect(rolledBack).toMatchObject({ status: 'succeeded', url: `https://apps.internal.example/${rb.body.id.slice(0, 8)}/` });
      expect(got.at(-1)).toMatchObject({ event: 'deployment.rollback', signed: true, body: { rollback: { toDeploymentId: first.id } } });

      failing = true;
      const before = got.length;
      const failed = await deploy(projectId, { force: true });
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'deployment/provider-error' });
      expect(failed.errorMessage).toBe('custom: HTTP 500 Internal Server Error: cluster on fire (request id recv-500)');
      expect(got.length - before).toBe(3); // retried: 3 attempts in all
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  // vercel (helper-vercel-netlify)
  it('Vercel: uploads the static output to its API (a local fake), its build events in the log, succeeds with the production alias, rolls back by promoting; its 500s end in deployment/provider-error with its message', async () => {
    const TOKEN = 'vercel_e2e_token_never_logged';
    const vercel = await startFakeVercelApi(TOKEN);
    try {
      vercel.addProject('vercel-site');
      vercel.build = () => ({ lines: ['static output: nothing to build'] });
      const repo = GitRepo.create(site('vercel one'));
      const { projectId, envId } = await createProject('vercel-site', repo);
      expect((await configure(projectId, envId, { name: 'vercel', settings: { project: 'vercel-site', tokenVariable: 'VERCEL_TOKEN', apiUrl: vercel.url } })).status).toBe(200);
      expect((await api.call('PUT', `/environments/${envId}/variables/VERCEL_TOKEN`, { value: TOKEN, sensitive: true })).status).toBe(200);

      const first = await deploy(projectId);
      expect(first).toMatchObject({ status: 'succeeded', provider: 'vercel', url: 'https://vercel-site.vercel.app' });
      const log = await logOf(first.id);
      expect(log).toContain('Releases of this environment go to the vercel provider');
      expect(log).toContain('vercel: static output: nothing to build');
      expect(log).toMatch(/Vercel deployment dpl_\S+: BUILDING[\s\S]*Vercel deployment dpl_\S+: READY/);
      expect(log).not.toContain(TOKEN);
      const firstOnVercel = [...vercel.deployments.values()].find((d) => d.meta.flightdeckDeploymentId === first.id)!;
      expect(vercel.files.get(firstOnVercel.files.find((f) => f.file === 'index.html')!.sha)!.toString()).toContain('<h1>vercel one</h1>');
      expect(vercel.requestsTo('POST', /^\/v2\/files$/).every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);

      repo.write(site('vercel two')).commit('two');
      const second = await deploy(projectId);
      expect(second).toMatchObject({ status: 'succeeded', url: 'https://vercel-site.vercel.app' });
      expect(vercel.project('vercel-site')!.productionDeploymentId).not.toBe(firstOnVercel.id);

      const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
      expect(rb.status).toBe(201);
      expect(await deploymentEnded(api, rb.body.id)).toMatchObject({ status: 'succeeded', url: 'https://vercel-site.vercel.app' });
      // promoted without a build: no new deployment on Vercel
      expect(vercel.project('vercel-site')!.productionDeploymentId).toBe(firstOnVercel.id);
      expect(vercel.requestsTo('POST', /\/promote\//)).toHaveLength(1);
      expect(vercel.deployments.size).toBe(2);

      // Vercel answers 500 to every deployment create: retried, then its message and x-vercel-id (a rollback paused the environment: forced)
      vercel.failNext({ method: 'POST', path: /^\/v13\/deployments$/, status: 500, message: 'An unexpected internal error occurred', code: 'internal_server_error', times: 3 });
      const failed = await deploy(projectId, { force: true });
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'deployment/provider-error' });
      expect(failed.errorMessage).toMatch(/^vercel: HTTP 500 Internal Server Error: An unexpected internal error occurred \(request id [0-9a-f-]{36}\)$/);
    } finally {
      await vercel.stop();
    }
  });

  // kubernetes (helper-kubernetes)
  it('Kubernetes: the image built on a Docker engine and pushed (fakes of both APIs), the Deployment applied and its rollout followed to the host\'s URL, rollback to the earlier ReplicaSet; a rollout that never gets ready ends deployment/provider-error with the pod\'s reason', async () => {
    const engine = await startFakeDockerEngine();
    const kube = await startFakeKubeApi();
    try {
      const server = (v: string) => ({
        'package.json': JSON.stringify({ name: 'kube-app', version: v, scripts: { start: 'node server.js' } }),
        'server.js': `require('http').createServer((q, s) => s.end('v${v}')).listen(process.env.PORT)\n`,
      });
      const repo = GitRepo.create(server('1'));
      const { projectId, envId } = await createProject('kube-app', repo);
      const settings = { kubeconfigVariable: 'KUBECONFIG', host: '{environment}.{project}.apps.example.com', dockerHost: engine.dockerHost, registry: 'registry.example.com/team', progressDeadlineSeconds: 2 };
      expect((await configure(projectId, envId, { name: 'kubernetes', settings })).status).toBe(200);
      expect((await api.call('PUT', `/environments/${envId}/variables/KUBECONFIG`, { value: kube.kubeconfig(), sensitive: true })).status).toBe(200);
      expect((await api.call('PUT', `/environments/${envId}/variables/API_KEY`, { value: 'kube-e2e-secret', sensitive: true })).status).toBe(200);
      const deployment = () => kube.get('Deployment', 'flightdeck-kube-app', 'kube-app-production')!;

      const first = await deploy(projectId);
      expect(first).toMatchObject({ status: 'succeeded', url: 'https://production.kube-app.apps.example.com', provider: 'kubernetes' });
      const log = await logOf(first.id);
      expect(log).toContain('Releases of this environment go to the kubernetes provider');
      expect(log).toContain(`docker push registry.example.com/team/flightdeck/kube-app-production:${first.id}`);
      expect(log).toContain('1/1 pods ready');
      expect(log).toContain('rolled out: revision 1 of flightdeck-kube-app/kube-app-production');
      expect(log).not.toContain('kube-e2e-secret');
      const pod = deployment().spec.template;
      expect(pod.metadata.labels).toEqual({ 'flightdeck.dev/project': 'kube-app', 'flightdeck.dev/environment': 'production', 'flightdeck.dev/deployment': first.id });
      expect(pod.spec.containers[0]).toMatchObject({ image: engine.pushes[0].ref, env: expect.arrayContaining([{ name: 'API_KEY', valueFrom: { secretKeyRef: { name: `kube-app-production-env-${first.id.slice(0, 8)}`, key: 'API_KEY' } } }]) });
      expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(JSON.stringify(pod)).not.toContain('kube-e2e-secret');

      repo.write(server('2')).commit('two');
      const second = await deploy(projectId);
      expect(second.status).toBe('succeeded');
      expect(deployment().spec.template.spec.containers[0].image).toBe(engine.pushes[1].ref);

      const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
      expect(rb.status).toBe(201);
      expect(await deploymentEnded(api, rb.body.id)).toMatchObject({ status: 'succeeded', url: 'https://production.kube-app.apps.example.com' });
      expect(engine.builds).toHaveLength(2);
      expect(deployment().spec.template.spec.containers[0].image).toBe(engine.pushes[0].ref);
      expect(deployment().metadata.annotations!['deployment.kubernetes.io/revision']).toBe('3');
      expect(await logOf(rb.body.id)).toMatch(/rolling back to revision 1 \(deployment [0-9a-f-]+\): its pod template applied again, nothing built/);

      // the image cannot be pulled: past the progress deadline, the pod's reason and events (a rollback paused the environment: forced)
      kube.podBehaviour = () => ({ ready: false, imagePullError: 'manifest for registry.example.com/team/flightdeck/kube-app-production not found: manifest unknown' });
      repo.write(server('3')).commit('three');
      const failed = await deploy(projectId, { force: true });
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'deployment/provider-error' });
      expect(failed.errorMessage).toMatch(/^kubernetes: the rollout of flightdeck-kube-app\/kube-app-production failed: deployment "kube-app-production" exceeded its progress deadline .*pod kube-app-production-\w+-\w+: ImagePullBackOff .*manifest unknown/);
    } finally {
      await kube.stop();
      await engine.stop();
    }
  });

  // netlify (issue 21)
  it('Netlify: a file-digest deploy of the static output to its API (a local fake), followed to ready in the log, succeeds with the site URL, rolls back by restoring the earlier deploy; its 503s end in deployment/provider-error with its message', async () => {
    const TOKEN = 'nfp_e2e_token_never_logged';
    const netlify = await startFakeNetlifyApi(TOKEN);
    try {
      const nsite = netlify.addSite('netlify-site');
      const repo = GitRepo.create(site('netlify one'));
      const { projectId, envId } = await createProject('netlify-site', repo);
      expect((await configure(projectId, envId, { name: 'netlify', settings: { siteId: nsite.id, tokenVariable: 'NETLIFY_TOKEN', apiUrl: netlify.url } })).status).toBe(200);
      expect((await api.call('PUT', `/environments/${envId}/variables/NETLIFY_TOKEN`, { value: TOKEN, sensitive: true })).status).toBe(200);
      const deployOf = (id: string) => [...netlify.deploys.values()].find((d) => d.title?.startsWith(`Flightdeck ${id} `))!;

      const first = await deploy(projectId);
      expect(first).toMatchObject({ status: 'succeeded', provider: 'netlify', url: 'https://netlify-site.netlify.app' });
      const log = await logOf(first.id);
      expect(log).toContain('Releases of this environment go to the netlify provider');
      expect(log).toMatch(/Netlify deploy \w+ created \(uploading\)[\s\S]*Netlify deploy \w+: processing[\s\S]*Netlify deploy \w+: ready/);
      expect(log).not.toContain(TOKEN);
      const firstOnNetlify = deployOf(first.id);
      expect(netlify.files.get(firstOnNetlify.files['/index.html'])!.toString()).toContain('<h1>netlify one</h1>');

      repo.write(site('netlify two')).commit('two');
      const second = await deploy(projectId);
      expect(second).toMatchObject({ status: 'succeeded', url: 'https://netlify-site.netlify.app' });
      expect(nsite.publishedDeployId).toBe(deployOf(second.id).id);

      const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
      expect(rb.status).toBe(201);
      expect(await deploymentEnded(api, rb.body.id)).toMatchObject({ status: 'succeeded', url: 'https://netlify-site.netlify.app' });
      // restored without a new deploy or upload
      expect(netlify.requestsTo('POST', /\/restore$/).map((r) => r.path)).toEqual([`/api/v1/sites/${nsite.id}/deploys/${firstOnNetlify.id}/restore`]);
      expect(nsite.publishedDeployId).toBe(firstOnNetlify.id);
      expect(netlify.deploys.size).toBe(2);

      // Netlify answers 503 to every deploy create: retried, then its message and x-nf-request-id (a rollback paused the environment: forced)
      netlify.failNext({ method: 'POST', path: /\/deploys$/, status: 503, message: 'upstream unavailable', times: 3 });
      const failed = await deploy(projectId, { force: true });
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'deployment/provider-error' });
      expect(failed.errorMessage).toBe(`netlify: HTTP 503 Service Unavailable: upstream unavailable (request id ${netlify.requestsTo('POST', /\/deploys$/).at(-1)!.requestId})`);
      expect(nsite.publishedDeployId).toBe(firstOnNetlify.id);
    } finally {
      await netlify.stop();
    }
  });

  // aws-ecs (issue 21)
  it('AWS ECS: a task definition revision running the commit\'s image registered and the service updated on its API (a local fake, SigV4 with the documented example keys), the rollout\'s events in the log, succeeds with the service\'s URL, rolls back to the earlier revision; refused credentials end in deployment/invalid-configuration with AWS\'s message', async () => {
    const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const ecs = await startFakeEcsApi('eu-west-1');
    try {
      ecs.accessKeys.clear();
      ecs.accessKeys.set(KEY_ID, SECRET);
      const svc = ecs.addService('prod', 'ecs-site');
      const repo = GitRepo.create(site('ecs one'));
      const { projectId, envId } = await createProject('ecs-site', repo);
      const settings = {
        region: 'eu-west-1',
        cluster: 'prod',
        service: 'ecs-site',
        image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecs-site:{commitSha}',
        url: 'https://ecs-site.example.com/',
        endpoint: ecs.url,
        accessKeyIdVariable: 'AWS_ACCESS_KEY_ID',
        secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY',
        pollIntervalMs: 100,
      };
      expect((await configure(projectId, envId, { name: 'aws-ecs', settings })).status).toBe(200);
      for (const [key, value, sensitive] of [['AWS_ACCESS_KEY_ID', KEY_ID, true], ['AWS_SECRET_ACCESS_KEY', SECRET, true], ['GREETING', 'hello', false]] as const) {
        expect((await api.call('PUT', `/environments/${envId}/variables/${key}`, { value, sensitive })).status).toBe(200);
      }
      const registered = () => ecs.calls('RegisterTaskDefinition').map((r) => r.body as { containerDefinitions: { image: string; environment: { name: string; value: string }[] }[]; tags: { key: string; value: string }[] });

      const first = await deploy(projectId);
      expect(first).toMatchObject({ status: 'succeeded', provider: 'aws-ecs', url: 'https://ecs-site.example.com/' });
      const log = await logOf(first.id);
      expect(log).toContain('Releases of this environment go to the aws-ecs provider');
      expect(log).toContain('Registered arn:aws:ecs:eu-west-1:123456789012:task-definition/ecs-site:2');
      expect(log).toContain('(service ecs-site) has reached a steady state.');
      expect(log).toContain('Rollout COMPLETED: 2/2 running');
      expect(log).not.toContain(SECRET);
      expect(ecs.requests.every((r) => String(r.headers.authorization).startsWith(`AWS4-HMAC-SHA256 Credential=${KEY_ID}/`))).toBe(true);
      const [td] = registered();
      expect(td.containerDefinitions[0].image).toBe(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecs-site:${first.commitSha}`);
      // the deployment's variables, not the deployer's keys
      expect(td.containerDefinitions[0].environment).toContainEqual({ name: 'GREETING', value: 'hello' });
      expect(JSON.stringify(td)).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|EXAMPLEKEY/);
      expect(td.tags).toEqual([{ key: 'flightdeck:deployment', value: first.id }]);

      repo.write(site('ecs two')).commit('two');
      const second = await deploy(projectId);
      expect(second.status).toBe('succeeded');
      expect(svc.taskDefinition).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/ecs-site:3');

      const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
      expect(rb.status).toBe(201);
      expect(await deploymentEnded(api, rb.body.id)).toMatchObject({ status: 'succeeded', url: 'https://ecs-site.example.com/' });
      // the service back on the first deployment's revision, nothing registered
      expect(svc.taskDefinition).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/ecs-site:2');
      expect(ecs.calls('UpdateService').at(-1)!.body).toEqual({ cluster: 'prod', service: 'ecs-site', taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/ecs-site:2' });
      expect(registered()).toHaveLength(2);

      // a secret key that is not the key's own: AWS refuses the signature before any build (a rollback paused the environment: forced)
      const WRONG = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYNOTTHEKEY0';
      expect((await api.call('PUT', `/environments/${envId}/variables/AWS_SECRET_ACCESS_KEY`, { value: WRONG, sensitive: true })).status).toBe(200);
      const refused = await deploy(projectId, { force: true });
      expect(refused).toMatchObject({ status: 'failed', errorCode: 'deployment/invalid-configuration' });
      expect(refused.errorMessage).toMatch(
        /provider aws-ecs: settings\.accessKeyIdVariable \(with settings\.secretAccessKeyVariable\) names credentials AWS refused while trying to read the service: InvalidSignatureException: The request signature we calculated does not match the signature you provided\..* \(request id [0-9a-f-]{36}\)$/,
      );
      expect(await logOf(refused.id)).not.toContain(WRONG);
      expect(registered()).toHaveLength(2);
    } finally {
      await ecs.stop();
    }
  });

  // aws-lambda (issue 21)
  it('AWS Lambda: the Node build zipped as the function\'s code on its API (a local fake, SigV4 with the documented example keys), each update followed in the log, a version published and the alias moved, succeeds with the alias ARN, rolls back by moving the alias back; its 500s end in deployment/provider-error with its message before any build', async () => {
    const KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
    const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const lambda = await startFakeLambdaApi('eu-west-1');
    try {
      lambda.accessKeys.clear();
      lambda.accessKeys.set(KEY_ID, SECRET);
      const fn = lambda.addFunction('lambda-api');
      const handler = (v: string) => ({
        'package.json': JSON.stringify({ name: 'lambda-api', version: v, scripts: { start: 'node index.js' } }),
        'index.js': `exports.handler = async () => ({ statusCode: 200, body: 'v${v}' });\n`,
      });
      const repo = GitRepo.create(handler('1'));
      const { projectId, envId } = await createProject('lambda-api', repo);
      const settings = { region: 'eu-west-1', functionName: 'lambda-api', endpoint: lambda.url, accessKeyIdVariable: 'AWS_ACCESS_KEY_ID', secretAccessKeyVariable: 'AWS_SECRET_ACCESS_KEY', pollIntervalMs: 100 };
      expect((await configure(projectId, envId, { name: 'aws-lambda', settings })).status).toBe(200);
      for (const [key, value, sensitive] of [['AWS_ACCESS_KEY_ID', KEY_ID, true], ['AWS_SECRET_ACCESS_KEY', SECRET, true], ['GREETING', 'hello', false]] as const) {
        expect((await api.call('PUT', `/environments/${envId}/variables/${key}`, { value, sensitive })).status).toBe(200);
      }
      const ALIAS = 'arn:aws:lambda:eu-west-1:123456789012:function:lambda-api:live';

      const first = await deploy(projectId);
      expect(first).toMatchObject({ status: 'succeeded', provider: 'aws-lambda', url: ALIAS });
      const log = await logOf(first.id);
      expect(log).toContain('Releases of this environment go to the aws-lambda provider');
      expect(log).toContain('Function code update: state Active, last update Successful');
      expect(log).toContain('Published version 1 of lambda-api');
      expect(log).toContain('Alias live created on version 1');
      expect(log).not.toContain(SECRET);
      expect(unzip(fn.versions[0].code!).get('index.js')!.toString()).toContain("body: 'v1'");
      // the deployment's variables, not the deployer's keys
      expect(fn.versions[0].environment).toMatchObject({ GREETING: 'hello' });
      expect(Object.keys(fn.versions[0].environment)).not.toContain('AWS_SECRET_ACCESS_KEY');

      repo.write(handler('2')).commit('two');
      const second = await deploy(projectId);
      expect(second).toMatchObject({ status: 'succeeded', url: ALIAS });
      expect(fn.aliases.get('live')!.version).toBe('2');

      const uploads = lambda.requestsTo('PUT', /\/code$/).length;
      const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
      expect(rb.status).toBe(201);
      expect(await deploymentEnded(api, rb.body.id)).toMatchObject({ status: 'succeeded', url: ALIAS });
      expect(fn.aliases.get('live')!.version).toBe('1');
      expect(lambda.requestsTo('PUT', /\/code$/)).toHaveLength(uploads);
      expect(await logOf(rb.body.id)).toContain('Alias live moved from version 2 to 1');

      // Lambda answers 500 to every read of the function: retried, then its message and x-amzn-RequestId, before any build (a rollback paused the environment: forced)
      lambda.failNext({ method: 'GET', path: /\/configuration$/, status: 500, code: 'ServiceException', message: 'Lambda is having a moment', times: 3 });
      const failed = await deploy(projectId, { force: true });
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'deployment/provider-error' });
      expect(failed.errorMessage).toContain(`aws-lambda: read the function: ServiceException (HTTP 500): Lambda is having a moment (request id ${lambda.requestsTo('GET', /\/configuration$/).at(-1)!.requestId})`);
      expect(lambda.requestsTo('PUT', /\/code$/)).toHaveLength(uploads);
      expect(fn.aliases.get('live')!.version).toBe('1');
    } finally {
      await lambda.stop();
    }
  });

  // render (issue 21)
  it('Render: a deploy of the commit triggered on its API (a local fake), its build log in ours, succeeds with the service URL, rolls back through Render\'s rollback; its 503s end in deployment/provider-error with its message', async () => {
    const KEY = 'rnd_e2e_key_never_logged';
    const render = await startFakeRenderApi();
    try {
      render.apiKeys.clear();
      render.apiKeys.add(KEY);
      const svc = render.addService('render-site');
      const repo = GitRepo.create(site('render one'));
      const { projectId, envId } = await createProject('render-site', repo);
      expect((await configure(projectId, envId, { name: 'render', settings: { serviceId: svc.id, apiKeyVariable: 'RENDER_API_KEY', apiUrl: `${render.url}/v1`, pollIntervalMs: 100 } })).status).toBe(200);
      expect((await api.call('PUT', `/environments/${envId}/variables/RENDER_API_KEY`, { value: KEY, sensitive: true })).status).toBe(200);

      const first = await deploy(projectId);
      expect(first).toMatchObject({ status: 'succeeded', provider: 'render', url: 'https://render-site.onrender.com' });
      const log = await logOf(first.id);
      expect(log).toContain('Releases of this environment go to the render provider');
      expect(log).toMatch(/==> Cloning from https:\/\/github\.com\/acme\/render-site[\s\S]*==> Build successful 🎉[\s\S]*Render deploy dep-\w+: live \(succeeded\)/);
      expect(log).not.toContain(KEY);
      const firstOnRender = svc.deploys.at(-1)!;
      expect(firstOnRender).toMatchObject({ commit: { id: first.commitSha }, status: 'live' });

      repo.write(site('render two')).commit('two');
      const second = await deploy(projectId);
      expect(second).toMatchObject({ status: 'succeeded', url: 'https://render-site.onrender.com' });
      expect(firstOnRender.status).toBe('deactivated');

      const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
      expect(rb.status).toBe(201);
      expect(await deploymentEnded(api, rb.body.id)).toMatchObject({ status: 'succeeded', url: 'https://render-site.onrender.com' });
      expect(render.requestsTo('POST', /\/rollback$/).map((r) => r.body)).toEqual([{ deployId: firstOnRender.id }]);
      expect(svc.deploys[0]).toMatchObject({ trigger: 'rollback', status: 'live', commit: { id: first.commitSha } });

      // Render answers 503 to every deploy trigger: retried, then its message and x-request-id (a rollback paused the environment: forced)
      render.failNext({ method: 'POST', path: /\/deploys$/, status: 503, message: 'service unavailable', times: 3 });
      const failed = await deploy(projectId, { force: true });
      expect(failed).toMatchObject({ status: 'failed', errorCode: 'deployment/provider-error' });
      expect(failed.errorMessage).toBe(`render: HTTP 503 Service Unavailable: service unavailable (request id ${render.requestsTo('POST', /\/deploys$/).at(-1)!.requestId})`);
    } finally {
      await render.stop();
    }
  });

  // railway (issue 21)
  it('Railway: a deployment of the commit through its GraphQL API (a local fake), its build log in ours, succeeds with its domain, rolls back with deploymentRollback; a token it refuses ends in deployment/invalid-configuration with its message', async () => {
    const TOKEN = 'railway_e2e_token_never_logged';
    const railway = await startFakeRailwayApi();
    try {
      railway.tokens.clear();
      railway.tokens.add(TOKEN);
      const ids = railway.addService('railway-site');
      const repo = GitRepo.create(site('railway one'));
      const { projectId, envId } = await createProject('railway-site', repo);
      expect((await configure(projectId, envId, { name: 'railway', settings: { serviceId: ids.serviceId, environmentId: ids.environmentId, tokenVariable: 'RAILWAY_TOKEN', apiUrl: `${railway.url}/graphql`, pollIntervalMs: 100 } })).status).toBe(200);
      expect((await api.call('PUT', `/environments/${envId}/variables/RAILWAY_TOKEN`, { value: TOKEN, sensitive: true })).status).toBe(200);
      const DOMAIN = 'https://railway-site-production.up.railway.app';

      const first = await deploy(projectId);
      expect(first).toMatchObject({ status: 'succeeded', provider: 'railway', url: DOMAIN });
      const log = await logOf(first.id);
      expect(log).toContain('Releases of this environment go to the railway provider');
      expect(log).toMatch(/\[nixpacks\] install npm ci[\s\S]*Build time: 12\.3 seconds[\s\S]*Railway deployment [0-9a-f-]{36}: SUCCESS \(succeeded\)/);
      expect(log).not.toContain(TOKEN);
      const firstOnRailway = railway.deployments.at(-1)!;
      expect(firstOnRailway.commitSha).toBe(first.commitSha);

      repo.write(site('railway two')).commit('two');
      const second = await deploy(projectId);
      expect(second).toMatchObject({ status: 'succeeded', url: DOMAIN });
      expect(firstOnRailway.status).toBe('REMOVED');

      const rb = await api.call<Deployment>('POST', `/deployments/${second.id}/rollback`, { targetDeploymentId: first.id });
      expect(rb.status).toBe(201);
      expect(await deploymentEnded(api, rb.body.id)).toMatchObject({ status: 'succeeded', url: DOMAIN });
      expect(railway.calls('deploymentRollback').map((r) => (r.body as { variables: unknown }).variables)).toEqual([{ id: firstOnRailway.id }]);
      expect(railway.deployments[0]).toMatchObject({ status: 'SUCCESS', commitSha: first.commitSha });

      // the token is revoked on Railway: Not Authorized (a GraphQL error, HTTP 200) before any build (a rollback paused the environment: forced)
      railway.tokens.clear();
      const refused = await deploy(projectId, { force: true });
      expect(refused).toMatchObject({ status: 'failed', errorCode: 'deployment/invalid-configuration' });
      expect(refused.errorMessage).toContain(`provider railway: settings.tokenVariable holds a token Railway refuses: Not Authorized (request id ${railway.requests.at(-1)!.requestId})`);
      expect(railway.calls('serviceInstanceDeployV2')).toHaveLength(2);
    } finally {
      await railway.stop();
    }
  });
});
