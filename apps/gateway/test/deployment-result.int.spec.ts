import { ErrorCode, err, getDeployment, ok } from '@flightdeck/contracts';
import { type TestInfra, aDeployment, startTestInfra } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

// GET /deployments/:id/result and …/metrics on the real gateway; the orchestrator is stood in for.
describe('deployment result and metrics routes', () => {
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

  const summary = {
    installTimeMs: 4200,
    buildTimeMs: 3100,
    testTimeMs: 900,
    packageTimeMs: 120,
    buildSizeBytes: 48_213,
    framework: 'vite',
    warnings: [{ step: 'install', seq: 14, message: 'npm warn deprecated inflight@1.0.6: leaks memory' }],
    warningCount: 1,
    tests: { runner: 'jest' as const, passed: 3, failed: 1, skipped: 0 },
  };

  it("answers a failed deployment's times, size, framework, warnings, test counts and error", async () => {
    const d = aDeployment({
      status: 'failed',
      errorCode: 'deployment/build-failed',
      errorMessage: 'tests failed: npm test exited with code 1 (1 failed, 3 passed)',
      durationMs: 9000,
      metadata: { result: summary, build: { frameworkVersion: '5.4.2' }, failure: { step: 'build', exitCode: 1, lastLines: ['Tests: 1 failed, 3 passed, 4 total'] } },
    });
    await fakes.respond(getDeployment, ({ deploymentId }) => (deploymentId === d.id ? ok(d) : err(ErrorCode.DeploymentNotFound, 'no such deployment')));

    const res = await gw.api('GET', `/deployments/${d.id}/result`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      deploymentId: d.id,
      status: 'failed',
      buildTimeMs: 8200,
      buildSizeBytes: 48_213,
      framework: 'vite',
      warnings: summary.warnings,
      warningCount: 1,
      testsPassed: 3,
      testsFailed: 1,
      testRunner: 'jest',
      error: { code: 'deployment/build-failed', step: 'build', lastLines: ['Tests: 1 failed, 3 passed, 4 total'] },
    });
    const metrics = await gw.api('GET', `/deployments/${d.id}/metrics`);
    expect(metrics.body).toEqual({ deploymentId: d.id, status: 'failed', installTimeMs: 4200, buildTimeMs: 3100, testTimeMs: 900, packageTimeMs: 120, buildSizeBytes: 48_213, durationMs: 9000 });
  });

  it('answers nulls for a deployment not built yet, and 404 for an unknown one', async () => {
    const d = aDeployment({ status: 'queued', metadata: {} });
    await fakes.respond(getDeployment, ({ deploymentId }) => (deploymentId === d.id ? ok(d) : err(ErrorCode.DeploymentNotFound, 'no such deployment')));
    expect((await gw.api('GET', `/deployments/${d.id}/result`)).body).toMatchObject({ buildTimeMs: null, framework: null, testsPassed: null, warnings: [], error: null });
    expect((await gw.api('GET', `/deployments/00000000-0000-4000-8000-000000000000/result`)).status).toBe(404);
  });
});
