import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { sign, verify } from '@octokit/webhooks-methods';
import type { AuditEntry, Deployment, Environment, WebhookDelivery } from '@flightdeck/contracts';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, deploymentEnded, until } from '../support/http';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(400_000);

// Issue 23's acceptance for protection rules on the stack `npm start` runs, with a real git
// repository and real users: required approvals, and a freeze window. (After a rollback, a push
// webhook does not deploy until the environment is resumed: test/e2e/git-webhooks.spec.ts.)
describe('protection rules end to end', () => {
  let stack: Launched;
  let admin: Api;
  let repo: GitRepo;
  let project: { id: string; name: string };
  let production: Environment;
  let secret: string;
  const as: Record<'dev' | 'ada' | 'bob', Api> = {} as never;
  const ids: Record<'dev' | 'ada' | 'bob', string> = {} as never;
  // an outgoing hooks receiver on 127.0.0.1 (the stack allows loopback receivers)
  let receiver: Server;
  let receiverUrl: string;
  const received: { raw: string; signature: string; body: { event: string; deployment: Deployment; transition: { approval?: { decision: string; by: string; given: number } } } }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        received.push({ raw, signature: req.headers['x-flightdeck-signature-256'] as string, body: JSON.parse(raw) });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    stack = await startLauncher({ FLIGHTDECK_HOOKS_ALLOW_PRIVATE: 'true' });
    admin = new Api(stack.gatewayUrl, stack.token);
    repo = new GitRepo();
    repo.write(nodeApp('v1', { lines: 5 }));
    repo.commit('v1');
    const created = await admin.call('POST', '/projects', { name: 'guarded', repositoryUrl: repo.dir });
    expect(created.status).toBe(201);
    project = created.body;
    production = (await admin.call<{ items: Environment[] }>('GET', `/projects/${project.id}/environments`)).body.items.find((e) => e.isDefault)!;
    for (const [name, role] of [['dev', 'deployer'], ['ada', 'admin'], ['bob', 'admin']] as const) {
      const user = await admin.call('POST', '/users', { name });
      ids[name] = user.body.id;
      expect((await admin.call('PUT', `/projects/${project.id}/members/${user.body.id}`, { role })).status).toBe(200);
      const token = await admin.call('POST', '/tokens', { name: `${name}-token`, scopes: ['read', 'deploy'], userId: user.body.id });
      as[name] = new Api(stack.gatewayUrl, token.body.token);
    }
    secret = (await admin.call('POST', `/projects/${project.id}/webhook/secret`)).body.secret;
  });
  afterAll(async () => {
    await stack?.stop();
    repo?.remove();
    await new Promise((r) => receiver?.close(r));
  });

  const protect = async (protection: object | null) => {
    const res = await admin.call('PATCH', `/projects/${project.id}/environments/${production.id}`, { protection });
    expect(res.status).toBe(200);
  };
  const trigger = (who: Api, body: object = {}) => who.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main', ...body });
  const decide = (who: Api, id: string, decision: 'approve' | 'reject', comment?: string) =>
    who.call<Deployment & { error: { code: string } }>('POST', `/deployments/${id}/${decision}`, comment ? { comment } : {});
  const audit = async () => (await admin.call<{ items: AuditEntry[] }>('GET', `/projects/${project.id}/audit?limit=100`)).body.items.reverse();

  it('production requiring 2 admin approvals: a deployer’s trigger waits, one approval keeps it waiting, the second releases it; the author may not approve; a rejection cancels; every step audited', async () => {
    await protect({ requiredApprovals: { count: 2, minRole: 'admin', forbidAuthor: true } });
    const hook = await admin.call('POST', `/projects/${project.id}/hooks`, { url: receiverUrl, events: ['approval.requested', 'approval.decided'] });
    expect(hook.status).toBe(201);
    const held = await trigger(as.dev);
    expect([held.status, held.body.status, held.body.phase]).toEqual([201, 'queued', 'awaiting_approval']);
    const id = held.body.id;

    const byDeployer = await decide(as.dev, id, 'approve');
    expect([byDeployer.status, byDeployer.body.error.code]).toEqual([403, 'deployment/approval-not-allowed']);
    const first = await decide(as.ada, id, 'approve', 'reviewed');
    expect([first.status, first.body.phase]).toEqual([200, 'awaiting_approval']);
    expect((await decide(as.ada, id, 'approve')).body.phase).toBe('awaiting_approval');
    expect((await admin.call<Deployment>('GET', `/deployments/${id}`)).body.phase).toBe('awaiting_approval');
    const second = await decide(as.bob, id, 'approve');
    expect(second.status).toBe(200);
    const ended = await deploymentEnded(admin, id);
    expect(ended.status).toBe('succeeded');

    const authored = await trigger(as.ada);
    expect(authored.body.phase).toBe('awaiting_approval');
    const own = await decide(as.ada, authored.body.id, 'approve');
    expect([own.status, own.body.error.code]).toEqual([403, 'deployment/approval-by-author']);
    const rejected = await decide(as.bob, authored.body.id, 'reject', 'not this one');
    expect([rejected.status, rejected.body.status, rejected.body.errorMessage]).toEqual([200, 'canceled', `rejected by user ${ids.bob}: not this one`]);
    const late = await decide(as.bob, authored.body.id, 'approve');
    expect([late.status, late.body.error.code]).toEqual([409, 'deployment/not-awaiting-approval']);

    // the audit trail records every decision after its answer went out
    const decisions = await until('every decision in the audit log', async () => {
      const entries = (await audit()).filter((e) => /\/(approve|reject)$/.test(e.route ?? ''));
      return entries.length >= 7 ? entries : undefined;
    });
    expect(decisions.map((e) => [e.actor.id, e.route!.split('/').pop(), e.target.deploymentId === id ? 1 : 2, e.status, e.errorCode])).toEqual([
      ['dev', 'approve', 1, 403, 'deployment/approval-not-allowed'],
      ['ada', 'approve', 1, 200, null],
      ['ada', 'approve', 1, 200, null],
      ['bob', 'approve', 1, 200, null],
      ['ada', 'approve', 2, 403, 'deployment/approval-by-author'],
      ['bob', 'reject', 2, 200, null],
      ['bob', 'approve', 2, 409, 'deployment/not-awaiting-approval'],
    ]);

    // the outgoing hook got approval.requested for each and approval.decided for each decision that changed something, signed
    const events = await until('the approval events at the receiver', async () => (received.length >= 5 ? received : undefined));
    for (const r of events) expect(await verify(hook.body.secret, r.raw, r.signature)).toBe(true);
    // (deliveries are sent independently: compared in a fixed order)
    const seen = events.map((r) => [r.body.event, r.body.deployment.id === id ? 1 : 2, r.body.transition.approval?.decision ?? null, r.body.transition.approval?.given ?? null]);
    expect(seen.sort((a, b) => JSON.stringify([a[1], a[3] ?? -1]).localeCompare(JSON.stringify([b[1], b[3] ?? -1])))).toEqual([
      ['approval.requested', 1, null, null],
      ['approval.decided', 1, 'approved', 1],
      ['approval.decided', 1, 'approved', 2],
      ['approval.requested', 2, null, null],
      ['approval.decided', 2, 'rejected', 0],
    ]);
    expect(received).toHaveLength(5);
    await protect(null);
  });

  it('a freeze window covering now makes a push wait and an admin’s forced trigger proceed (audited); when the window ends the waiting one runs', async () => {
    // a window opening every minute for a minute: it covers now, and every minute after, until removed
    await protect({ freezeWindows: [{ kind: 'deny', schedule: '* * * * *', timeZone: 'Europe/Paris', durationMinutes: 1 }] });
    repo.write(nodeApp('v2', { lines: 5 }));
    const sha = repo.commit('v2');
    const body = JSON.stringify({ ref: 'refs/heads/main', after: sha, head_commit: { message: 'v2' }, repository: { full_name: 'acme/guarded', clone_url: repo.dir } });
    const deliveryId = randomUUID();
    const delivered = await fetch(`${stack.gatewayUrl}/api/v1/webhooks/github`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': deliveryId, 'x-hub-signature-256': await sign(secret, body) },
      body,
    });
    expect(delivered.status).toBe(202);
    const delivery = await until('the push delivery to deploy', async () => {
      const { body: page } = await admin.call<{ items: WebhookDelivery[] }>('GET', `/projects/${project.id}/webhook/deliveries`);
      return page.items.find((d) => d.deliveryId === deliveryId && d.outcome === 'deployed');
    });
    const pushedId = delivery.deploymentIds[0];
    const pushed = (await admin.call<Deployment>('GET', `/deployments/${pushedId}`)).body;
    expect([pushed.status, pushed.phase, pushed.trigger]).toEqual(['queued', 'frozen', 'webhook']);

    // a deployer's force waits too; an admin's goes through, recorded on the deployment and audited
    expect((await trigger(as.dev, { force: true })).body.phase).toBe('frozen');
    const forced = await trigger(as.ada, { force: true });
    expect(forced.status).toBe(201);
    expect(forced.body.metadata.protection).toMatchObject({ freezeOverridden: { by: `user ${ids.ada}` } });
    expect((await deploymentEnded(admin, forced.body.id)).status).toBe('succeeded');
    expect((await admin.call<Deployment>('GET', `/deployments/${pushedId}`)).body.phase).toBe('frozen');
    const forcedEntry = await until('the forced trigger in the audit log', async () =>
      (await audit()).find((e) => e.actor.id === 'ada' && e.route === 'POST /api/v1/projects/:projectId/deployments' && e.status === 201),
    );
    expect(forcedEntry.outcome).toBe('succeeded');

    // the window ends (removed): the pushed deployment is released and runs
    const freezeEnded = Date.now();
    await protect(null);
    const ran = await deploymentEnded(admin, pushedId);
    expect([ran.status, ran.sourceRef]).toEqual(['succeeded', sha]);
    // released at the next look (at most 10 s), then built
    const released = (await admin.call<{ items: { phase: string; at: string }[] }>('GET', `/deployments/${pushedId}/progress`)).body.items.find((e) => e.phase === 'waiting');
    expect(Date.parse(released!.at) - freezeEnded).toBeLessThan(15_000);
  });
});
