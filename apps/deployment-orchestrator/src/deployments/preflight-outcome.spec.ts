import { ErrorCode, err, ok, type PreflightReport } from '@flightdeck/contracts';
import { needsPreflight, preflightOutcome } from './preflight-outcome';

const at = new Date('2026-01-01T00:00:00Z');
const report = (over: Partial<PreflightReport> = {}): PreflightReport => ({
  valid: true,
  problems: [],
  warnings: [],
  commit: 'abc123',
  framework: 'node',
  ...over,
});

describe('preflight outcome', () => {
  it('fails the deployment naming every problem', () => {
    const o = preflightOutcome(
      ok(report({
        valid: false,
        problems: [
          { key: 'DATABASE_URL', kind: 'missing', message: 'DATABASE_URL is required and not set' },
          { key: 'NEXTAUTH_URL', kind: 'invalid', message: 'NEXTAUTH_URL must be an http(s) URL' },
        ],
      })),
      at,
    );
    expect(o.kind).toBe('fail');
    expect(o.kind === 'fail' && o.message).toBe('2 variables to fix before a build: DATABASE_URL is required and not set; NEXTAUTH_URL must be an http(s) URL');
    expect(o.record).toMatchObject({ checked: true, problems: [{ key: 'DATABASE_URL' }, { key: 'NEXTAUTH_URL' }] });
  });

  it('dispatches with the warnings when nothing is wrong', () => {
    const o = preflightOutcome(ok(report({ warnings: ['required variables not detected: no answer within 5 s'] })), at);
    expect(o).toMatchObject({ kind: 'dispatch', reason: expect.stringContaining('no answer within 5 s') });
  });

  it('dispatches, recorded as not checked, when environment-manager does not answer', () => {
    const o = preflightOutcome(err(ErrorCode.ServiceUnavailable, 'variables.query.preflight: timeout'), at);
    expect(o).toMatchObject({ kind: 'dispatch', record: { checked: false, warnings: [expect.stringContaining('service/unavailable')] } });
  });
});

describe('which deployments wait for a pre-flight', () => {
  const build = { provider: 'internal' as const, deployJob: { kind: 'build' } as never, metadata: {} };
  it.each([
    ['an internal build', build, true],
    ['one triggered with skipValidation', { ...build, metadata: { skipValidation: true } }, false],
    ['one already checked', { ...build, metadata: { preflight: {} } }, false],
    ['a rollback', { ...build, deployJob: { kind: 'rollback' } as never }, false],
    ['an external one', { ...build, provider: 'external' as const, deployJob: null }, false],
  ])('%s: %s', (_name, d, expected) => {
    expect(needsPreflight(d)).toBe(expected);
  });
});
