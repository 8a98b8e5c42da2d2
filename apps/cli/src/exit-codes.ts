import type { Deployment } from '@flightdeck/contracts';

// Every exit code of `flightdeck`, in one place: --help and the README list these, CI branches on them.
export const ExitCode = {
  Success: 0,
  /** an API error or anything else unexpected */
  Error: 1,
  /** bad arguments, or input needed where flightdeck will not prompt (stdin is not a terminal) */
  Usage: 2,
  /** no token, or the token was refused (401) or lacks the right (403) */
  Auth: 3,
  /** the gateway could not be reached */
  Unreachable: 4,
  /** the deployment failed before its release: pre-flight, source, install, build */
  BuildFailed: 10,
  /** the build succeeded and the release failed: start, health check, provider */
  DeployFailed: 11,
  /** the deployment timed out (or `--timeout` passed before it ended) */
  Timeout: 12,
  /** the deployment was canceled */
  Canceled: 13,
  /** Ctrl-C while following: the deployment goes on */
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODE_HELP: readonly [ExitCode, string][] = [
  [ExitCode.Success, 'success (a followed deployment succeeded)'],
  [ExitCode.Error, 'API error or other failure'],
  [ExitCode.Usage, 'bad usage, or input needed while stdin is not a terminal'],
  [ExitCode.Auth, 'not logged in, token refused (401) or not allowed (403)'],
  [ExitCode.Unreachable, 'gateway unreachable'],
  [ExitCode.BuildFailed, 'deployment failed before release (pre-flight, source, build)'],
  [ExitCode.DeployFailed, 'deployment failed at release (start, health check, provider)'],
  [ExitCode.Timeout, 'deployment timed out'],
  [ExitCode.Canceled, 'deployment canceled'],
  [ExitCode.Interrupted, 'interrupted (Ctrl-C) while following; the deployment goes on'],
];

export const exitCodesHelp = () => `\nExit codes:\n${EXIT_CODE_HELP.map(([c, what]) => `  ${String(c).padStart(3)}  ${what}`).join('\n')}\n`;

// failures at the release step; every other failure happened before anything was released
const RELEASE_ERRORS = new Set(['deployment/deploy-failed', 'deployment/provider-error']);

/** the exit code for a deployment that ended (a non-terminal one is not an outcome yet: Error) */
export const exitCodeOf = (d: Pick<Deployment, 'status' | 'errorCode'>): ExitCode => {
  switch (d.status) {
    case 'succeeded':
      return ExitCode.Success;
    case 'canceled':
      return ExitCode.Canceled;
    case 'timeout':
      return ExitCode.Timeout;
    case 'failed':
      return d.errorCode && RELEASE_ERRORS.has(d.errorCode) ? ExitCode.DeployFailed : ExitCode.BuildFailed;
    default:
      return ExitCode.Error;
  }
};

/** the exit code for an API error, by its contract code */
export const exitCodeOfError = (error: { code: string; details?: unknown }): ExitCode => {
  if (error.code === 'auth/unauthenticated' || error.code === 'deployment/insufficient-permissions') return ExitCode.Auth;
  if (error.code === 'service/unavailable' && unreached(error.details)) return ExitCode.Unreachable;
  return ExitCode.Error;
};

const unreached = (details: unknown) => typeof details === 'object' && details !== null && (details as { unreached?: unknown }).unreached === true;
