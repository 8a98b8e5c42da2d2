import { randomUUID } from 'node:crypto';
import {
  type DetectedVariablesReport,
  ErrorCode,
  detectVariables,
  err,
  ok,
  validateVariables,
} from '@flightdeck/contracts';
import { type TestInfra, startTestInfra } from '@flightdeck/testing';
import { FakeResponders } from './support/fake-responder';
import { type RunningGateway, startGateway } from './support/gateway-app';

// The validation and detection routes on the real gateway; environment-manager is stood in for on
// the same NATS (its behaviour: apps/environment-manager/test/variable-{validation,detection}.int.spec.ts).
describe('variable validation and detection routes', () => {
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

  const REPORT = {
    valid: false,
    errors: {
      DATABASE_URL:
        'DATABASE_URL must be a Postgres URL (postgresql://user:password@host:5432/database): it names no database',
    },
    results: [
      {
        key: 'DATABASE_URL',
        rule: { kind: 'postgres-url' as const },
        valid: false,
        message: 'DATABASE_URL must be …',
      },
    ],
  };

  it('validates one value, or the whole environment with {}: 200 with the report', async () => {
    const environmentId = randomUUID();
    const received = await fakes.respond(validateVariables, () => ok(REPORT));
    const one = await gw.api('POST', `/environments/${environmentId}/variables/validate`, {
      body: { key: 'DATABASE_URL', value: 'postgres://h', rule: { kind: 'postgres-url' } },
    });
    expect([one.status, one.body]).toEqual([200, REPORT]);
    const all = await gw.api('POST', `/environments/${environmentId}/variables/validate`, { body: {} });
    expect(all.status).toBe(200);
    expect(received.map((r) => r.data)).toEqual([
      { environmentId, key: 'DATABASE_URL', value: 'postgres://h', rule: { kind: 'postgres-url' } },
      { environmentId },
    ]);
  });

  it.each([
    [
      'a pattern that does not compile',
      { key: 'X', value: 'x', rule: { kind: 'pattern', pattern: '([a-z' } },
      400,
      ErrorCode.VariableInvalidRule,
    ],
    [
      'a length rule with min over max',
      { key: 'X', value: 'x', rule: { kind: 'length', min: 3, max: 1 } },
      400,
      ErrorCode.VariableInvalidRule,
    ],
    ['an unknown rule kind', { key: 'X', value: 'x', rule: { kind: 'email' } }, 400, ErrorCode.InvalidInput],
    ['a value without its key', { value: 'x' }, 400, ErrorCode.InvalidInput],
    ['a key that is not a variable name', { key: '9X', value: 'x' }, 400, ErrorCode.InvalidInput],
  ])('refuses %s and asks nobody', async (_what, body, status, code) => {
    const received = await fakes.respond(validateVariables, () => ok(REPORT));
    const res = await gw.api('POST', `/environments/${randomUUID()}/variables/validate`, { body });
    expect([res.status, res.body.error.code]).toEqual([status, code]);
    expect(received).toHaveLength(0);
  });

  it('answers the detected variables, asking for generated secrets only with generate=true', async () => {
    const projectId = randomUUID();
    const environmentId = randomUUID();
    const report: DetectedVariablesReport = {
      framework: 'nextjs',
      commit: 'a'.repeat(40),
      files: ['package.json'],
      items: [],
      missing: [],
      invalid: [],
      warnings: [],
    };
    const received = await fakes.respond(detectVariables, () => ok(report));
    const path = `/projects/${projectId}/environments/${environmentId}/detected-variables`;
    expect(await gw.api('GET', path)).toMatchObject({ status: 200, body: report });
    expect((await gw.api('GET', `${path}?generate=true`)).status).toBe(200);
    expect((await gw.api('GET', `${path}?generate=yes`)).status).toBe(400);
    expect(received.map((r) => r.data)).toEqual([
      { projectId, environmentId, generate: false },
      { projectId, environmentId, generate: true },
    ]);
  });

  it('answers 422 detection/source-unavailable when the repository cannot be read', async () => {
    await fakes.respond(detectVariables, () =>
      err(
        ErrorCode.DetectionSourceUnavailable,
        'could not read https://example.com/x.git at branch main: not found',
      ),
    );
    const res = await gw.api(
      'GET',
      `/projects/${randomUUID()}/environments/${randomUUID()}/detected-variables`,
    );
    expect([res.status, res.body.error.code]).toEqual([422, ErrorCode.DetectionSourceUnavailable]);
  });
});
