import { ALL_ERROR_CODES, ErrorCode } from './error-codes';
import { ERROR_CATALOG, ErrorClass, classifyError } from './error-catalog';

describe('the error catalog', () => {
  it('classifies every error code with a message and at least one action', () => {
    for (const code of ALL_ERROR_CODES) {
      const entry = ERROR_CATALOG[code];
      expect([code, ErrorClass.safeParse(entry).success]).toEqual([code, true]);
      expect(entry.userMessage.length).toBeGreaterThan(10);
      expect(entry.actions.length).toBeGreaterThan(0);
    }
  });

  it('suggests a retry for every temporary error', () => {
    for (const code of ALL_ERROR_CODES) {
      if (ERROR_CATALOG[code].severity === 'temporary') expect([code, ERROR_CATALOG[code].actions]).toEqual([code, expect.arrayContaining(['retry'])]);
    }
  });

  it('tells a build failure apart from a source outage', () => {
    expect(classifyError(ErrorCode.DeploymentBuildFailed)).toMatchObject({ severity: 'recoverable', actions: ['check-build', 'check-variables'] });
    expect(classifyError(ErrorCode.DeploymentSourceUnavailable).severity).toBe('temporary');
  });

  it('treats a code it does not know (a newer service) as critical', () => {
    expect(classifyError('future/unknown')).toMatchObject({ severity: 'critical', actions: ['manual'] });
  });
});
