import { ALL_ERROR_CODES, ErrorCode } from './error-codes';

// The codes operators, the SDK and the services rely on (issue 3): renaming one breaks them all.
const REQUIRED = [
  'deployment/not-found',
  'deployment/already-running',
  'deployment/invalid-source-ref',
  'deployment/provider-error',
  'deployment/build-failed',
  'deployment/deploy-failed',
  'deployment/timeout',
  'deployment/canceled',
  'deployment/insufficient-permissions',
  'deployment/rate-limited',
  'deployment/environment-not-found',
  'project/not-found',
  'variable/invalid-value',
  'validation/invalid-input',
  'auth/unauthenticated',
  'service/unavailable',
];

describe('error codes', () => {
  it.each(REQUIRED)('has %s', (code) => {
    expect(ALL_ERROR_CODES).toContain(code);
  });

  it('names each code once, as area/kebab-case', () => {
    expect(new Set(ALL_ERROR_CODES).size).toBe(ALL_ERROR_CODES.length);
    for (const code of ALL_ERROR_CODES) expect(code).toMatch(/^[a-z]+\/[a-z]+(-[a-z]+)*$/);
  });

  it('keeps the constants the services use mapped to the stable strings', () => {
    expect(ErrorCode.ServiceUnavailable).toBe('service/unavailable');
    expect(ErrorCode.InvalidInput).toBe('validation/invalid-input');
    expect(ErrorCode.DeploymentNotFound).toBe('deployment/not-found');
  });
});
