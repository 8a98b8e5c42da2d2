import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type Socket, io } from 'socket.io-client';
import * as contracts from '@flightdeck/contracts';
import {
  type CommandDefinition,
  DEPLOYMENTS_NAMESPACE,
  ErrorCode,
  type TokenScope,
  err,
  getDeployment,
  getEnvironment,
  getProject,
  listProjects,
  ok,
} from '@flightdeck/contracts';
import { aDeployment, aProject, anEnvironment, eventually, startTestInfra, type TestInfra } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { ADMIN_TOKEN, type ApiResponse, type RunningGateway, startGateway } from './support/gateway-app';

jest.setTimeout(180_000);

// What each route asks of its caller, written out here as the product's rule (not read from the
// code under test): deploying takes a deployer, deleting or restoring a project its owner, a few
// routes are about the caller alone or the platform; reading anything else of a project takes a
// viewer, changing it an admin.
const DEPLOY_ROUTES = [
  'POST /api/v1/projects/{projectId}/deployments',
  'POST /api/v1/deployments/{deploymentId}/cancel',
  // a running canary: promote or abort it
  'POST /api/v1/deployments/{deploymentId}/promote',
  'POST /api/v1/deployments/{deploymentId}/abort',
  'POST /api/v1/deployments/{deploymentId}/retry',
  'POST /api/v1/deployments/{deploymentId}/rollback',
  // required approvals: a deployer at least; the environment's rule may ask more (403 deployment/approval-not-allowed)
  'POST /api/v1/deployments/{deploymentId}/approve',
  'POST /api/v1/deployments/{deploymentId}/reject',
];
const OWNER_ROUTES = ['DELETE /api/v1/projects/{projectId}', 'POST /api/v1/projects/{projectId}/restore'];
const ANY_CALLER_ROUTES = ['GET /api/v1/me', 'GET /api/v1/tokens', 'DELETE /api/v1/tokens/{tokenId}', 'GET /api/v1/projects'];
const ADMIN_SCOPE_ROUTES = ['POST /api/v1/tokens', 'POST /api/v1/projects'];
const PLATFORM_ROUTES = ['POST /api/v1/users', 'GET /api/v1/users', 'GET /api/v1/system/status', 'POST /api/v1/system/rotate-key', 'GET /api/v1/audit'];
// pause after rollback: reading it is a viewer's, resuming an admin's (it lets pushes deploy over the rollback again)
const ADMIN_CHANGES = ['POST /api/v1/projects/{projectId}/environments/{environmentId}/resume'];
const ADMIN_READS = [
  'GET /api/v1/projects/{projectId}/audit',
  'GET /api/v1/projects/{projectId}/webhook',
  'GET /api/v1/projects/{projectId}/webhook/deliveries',
  // outgoing hooks: their URLs and deliveries are admins' (the other hook routes change things: admin)
  'GET /api/v1/projects/{projectId}/hooks',
  'GET /api/v1/projects/{projectId}/hooks/{hookId}',
  'GET /api/v1/projects/{projectId}/hooks/{hookId}/deliveries',
];
// authenticated by the delivery's signature, not by a token: unsigned, every caller gets 401
const SIGNED_ROUTES = ['POST /api/v1/webhooks/github'];
// authenticated by a custom provider's publisher credential for one deployment (fdp_...), not by an API token: every caller's token gets 401
const PUBLISHER_CREDENTIAL_ROUTES = ['POST /api/v1/deployments/{deploymentId}/provider-report'];
// a provider's status webhook: authenticated by its signature, verified by the builder running a deployment of the environment; a token changes nothing
const PROVIDER_WEBHOOK_ROUTES = ['POST /api/v1/webhooks/providers/{provider}/{environmentId}'];
const PUBLISHER_ROUTES = /\/publishers/; // NATS credentials: platform admins only

