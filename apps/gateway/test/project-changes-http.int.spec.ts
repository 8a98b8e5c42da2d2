import { randomUUID } from 'node:crypto';
import { ErrorCode, deleteProject, err, listProjects, ok, restoreProject, updateProject } from '@flightdeck/contracts';
import { type TestInfra, aProject, startTestInfra } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

// PATCH, soft delete and restore of a project on the real gateway; environment-manager's part is
// stood in for on the same NATS (its behaviour: apps/environment-manager/test/project-changes.int.spec.ts).
describe('project change routes', () => {
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

  it('patches with only the fields given', async () => {
    const project = aProject({ name: 'shop' });
    const received = await fakes.respond(updateProject, (r) => ok({ ...project, name: r.name ?? project.name }));
    const res = await gw.api('PATCH', `/projects/${project.id}`, { body: { name: 'store' } });
    expect([res.status, res.body]).toEqual([200, { ...project, name: 'store' }]);
    expect(received.map((r) => r.data)).toEqual([{ projectId: project.id, name: 'store' }]);
  });

  it.each([
    ['an invalid name', { name: 'Shop' }, 'name'],
    ['an empty repository URL', { repositoryUrl: '' }, 'repositoryUrl'],
    ['an unknown field', { owner: 'ada' }, 'owner'],
  ])('answers %s with 400 naming the field, and asks nobody', async (_what, body, field) => {
    const received = await fakes.respond(updateProject, () => ok(aProject()));
    const res = await gw.api('PATCH', `/projects/${randomUUID()}`, { body });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields.map((f: { path: string }) => f.path)).toEqual([field]);
    expect(received).toHaveLength(0);
  });

  it.each([
    ['PATCH', '', ErrorCode.ProjectNameTaken, 409, updateProject],
    ['PATCH', '', ErrorCode.ProjectNotFound, 404, updateProject],
    ['DELETE', '', ErrorCode.ProjectNotFound, 404, deleteProject],
    ['POST', '/restore', ErrorCode.ProjectNameTaken, 409, restoreProject],
    ['POST', '/restore', ErrorCode.ProjectNotFound, 404, restoreProject],
  ] as const)('%s /projects/:id%s: %s is %i', async (method, suffix, code, status, command) => {
    await fakes.respond(command as typeof updateProject, () => err(code, `refused: ${code}`));
    const res = await gw.api(method, `/projects/${randomUUID()}${suffix}`, method === 'PATCH' ? { body: { name: 'store' } } : undefined);
    expect([res.status, res.body]).toEqual([status, { error: { code, message: `refused: ${code}` } }]);
  });

  it('soft-deletes with 200 and deletedAt, restores with 200, and lists deleted ones with ?deleted=true', async () => {
    const project = aProject();
    const deletedAt = new Date().toISOString();
    const deleted = await fakes.respond(deleteProject, () => ok({ ...project, deletedAt }));
    const restored = await fakes.respond(restoreProject, () => ok(project));
    const listed = await fakes.respond(listProjects, () => ok({ items: [] }));
    const del = await gw.api('DELETE', `/projects/${project.id}`);
    expect([del.status, del.body]).toEqual([200, { ...project, deletedAt }]);
    const back = await gw.api('POST', `/projects/${project.id}/restore`);
    expect([back.status, back.body]).toEqual([200, project]);
    expect([deleted.map((r) => r.data), restored.map((r) => r.data)]).toEqual([[{ projectId: project.id }], [{ projectId: project.id }]]);
    expect((await gw.api('GET', '/projects?deleted=true')).status).toBe(200);
    expect((await gw.api('GET', '/projects')).status).toBe(200);
    expect(listed.map((r) => r.data)).toEqual([{ deleted: true }, {}]);
  });
});
