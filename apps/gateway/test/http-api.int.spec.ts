import { randomUUID } from 'node:crypto';
import {
  type Deployment,
  type Environment,
  ErrorCode,
  type TriggerDeploymentRequest,
  err,
  getDeployment,
  getEnvironmentHealth,
  actOnCanary,
  getProject,
  getProjectEnvironment,
  createProject,
  listEnvironments,
  listLogLines,
  ok,
  setEnvironmentConcurrency,
  setEnvironmentLimits,
  setVariable,
  triggerDeployment,
} from '@flightdeck/contracts';
import { startTestInfra, type TestInfra } from '@flightdeck/testing';
import { aDeployment, aProject, anEnvironment } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { ADMIN_TOKEN, type RunningGateway, startGateway } from './support/gateway-app';

// The gateway on real Postgres and NATS; the services it asks are stood in for on the same NATS.
describe('gateway REST API', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  let fakes: FakeResponders;

  beforeAll(async () => {
    infra = await startTestInfra();
    gw = await startGateway(infra);
    fakes = await FakeResponders.connect(infra.nats);
  });
  afterEach(() => fakes.clear());
  afterAll(async () => {
    await fakes?.close();
    await gw?.close();
    await infra?.stop();
  });

  describe('authentication', () => {
    it('answers 401 auth/unauthenticated without a token', async () => {
      const res = await gw.api('GET', '/projects', { headers: { authorization: '' } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('auth/unauthenticated');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('answers 401 for a wrong token', async () => {
      const res = await gw.api('GET', '/projects', { headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'auth/unauthenticated', message: 'invalid token' } });
    });

    it('checks the token before the input', async () => {
      const res = await gw.api('POST', '/projects', { body: { bogus: 1 }, headers: { authorization: '' } });
      expect(res.status).toBe(401);
    });

  });

  // Operators keep the operations port off the public address: nothing of it answers on the public port.
  describe('operations port', () => {
    const OPS_PATHS = ['/health/live', '/health/ready', '/metrics', '/openapi.json', '/docs', '/docs/swagger-ui-init.js'];

    it('serves health, metrics and the API docs without a token', async () => {
      expect((await fetch(`${gw.opsUrl}/health/live`)).status).toBe(200);
      expect((await fetch(`${gw.opsUrl}/health/ready`)).status).toBe(200);
      const metrics = await fetch(`${gw.opsUrl}/metrics`);
      expect([metrics.status, await metrics.text()]).toEqual([200, expect.stringContaining('flightdeck_process_cpu_user_seconds_total')]);
      const docs = await fetch(`${gw.opsUrl}/docs`);
      expect([docs.status, await docs.text()]).toEqual([200, expect.stringContaining('swagger')]);
      expect((await fetch(`${gw.opsUrl}/openapi.json`)).status).toBe(200);
    });

    it('answers 404 for them on the public port, as for any unknown route', async () => {
      for (const path of [...OPS_PATHS, '/api/v1/openapi.json', '/api/v1/docs', '/api/v1/health/live']) {
        const res = await fetch(`${gw.url}${path}`);
        expect([path, res.status]).toEqual([path, 404]);
        expect((await res.json()).error.code).toBe('http/not-found');
      }
    });

    it('serves nothing of the API', async () => {
      const res = await fetch(`${gw.opsUrl}/api/v1/projects`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(404);
      expect((await fetch(`${gw.opsUrl}/socket.io/?EIO=4&transport=polling`)).status).toBe(404);
    });
  });

  describe('bad input', () => {
    it('answers malformed JSON with 400 validation/invalid-input', async () => {
      const res = await gw.api('POST', '/projects', { rawBody: '{"name": "shop",' });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation/invalid-input');
    });

    it('names an unknown field', async () => {
      const res = await gw.api('POST', '/projects', { body: { name: 'shop', repositoryUrl: '/tmp/x', colour: 'red' } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation/invalid-input');
      expect(res.body.error.message).toContain('colour');
      expect(res.body.error.details.fields).toEqual([{ path: 'colour', message: 'unknown field' }]);
    });

    it('names a missing field, also when there is no body at all', async () => {
      const res = await gw.api('POST', '/projects');
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(['name', 'repositoryUrl']);
    });

    it('answers a path id that is not a uuid with 400 naming it', async () => {
      const res = await gw.api('GET', '/deployments/not-a-uuid');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/^deploymentId: /);
    });

    it('checks query parameters: logs limit at most 5000, no unknown ones', async () => {
      const id = randomUUID();
      expect((await gw.api('GET', `/deployments/${id}/logs?limit=5001`)).body.error.message).toMatch(/^limit: /);
      expect((await gw.api('GET', `/deployments/${id}/logs?level=loud`)).status).toBe(400);
      expect((await gw.api('GET', `/deployments/${id}/logs?sort=desc`)).body.error.message).toBe('sort: unknown field');
    });

    it('bounds every integer by what its column holds, instead of letting Postgres fail with a 500', async () => {
      const id = randomUUID();
      const seq = await gw.api('GET', `/deployments/${id}/logs?afterSeq=3000000000`);
      expect(seq.status).toBe(400);
      expect(seq.body.error.message).toMatch(/^afterSeq: /);
      const offset = await gw.api('GET', `/projects/${id}/deployments?offset=1e19`);
      expect(offset.status).toBe(400);
      expect(offset.body.error.message).toMatch(/^offset: /);
    });

    it('refuses text no service can store (NUL, an unpaired surrogate), naming the field', async () => {
      const nul = await gw.api('POST', '/projects', { body: { name: 'shop', repositoryUrl: '/tmp/x\u0000y' } });
      expect(nul.status).toBe(400);
      expect(nul.body.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^repositoryUrl: .*NUL/) });
      const surrogate = await gw.api('POST', '/projects', { body: { name: 'shop', repositoryUrl: '/tmp/\ud800' } });
      expect(surrogate.status).toBe(400);
      expect(surrogate.body.error.message).toMatch(/^repositoryUrl: .*surrogate/);
      const query = await gw.api('GET', `/deployments/${randomUUID()}/logs?step=a%00b`);
      expect(query.status).toBe(400);
      expect(query.body.error.message).toMatch(/^step: .*NUL/);
    });

    it('answers a body over 1 MiB with 413 and a JSON route sent something else than JSON with 415, changing nothing', async () => {
      const received = await fakes.respond(createProject, () => ok(aProject()));
      const big = await gw.api('POST', '/projects', { rawBody: JSON.stringify({ name: 'shop', repositoryUrl: 'x'.repeat(1_100_000) }) });
      expect(big.status).toBe(413);
      expect(big.body.error.code).toBe('http/payload-too-large');
      const text = await gw.api('POST', '/projects', { rawBody: 'name=shop', headers: { 'content-type': 'text/plain' } });
      expect(text.status).toBe(415);
      expect(text.body.error).toMatchObject({ code: 'http/unsupported-media-type', message: expect.stringContaining('text/plain') });
      const form = await gw.api('POST', '/projects', { rawBody: 'name=shop', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(form.status).toBe(415);
      expect(received).toEqual([]);
      const json = await gw.api('POST', '/projects', { body: { name: 'shop', repositoryUrl: '/tmp/x' }, headers: { 'content-type': 'application/json; charset=utf-8' } });
      expect(json.status).toBe(201);
    });

    it('answers an unknown route with 404 http/not-found', async () => {
      const res = await gw.api('GET', '/nothing-here');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('http/not-found');
      expect((await gw.api('DELETE', '/projects')).status).toBe(404);
    });
  });

  describe('routes over the bus', () => {
    it("answers an environment's release health from the builder, asked by the project's and environment's names", async () => {
      const project = aProject({ name: 'shop' });
      const environment = anEnvironment({ projectId: project.id, name: 'staging' });
      await fakes.respond(getProject, () => ok(project));
      await fakes.respond(getProjectEnvironment, () => ok(environment));
      const health = {
        health: 'degraded' as const,
        releaseDeploymentId: randomUUID(),
        crashLooping: false,
        restarts: 1,
        lastFailure: { reason: 'process was killed by SIGKILL', at: new Date().toISOString() },
        updatedAt: new Date().toISOString(),
      };
      const received = await fakes.respond(getEnvironmentHealth, () => ok(health));
      const res = await gw.api('GET', `/projects/${project.id}/environments/${environment.id}/health`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(health);
      expect(received.map((r) => r.data)).toEqual([{ projectName: 'shop', environmentName: 'staging' }]);
    });

    it('promotes or aborts a running canary on the builder that runs it; 409 deployment/invalid-state when none does', async () => {
      const d = aDeployment({ status: 'deploying', phase: 'updating_routes' });
      await fakes.respond(getDeployment, () => ok(d));
      // two builders hear it: one runs the canary, the other does not
      const running = await fakes.respond(actOnCanary, () => ok({ handled: true }));
      await fakes.respond(actOnCanary, () => ok({ handled: false }));
      const promoted = await gw.api('POST', `/deployments/${d.id}/promote`);
      expect(promoted.status).toBe(200);
      expect(promoted.body).toMatchObject({ id: d.id, status: 'deploying' });
      const aborted = await gw.api('POST', `/deployments/${d.id}/abort`);
      expect(aborted.status).toBe(200);
      expect(running.map((r) => r.data)).toEqual([
        { deploymentId: d.id, action: 'promote' },
        { deploymentId: d.id, action: 'abort' },
      ]);
      await fakes.clear();
      await fakes.respond(getDeployment, () => ok(d));
      const none = await gw.api('POST', `/deployments/${d.id}/promote`);
      expect(none.status).toBe(409);
      expect(none.body.error).toMatchObject({ code: 'deployment/invalid-state', message: expect.stringMatching(/is not a running canary \(it is deploying\/updating_routes\)/) });
    });

    it('creates a project: 201 with what environment-manager answered, carrying the correlation id', async () => {
      const project = aProject({ name: 'shop' });
      const received = await fakes.respond(createProject, () => ok(project));
      const res = await gw.api('POST', '/projects', {
        body: { name: 'shop', repositoryUrl: 'https://example.com/shop.git' },
        headers: { 'x-correlation-id': 'corr-123' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual(project);
      expect(res.headers.get('x-correlation-id')).toBe('corr-123');
      expect(received.map((r) => r.data)).toEqual([{ name: 'shop', repositoryUrl: 'https://example.com/shop.git' }]);
      expect(received[0].envelope.correlationId).toBe('corr-123');
    });

    it.each([
      [ErrorCode.ProjectNotFound, 404],
      [ErrorCode.ProjectNameTaken, 409],
      [ErrorCode.InvalidInput, 400],
      [ErrorCode.InternalError, 500],
    ])('maps the bus error %s to HTTP %i with its code and message', async (code, status) => {
      await fakes.respond(getProject, ({ projectId }) => err(code, `project ${projectId}: ${code}`, { projectId }));
      const id = randomUUID();
      const res = await gw.api('GET', `/projects/${id}`);
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ error: { code, message: `project ${id}: ${code}`, details: { projectId: id } } });
    });

    it('answers 409 deployment/already-running for a second trigger', async () => {
      await fakes.respond(triggerDeployment, () => err(ErrorCode.DeploymentAlreadyRunning, 'a deployment is running'));
      const res = await gw.api('POST', `/projects/${randomUUID()}/deployments`, { body: { sourceRef: 'main' } });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('deployment/already-running');
    });

    it('triggers with the actor and idempotency key: 201 first, 200 with the same deployment when replayed', async () => {
      const byKey = new Map<string, Deployment>();
      const received = await fakes.respond(triggerDeployment, (req: TriggerDeploymentRequest) => {
        const known = req.idempotencyKey ? byKey.get(req.idempotencyKey) : undefined;
        if (known) return ok({ deployment: known, replayed: true });
        const d = aDeployment({ projectId: req.projectId, sourceRef: req.sourceRef });
        if (req.idempotencyKey) byKey.set(req.idempotencyKey, d);
        return ok({ deployment: d, replayed: false });
      });
      const projectId = randomUUID();
      const trigger = () =>
        gw.api('POST', `/projects/${projectId}/deployments`, { body: { sourceRef: 'main', force: true }, headers: { 'idempotency-key': 'k-1' } });
      const first = await trigger();
      const again = await trigger();
      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      expect(received[0].data).toEqual({
        sourceRef: 'main',
        force: true,
        projectId,
        idempotencyKey: 'k-1',
        trigger: 'api',
        actor: { id: 'admin', kind: 'token' },
        // a forced trigger carries the caller's role (the admin token counts as owner): an admin's goes through a freeze window
        actorRole: 'owner',
      });
    });

    it('sets a variable from path and body', async () => {
      const received = await fakes.respond(setVariable, (r) =>
        ok({ key: r.key, value: r.sensitive ? '***' : r.value, sensitive: r.sensitive, updatedAt: '2025-01-01T00:00:00.000Z' }),
      );
      const environmentId = randomUUID();
      const res = await gw.api('PUT', `/environments/${environmentId}/variables/API_KEY`, { body: { value: 's3cret', sensitive: true } });
      expect(res.status).toBe(200);
      expect(res.body.value).toBe('***');
      expect(received[0].data).toEqual({ environmentId, key: 'API_KEY', value: 's3cret', sensitive: true });
      const badKey = await gw.api('PUT', `/environments/${environmentId}/variables/9bad-key`, { body: { value: 'x' } });
      expect(badKey.status).toBe(400);
      expect(badKey.body.error.message).toMatch(/^key: /);
    });

    describe('environment concurrency policy', () => {
      const concurrencyPath = (e: Pick<Environment, 'projectId' | 'id'>) => `/projects/${e.projectId}/environments/${e.id}/concurrency`;

      it('sets the policy from the body and answers the environment with it', async () => {
        const env = anEnvironment();
        const received = await fakes.respond(setEnvironmentConcurrency, (r) =>
          r.environmentId === env.id && r.projectId === env.projectId
            ? ok({ ...env, concurrencyPolicy: r.policy })
            : err(ErrorCode.EnvironmentNotFound, 'not found'),
        );
        const res = await gw.api('PUT', concurrencyPath(env), { body: { policy: 'cancel-in-progress' } });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ ...env, concurrencyPolicy: 'cancel-in-progress' });
        expect(received.map((r) => r.data)).toEqual([{ projectId: env.projectId, environmentId: env.id, policy: 'cancel-in-progress' }]);
      });

      it.each([
        ['an unknown policy', { policy: 'parallel' }, 'policy'],
        ['no policy', {}, 'policy'],
        ['an unknown field', { policy: 'queue', maxParallel: 2 }, 'maxParallel'],
      ])('answers %s with 400 validation/invalid-input, and asks nobody', async (_what, body, path) => {
        const env = anEnvironment();
        const received = await fakes.respond(setEnvironmentConcurrency, () => ok(env));
        const res = await gw.api('PUT', concurrencyPath(env), { body });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation/invalid-input');
        expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual([path]);
        expect(received).toEqual([]);
      });
    });

    describe('environment limits', () => {
      const LIMITS = { build: { memoryMb: 2048, buildTimeoutSeconds: 900 }, release: { memoryMb: 512, cpus: 0.5 } };

      // environment-manager's part, in memory: limits change only on an environment of the project named
      const environmentManager = async (...envs: Environment[]) => {
        const byId = new Map(envs.map((e) => [e.id, e]));
        const received = await fakes.respond(setEnvironmentLimits, (r) => {
          const env = byId.get(r.environmentId);
          if (!env || env.projectId !== r.projectId) {
            return err(ErrorCode.EnvironmentNotFound, `environment ${r.environmentId} not found`);
          }
          byId.set(env.id, { ...env, limits: r.limits });
          return ok(byId.get(env.id)!);
        });
        await fakes.respond(listEnvironments, (r) => ok({ items: [...byId.values()].filter((e) => e.projectId === r.projectId) }));
        return received;
      };
      const limitsPath = (e: Pick<Environment, 'projectId' | 'id'>) => `/projects/${e.projectId}/environments/${e.id}/limits`;
      const limitsOf = async (projectId: string) => (await gw.api('GET', `/projects/${projectId}/environments`)).body.items[0].limits;

      it('sets them from the body and answers the environment; the list of environments shows them', async () => {
        const env = anEnvironment();
        const received = await environmentManager(env);
        const res = await gw.api('PUT', limitsPath(env), { body: LIMITS });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ ...env, limits: LIMITS });
        expect(received.map((r) => r.data)).toEqual([{ projectId: env.projectId, environmentId: env.id, limits: LIMITS }]);
        const list = await gw.api('GET', `/projects/${env.projectId}/environments`);
        expect(list.body).toEqual({ items: [{ ...env, limits: LIMITS }] });
      });

      it('clears them with {}', async () => {
        const env = anEnvironment({ limits: LIMITS });
        const received = await environmentManager(env);
        const res = await gw.api('PUT', limitsPath(env), { body: {} });
        expect(res.status).toBe(200);
        expect(res.body.limits).toEqual({});
        expect(received[0].data.limits).toEqual({});
        expect(await limitsOf(env.projectId)).toEqual({});
      });

      it.each([
        ['a memory limit below the minimum', { build: { memoryMb: 5 } }, 'build.memoryMb'],
        ['an unknown field', { release: { memoryMb: 512, swapMb: 1024 } }, 'release.swapMb'],
        ['an unknown section', { deploy: {} }, 'deploy'],
        ['a number as text', { build: { buildTimeoutSeconds: '900' } }, 'build.buildTimeoutSeconds'],
      ])('answers %s with 400 naming the field, and asks nobody', async (_what, body, path) => {
        const env = anEnvironment({ limits: LIMITS });
        const received = await environmentManager(env);
        const res = await gw.api('PUT', limitsPath(env), { body });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation/invalid-input');
        expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual([path]);
        expect(received).toEqual([]);
        expect(await limitsOf(env.projectId)).toEqual(LIMITS);
      });

      it('answers 400 for a body that is not an object', async () => {
        const env = anEnvironment();
        const received = await environmentManager(env);
        expect((await gw.api('PUT', limitsPath(env), { rawBody: '[]' })).status).toBe(400);
        expect((await gw.api('PUT', limitsPath(env), { rawBody: 'null' })).status).toBe(400);
        expect(received).toEqual([]);
      });

      it("answers 404 for an unknown environment and for another project's, changing neither", async () => {
        const mine = anEnvironment();
        const theirs = anEnvironment();
        await environmentManager(mine, theirs);
        const unknown = await gw.api('PUT', limitsPath({ projectId: mine.projectId, id: randomUUID() }), { body: LIMITS });
        expect(unknown.status).toBe(404);
        expect(unknown.body.error.code).toBe('deployment/environment-not-found');
        const other = await gw.api('PUT', limitsPath({ projectId: mine.projectId, id: theirs.id }), { body: LIMITS });
        expect(other.status).toBe(404);
        expect(other.body.error.code).toBe('deployment/environment-not-found');
        expect(await limitsOf(theirs.projectId)).toEqual({});
      });
    });

    it('refuses a value holding NUL or another control character: 400 variable/invalid-value naming the key, nothing sent on', async () => {
      const received = await fakes.respond(setVariable, (r) => ok({ key: r.key, value: '***', sensitive: r.sensitive, updatedAt: '2025-01-01T00:00:00.000Z' }));
      const environmentId = randomUUID();
      for (const [value, codePoint] of [
        ['pass\u0000word', 'U+0000'],
        ['pass\u001b[2Jword', 'U+001B'],
        ['pass\u007fword', 'U+007F'],
      ]) {
        const res = await gw.api('PUT', `/environments/${environmentId}/variables/DB_PASSWORD`, { body: { value, sensitive: true } });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'variable/invalid-value', details: { fields: [{ path: 'value', message: expect.any(String) }] } });
        expect(res.body.error.message).toMatch(/^value: DB_PASSWORD may not hold control characters/);
        expect(res.body.error.message).toContain(`found ${codePoint} at character 5`);
        expect(JSON.stringify(res.body)).not.toContain('pass');
      }
      const nulKey = await gw.api('PUT', `/environments/${environmentId}/variables/DB%00PASSWORD`, { body: { value: 'x' } });
      expect(nulKey.status).toBe(400);
      expect(nulKey.body.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^key: /) });
      expect(received).toEqual([]);

      const pem = '-----BEGIN KEY-----\r\nMIIBOgIBAAJBAKj34GkxFhD9\t\n-----END KEY-----\n';
      const ok200 = await gw.api('PUT', `/environments/${environmentId}/variables/TLS_KEY`, { body: { value: pem, sensitive: true } });
      expect(ok200.status).toBe(200);
      expect(received.map((r) => r.data)).toEqual([{ environmentId, key: 'TLS_KEY', value: pem, sensitive: true }]);
    });

    it('passes log queries on with numbers parsed', async () => {
      const received = await fakes.respond(listLogLines, () => ok({ items: [] }));
      const id = randomUUID();
      const res = await gw.api('GET', `/deployments/${id}/logs?afterSeq=42&limit=5000&source=build`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ items: [] });
      expect(received[0].data).toEqual({ deploymentId: id, afterSeq: 42, limit: 5000, source: 'build' });
    });

    it('answers 503 service/unavailable when no instance of the owner listens', async () => {
      const res = await gw.api('GET', `/deployments/${randomUUID()}`);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('service/unavailable');
      expect(res.body.error.message).toContain(getDeployment.subject);
    });
  });

  describe('OpenAPI document', () => {
    it('lists every route, with the bearer scheme and error responses, without a token', async () => {
      const res = await fetch(`${gw.opsUrl}/openapi.json`);
      expect(res.status).toBe(200);
      const doc = await res.json();
      expect(doc.openapi).toMatch(/^3\./);
      const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      );
      expect(routes.sort()).toEqual(
        [
          'GET /api/v1/system/status',
          'POST /api/v1/projects',
          'GET /api/v1/projects',
          'GET /api/v1/projects/{projectId}',
          'PATCH /api/v1/projects/{projectId}',
          'DELETE /api/v1/projects/{projectId}',
          'POST /api/v1/projects/{projectId}/restore',
          'GET /api/v1/projects/{projectId}/environments',
          'POST /api/v1/projects/{projectId}/environments',
          'GET /api/v1/projects/{projectId}/environments/{environmentId}',
          'PATCH /api/v1/projects/{projectId}/environments/{environmentId}',
          'DELETE /api/v1/projects/{projectId}/environments/{environmentId}',
          'POST /api/v1/projects/{projectId}/environments/{environmentId}/restore',
          'PUT /api/v1/projects/{projectId}/environments/{environmentId}/limits',
          'PUT /api/v1/projects/{projectId}/environments/{environmentId}/concurrency',
          'PUT /api/v1/environments/{environmentId}/variables/{key}',
          'GET /api/v1/environments/{environmentId}/variables',
          'DELETE /api/v1/environments/{environmentId}/variables/{key}',
          'POST /api/v1/environments/{environmentId}/variables/validate',
          'POST /api/v1/environments/{environmentId}/variables/import',
          'GET /api/v1/environments/{environmentId}/variables/export',
          'PUT /api/v1/projects/{projectId}/variables/{key}',
          'GET /api/v1/projects/{projectId}/variables',
          'DELETE /api/v1/projects/{projectId}/variables/{key}',
          'POST /api/v1/projects/{projectId}/variables/import',
          'GET /api/v1/projects/{projectId}/variables/export',
          'POST /api/v1/system/rotate-key',
          'GET /api/v1/projects/{projectId}/environments/{environmentId}/detected-variables',
          'GET /api/v1/projects/{projectId}/environments/{environmentId}/health',
          'POST /api/v1/projects/{projectId}/deployments',
          'GET /api/v1/projects/{projectId}/deployments',
          'GET /api/v1/projects/{projectId}/analytics',
          'GET /api/v1/deployments/{deploymentId}',
          'GET /api/v1/deployments/{deploymentId}/progress',
          'GET /api/v1/deployments/{deploymentId}/configuration',
          'GET /api/v1/deployments/{deploymentId}/config-diff',
          'GET /api/v1/deployments/{deploymentId}/result',
          'GET /api/v1/deployments/{deploymentId}/metrics',
          'POST /api/v1/deployments/{deploymentId}/cancel',
          'POST /api/v1/deployments/{deploymentId}/promote',
          'POST /api/v1/deployments/{deploymentId}/abort',
          'POST /api/v1/deployments/{deploymentId}/rollback',
          'POST /api/v1/deployments/{deploymentId}/retry',
          'POST /api/v1/deployments/{deploymentId}/approve',
          'POST /api/v1/deployments/{deploymentId}/reject',
          'GET /api/v1/deployments/{deploymentId}/logs',
          'GET /api/v1/deployments/{deploymentId}/logs/stream',
          'GET /api/v1/projects/{projectId}/events',
          'GET /api/v1/deployments/{deploymentId}/logs/search',
          'GET /api/v1/deployments/{deploymentId}/logs/levels',
          'GET /api/v1/projects/{projectId}/logs/search',
          'PUT /api/v1/projects/{projectId}/logs/retention',
          'PUT /api/v1/deployments/{deploymentId}/logs/pin',
          'POST /api/v1/projects/{projectId}/publishers',
          'GET /api/v1/projects/{projectId}/publishers',
          'DELETE /api/v1/projects/{projectId}/publishers/{publisherId}',
          'GET /api/v1/projects/{projectId}/schedules',
          'GET /api/v1/projects/{projectId}/environments/{environmentId}/schedule',
          'PUT /api/v1/projects/{projectId}/environments/{environmentId}/schedule',
          'DELETE /api/v1/projects/{projectId}/environments/{environmentId}/schedule',
          'GET /api/v1/projects/{projectId}/environments/{environmentId}/pause',
          'POST /api/v1/projects/{projectId}/environments/{environmentId}/resume',
          'POST /api/v1/users',
          'GET /api/v1/users',
          'GET /api/v1/me',
          'POST /api/v1/tokens',
          'GET /api/v1/tokens',
          'DELETE /api/v1/tokens/{tokenId}',
          'GET /api/v1/projects/{projectId}/members',
          'PUT /api/v1/projects/{projectId}/members/{userId}',
          'DELETE /api/v1/projects/{projectId}/members/{userId}',
          'GET /api/v1/projects/{projectId}/audit',
          'GET /api/v1/audit',
          'POST /api/v1/webhooks/github',
          'POST /api/v1/webhooks/providers/{provider}/{environmentId}',
          'POST /api/v1/deployments/{deploymentId}/provider-report',
          'GET /api/v1/projects/{projectId}/webhook',
          'POST /api/v1/projects/{projectId}/webhook/secret',
          'GET /api/v1/projects/{projectId}/webhook/deliveries',
          'PUT /api/v1/projects/{projectId}/webhook/github-token',
          'DELETE /api/v1/projects/{projectId}/webhook/github-token',
          'POST /api/v1/projects/{projectId}/hooks',
          'GET /api/v1/projects/{projectId}/hooks',
          'GET /api/v1/projects/{projectId}/hooks/{hookId}',
          'PATCH /api/v1/projects/{projectId}/hooks/{hookId}',
          'DELETE /api/v1/projects/{projectId}/hooks/{hookId}',
          'GET /api/v1/projects/{projectId}/hooks/{hookId}/deliveries',
          'POST /api/v1/projects/{projectId}/hooks/{hookId}/deliveries/{deliveryId}/redeliver',
        ].sort(),
      );
      expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      const trigger = doc.paths['/api/v1/projects/{projectId}/deployments'].post;
      expect(trigger.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(trigger.responses).sort()).toEqual(['200', '201', '400', '401', '403', '404', '409', '413', '415', '500', '503']);
      expect(trigger.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TriggerDeploymentBody' });
      expect(doc.components.schemas.TriggerDeploymentBody).toMatchObject({
        required: ['sourceRef'],
        additionalProperties: false,
      });
      const limits = doc.paths['/api/v1/projects/{projectId}/environments/{environmentId}/limits'].put;
      expect(Object.keys(limits.responses).sort()).toEqual(['200', '400', '401', '403', '404', '413', '415', '500', '503']);
      expect(limits.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EnvironmentLimits' });
      expect(doc.components.schemas.EnvironmentLimits).toMatchObject({
        additionalProperties: false,
        properties: { build: { properties: { memoryMb: { minimum: 64 } } } },
      });
      const logs = doc.paths['/api/v1/deployments/{deploymentId}/logs'].get;
      expect(logs.parameters.find((p: { name: string }) => p.name === 'limit')).toMatchObject({
        in: 'query',
        schema: { maximum: 5000 },
      });
    });
  });
});
