import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  createEnvironment,
  deleteEnvironment,
  err,
  getProjectEnvironment,
  listEnvironments,
  ok,
  restoreEnvironment,
  updateEnvironment,
} from '@flightdeck/contracts';
import { type TestInfra, anEnvironment, startTestInfra } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

// The environment routes on the real gateway; environment-manager's part is stood in for on the same
// NATS (its behaviour is tested in apps/environment-manager/test/environments.int.spec.ts).
describe('environment routes', () => {
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

  const envPath = (e: { projectId: string; id: string }) => `/projects/${e.projectId}/environments/${e.id}`;

  it('creates an environment from path and body: 201 with what environment-manager answered', async () => {
    const staging = anEnvironment({ name: 'staging', type: 'staging', isDefault: false });
    const received = await fakes.respond(createEnvironment, () => ok(staging));
    const res = await gw.api('POST', `/projects/${staging.projectId}/environments`, { body: { name: 'staging', type: 'staging' } });
    expect([res.status, res.body]).toEqual([201, staging]);
    expect(received.map((r) => r.data)).toEqual([{ projectId: staging.projectId, name: 'staging', type: 'staging' }]);
  });

  it.each([
    ['an upper-case name', { name: 'Staging', type: 'staging' }, 'name'],
    ['a name with a dot', { name: 'a.b', type: 'staging' }, 'name'],
    ['an unknown type', { name: 'qa', type: 'testing' }, 'type'],
    ['no type', { name: 'qa' }, 'type'],
    ['isDefault as text', { name: 'qa', type: 'preview', isDefault: 'yes' }, 'isDefault'],
    ['an unknown field', { name: 'qa', type: 'preview', branch: 'main' }, 'branch'],
  ])('answers %s with 400 naming the field, and asks nobody', async (_what, body, field) => {
    const received = await fakes.respond(createEnvironment, () => ok(anEnvironment()));
    const res = await gw.api('POST', `/projects/${randomUUID()}/environments`, { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation/invalid-input');
    expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual([field]);
    expect(received).toHaveLength(0);
  });

  it.each([
    ['POST', '', ErrorCode.EnvironmentNameTaken, 409, { name: 'staging', type: 'staging' }, createEnvironment],
    ['POST', '', ErrorCode.ProjectNotFound, 404, { name: 'staging', type: 'staging' }, createEnvironment],
    ['GET', '/:id', ErrorCode.EnvironmentNotFound, 404, undefined, getProjectEnvironment],
    ['PATCH', '/:id', ErrorCode.EnvironmentNameTaken, 409, { name: 'production' }, updateEnvironment],
    ['PATCH', '/:id', ErrorCode.EnvironmentDefaultRequired, 409, { isDefault: false }, updateEnvironment],
    ['PATCH', '/:id', ErrorCode.EnvironmentNotFound, 404, { type: 'preview' }, updateEnvironment],
    ['DELETE', '/:id', ErrorCode.EnvironmentIsDefault, 409, undefined, deleteEnvironment],
    ['DELETE', '/:id', ErrorCode.EnvironmentNotFound, 404, undefined, deleteEnvironment],
    ['POST', '/:id/restore', ErrorCode.EnvironmentNameTaken, 409, undefined, restoreEnvironment],
    ['POST', '/:id/restore', ErrorCode.EnvironmentNotFound, 404, undefined, restoreEnvironment],
  ] as const)('%s …/environments%s: %s is %i', async (method, suffix, code, status, body, command) => {
    await fakes.respond(command as typeof createEnvironment, () => err(code, `refused: ${code}`));
    const env = anEnvironment();
    const res = await gw.api(method, `/projects/${env.projectId}/environments${suffix.replace(':id', env.id)}`, body ? { body } : undefined);
    expect([res.status, res.body]).toEqual([status, { error: { code, message: `refused: ${code}` } }]);
  });

  it('gets one environment of the project', async () => {
    const env = anEnvironment();
    const received = await fakes.respond(getProjectEnvironment, () => ok(env));
    const res = await gw.api('GET', envPath(env));
    expect([res.status, res.body]).toEqual([200, env]);
    expect(received.map((r) => r.data)).toEqual([{ projectId: env.projectId, environmentId: env.id }]);
  });

  it('patches with only the fields given; an empty body changes nothing and is accepted', async () => {
    const env = anEnvironment({ name: 'staging', type: 'staging', isDefault: false });
    const received = await fakes.respond(updateEnvironment, (r) => ok({ ...env, ...(r.name ? { name: r.name } : {}), ...(r.isDefault ? { isDefault: true } : {}) }));
    const renamed = await gw.api('PATCH', envPath(env), { body: { name: 'qa', isDefault: true } });
    expect([renamed.status, renamed.body]).toEqual([200, { ...env, name: 'qa', isDefault: true }]);
    expect((await gw.api('PATCH', envPath(env), { body: {} })).status).toBe(200);
    expect(received.map((r) => r.data)).toEqual([
      { projectId: env.projectId, environmentId: env.id, name: 'qa', isDefault: true },
      { projectId: env.projectId, environmentId: env.id },
    ]);
    const bad = await gw.api('PATCH', envPath(env), { body: { name: 'QA' } });
    expect([bad.status, bad.body.error.message]).toEqual([400, expect.stringMatching(/^name: /)]);
    expect(received).toHaveLength(2);
  });

  it('patches build settings (null unsets one) and refuses a rootDirectory leaving the repository with 400 naming it, asking nothing', async () => {
    const env = anEnvironment();
    const received = await fakes.respond(updateEnvironment, (r) => ok({ ...env, buildSettings: { rootDirectory: r.buildSettings?.rootDirectory ?? undefined } }));
    const res = await gw.api('PATCH', envPath(env), { body: { buildSettings: { rootDirectory: 'apps/web', buildCommand: null } } });
    expect([res.status, res.body.buildSettings]).toEqual([200, { rootDirectory: 'apps/web' }]);
    expect(received.map((r) => r.data.buildSettings)).toEqual([{ rootDirectory: 'apps/web', buildCommand: null }]);
    for (const [buildSettings, message] of [
      [{ rootDirectory: '../../etc' }, /^buildSettings\.rootDirectory: must stay inside the repository/],
      [{ outputDirectory: '/srv' }, /^buildSettings\.outputDirectory: must be relative/],
    ] as const) {
      const bad = await gw.api('PATCH', envPath(env), { body: { buildSettings } });
      expect([bad.status, bad.body.error.code, bad.body.error.message]).toEqual([400, 'validation/invalid-input', expect.stringMatching(message)]);
    }
    expect(received).toHaveLength(1);
  });

  it('soft-deletes with 200 and the environment with deletedAt, and restores with 200', async () => {
    const env = anEnvironment({ name: 'staging', type: 'staging', isDefault: false });
    const deletedAt = new Date().toISOString();
    const deleted = await fakes.respond(deleteEnvironment, () => ok({ ...env, deletedAt }));
    const restored = await fakes.respond(restoreEnvironment, () => ok(env));
    const del = await gw.api('DELETE', envPath(env));
    expect([del.status, del.body]).toEqual([200, { ...env, deletedAt }]);
    const back = await gw.api('POST', `${envPath(env)}/restore`);
    expect([back.status, back.body]).toEqual([200, env]);
    const ids = { projectId: env.projectId, environmentId: env.id };
    expect([deleted.map((r) => r.data), restored.map((r) => r.data)]).toEqual([[ids], [ids]]);
  });

  it('lists the soft-deleted environments with ?deleted=true, live ones otherwise', async () => {
    const projectId = randomUUID();
    const received = await fakes.respond(listEnvironments, () => ok({ items: [] }));
    expect((await gw.api('GET', `/projects/${projectId}/environments?deleted=true`)).status).toBe(200);
    expect((await gw.api('GET', `/projects/${projectId}/environments?deleted=false`)).status).toBe(200);
    expect((await gw.api('GET', `/projects/${projectId}/environments`)).status).toBe(200);
    expect(received.map((r) => r.data)).toEqual([{ projectId, deleted: true }, { projectId }, { projectId }]);
    const bad = await gw.api('GET', `/projects/${projectId}/environments?deleted=yes`);
    expect([bad.status, bad.body.error.message]).toEqual([400, expect.stringMatching(/^deleted: /)]);
  });

  it('documents the routes with their error statuses', async () => {
    const doc = await (await fetch(`${gw.opsUrl}/openapi.json`)).json();
    const one = doc.paths['/api/v1/projects/{projectId}/environments/{environmentId}'];
    expect(Object.keys(one.delete.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '500', '503']);
    expect(Object.keys(one.patch.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '500', '503']);
    expect(one.patch.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/UpdateEnvironmentBody' });
    expect(doc.components.schemas.CreateEnvironmentBody).toMatchObject({
      required: ['name', 'type'],
      additionalProperties: false,
      properties: { type: { enum: ['production', 'staging', 'preview', 'development'] } },
    });
  });
});
