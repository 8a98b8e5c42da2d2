import { EXIT_CODE_HELP, ExitCode, exitCodeOf, exitCodeOfError, exitCodesHelp } from './exit-codes';

describe('exit codes', () => {
  it('are distinct and each listed in --help', () => {
    const codes = Object.values(ExitCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(EXIT_CODE_HELP.map(([c]) => c).sort((a, b) => a - b)).toEqual([...codes].sort((a, b) => a - b));
    for (const c of codes) expect(exitCodesHelp()).toMatch(new RegExp(`^ +${c}  `, 'm'));
  });

  it('map how a deployment ended', () => {
    expect(exitCodeOf({ status: 'succeeded', errorCode: null })).toBe(0);
    expect(exitCodeOf({ status: 'failed', errorCode: 'deployment/build-failed' })).toBe(ExitCode.BuildFailed);
    expect(exitCodeOf({ status: 'failed', errorCode: 'deployment/invalid-configuration' })).toBe(ExitCode.BuildFailed);
    expect(exitCodeOf({ status: 'failed', errorCode: 'deployment/source-unavailable' })).toBe(ExitCode.BuildFailed);
    expect(exitCodeOf({ status: 'failed', errorCode: 'deployment/deploy-failed' })).toBe(ExitCode.DeployFailed);
    expect(exitCodeOf({ status: 'timeout', errorCode: 'deployment/timeout' })).toBe(ExitCode.Timeout);
    expect(exitCodeOf({ status: 'canceled', errorCode: null })).toBe(ExitCode.Canceled);
    expect(exitCodeOf({ status: 'building', errorCode: null })).toBe(ExitCode.Error);
  });

  it('map API errors by their contract code', () => {
    expect(exitCodeOfError({ code: 'auth/unauthenticated' })).toBe(ExitCode.Auth);
    expect(exitCodeOfError({ code: 'deployment/insufficient-permissions' })).toBe(ExitCode.Auth);
    expect(exitCodeOfError({ code: 'service/unavailable', details: { unreached: true } })).toBe(ExitCode.Unreachable);
    expect(exitCodeOfError({ code: 'service/unavailable' })).toBe(ExitCode.Error);
    expect(exitCodeOfError({ code: 'project/not-found' })).toBe(ExitCode.Error);
  });
});
