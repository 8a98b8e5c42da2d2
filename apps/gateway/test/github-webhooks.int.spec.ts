import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { sign } from '@octokit/webhooks-methods';
import {
  ErrorCode,
  type Project,
  createEnvironment,
  deleteEnvironment,
  getDeployment,
  getProject,
  listEnvironments,
  matchWebhookProjects,
  ok,
  restoreEnvironment,
  triggerDeployment,
} from '@flightdeck/contracts';
import { type TestInfra, aDeployment, aProject, anEnvironment, eventually, queryRows, startTestInfra } from '@flightdeck/testing';
import { WebhookRecovery } from '../src/webhooks/webhook-recovery.service';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

jest.setTimeout(120_000);

const SECRET = 'a'.repeat(64);
const OTHER_SECRET = 'b'.repeat(64);
const REPO = { full_name: 'acme/shop', clone_url: 'https://github.com/acme/shop.git', html_url: 'https://github.com/acme/shop' };
const sha = (c: string) => c.repeat(40);
// the assertion holds, sooner or later (the work of a delivery happens after its answer)
const waitFor = (assertion: () => unknown) =>
  eventually('the expected state', async () => {
    await assertion();
    return true;
  });

// The GitHub webhook route on the real gateway, Postgres and NATS: environment-manager and the
// orchestrator are stood in for on the bus (their parts have their own specs), so what the gateway
// asks of them is what is checked: one trigger per delivery, never one for a bad signature.
describe('POST /api/v1/webhooks/github', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  let fakes: FakeResponders;
  // GitHub's REST API as documented for POST /repos/{owner}/{repo}/statuses/{sha}: what it was sent
  let github: Server;
  let githubAnswer = 201;
  const statuses: { path: string; authorization?: string; version?: string; body: Record<string, string> }[] = [];
  const project: Project = aProject({ name: 'shop', repositoryUrl: 'https://github.com/Acme/shop', defaultBranch: 'main' });
  const production = anEnvironment({ projectId: project.id, name: 'production', isDefault: true, branch: null, autoDeploy: true });
  const staging = anEnvironment({ projectId: project.id, name: 'staging', type: 'staging', isDefault: false, branch: 'develop', autoDeploy: true });
  const manual = anEnvironment({ projectId: project.id, name: 'manual', type: 'staging', isDefault: false, branch: 'develop', autoDeploy: false });

  beforeAll(async () => {
    infra = await startTestInfra();
    github = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        statuses.push({ path: `${req.method} ${req.url}`, authorization: req.headers.authorization, version: req.headers['x-github-api-version'] as string, body: JSON.parse(body) });
        res.writeHead(githubAnswer, { 'content-type': 'application/json' }).end(githubAnswer === 201 ? body : '{"message":"Bad credentials"}');
      });
    });
    await new Promise<void>((r) => github.listen(0, '127.0.0.1', r));
    const githubUrl = `http://127.0.0.1:${(github.address() as { port: number }).port}`;
    gw = await startGateway(infra, { FLIGHTDECK_EDGE_PORT: '4321', FLIGHTDECK_GITHUB_API_URL: githubUrl });
    fakes = await FakeResponders.connect(infra.nats);
  });
  afterEach(() => fakes.clear());
  afterAll(async () => {
    await fakes?.close();
    await gw?.close();
    await new Promise((r) => github?.close(r));
    await infra?.stop();
  });

  const deliver = async (event: string, payload: unknown, opts: { secret?: string | null; deliveryId?: string } = {}) => {
    const body = JSON.stringify(payload);
    const signature = opts.secret === null ? undefined : await sign(opts.secret ?? SECRET, body);
    return gw.api('POST', '/webhooks/github', {
      rawBody: body,
      headers: {
        authorization: '',
        'x-github-event': event,
        'x-github-delivery': opts.deliveryId ?? randomUUID(),
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
    });
  };
  const push = (branch: string, after = sha('1')) => ({ ref: `refs/heads/${branch}`, after, repository: REPO, head_commit: { message: 'a change' } });
  const pr = (action: string, n: number, head = sha('2'), headRepo: object | null = REPO) => ({
    action,
    number: n,
    pull_request: { head: { sha: head, repo: headRepo }, base: { repo: REPO } },
    repository: REPO,
  });
  const deliveries = async () => (await gw.api('GET', `/projects/${project.id}/webhook/deliveries`)).body.items;
  const standIn = async (environments = [production, staging, manual]) => {
    await fakes.respond(matchWebhookProjects, () => ok({ items: [{ project, secret: SECRET }] }));
    await fakes.respond(listEnvironments, (r) => ok({ items: r.deleted ? [] : environments }));
    return fakes.respond(triggerDeployment, (r) => ok({ deployment: aDeployment({ projectId: r.projectId, environmentId: r.environmentId }), replayed: false }));
  };

  it('a signed push delivered three times triggers its branch environment once, with trigger webhook and the commit; redeliveries answer 200 replayed', async () => {
    const triggers = await standIn();
    const deliveryId = randomUUID();
    const started = Date.now();
    const first = await deliver('push', push('main'), { deliveryId });
    // answered within a second, as GitHub asks of a hook (the deploying happens after the answer)
    expect(Date.now() - started).toBeLessThan(1_000);
    expect([first.status, first.body.status, first.body.projectIds]).toEqual([202, 'accepted', [project.id]]);
    for (let i = 0; i < 2; i++) {
      const again = await deliver('push', push('main'), { deliveryId });
      expect([again.status, again.body.status]).toEqual([200, 'replayed']);
    }
    await waitFor(async () => expect((await deliveries()).find((d: { deliveryId: string }) => d.deliveryId === deliveryId)?.outcome).toBe('deployed'));
    expect(triggers.map((t) => t.data)).toEqual([
      expect.objectContaining({
        projectId: project.id,
        environmentId: production.id,
        sourceRef: sha('1'),
        // the branch, for the environment's allowedRefs
        ref: 'main',
        trigger: 'webhook',
        idempotencyKey: `github:${deliveryId}:${production.id}`,
        actor: { kind: 'system', id: 'github-webhook' },
        message: 'a change',
      }),
    ]);
    const [row] = (await deliveries()).filter((d: { deliveryId: string }) => d.deliveryId === deliveryId);
    expect(row).toMatchObject({ event: 'push', projectId: project.id, deploymentIds: [expect.any(String)] });
  });

  it('a push deploys the environments whose branch it is and whose autoDeploy is on; another branch deploys nothing', async () => {
    const triggers = await standIn();
    expect((await deliver('push', push('develop'))).status).toBe(202);
    await waitFor(() => expect(triggers).toHaveLength(1));
    expect(triggers[0].data.environmentId).toBe(staging.id);
    const other = randomUUID();
    expect((await deliver('push', push('feature/x'), { deliveryId: other })).status).toBe(202);
    await waitFor(async () => expect((await deliveries()).find((d: { deliveryId: string }) => d.deliveryId === other)?.outcome).toBe('ignored'));
    expect(triggers).toHaveLength(1);
  });

  it.each([
    ['a wrong secret', { secret: OTHER_SECRET }],
    ['no signature', { secret: null }],
  ])('%s: 401 webhook/invalid-signature and nothing triggered', async (_what, opts) => {
    const triggers = await standIn();
    const deliveryId = randomUUID();
    const res = await deliver('push', push('main'), { ...opts, deliveryId });
    expect([res.status, res.body.error.code]).toEqual([401, ErrorCode.WebhookInvalidSignature]);
    // a good delivery afterwards is seen at once: had the bad one triggered, it would be there too
    const good = randomUUID();
    await deliver('push', push('main'), { deliveryId: good });
    await waitFor(() => expect(triggers).toHaveLength(1));
    expect(triggers[0].data.idempotencyKey).toContain(good);
    if (opts.secret) expect((await deliveries()).find((d: { deliveryId: string }) => d.deliveryId === deliveryId)?.outcome).toBe('rejected');
  });

  it("Gitea's and Forgejo's deliveries (GitHub's headers, their own bare-hex signature header) are taken the same way", async () => {
    const triggers = await standIn();
    const body = JSON.stringify(push('main', sha('6')));
    const hex = (await sign(SECRET, body)).slice('sha256='.length);
    const gitea = (header: string, signature: string) =>
      gw.api('POST', '/webhooks/github', {
        rawBody: body,
        headers: { authorization: '', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-gitea-event': 'push', [header]: signature },
      });
    expect((await gitea('x-gitea-signature', hex)).status).toBe(202);
    expect((await gitea('x-forgejo-signature', hex)).status).toBe(202);
    expect((await gitea('x-gitea-signature', 'f'.repeat(64))).status).toBe(401);
    await waitFor(() => expect(triggers).toHaveLength(2));
    expect(triggers.map((t) => t.data.sourceRef)).toEqual([sha('6'), sha('6')]);
  });

  it('a body altered after signing is refused', async () => {
    const triggers = await standIn();
    const body = JSON.stringify(push('main'));
    const res = await gw.api('POST', '/webhooks/github', {
      rawBody: body.replace(sha('1'), sha('9')),
      headers: { authorization: '', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': await sign(SECRET, body) },
    });
    expect(res.status).toBe(401);
    expect(triggers).toHaveLength(0);
  });

  it('a repository no project has: answered exactly like a bad signature (nothing tells which repositories exist); an event not acted on: 202 ignored', async () => {
    await standIn();
    const badSignature = await gw.api('POST', '/webhooks/github', {
      rawBody: JSON.stringify(push('main')),
      headers: { authorization: '', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': await sign('not-the-secret', JSON.stringify(push('main'))) },
    });
    await fakes.clear();
    await fakes.respond(matchWebhookProjects, () => ok({ items: [] }));
    const unknown = await deliver('push', push('main'));
    expect([unknown.status, unknown.body.error.code]).toEqual([401, ErrorCode.WebhookInvalidSignature]);
    expect(unknown.body.error.message).toBe(badSignature.body.error.message);
    await fakes.clear();
    await standIn();
    const issues = await deliver('issues', { action: 'opened', repository: REPO });
    expect([issues.status, issues.body.status, issues.body.code]).toEqual([202, 'ignored', ErrorCode.WebhookUnsupportedEvent]);
    const ping = await deliver('ping', { zen: 'Keep it logically awesome.', repository: REPO });
    expect([ping.status, ping.body.status]).toEqual([200, 'ignored']);
  });

  it('missing headers or a body that is not JSON: 400', async () => {
    await standIn();
    const noEvent = await gw.api('POST', '/webhooks/github', { rawBody: '{}', headers: { authorization: '', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': 'sha256=00' } });
    expect([noEvent.status, noEvent.body.error.code]).toEqual([400, ErrorCode.InvalidInput]);
    const notJson = await gw.api('POST', '/webhooks/github', {
      rawBody: 'not json',
      headers: { authorization: '', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': await sign(SECRET, 'not json') },
    });
    expect(notJson.status).toBe(400);
  });

  it('a pull request opened gets a preview environment pr-<n> deployed at its head commit with force; from a fork without sensitive variables; closed deletes it', async () => {
    const preview = anEnvironment({ projectId: project.id, name: 'pr-7', type: 'preview', isDefault: false });
    const created = await fakes.respond(createEnvironment, () => ok(preview));
    const environments = [production];
    await fakes.respond(matchWebhookProjects, () => ok({ items: [{ project, secret: SECRET }] }));
    await fakes.respond(listEnvironments, (r) => ok({ items: r.deleted ? [] : environments }));
    const triggers = await fakes.respond(triggerDeployment, (r) => ok({ deployment: aDeployment({ projectId: r.projectId, environmentId: r.environmentId }), replayed: false }));
    const deleted = await fakes.respond(deleteEnvironment, () => ok({ ...preview, deletedAt: new Date().toISOString() }));

    const opened = randomUUID();
    expect((await deliver('pull_request', pr('opened', 7), { deliveryId: opened })).status).toBe(202);
    await waitFor(async () => expect((await deliveries()).find((d: { deliveryId: string }) => d.deliveryId === opened)?.outcome).toBe('preview-deployed'));
    expect(created.map((c) => c.data)).toEqual([{ projectId: project.id, name: 'pr-7', type: 'preview' }]);
    expect(triggers.map((t) => t.data)).toEqual([
      expect.objectContaining({ environmentId: preview.id, sourceRef: sha('2'), trigger: 'webhook', force: true, idempotencyKey: `github:${opened}` }),
    ]);
    expect(triggers[0].data.withholdSensitive).toBeUndefined();
    expect((await deliveries()).find((d: { deliveryId: string }) => d.deliveryId === opened)?.previewUrl).toBe('http://shop-pr-7.localhost:4321');

    environments.push(preview);
    const fork = randomUUID();
    await deliver('pull_request', pr('synchronize', 7, sha('3'), { ...REPO, full_name: 'mallory/shop' }), { deliveryId: fork });
    await waitFor(() => expect(triggers).toHaveLength(2));
    expect(triggers[1].data).toMatchObject({ environmentId: preview.id, sourceRef: sha('3'), withholdSensitive: true });
    expect(created).toHaveLength(1);

    const closed = randomUUID();
    await deliver('pull_request', pr('closed', 7), { deliveryId: closed });
    await waitFor(async () => expect((await deliveries()).find((d: { deliveryId: string }) => d.deliveryId === closed)?.outcome).toBe('preview-removed'));
    expect(deleted.map((d) => d.data)).toEqual([{ projectId: project.id, environmentId: preview.id }]);
    expect(triggers).toHaveLength(2);
  });

  it('a reopened pull request restores its deleted preview environment', async () => {
    const preview = anEnvironment({ projectId: project.id, name: 'pr-8', type: 'preview', isDefault: false, deletedAt: new Date().toISOString() });
    await fakes.respond(matchWebhookProjects, () => ok({ items: [{ project, secret: SECRET }] }));
    await fakes.respond(listEnvironments, (r) => ok({ items: r.deleted ? [preview] : [production] }));
    const restored = await fakes.respond(restoreEnvironment, () => ok({ ...preview, deletedAt: undefined }));
    const triggers = await fakes.respond(triggerDeployment, (r) => ok({ deployment: aDeployment({ projectId: r.projectId, environmentId: r.environmentId }), replayed: false }));
    await deliver('pull_request', pr('reopened', 8));
    await waitFor(() => expect(triggers).toHaveLength(1));
    expect(restored.map((r) => r.data)).toEqual([{ projectId: project.id, environmentId: preview.id }]);
    expect(triggers[0].data.environmentId).toBe(preview.id);
  });

  it('of two projects of one repository, only the one whose secret signed the delivery acts on it', async () => {
    const twin = aProject({ name: 'shop-docs', repositoryUrl: REPO.clone_url });
    await fakes.respond(matchWebhookProjects, () => ok({ items: [{ project, secret: SECRET }, { project: twin, secret: OTHER_SECRET }] }));
    await fakes.respond(listEnvironments, (r) => ok({ items: r.deleted ? [] : [anEnvironment({ projectId: r.projectId, isDefault: true })] }));
    const triggers = await fakes.respond(triggerDeployment, (r) => ok({ deployment: aDeployment({ projectId: r.projectId }), replayed: false }));
    const res = await deliver('push', push('main'), { secret: OTHER_SECRET });
    expect([res.status, res.body.projectIds]).toEqual([202, [twin.id]]);
    await waitFor(() => expect(triggers).toHaveLength(1));
    expect(triggers[0].data.projectId).toBe(twin.id);
  });

  it('records the delivery in the audit log, as anonymous with the project the signature proved', async () => {
    await standIn();
    const deliveryId = randomUUID();
    await deliver('push', push('feature/y'), { deliveryId });
    await waitFor(async () => {
      const audit = await gw.api('GET', `/projects/${project.id}/audit?limit=50`);
      expect(audit.body.items.find((e: { target: Record<string, string> }) => e.target.deliveryId === deliveryId)).toMatchObject({
        actor: { kind: 'anonymous' },
        route: 'POST /api/v1/webhooks/github',
        status: 202,
      });
    });
  });

  it('with a GitHub token, a preview is reported as a commit status on the head commit: pending with its URL, then success', async () => {
    const preview = anEnvironment({ projectId: project.id, name: 'pr-9', type: 'preview', isDefault: false });
    await fakes.respond(matchWebhookProjects, () => ok({ items: [{ project, secret: SECRET, githubToken: 'ghp_fakeToken123' }] }));
    await fakes.respond(listEnvironments, (r) => ok({ items: r.deleted ? [] : [production, preview] }));
    const deployment = aDeployment({ projectId: project.id, environmentId: preview.id, status: 'queued' });
    await fakes.respond(triggerDeployment, () => ok({ deployment, replayed: false }));
    await fakes.respond(getDeployment, () => ok({ ...deployment, status: 'succeeded' }));
    statuses.length = 0;
    const opened = randomUUID();
    await deliver('pull_request', pr('opened', 9, sha('4')), { deliveryId: opened });
    await waitFor(() => expect(statuses).toHaveLength(2));
    expect(statuses).toEqual([
      {
        path: `POST /repos/acme/shop/statuses/${sha('4')}`,
        authorization: 'Bearer ghp_fakeToken123',
        version: '2022-11-28',
        body: { state: 'pending', target_url: 'http://shop-pr-9.localhost:4321', description: 'Deploying pull request #9', context: 'flightdeck/preview' },
      },
      expect.objectContaining({ body: expect.objectContaining({ state: 'success', target_url: 'http://shop-pr-9.localhost:4321', context: 'flightdeck/preview' }) }),
    ]);
    expect((await deliveries()).find((d: { deliveryId: string }) => d.deliveryId === opened)?.detail).toContain('commit status reported');
  });

  it('a commit status GitHub refuses is noted on the delivery; the preview is deployed all the same', async () => {
    const preview = anEnvironment({ projectId: project.id, name: 'pr-10', type: 'preview', isDefault: false });
    await fakes.respond(matchWebhookProjects, () => ok({ items: [{ project, secret: SECRET, githubToken: 'ghp_revoked' }] }));
    await fakes.respond(listEnvironments, (r) => ok({ items: r.deleted ? [] : [production, preview] }));
    const triggers = await fakes.respond(triggerDeployment, () => ok({ deployment: aDeployment({ environmentId: preview.id }), replayed: false }));
    githubAnswer = 401;
    try {
      const opened = randomUUID();
      await deliver('pull_request', pr('opened', 10, sha('5')), { deliveryId: opened });
      const row = await eventually('the delivery to finish', async () =>
        (await deliveries()).find((d: { deliveryId: string; outcome: string }) => d.deliveryId === opened && d.outcome !== 'accepted'),
      );
      expect([row.outcome, row.detail]).toEqual(['preview-deployed', expect.stringContaining('GitHub refused the commit status')]);
      expect(triggers).toHaveLength(1);
    } finally {
      githubAnswer = 201;
    }
  });

  it('work a stopped gateway did not finish is done by a running one, once, with the same idempotency key', async () => {
    const triggers = await standIn();
    await fakes.respond(getProject, () => ok(project));
    const deliveryId = randomUUID();
    // what a gateway stopped right after its answer leaves: the delivery accepted, its work recorded
    await queryRows(
      infra.postgres.url,
      `insert into gateway.webhook_deliveries (delivery_id, event, project_id, outcome, work, retry_after)
       values ($1, 'push', $2, 'accepted', $3::jsonb, now() - interval '1 second')`,
      [deliveryId, project.id, JSON.stringify({ kind: 'push', branch: 'main', sha: sha('7') })],
    );
    const recovery = gw.app.get(WebhookRecovery);
    expect(await recovery.sweep()).toBe(1);
    expect(triggers.map((t) => [t.data.sourceRef, t.data.idempotencyKey])).toEqual([[sha('7'), `github:${deliveryId}:${production.id}`]]);
    expect((await deliveries()).find((d: { deliveryId: string }) => d.deliveryId === deliveryId)?.outcome).toBe('deployed');
    expect(await recovery.sweep()).toBe(0);
    expect(triggers).toHaveLength(1);
  });

  it('a delivery being worked on is not taken up by a sweep meanwhile', async () => {
    await standIn();
    await deliver('push', push('feature/z'));
    expect(await gw.app.get(WebhookRecovery).sweep()).toBe(0);
  });
});
