import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { verify } from '@octokit/webhooks-methods';
import type { Deployment } from '@flightdeck/contracts';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, deploymentEnded, until } from '../support/http';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(400_000);

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: { version: number; event: string; deployment: Deployment };
}

const ALL = ['deployment.created', 'deployment.started', 'deployment.progress', 'deployment.succeeded', 'deployment.failed', 'deployment.canceled', 'deployment.rolled_back'];
const TIMEOUT_MS = 2_000;

// Issue 23 item 3 on the stack `npm start` runs: real deployments of a git repository, three
// receivers on 127.0.0.1 (the stack allows loopback receivers with FLIGHTDECK_HOOKS_ALLOW_PRIVATE):
// one healthy, one answering 500 three times, one that never answers.
describe('outgoing webhooks end to end', () => {
  let stack: Launched;
  let api: Api;
  let repo: GitRepo;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  let flakyLeft = 3;
  const hanging: (() => void)[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        received.push({ path: req.url!, headers: req.headers, raw, body: JSON.parse(raw) });
        if (req.url === '/hang') return hanging.push(() => res.destroy());
        if (req.url === '/flaky' && flakyLeft-- > 0) return res.writeHead(500).end('no');
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    stack = await startLauncher({ FLIGHTDECK_HOOKS_ALLOW_PRIVATE: 'true', FLIGHTDECK_HOOKS_TIMEOUT_MS: String(TIMEOUT_MS), FLIGHTDECK_HOOKS_RETRY_BASE_MS: '300' });
    api = new Api(stack.gatewayUrl, stack.token);
    repo = new GitRepo();
    repo.write(nodeApp('v1', { lines: 5 }));
    repo.commit('v1');
  });
  afterAll(async () => {
    hanging.forEach((end) => end());
    await stack?.stop();
    repo?.remove();
    await new Promise((r) => receiver?.close(r));
  });

  const deploy = async (projectId: string) => {
    const res = await api.call<Deployment>('POST', `/projects/${projectId}/deployments`, { sourceRef: 'main' });
    expect(res.status).toBe(201);
    const d = await deploymentEnded(api, res.body.id);
    expect(d.status).toBe('succeeded');
    return { d, ms: Date.parse(d.finishedAt!) - Date.parse(d.createdAt) };
  };
  const hook = async (projectId: string, path: string, events: string[]) => {
    const res = await api.call('POST', `/projects/${projectId}/hooks`, { url: `${base}${path}`, events });
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };

  it('a real deployment reaches the receiver event by event, signed; a 500 ×3 receiver gets it on the 4th try; a hanging one slows nothing', async () => {
    const project = (await api.call('POST', '/projects', { name: 'notified', repositoryUrl: repo.dir })).body;
    // without hooks first: the time a deployment takes here
    const baseline = await deploy(project.id);

    const ok = await hook(project.id, '/ok', ALL);
    const flaky = await hook(project.id, '/flaky', ['deployment.succeeded']);
    const slow = await hook(project.id, '/hang', ALL);
    const refused = await api.call('POST', `/projects/${project.id}/hooks`, { url: 'http://127.0.0.1:1/x', events: ['bogus'] });
    expect(refused.status).toBe(400);

    const hooked = await deploy(project.id);
    const events = await until('the healthy receiver to have the succeeded event', async () => {
      const got = received.filter((r) => r.path === '/ok' && r.body.deployment.id === hooked.d.id);
      return got.some((r) => r.body.event === 'deployment.succeeded') ? got : undefined;
    });
    const names = events.map((r) => r.body.event);
    expect(names.filter((n) => n === 'deployment.created')).toHaveLength(1);
    expect(names.filter((n) => n === 'deployment.started')).toHaveLength(1);
    expect(names.filter((n) => n === 'deployment.succeeded')).toHaveLength(1);
    expect(names).toContain('deployment.progress');
    expect(new Set(events.map((r) => r.headers['x-flightdeck-delivery'])).size).toBe(events.length);
    for (const r of events) expect(await verify(ok.secret, r.raw, r.headers['x-flightdeck-signature-256'] as string)).toBe(true);

    const tries = await until('the flaky receiver served on its fourth try', async () => {
      const got = received.filter((r) => r.path === '/flaky');
      return got.length >= 4 ? got : undefined;
    });
    expect(tries).toHaveLength(4);
    expect(new Set(tries.map((r) => r.headers['x-flightdeck-delivery'])).size).toBe(1);
    for (const r of tries) expect(await verify(flaky.secret, r.raw, r.headers['x-flightdeck-signature-256'] as string)).toBe(true);
    const [delivered] = (await api.call('GET', `/projects/${project.id}/hooks/${flaky.id}/deliveries`)).body.items;
    expect(delivered).toEqual(expect.objectContaining({ status: 'delivered', attempts: 4, responseStatus: 200 }));

    // the bound: a hanging receiver on the deployment's path would add its timeout (2 s) to each of
    // the n events of the deployment it is sent; the deployment with it took less than half of that
    // (and at least 3 s) more than the one without hooks
    await until('the hanging receiver to have been sent three events', async () => received.filter((r) => r.path === '/hang' && r.body.deployment.id === hooked.d.id).length >= 3);
    const n = new Set(received.filter((r) => r.path === '/hang' && r.body.deployment.id === hooked.d.id).map((r) => r.headers['x-flightdeck-delivery'])).size;
    const bound = baseline.ms + Math.max(3_000, (n * TIMEOUT_MS) / 2);
    console.log(`deployment without hooks ${baseline.ms} ms, with three hooks (one hanging, sent ${n} events) ${hooked.ms} ms, bound ${bound} ms`);
    expect(hooked.ms).toBeLessThan(bound);
    const cut = await until('an attempt to the hanging receiver cut off', async () =>
      (await api.call('GET', `/projects/${project.id}/hooks/${slow.id}/deliveries`)).body.items.find((x: { attempts: number }) => x.attempts >= 1),
    );
    expect(cut).toEqual(expect.objectContaining({ responseStatus: null, lastError: expect.stringMatching(/no answer within 2000 ms/) }));
  });
});