type Need = 'read' | 'deploy' | 'admin' | 'owner' | 'any' | 'admin-scope' | 'platform';
const needOf = (route: string): Need => {
  if (DEPLOY_ROUTES.includes(route)) return 'deploy';
  if (OWNER_ROUTES.includes(route)) return 'owner';
  if (ANY_CALLER_ROUTES.includes(route)) return 'any';
  if (ADMIN_SCOPE_ROUTES.includes(route)) return 'admin-scope';
  if (PLATFORM_ROUTES.includes(route) || PUBLISHER_ROUTES.test(route)) return 'platform';
  if (ADMIN_READS.includes(route) || ADMIN_CHANGES.includes(route)) return 'admin';
  return route.startsWith('GET ') ? 'read' : 'admin';
};

interface Who {
  label: string;
  token: string;
  role?: 'viewer' | 'deployer' | 'admin' | 'owner';
  scopes: TokenScope[];
}

const RANK = { viewer: 1, deployer: 2, admin: 3, owner: 4 } as const;
const SCOPE_RANK = { read: 1, deploy: 2, admin: 3 } as const;
const ROLE_FOR = { read: 'viewer', deploy: 'deployer', admin: 'admin', owner: 'owner' } as const;
const SCOPE_FOR = { read: 'read', deploy: 'deploy', admin: 'admin', owner: 'admin' } as const;

type Outcome = 'allowed' | 'hidden' | 'forbidden';
const expected = (who: Who, need: Need): Outcome => {
  const maxScope = Math.max(...who.scopes.map((s) => SCOPE_RANK[s]));
  switch (need) {
    case 'any':
      return 'allowed';
    case 'admin-scope':
      return maxScope >= SCOPE_RANK.admin ? 'allowed' : 'forbidden';
    case 'platform':
      return 'forbidden';
    default:
      if (!who.role) return 'hidden';
      if (RANK[who.role] < RANK[ROLE_FOR[need]]) return 'forbidden';
      return maxScope >= SCOPE_RANK[SCOPE_FOR[need]] ? 'allowed' : 'forbidden';
  }
};

const HIDDEN_CODES = [ErrorCode.ProjectNotFound, ErrorCode.EnvironmentNotFound, ErrorCode.DeploymentNotFound];
const outcomeOf = (res: ApiResponse): Outcome | `unexpected ${number}` => {
  if (res.status === 401) return `unexpected 401`;
  if (res.status === 403 && res.body?.error?.code === ErrorCode.InsufficientPermissions) return 'forbidden';
  if (res.status === 404 && HIDDEN_CODES.includes(res.body?.error?.code)) return 'hidden';
  if (res.status >= 500 && res.status !== 503) return `unexpected ${res.status}`;
  return 'allowed';
};

