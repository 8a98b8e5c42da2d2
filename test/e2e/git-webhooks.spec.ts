import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import type { Deployment, WebhookDelivery } from '@flightdeck/contracts';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, deploymentEnded, getWithHost, hostOf, until } from '../support/http';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(400_000);

// An app that says which commit it is and whether it was given the project's secret.
const app = (version: string) => ({
  ...nodeApp(version, { lines: 5 }),
  'server.js': `require('http').createServer((q, r) => r.end('version ${version} token ' + (process.env.TOKEN ? 'set' : 'unset'))).listen(process.env.PORT, '127.0.0.1');`,
});

// Issue 16 item 3 on the stack `npm start` runs, with a real git repository: GitHub's deliveries
// are played by the test, signed with the project's webhook secret as GitHub signs them.
describe('git webhooks: push-to-deploy and pull-request previews end to end', () => {
  let stack: Launched;
  let api: Api;
  let repo: GitRepo;
  let project: { id: string; name: string };
  let secret: string;

  beforeAll(async () => {
    stack = await startLauncher();
    api = new Api(stack.gatewayUrl, stack.token);
    repo = new GitRepo();
    repo.write(app('v1'));
    repo.commit('v1');
    const created = await api.call('POST', '/projects', { name: 'hooked', repositoryUrl: repo.dir });
    expect(created.status).toBe(201);
    project = created.body;
    const token = await api.call('PUT', `/projects/${project.id}/variables/TOKEN`, { value: 'tok-secret-value', sensitive: true });
    expect(token.status).toBe(200);
    const made = await api.call('POST', `/projects/${project.id}/webhook/secret`);
    expect(made.status).toBe(201);
    secret = made.body.secret;
  });
  afterAll(async () => {
    await stack?.stop();
    repo?.remove();
  });

  const REPOSITORY = () => ({ full_name: 'acme/hooked', clone_url: repo.dir });
  const deliver = async (event: string, payload: object, opts: { deliveryId?: string; secret?: string } = {}) => {
    const body = JSON.stringify({ ...payload, repository: REPOSITORY() });
    const res = await fetch(`${stack.gatewayUrl}/api/v1/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': opts.deliveryId ?? randomUUID(),
        'x-hub-signature-256': await sign(opts.secret ?? secret, body),
      },
      body,
    });
    return { status: res.status, body: await res.json() };
  };
  const delivery = (deliveryId: string, outcome: string) =>
    until(`delivery ${deliveryId} to be ${outcome}`, async () => {
      const { body } = await api.call<{ items: WebhookDelivery[] }>('GET', `/projects/${project.id}/webhook/deliveries`);
      const found = body.items.find((d) => d.deliveryId === deliveryId);
      if (found && found.outcome !== 'accepted' && found.outcome !== outcome) throw new Error(`delivery ${deliveryId}: ${found.outcome} ${found.detail}`);
      return found?.outcome === outcome ? found : undefined;
    });
  const webhookDeployments = async () =>
    (await api.call<{ items: Deployment[] }>('GET', `/projects/${project.id}/deployments?limit=100`)).body.items.filter((d) => d.trigger === 'webhook');
  const served = async (url: string) => getWithHost(stack.edgePort, hostOf(url));

  it('a signed push delivered three times deploys its commit exactly once; a bad signature is refused and triggers nothing', async () => {
    repo.write(app('v2'));
    const sha = repo.commit('v2');
    const deliveryId = randomUUID();
    const push = { ref: 'refs/heads/main', after: sha, head_commit: { message: 'v2' } };
    const answers = [await deliver('push', push, { deliveryId }), await deliver('push', push, { deliveryId }), await deliver('push', push, { deliveryId })];
    expect(answers.map((a) => [a.status, a.body.status])).toEqual([
      [202, 'accepted'],
      [200, 'replayed'],
      [200, 'replayed'],
    ]);
    const done = await delivery(deliveryId, 'deployed');
    expect(done.deploymentIds).toHaveLength(1);
    const deployed = await deploymentEnded(api, done.deploymentIds[0]);
    expect([deployed.status, deployed.sourceRef, deployed.trigger]).toEqual(['succeeded', sha, 'webhook']);
    expect((await served(deployed.url!)).body).toBe('version v2 token set');
    expect(await webhookDeployments()).toHaveLength(1);

    repo.write(app('v3'));
    const bad = randomUUID();
    const refused = await deliver('push', { ref: 'refs/heads/main', after: repo.commit('v3') }, { deliveryId: bad, secret: 'not-the-secret' });
    expect([refused.status, refused.body.error.code]).toEqual([401, 'webhook/invalid-signature']);
    // refused before anything was started: the delivery is on record as rejected, and no deployment came of it
    expect((await delivery(bad, 'rejected')).deploymentIds).toEqual([]);
    expect(await webhookDeployments()).toHaveLength(1);
    expect((await served(deployed.url!)).body).toBe('version v2 token set');
  });

  it("a pull request gets a preview URL serving its commit; a fork's commit runs without the project's secret; closing it stops the URL", async () => {
    repo.branch('feature');
    repo.write(app('pr-one'));
    const head = repo.commit('pr one');
    repo.checkout('main');
    const pr = (action: string, sha: string, headRepo = REPOSITORY()) => ({
      action,
      number: 1,
      pull_request: { head: { sha, repo: headRepo }, base: { repo: REPOSITORY() } },
    });

    const opened = await deliver('pull_request', pr('opened', head));
    expect(opened.status).toBe(202);
    const previewed = await delivery(opened.body.deliveryId, 'preview-deployed');
    expect(previewed.previewUrl).toBe(`http://${project.name}-pr-1.localhost:${stack.edgePort}`);
    const first = await deploymentEnded(api, previewed.deploymentIds[0]);
    expect([first.status, first.sourceRef]).toEqual(['succeeded', head]);
    expect((await served(previewed.previewUrl!)).body).toBe('version pr-one token set');
    const envs = await api.call('GET', `/projects/${project.id}/environments`);
    expect(envs.body.items.find((e: { name: string }) => e.name === 'pr-1')).toMatchObject({ type: 'preview', isDefault: false });

    // the pull request's new head comes from a fork: strangers' code gets no sensitive variable
    repo.checkout('feature');
    repo.write(app('pr-fork'));
    const forkHead = repo.commit('from a fork');
    repo.checkout('main');
    const fork = await deliver('pull_request', pr('synchronize', forkHead, { full_name: 'mallory/hooked', clone_url: '/elsewhere/hooked' }));
    const forked = await delivery(fork.body.deliveryId, 'preview-deployed');
    expect((await deploymentEnded(api, forked.deploymentIds[0])).status).toBe('succeeded');
    await until('the preview to serve the fork commit', async () => (await served(previewed.previewUrl!)).body === 'version pr-fork token unset');

    const closed = await deliver('pull_request', pr('closed', forkHead));
    expect(closed.status).toBe(202);
    await delivery(closed.body.deliveryId, 'preview-removed');
    await until('the preview URL to stop serving', async () => (await served(previewed.previewUrl!)).status !== 200);
    const after = await api.call('GET', `/projects/${project.id}/environments`);
    expect(after.body.items.map((e: { name: string }) => e.name)).not.toContain('pr-1');
    // the production environment is untouched
    const production = (await webhookDeployments()).find((d) => d.environmentId !== first.environmentId)!;
    expect((await served(production.url!)).body).toBe('version v2 token set');
  });

  // issue 23: the next push must not silently undo a rollback
  it('after a rollback, a push webhook does not deploy until the environment is resumed', async () => {
    const pushed = async (version: string) => {
      repo.write(app(version));
      const sha = repo.commit(version);
      const answer = await deliver('push', { ref: 'refs/heads/main', after: sha, head_commit: { message: version } });
      expect(answer.status).toBe(202);
      return { sha, deliveryId: answer.body.deliveryId as string };
    };
    const release = async (version: string) => {
      const { deliveryId } = await pushed(version);
      const d = await deploymentEnded(api, (await delivery(deliveryId, 'deployed')).deploymentIds[0]);
      expect(d.status).toBe('succeeded');
      return d;
    };
    const v4 = await release('v4');
    const v5 = await release('v5');
    const rb = await api.call<Deployment>('POST', `/deployments/${v5.id}/rollback`, {});
    expect(rb.status).toBeLessThan(300);
    expect((await deploymentEnded(api, rb.body.id)).status).toBe('succeeded');
    expect((await served(v5.url!)).body).toBe('version v4 token set');
    const pause = await api.call('GET', `/projects/${project.id}/environments/${v5.environmentId}/pause`);
    expect(pause.body).toMatchObject({ paused: true, rollbackDeploymentId: rb.body.id });

    const before = (await webhookDeployments()).length;
    const v6 = await pushed('v6');
    const refused = await delivery(v6.deliveryId, 'failed');
    expect(refused.detail).toContain('paused since');
    expect(refused.deploymentIds).toEqual([]);
    expect((await webhookDeployments()).length).toBe(before);
    expect((await served(v4.url!)).body).toBe('version v4 token set');

    const resumed = await api.call('POST', `/projects/${project.id}/environments/${v5.environmentId}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ paused: false, ended: { rollbackDeploymentId: rb.body.id } });
    const v7 = await release('v7');
    expect((await served(v7.url!)).body).toBe('version v7 token set');
  });
});
