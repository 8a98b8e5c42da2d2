import { randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { DeploymentClient, type LogStream } from '@flightdeck/client';
import type { AuditEntry, Deployment, LogLine, StatusPayload } from '@flightdeck/contracts';
import { GitRepo, nodeApp } from '../support/git-repo';
import { getWithHost, hostOf, until } from '../support/http';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(420_000);

const SECRET = 'sdk-S3cret/value+1';

// A Node server that answers with the variables it was started with; its build prints 300 lines.
const greetingApp = () => ({
  ...nodeApp('g', { lines: 300 }),
  'server.js': `require('http').createServer((q, r) => r.end('greeting ' + process.env.GREETING + ' extra ' + process.env.EXTRA)).listen(process.env.PORT, '127.0.0.1');`,
});

// Issue 16's acceptance: the whole product driven through libs/client only (every product call
// below is a DeploymentClient method; the only other HTTP is asking the deployed app what it serves).
describe('the typed SDK drives the whole product', () => {
  let stack: Launched;
  let client: DeploymentClient;

  beforeAll(async () => {
    // `npm start` as a user runs it, one stack for the suite
    stack = await startLauncher();
    client = new DeploymentClient({ baseUrl: stack.gatewayUrl, token: stack.token });
  });
  afterAll(async () => {
    client?.close();
    await stack?.stop();
  });

  const data = <T>(r: { ok: true; data: T } | { ok: false; error: { code: string; message: string } }): T => {
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    return r.data;
  };
  // the whole stream, or a failure saying where the deployment stood when it did not end in time
  const drain = async (s: LogStream, deploymentId?: string, timeoutMs = 240_000) => {
    const lines: LogLine[] = [];
    const timer = setTimeout(() => s.close(), timeoutMs);
    for await (const l of s) lines.push(l);
    clearTimeout(timer);
    const end = data(await s.done);
    if (deploymentId && end.status === null) {
      const d = await client.getDeployment(deploymentId);
      throw new Error(
        `no end within ${timeoutMs / 1000} s after ${lines.length} lines; the deployment: ${JSON.stringify(d.ok ? { status: d.data.status, phase: d.data.phase } : d.error)}`,
      );
    }
    return { lines, end };
  };

  const expectSeqs = (lines: LogLine[]) =>
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
  const served = async (d: Deployment) => (await getWithHost(stack.edgePort, hostOf(d.url!))).body;

  it('creates a project, sets variables, deploys with live logs, reads results and metrics, redeploys, rolls back and finds it all in the audit log', async () => {
    const repo = new GitRepo();
    repo.write(greetingApp());
    repo.commit('greeting app');

    const project = data(await client.createProject({ name: 'sdk-app', repositoryUrl: repo.dir }));
    expect(data(await client.getProject(project.id)).name).toBe('sdk-app');
    expect(data(await client.listProjects()).items.map((p) => p.id)).toContain(project.id);
    const production = data(await client.listEnvironments(project.id)).items.find(
      (e) => e.name === 'production',
    )!;
    expect(production).toBeDefined();

    // variables: one by one (a secret among them) and from a .env text
    data(await client.setVariable(production.id, 'GREETING', { value: 'hello' }));
    data(await client.setVariable(production.id, 'SECRET', { value: SECRET, sensitive: true }));
    const imported = data(await client.importVariables(production.id, '# from the SDK\nEXTRA=one\n'));
    expect(imported).toMatchObject({ applied: true, added: 1 });
    const vars = data(await client.listVariables(production.id));
    expect(vars.items.map((v) => v.key).sort()).toEqual(['EXTRA', 'GREETING', 'SECRET']);
    expect(JSON.stringify(vars)).not.toContain(SECRET);

    // every status change of the project's deployments, as a dashboard would watch them
    const projectEvents: StatusPayload[] = [];
    const unsubscribe = data(
      await client.subscribeToProjectDeployments(project.id, (p) => projectEvents.push(p)),
    );

    // trigger (idempotent), then follow its log live to the end event
    const key = randomUUID();
    const v1 = data(
      await client.triggerDeployment(
        project.id,
        { sourceRef: 'main', message: 'first' },
        { idempotencyKey: key },
      ),
    );
    expect(
      data(
        await client.triggerDeployment(
          project.id,
          { sourceRef: 'main', message: 'first' },
          { idempotencyKey: key },
        ),
      ).id,
    ).toBe(v1.id);
    const phases: string[] = [];
    const followed = await drain(
      client.streamLogs(v1.id, { follow: true, onStatus: (p) => phases.push(p.deployment.phase) }),
      v1.id,
    );
    expect(followed.end.status).toBe('succeeded');
    expectSeqs(followed.lines);
    expect(followed.lines.length).toBe(followed.end.lastSeq);
    expect(followed.lines.some((l) => l.message === 'build line 300')).toBe(true);
    expect(JSON.stringify(followed.lines)).not.toContain(SECRET);

    // the stored log, paged, is the one that was followed
    const stored = await drain(client.streamLogs(v1.id, { pageSize: 100 }));
    expect(stored.lines).toEqual(followed.lines);
    expect(data(await client.getLogs(v1.id, { tail: 5 })).items.map((l) => l.seq)).toEqual(
      followed.lines.slice(-5).map((l) => l.seq),
    );

    const first = data(await client.getDeployment(v1.id));
    expect(first).toMatchObject({ status: 'succeeded', message: 'first' });
    expect(await served(first)).toBe('greeting hello extra one');

    const result = data(await client.getResults(v1.id));
    expect(result).toMatchObject({ deploymentId: v1.id, status: 'succeeded', error: null });
    expect(result.buildTimeMs).toEqual(expect.any(Number));
    expect(result.logVolume?.lines).toBe(followed.end.lastSeq);
    const metrics = data(await client.getMetrics(v1.id));
    expect(metrics.durationMs).toBeGreaterThan(0);
    expect(metrics.buildTimeMs).toEqual(expect.any(Number));

    // a second deployment with a changed variable, watched through its status subscription
    data(await client.setVariable(production.id, 'GREETING', { value: 'bonjour' }));
    const v2 = data(await client.triggerDeployment(project.id, { sourceRef: 'main', message: 'second' }));
    const v2Statuses: string[] = [];
    const stopV2 = data(await client.subscribeToDeploymentStatus(v2.id, (d) => v2Statuses.push(d.status)));
    const second = await drain(client.streamLogs(v2.id, { follow: true }), v2.id);
    expect(second.end.status).toBe('succeeded');
    expectSeqs(second.lines);
    await until('the second deployment reported succeeded to its status subscription', async () =>
      v2Statuses.includes('succeeded'),
    );
    stopV2();
    expect(await served(data(await client.getDeployment(v2.id)))).toBe('greeting bonjour extra one');

    // roll back to the first: its artifact and the variables it ran with, no build
    const rb = data(await client.rollback(v2.id, { targetDeploymentId: v1.id }));
    expect(rb.trigger).toBe('rollback');
    const rolled = await drain(client.streamLogs(rb.id, { follow: true }), rb.id);
    expect(rolled.end.status).toBe('succeeded');
    const rolledBack = data(await client.getDeployment(rb.id));
    expect(rolledBack.rollbackTargetId).toBe(v1.id);
    expect(await served(rolledBack)).toBe('greeting hello extra one');

    // listing: every filter the route takes
    const all = data(await client.listDeployments(project.id));
    expect(all.items.map((d) => d.id)).toEqual([rb.id, v2.id, v1.id]);
    expect(
      data(await client.listDeployments(project.id, { status: 'succeeded', limit: 1, offset: 1 })),
    ).toMatchObject({
      items: [{ id: v2.id }],
      total: 3,
      hasMore: true,
    });
    expect(data(await client.listDeployments(project.id, { status: 'failed' })).total).toBe(0);

    // the project subscription saw each of the three succeed
    await until('the project subscription saw all three succeed', async () =>
      [v1.id, v2.id, rb.id].every((id) =>
        projectEvents.some((p) => p.deployment.id === id && p.deployment.status === 'succeeded'),
      ),
    );
    unsubscribe();

    // the audit log holds what was done, each with its outcome (written after each answer)
    const did = (e: AuditEntry, method: string, route: string) =>
      e.method === method && (e.route ?? '').endsWith(route) && e.outcome === 'succeeded';
    const changes: [string, string][] = [
      ['PUT', '/environments/:environmentId/variables/:key'],
      ['POST', '/environments/:environmentId/variables/import'],
      ['POST', '/projects/:projectId/deployments'],
      ['POST', '/deployments/:deploymentId/rollback'],
    ];
    const audit = await until('the audit log lists every change', async () => {
      const page = data(await client.getProjectAudit(project.id, { limit: 200 }));
      return changes.every(([m, r]) => page.items.some((e) => did(e, m, r))) ? page : undefined;
    });
    expect(audit.items.find((e) => did(e, 'POST', '/rollback'))).toMatchObject({
      projectId: project.id,
      target: { deploymentId: v2.id },
    });
    expect(
      audit.items.filter((e) => did(e, 'POST', '/projects/:projectId/deployments')).length,
    ).toBeGreaterThanOrEqual(3);
    expect(
      audit.items
        .filter((e) => did(e, 'PUT', '/variables/:key'))
        .map((e) => e.target.key)
        .sort(),
    ).toEqual(['GREETING', 'GREETING', 'SECRET']);
    // the whole log (platform admins) has the project's entries and the project's creation
    const system = data(await client.getSystemAudit({ limit: 200 }));
    expect(system.items.map((e) => e.id)).toEqual(expect.arrayContaining(audit.items.map((e) => e.id)));
    expect(system.items.some((e) => did(e, 'POST', '/api/v1/projects'))).toBe(true);
  });

  it('forwards GitHub deliveries with handleWebhook: signed ones are taken once, a bad signature is refused', async () => {
    const repo = new GitRepo();
    repo.write(greetingApp());
    repo.commit('app');
    const project = data(await client.createProject({ name: 'sdk-hooked', repositoryUrl: repo.dir }));
    expect(data(await client.getWebhookSettings(project.id)).configured).toBe(false);
    const { secret } = data(await client.rotateWebhookSecret(project.id));
    expect(data(await client.getWebhookSettings(project.id)).configured).toBe(true);

    // a push to a branch no environment deploys, as GitHub would deliver it (the test plays GitHub)
    const body = JSON.stringify({
      ref: 'refs/heads/elsewhere',
      after: 'a'.repeat(40),
      repository: { full_name: 'acme/sdk', clone_url: repo.dir },
    });
    const deliveryId = randomUUID();
    const headers = {
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': deliveryId,
      'X-Hub-Signature-256': await sign(secret, body),
    };
    const first = data(await client.handleWebhook({ body, headers }));
    expect(first).toMatchObject({ deliveryId, projectIds: [project.id] });
    expect(data(await client.handleWebhook({ body, headers })).status).toBe('replayed');
    const forged = await client.handleWebhook({
      body,
      headers: {
        ...headers,
        'X-GitHub-Delivery': randomUUID(),
        'X-Hub-Signature-256': await sign('not-the-secret', body),
      },
    });
    expect(forged).toMatchObject({ ok: false, error: { code: 'webhook/invalid-signature' } });

    const delivery = await until('the delivery to be worked on', async () =>
      data(await client.listWebhookDeliveries(project.id)).items.find(
        (d) => d.deliveryId === deliveryId && d.outcome !== 'accepted',
      ),
    );
    expect(delivery).toMatchObject({ outcome: 'ignored', deploymentIds: [] });
    expect(data(await client.listDeployments(project.id)).total).toBe(0);
  });

  it('answers errors as Result values, never by throwing', async () => {
    expect(await client.getDeployment(randomUUID())).toMatchObject({
      ok: false,
      error: { code: 'deployment/not-found' },
    });
    expect(await client.createProject({ name: 'Not A Slug!', repositoryUrl: '/nowhere' })).toMatchObject({
      ok: false,
      error: { code: 'validation/invalid-input' },
    });
    const stranger = new DeploymentClient({ baseUrl: stack.gatewayUrl, token: 'fdt_not-a-token' });
    expect(await stranger.listProjects()).toMatchObject({
      ok: false,
      error: { code: 'auth/unauthenticated' },
    });
    const s = stranger.streamLogs(randomUUID(), { follow: true });
    const lines: LogLine[] = [];
    for await (const l of s) lines.push(l);
    expect(lines).toEqual([]);
    expect((await s.done).ok).toBe(false);
    stranger.close();
    const nowhere = new DeploymentClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 5_000 });
    expect(await nowhere.listProjects()).toMatchObject({ ok: false, error: { code: 'service/unavailable' } });
  });
});
