import { randomUUID } from 'node:crypto';
import {
  ErrorCode,
  type ImportVariablesReport,
  deleteProjectVariable,
  err,
  exportVariables,
  getEnvironment,
  importVariables,
  listProjectVariables,
  listVariables,
  ok,
  rotateSecretKey,
  setProjectVariable,
} from '@flightdeck/contracts';
import { type TestInfra, aProject, anEnvironment, startTestInfra } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

// Project variables, .env import/export and key rotation on the real gateway; environment-manager is
// stood in for on the same NATS (its behaviour: apps/environment-manager/test/{project-variables,key-rotation}.int.spec.ts).
describe('project variables, .env transfer and key rotation routes', () => {
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

  // the gateway may look an environment up to find its project (access checks)
  const knowEnvironments = () =>
    fakes.respond(getEnvironment, (d) => {
      const project = aProject();
      return ok({ ...anEnvironment({ id: d.environmentId, projectId: project.id }), project });
    });

  const VIEW = { key: 'API_URL', value: 'https://x.example', sensitive: false, target: 'build' as const, updatedAt: new Date().toISOString() };

  it('PUT, GET and DELETE /projects/:projectId/variables[/:key]', async () => {
    const projectId = randomUUID();
    const set = await fakes.respond(setProjectVariable, (d) => ok({ ...VIEW, key: d.key }));
    const list = await fakes.respond(listProjectVariables, () => ok({ items: [VIEW] }));
    const del = await fakes.respond(deleteProjectVariable, (d) => ok({ key: d.key, deleted: true as const }));

    const put = await gw.api('PUT', `/projects/${projectId}/variables/API_URL`, { body: { value: 'https://x.example', target: 'build' } });
    expect([put.status, put.body]).toEqual([200, VIEW]);
    expect(set[0].data).toEqual({ projectId, key: 'API_URL', value: 'https://x.example', sensitive: false, target: 'build' });
    expect((await gw.api('GET', `/projects/${projectId}/variables`)).body).toEqual({ items: [VIEW] });
    expect(list[0].data).toEqual({ projectId });
    expect((await gw.api('DELETE', `/projects/${projectId}/variables/API_URL`)).body).toEqual({ key: 'API_URL', deleted: true });
    expect(del[0].data).toEqual({ projectId, key: 'API_URL' });
  });

  it('refuses a bad key, a bad target and a control character with 400, asking nothing', async () => {
    const set = await fakes.respond(setProjectVariable, (d) => ok({ ...VIEW, key: d.key }));
    const projectId = randomUUID();
    const badKey = await gw.api('PUT', `/projects/${projectId}/variables/9bad`, { body: { value: 'x' } });
    const badTarget = await gw.api('PUT', `/projects/${projectId}/variables/OK_KEY`, { body: { value: 'x', target: 'deploy' } });
    const bell = await gw.api('PUT', `/projects/${projectId}/variables/OK_KEY`, { body: { value: 'ring\u0007' } });
    expect([badKey.status, badTarget.status, bell.status]).toEqual([400, 400, 400]);
    expect(bell.body).toMatchObject({ error: { code: 'variable/invalid-value' } });
    expect(set).toHaveLength(0);
  });

  it('imports a text/plain .env body at either level with the query options, and answers the report or its 400', async () => {
    const REPORT: ImportVariablesReport = {
      applied: false,
      added: 1,
      changed: 0,
      unchanged: 0,
      refused: 0,
      malformed: 1,
      lines: [
        { line: 1, key: 'A', outcome: 'added' },
        { line: 2, outcome: 'malformed', message: 'line 2: expected KEY=value' },
      ],
    };
    await knowEnvironments();
    const received = await fakes.respond(importVariables, (d) =>
      d.partial ? ok({ ...REPORT, applied: true }) : err(ErrorCode.VariableImportMalformed, '1 line(s) of the .env body cannot be imported', REPORT),
    );
    const projectId = randomUUID();
    const environmentId = randomUUID();
    const body = 'A=1\nbroken\n';
    const text = { 'content-type': 'text/plain' };

    const refused = await gw.api('POST', `/projects/${projectId}/variables/import`, { rawBody: body, headers: text });
    expect([refused.status, refused.body]).toEqual([400, { error: expect.objectContaining({ code: 'variable/import-malformed', details: REPORT }) }]);
    const partial = await gw.api('POST', `/environments/${environmentId}/variables/import?partial=true&sensitive=true&target=runtime`, { rawBody: body, headers: text });
    expect([partial.status, partial.body]).toEqual([200, { ...REPORT, applied: true }]);
    expect(received.map((r) => r.data)).toEqual([
      { scope: { projectId }, text: body, partial: false },
      { scope: { environmentId }, text: body, partial: true, sensitive: true, target: 'runtime' },
    ]);

    // JSON is not a .env body; a bad option is named
    const json = await gw.api('POST', `/projects/${projectId}/variables/import`, { body: { text: body } });
    expect([json.status, json.body]).toEqual([400, { error: expect.objectContaining({ code: 'validation/invalid-input', message: expect.stringContaining('text/plain') }) }]);
    const badOption = await gw.api('POST', `/projects/${projectId}/variables/import?target=everywhere`, { rawBody: body, headers: text });
    expect(badOption.status).toBe(400);
    expect(received).toHaveLength(2);
  });

  it('exports .env text at either level', async () => {
    const TEXT = 'A=1\n# S is sensitive: not exported\n';
    await knowEnvironments();
    const received = await fakes.respond(exportVariables, () => ok({ text: TEXT, exportedKeys: ['A'], sensitiveKeys: ['S'] }));
    const projectId = randomUUID();
    const environmentId = randomUUID();
    for (const path of [`/projects/${projectId}/variables/export`, `/environments/${environmentId}/variables/export`]) {
      const res = await gw.api('GET', path);
      expect([res.status, res.body, res.headers.get('content-type')]).toEqual([200, TEXT, 'text/plain; charset=utf-8']);
    }
    expect(received.map((r) => r.data)).toEqual([{ projectId }, { environmentId }]);
  });

  it('POST /system/rotate-key runs one pass for an admin, and none without a token', async () => {
    const received = await fakes.respond(rotateSecretKey, () => ok({ keyId: '0123456789abcdef', rotated: 3, remaining: 0, done: true }));
    const res = await gw.api('POST', '/system/rotate-key', { body: {} });
    expect([res.status, res.body]).toEqual([200, { keyId: '0123456789abcdef', rotated: 3, remaining: 0, done: true }]);
    expect(received[0].data).toEqual({});
    const anonymous = await gw.api('POST', '/system/rotate-key', { body: {}, headers: { authorization: '' } });
    expect(anonymous.status).toBe(401);
    expect(received).toHaveLength(1);
  });

  it('GET /environments/:environmentId/variables?effective=true asks for the inherited ones too', async () => {
    await knowEnvironments();
    const received = await fakes.respond(listVariables, () => ok({ items: [{ ...VIEW, level: 'project' as const }] }));
    const environmentId = randomUUID();
    const res = await gw.api('GET', `/environments/${environmentId}/variables?effective=true`);
    expect([res.status, res.body]).toEqual([200, { items: [{ ...VIEW, level: 'project' }] }]);
    await gw.api('GET', `/environments/${environmentId}/variables`);
    expect(received.map((r) => r.data)).toEqual([{ environmentId, effective: true }, { environmentId }]);
  });
});
