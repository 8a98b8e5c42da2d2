import { randomUUID } from 'node:crypto';
import { ErrorCode, countLogLevels, err, getDeployment, getLogVolume, getProject, listLogLines, ok, pinLogLines, searchProjectLogLines, setLogRetention } from '@flightdeck/contracts';
import { type TestInfra, aDeployment, aProject, startTestInfra } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

const DAY_MS = 86_400_000;

// The log routes of the gateway on real Postgres and NATS; log-ingest and environment-manager are
// stood in for on the same NATS (log-ingest's own suites search real lines).
describe('gateway log routes', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  let fakes: FakeResponders;
  const project = aProject();

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

  const knownProject = () => fakes.respond(getProject, ({ projectId }) => (projectId === project.id ? ok(project) : err(ErrorCode.ProjectNotFound, `project ${projectId} not found`)));

  describe('GET /projects/:projectId/logs/search', () => {
    it('passes the search on with its window and answers the hits', async () => {
      await knownProject();
      const hit = { deploymentId: randomUUID(), seq: 1234, timestamp: '2025-01-01T00:00:00.000Z', level: 'error' as const, source: 'build' as const, step: 'build', message: 'cannot resolve ./Widget' };
      const answer = { items: [hit], from: '2024-12-31T00:00:00.000Z', to: '2025-01-02T00:00:00.000Z', truncated: false };
      const received = await fakes.respond(searchProjectLogLines, () => ok(answer));
      const res = await gw.api('GET', `/projects/${project.id}/logs/search?q=widget&from=2024-12-31T00:00:00.000Z&to=2025-01-02T00:00:00.000Z&limit=20&level=error`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(answer);
      expect(received.map((r) => r.data)).toEqual([{ projectId: project.id, q: 'widget', from: '2024-12-31T00:00:00.000Z', to: '2025-01-02T00:00:00.000Z', limit: 20, level: 'error' }]);
    });

    it('answers 400 validation/invalid-input for an empty search, naming q', async () => {
      const received = await fakes.respond(searchProjectLogLines, () => ok({ items: [], from: '2025-01-01T00:00:00.000Z', to: '2025-01-02T00:00:00.000Z', truncated: false }));
      for (const q of ['', '%20%20', '%25']) {
        const res = await gw.api('GET', `/projects/${project.id}/logs/search?q=${q}`);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^q: /) });
      }
      expect((await gw.api('GET', `/projects/${project.id}/logs/search`)).status).toBe(400);
      expect(received).toEqual([]);
    });

    it('answers 400 logs/range-too-large for a range past 31 days, before asking anyone', async () => {
      const received = await fakes.respond(searchProjectLogLines, () => ok({ items: [], from: '2025-01-01T00:00:00.000Z', to: '2025-01-02T00:00:00.000Z', truncated: false }));
      const from = new Date(Date.now() - 32 * DAY_MS).toISOString();
      const res = await gw.api('GET', `/projects/${project.id}/logs/search?q=widget&from=${from}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'logs/range-too-large', message: expect.stringMatching(/31 days/) });
      expect(received).toEqual([]);
    });

    it('answers 404 project/not-found for an unknown project', async () => {
      await knownProject();
      const res = await gw.api('GET', `/projects/${randomUUID()}/logs/search?q=widget`);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('project/not-found');
    });

    it('answers 422 logs/search-too-broad when log-ingest gave up on the search', async () => {
      await knownProject();
      await fakes.respond(searchProjectLogLines, () => err(ErrorCode.LogSearchTooBroad, 'the search read too many lines'));
      const res = await gw.api('GET', `/projects/${project.id}/logs/search?q=a`);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('logs/search-too-broad');
    });

    it('needs a bearer token', async () => {
      const res = await gw.api('GET', `/projects/${project.id}/logs/search?q=widget`, { headers: { authorization: '' } });
      expect(res.status).toBe(401);
    });
  });

  describe('PUT /projects/:projectId/logs/retention', () => {
    it('sets a project\'s own retention, and clears it with null', async () => {
      await knownProject();
      const received = await fakes.respond(setLogRetention, (r) => ok({ projectId: r.projectId, days: r.days, effectiveDays: r.days ?? 30 }));
      const set = await gw.api('PUT', `/projects/${project.id}/logs/retention`, { body: { days: 90 } });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ projectId: project.id, days: 90, effectiveDays: 90 });
      expect((await gw.api('PUT', `/projects/${project.id}/logs/retention`, { body: { days: null } })).body).toEqual({ projectId: project.id, days: null, effectiveDays: 30 });
      expect(received.map((r) => r.data)).toEqual([
        { projectId: project.id, days: 90 },
        { projectId: project.id, days: null },
      ]);
    });

    it('refuses a retention of zero days with 400 and a reason, and an unknown project with 404', async () => {
      await knownProject();
      const received = await fakes.respond(setLogRetention, (r) => ok({ projectId: r.projectId, days: r.days, effectiveDays: 30 }));
      const zero = await gw.api('PUT', `/projects/${project.id}/logs/retention`, { body: { days: 0 } });
      expect(zero.status).toBe(400);
      expect(zero.body.error).toMatchObject({ code: 'validation/invalid-input', message: expect.stringMatching(/^days: at least 1 day: a retention of zero would drop lines as they arrive/) });
      expect((await gw.api('PUT', `/projects/${project.id}/logs/retention`, { body: {} })).status).toBe(400);
      expect((await gw.api('PUT', `/projects/${randomUUID()}/logs/retention`, { body: { days: 7 } })).status).toBe(404);
      expect(received).toEqual([]);
    });
  });

  describe('PUT /deployments/:deploymentId/logs/pin', () => {
    it('pins and unpins a deployment that exists, refuses a bad body, and answers 404 for an unknown one', async () => {
      const d = aDeployment();
      await fakes.respond(getDeployment, ({ deploymentId }) => (deploymentId === d.id ? ok(d) : err(ErrorCode.DeploymentNotFound, `deployment ${deploymentId} not found`)));
      const received = await fakes.respond(pinLogLines, (r) => ok({ deploymentId: r.deploymentId, pinned: r.pinned }));
      const pin = await gw.api('PUT', `/deployments/${d.id}/logs/pin`, { body: { pinned: true } });
      expect([pin.status, pin.body]).toEqual([200, { deploymentId: d.id, pinned: true }]);
      expect((await gw.api('PUT', `/deployments/${d.id}/logs/pin`, { body: { pinned: false } })).body).toEqual({ deploymentId: d.id, pinned: false });
      expect((await gw.api('PUT', `/deployments/${d.id}/logs/pin`, { body: { pinned: 'yes' } })).status).toBe(400);
      expect((await gw.api('PUT', `/deployments/${randomUUID()}/logs/pin`, { body: { pinned: true } })).status).toBe(404);
      expect(received.map((r) => r.data.pinned)).toEqual([true, false]);
    });
  });

  describe('GET /deployments/:deploymentId/logs/levels', () => {
    it("answers a deployment's counts by level", async () => {
      const deploymentId = randomUUID();
      const counts = { deploymentId, total: 12, levels: { debug: 0, info: 9, warn: 2, error: 1 }, volume: { lines: 12, bytes: 480 } };
      const received = await fakes.respond(countLogLevels, () => ok(counts));
      const res = await gw.api('GET', `/deployments/${deploymentId}/logs/levels`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(counts);
      expect(received.map((r) => r.data)).toEqual([{ deploymentId }]);
      expect((await gw.api('GET', '/deployments/nope/logs/levels')).status).toBe(400);
    });
  });

  describe('GET /deployments/:deploymentId', () => {
    it("answers the deployment with its log's volume from log-ingest", async () => {
      const deployment = aDeployment({ status: 'succeeded', phase: 'active' });
      await fakes.respond(getDeployment, ({ deploymentId }) => (deploymentId === deployment.id ? ok(deployment) : err(ErrorCode.DeploymentNotFound, 'no such deployment')));
      const asked = await fakes.respond(getLogVolume, ({ deploymentId }) => ok({ deploymentId, lines: 1_234, bytes: 56_789 }));
      const res = await gw.api('GET', `/deployments/${deployment.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...deployment, logVolume: { lines: 1_234, bytes: 56_789 } });
      expect(asked.map((r) => r.data)).toEqual([{ deploymentId: deployment.id }]);
      expect((await gw.api('GET', `/deployments/${randomUUID()}`)).status).toBe(404);
    });

    it("puts the log's volume in the deployment's result too", async () => {
      const deployment = aDeployment({ status: 'succeeded', phase: 'active' });
      await fakes.respond(getDeployment, () => ok(deployment));
      await fakes.respond(getLogVolume, ({ deploymentId }) => ok({ deploymentId, lines: 42, bytes: 4_200 }));
      const res = await gw.api('GET', `/deployments/${deployment.id}/result`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ deploymentId: deployment.id, status: 'succeeded', logVolume: { lines: 42, bytes: 4_200 } });
    });

    it('answers the deployment with logVolume null when log-ingest does not answer', async () => {
      const deployment = aDeployment();
      await fakes.respond(getDeployment, () => ok(deployment));
      const res = await gw.api('GET', `/deployments/${deployment.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...deployment, logVolume: null });
    });
  });

  describe('GET /deployments/:deploymentId/logs', () => {
    const line = (seq: number) => ({ seq, timestamp: '2026-12-01T10:00:00.000Z', level: 'info' as const, source: 'build' as const, step: 'build', message: `line ${seq}` });

    it("relays log-ingest's page as it is, and refuses one that breaks the contract with 500", async () => {
      const deploymentId = randomUUID();
      const page = { items: [line(1), line(2)], lastSeq: 2 };
      await fakes.respond(listLogLines, () => ok(page));
      const res = await gw.api('GET', `/deployments/${deploymentId}/logs?tail=2`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(page);

      await fakes.clear();
      await fakes.respond(listLogLines, () => ok({ items: [line(1), { ...line(2), timestamp: 'not a time' }], lastSeq: 2 } as never));
      const bad = await gw.api('GET', `/deployments/${deploymentId}/logs?tail=2`);
      expect(bad.status).toBe(500);
      expect(bad.body.error).toMatchObject({ code: 'service/internal-error' });
    });
  });
});