// The gateway on real Postgres and NATS; the services behind it answer from fakes: the project,
// its environment and its deployment for real, every other command with 503 (a request that got
// past the rights check and reached the bus).
describe('access: users, tokens, roles and the permission matrix', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  let fakes: FakeResponders;
  const project = aProject({ name: 'matrix' });
  const environment = anEnvironment({ projectId: project.id, name: 'production', isDefault: true });
  const deployment = aDeployment({ projectId: project.id, environmentId: environment.id });
  const other = aProject({ name: 'elsewhere' });
  const created: string[] = [];
  const who: Record<string, Who> = {};
  let userIds: Record<string, string>;

  const asAdmin = (method: string, path: string, body?: unknown) => gw.api(method, path, body === undefined ? {} : { body });
  const as = (token: string, method: string, path: string, body?: unknown) =>
    gw.api(method, path, { ...(body === undefined ? {} : { body }), headers: { authorization: `Bearer ${token}` } });
  // a stream that its caller may read stays open: its status and first bytes are all the matrix needs
  const streamed = async (token: string | undefined, path: string): Promise<ApiResponse> => {
    const abort = new AbortController();
    const res = await fetch(`${gw.url}/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: abort.signal });
    const body = res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : undefined;
    abort.abort();
    return { status: res.status, headers: res.headers, body };
  };

  const user = async (name: string): Promise<string> => {
    const res = await asAdmin('POST', '/users', { name });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const token = async (userId: string, scopes: TokenScope[]): Promise<string> => {
    const res = await asAdmin('POST', '/tokens', { name: `t-${scopes.join('-')}`, scopes, userId });
    expect(res.status).toBe(201);
    return res.body.token;
  };

  beforeAll(async () => {
    infra = await startTestInfra();
    gw = await startGateway(infra);
    fakes = await FakeResponders.connect(infra.nats);
    const projects = new Map([project, other].map((p) => [p.id, p]));
    await fakes.respond(getProject, ({ projectId }) => {
      const p = projects.get(projectId);
      return p ? ok(p) : err(ErrorCode.ProjectNotFound, `project ${projectId} not found`);
    });
    await fakes.respond(getEnvironment, ({ environmentId }) =>
      environmentId === environment.id ? ok({ ...environment, project }) : err(ErrorCode.EnvironmentNotFound, 'environment not found'),
    );
    await fakes.respond(getDeployment, ({ deploymentId }) =>
      deploymentId === deployment.id ? ok(deployment) : err(ErrorCode.DeploymentNotFound, 'deployment not found'),
    );
    await fakes.respond(listProjects, () => ok({ items: [project, other, ...created.map((id) => aProject({ id }))] }));
    const answered = new Set([getProject.subject, getEnvironment.subject, getDeployment.subject, listProjects.subject]);
    for (const c of Object.values(contracts) as unknown[]) {
      const command = c as CommandDefinition;
      if (command && typeof command === 'object' && command.kind === 'command' && !answered.has(command.subject)) {
        answered.add(command.subject);
        await fakes.respond(command, () => err(ErrorCode.ServiceUnavailable, 'not this test'));
      }
    }

    userIds = {
      viewer: await user('vera'),
      deployer: await user('dan'),
      admin: await user('ada'),
      owner: await user('olga'),
      outsider: await user('otto'),
    };
    for (const role of ['viewer', 'deployer', 'admin', 'owner'] as const) {
      const res = await asAdmin('PUT', `/projects/${project.id}/members/${userIds[role]}`, { role });
      expect(res.status).toBe(200);
    }
    // the outsider belongs to another project: a member somewhere is not a member everywhere
    expect((await asAdmin('PUT', `/projects/${other.id}/members/${userIds.outsider}`, { role: 'owner' })).status).toBe(200);
    const all: TokenScope[] = ['read', 'deploy', 'admin'];
    for (const role of ['viewer', 'deployer', 'admin', 'owner'] as const) {
      who[role] = { label: role, role, scopes: all, token: await token(userIds[role], all) };
    }
    who.outsider = { label: 'member of another project', scopes: all, token: await token(userIds.outsider, all) };
    who.ownerRead = { label: 'owner with a read token', role: 'owner', scopes: ['read'], token: await token(userIds.owner, ['read']) };
    who.ownerDeploy = { label: 'owner with a deploy token', role: 'owner', scopes: ['deploy'], token: await token(userIds.owner, ['deploy']) };
  });
  afterAll(async () => {
    await fakes?.close();
    await gw?.close();
    await infra?.stop();
  });

  const routes = async (): Promise<string[]> => {
    const doc = await (await fetch(`${gw.opsUrl}/openapi.json`)).json();
    return Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
  };
  const fill = (path: string) =>
    path
      .replace('/api/v1', '')
      .replace('{projectId}', project.id)
      .replace('{environmentId}', environment.id)
      .replace('{deploymentId}', deployment.id)
      .replace('{key}', 'API_KEY')
      .replace(/\{\w+Id\}/g, () => randomUUID());

  it('answers every route for every kind of caller as the rules say: 401 without a token, 404 for a project they cannot see, 403 beyond their role or token', async () => {
    const all = await routes();
    expect(all.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const route of all) {
      const [method, path] = route.split(' ');
      const url = fill(path);
      if (SIGNED_ROUTES.includes(route)) {
        for (const token of [undefined, ADMIN_TOKEN, ...Object.values(who).map((w) => w.token)]) {
          const res = await gw.api(method, url, {
            body: { repository: { clone_url: 'https://github.com/acme/matrix' } },
            headers: { authorization: token ? `Bearer ${token}` : '', 'x-github-event': 'push', 'x-github-delivery': randomUUID() },
          });
          if (res.status !== 401 || res.body?.error?.code !== ErrorCode.WebhookInvalidSignature) wrong.push(`${route} unsigned: ${res.status} ${res.body?.error?.code}`);
        }
        continue;
      }
      if (PROVIDER_WEBHOOK_ROUTES.includes(route)) {
        for (const token of [undefined, ADMIN_TOKEN, ...Object.values(who).map((w) => w.token)]) {
          const headers = { authorization: token ? `Bearer ${token}` : '', 'x-vercel-signature': '0'.repeat(40) };
          // the environment releases with the internal provider: no vercel webhook for it, whoever asks
          const res = await gw.api(method, url.replace('{provider}', 'vercel'), { body: { type: 'deployment.succeeded' }, headers });
          if (res.status !== 404 || res.body?.error?.code !== ErrorCode.WebhookUnknownProvider) wrong.push(`${route} for another provider: ${res.status} ${res.body?.error?.code}`);
          const unknown = await gw.api(method, url.replace('{provider}', 'vercel').replace(environment.id, randomUUID()), { body: { type: 'deployment.succeeded' }, headers });
          if (unknown.status !== 404 || unknown.body?.error?.code !== ErrorCode.EnvironmentNotFound) wrong.push(`${route} for an unknown environment: ${unknown.status} ${unknown.body?.error?.code}`);
        }
        continue;
      }
      if (PUBLISHER_CREDENTIAL_ROUTES.includes(route)) {
        for (const token of [undefined, ADMIN_TOKEN, ...Object.values(who).map((w) => w.token)]) {
          const res = await gw.api(method, url, { body: { kind: 'log', lines: ['x'] }, headers: { authorization: token ? `Bearer ${token}` : '' } });
          if (res.status !== 401 || res.body?.error?.code !== ErrorCode.PublisherCredentialInvalid) wrong.push(`${route} without a publisher credential: ${res.status} ${res.body?.error?.code}`);
        }
        continue;
      }
      const body = method === 'GET' ? undefined : {};
      const stream = url.endsWith('/stream') || url.endsWith('/events');
      const call = (token: string | undefined) =>
        stream ? streamed(token, url) : gw.api(method, url, { ...(body === undefined ? {} : { body }), headers: { authorization: token ? `Bearer ${token}` : '' } });
      const none = await call(undefined);
      if (none.status !== 401) wrong.push(`${route} without a token: ${none.status}`);
      const admin = await call(ADMIN_TOKEN);
      if (outcomeOf(admin) !== 'allowed') wrong.push(`${route} as the bootstrap admin: ${admin.status} ${admin.body?.error?.code}`);
      for (const w of Object.values(who)) {
        const res = await call(w.token);
        const want = expected(w, needOf(route));
        const got = outcomeOf(res);
        if (got !== want) wrong.push(`${route} as ${w.label}: wanted ${want}, got ${got} (${res.status} ${res.body?.error?.code})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('checks the same rights per Socket.IO subscription: a deployment of a project the caller cannot see does not exist for them', async () => {
    const subscribe = async (tokenValue: string) => {
      const socket: Socket = io(`${gw.url}${DEPLOYMENTS_NAMESPACE}`, { auth: { token: tokenValue }, transports: ['websocket'], reconnection: false });
      try {
        return await socket.timeout(10_000).emitWithAck('subscribe', { deploymentId: deployment.id });
      } finally {
        socket.disconnect();
      }
    };
    expect(await subscribe(who.outsider.token)).toMatchObject({ ok: false, error: { code: ErrorCode.DeploymentNotFound } });
    const viewer = await subscribe(who.viewer.token);
    expect(viewer.error?.code).not.toBe(ErrorCode.DeploymentNotFound);
    const refused = io(`${gw.url}${DEPLOYMENTS_NAMESPACE}`, { auth: { token: 'fdt_not-a-token' }, transports: ['websocket'], reconnection: false });
    const error = await new Promise<Error>((resolve) => refused.on('connect_error', resolve));
    refused.disconnect();
    expect(error.message).toBe(ErrorCode.Unauthenticated);
  });

  it('shows a token once, keeps only its hash, lists it without the secret, and stops it at once when revoked', async () => {
    const issued = await as(who.admin.token, 'POST', '/tokens', { name: 'ci', scopes: ['deploy'], expiresInDays: 30 });
    expect(issued.status).toBe(201);
    expect(issued.body.token).toMatch(/^fdt_[A-Za-z0-9_-]{43}$/);
    expect(issued.body.token.startsWith(issued.body.prefix)).toBe(true);
    const listed = await as(who.admin.token, 'GET', '/tokens');
    const mine = listed.body.items.find((t: { id: string }) => t.id === issued.body.id);
    expect(mine).toMatchObject({ name: 'ci', scopes: ['deploy'], revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    const db = new Client({ connectionString: infra.postgres.url });
    await db.connect();
    try {
      const dump = await db.query(`select t::text as row from gateway.api_tokens t`);
      expect(dump.rows.map((r) => r.row).join('\n')).not.toContain(issued.body.token.slice(4));
      const me = await as(issued.body.token, 'GET', '/me');
      expect(me.body).toMatchObject({ kind: 'user', user: { name: 'ada' }, token: { id: issued.body.id } });
      // recorded after the answer, without holding the request up
      await eventually('last use recorded', async () => {
        const used = await db.query(`select last_used_at from gateway.api_tokens where id = $1`, [issued.body.id]);
        return used.rows[0].last_used_at !== null;
      });

      // another user's token is not theirs to revoke, and is not even said to exist
      expect((await as(who.viewer.token, 'DELETE', `/tokens/${issued.body.id}`)).body.error.code).toBe(ErrorCode.TokenNotFound);
      const revoked = await as(who.admin.token, 'DELETE', `/tokens/${issued.body.id}`);
      expect(revoked.body.revokedAt).not.toBeNull();
      const after = await as(issued.body.token, 'GET', '/me');
      expect(after).toMatchObject({ status: 401, body: { error: { code: 'auth/unauthenticated', message: 'token revoked' } } });

      const expiring = await as(who.admin.token, 'POST', '/tokens', { name: 'short', scopes: ['read'], expiresInDays: 1 });
      await db.query(`update gateway.api_tokens set expires_at = now() - interval '1 second' where id = $1`, [expiring.body.id]);
      expect((await as(expiring.body.token, 'GET', '/me')).body.error.message).toBe('token expired');
    } finally {
      await db.end();
    }
  });

  it('never lets a token make a stronger one, and names the user when the bootstrap token issues one', async () => {
    const res = await as(who.ownerDeploy.token, 'POST', '/tokens', { name: 'x', scopes: ['admin'] });
    expect(res.status).toBe(403);
    const weaker = await as(who.owner.token, 'POST', '/tokens', { name: 'y', scopes: ['read'] });
    expect(weaker.status).toBe(201);
    expect((await asAdmin('POST', '/tokens', { name: 'z', scopes: ['read'] })).body.error.message).toMatch(/^userId: /);
    expect((await asAdmin('POST', '/tokens', { name: 'z', scopes: ['read'], userId: randomUUID() })).body.error.code).toBe(ErrorCode.UserNotFound);
  });

  it('keeps owners to owners: an admin cannot make or unmake one, and the last owner stays', async () => {
    const newcomer = await user('nina');
    expect((await as(who.admin.token, 'PUT', `/projects/${project.id}/members/${newcomer}`, { role: 'owner' })).status).toBe(403);
    expect((await as(who.admin.token, 'PUT', `/projects/${project.id}/members/${newcomer}`, { role: 'deployer' })).status).toBe(200);
    expect((await as(who.admin.token, 'DELETE', `/projects/${project.id}/members/${userIds.owner}`)).status).toBe(403);
    const last = await as(who.owner.token, 'PUT', `/projects/${project.id}/members/${userIds.owner}`, { role: 'admin' });
    expect(last).toMatchObject({ status: 409, body: { error: { code: ErrorCode.MemberLastOwner } } });
    const members = await as(who.viewer.token, 'GET', `/projects/${project.id}/members`);
    expect(members.body.items.map((m: { userName: string; role: string }) => `${m.userName}:${m.role}`).sort()).toEqual(
      ['ada:admin', 'dan:deployer', 'nina:deployer', 'olga:owner', 'vera:viewer'].sort(),
    );
    expect((await asAdmin('PUT', `/projects/${project.id}/members/${randomUUID()}`, { role: 'viewer' })).body.error.code).toBe(ErrorCode.UserNotFound);
    expect((await asAdmin('PUT', `/projects/${randomUUID()}/members/${newcomer}`, { role: 'viewer' })).body.error.code).toBe(ErrorCode.ProjectNotFound);
  });

  it('lists only the projects a user is a member of, and makes the creator of a project its owner', async () => {
    const seen = await as(who.viewer.token, 'GET', '/projects');
    expect(seen.body.items.map((p: { id: string }) => p.id)).toEqual([project.id]);
    expect((await asAdmin('GET', '/projects')).body.items.length).toBeGreaterThanOrEqual(2);

    const fresh = aProject({ name: 'fresh' });
    await fakes.clear();
    await fakes.respond(contracts.createProject, () => ok(fresh));
    await fakes.respond(listProjects, () => ok({ items: [project, other, fresh] }));
    const create = await as(who.outsider.token, 'POST', '/projects', { name: 'fresh', repositoryUrl: 'https://example.com/fresh.git' });
    expect(create.status).toBe(201);
    const members = await as(who.outsider.token, 'GET', `/projects/${fresh.id}/members`);
    expect(members.body.items).toEqual([expect.objectContaining({ userId: userIds.outsider, role: 'owner' })]);
    expect((await as(who.outsider.token, 'GET', '/projects')).body.items.map((p: { id: string }) => p.id).sort()).toEqual([other.id, fresh.id].sort());
  });

  it('records every mutating call, allowed or not, in an append-only audit log: per project for its admins, whole for platform admins', async () => {
    // each call under its own correlation id: entries are written after the answers, in any order
    const run = randomUUID().slice(0, 8);
    const send = (tokenValue: string, method: string, path: string, body: unknown, step: string) =>
      gw.api(method, path, { body, headers: { authorization: `Bearer ${tokenValue}`, 'x-correlation-id': `audit-${run}-${step}` } });
    expect((await send(who.outsider.token, 'POST', `/deployments/${deployment.id}/cancel`, {}, 'cancel')).status).toBe(404);
    // past its rights, then no orchestrator answered
    expect((await send(who.deployer.token, 'POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' }, 'trigger')).status).toBe(503);
    expect((await send(who.viewer.token, 'PUT', `/environments/${environment.id}/variables/API_KEY`, { value: 'x' }, 'variable')).status).toBe(403);

    type Entry = { id: number; correlationId: string };
    const page = await eventually('the three entries', async () => {
      const res = await as(who.admin.token, 'GET', `/projects/${project.id}/audit?limit=200`);
      const mine = (res.body.items as Entry[]).filter((e) => e.correlationId?.startsWith(`audit-${run}-`));
      return mine.length === 3 ? res.body : undefined;
    });
    const entry = (step: string) => page.items.find((e: Entry) => e.correlationId === `audit-${run}-${step}`);
    const [cancel, trigger, variable] = [entry('cancel'), entry('trigger'), entry('variable')];
    expect(cancel).toMatchObject({
      actor: { kind: 'user', id: 'otto' },
      userId: userIds.outsider,
      method: 'POST',
      route: 'POST /api/v1/deployments/:deploymentId/cancel',
      projectId: project.id,
      target: { deploymentId: deployment.id },
      status: 404,
      outcome: 'denied',
      errorCode: ErrorCode.DeploymentNotFound,
    });
    expect(trigger).toMatchObject({ actor: { id: 'dan' }, outcome: 'failed', status: 503, errorCode: ErrorCode.ServiceUnavailable, tokenId: expect.any(String) });
    expect(variable).toMatchObject({ actor: { id: 'vera' }, outcome: 'denied', status: 403, target: { environmentId: environment.id, key: 'API_KEY' } });
    const ids = page.items.map((e: Entry) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const firstPage = await as(who.admin.token, 'GET', `/projects/${project.id}/audit?limit=1`);
    expect(firstPage.body.nextBefore).toBe(firstPage.body.items[0].id);
    const second = await as(who.admin.token, 'GET', `/projects/${project.id}/audit?limit=1&before=${firstPage.body.nextBefore}`);
    expect(second.body.items[0].id).toBeLessThan(firstPage.body.items[0].id);

    expect((await as(who.viewer.token, 'GET', `/projects/${project.id}/audit`)).status).toBe(403);
    expect((await as(who.owner.token, 'GET', '/audit')).status).toBe(403);
    const all = await asAdmin('GET', `/audit?projectId=${project.id}&limit=200`);
    expect(all.body.items.map((e: { id: number }) => e.id)).toEqual(expect.arrayContaining([cancel.id, trigger.id, variable.id]));
    // reads are not audit entries
    expect(all.body.items.every((e: { method: string }) => e.method !== 'GET')).toBe(true);

    const db = new Client({ connectionString: infra.postgres.url });
    await db.connect();
    try {
      await expect(db.query(`update gateway.audit_log set outcome = 'succeeded' where id = $1`, [cancel.id])).rejects.toThrow(/append-only/);
      await expect(db.query(`delete from gateway.audit_log`)).rejects.toThrow(/append-only/);
    } finally {
      await db.end();
    }
  });

  it('limits each token to FLIGHTDECK_API_REQUESTS_PER_MINUTE requests a minute, saying so in X-RateLimit headers; the admin token and other tokens go on', async () => {
    const limited = await startGateway(infra, { FLIGHTDECK_API_REQUESTS_PER_MINUTE: '5' });
    try {
      const call = (tokenValue: string) => limited.api('GET', '/me', { headers: { authorization: `Bearer ${tokenValue}` } });
      const first = await call(who.viewer.token);
      expect(first.status).toBe(200);
      expect(first.headers.get('x-ratelimit-limit')).toBe('5');
      expect(first.headers.get('x-ratelimit-remaining')).toBe('4');
      for (let i = 0; i < 4; i++) expect((await call(who.viewer.token)).status).toBe(200);
      const sixth = await call(who.viewer.token);
      expect(sixth.status).toBe(429);
      expect(sixth.body.error).toMatchObject({ code: ErrorCode.RateLimited, message: expect.stringMatching(/at most 5 API requests per minute per token/) });
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await call(who.deployer.token)).status).toBe(200);
      for (let i = 0; i < 6; i++) expect((await limited.api('GET', '/me')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
