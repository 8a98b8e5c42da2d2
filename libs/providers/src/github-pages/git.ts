import { execFile } from 'node:child_process';
import { ProviderError } from '../provider-error';

export interface GitRun {
  cwd: string;
  /** extra environment (credentials go here, never in argv or the log) */
  env: Record<string, string>;
  signal: AbortSignal;
  /** values removed from anything git says before it is shown */
  secrets: string[];
}

export interface GitResult {
  code: number;
  out: string;
}

const redact = (text: string, secrets: string[]) => secrets.filter(Boolean).reduce((t, s) => t.split(s).join('***'), text);

// what a failed git command said that may pass by itself: the network, the server's 5xx
const TRANSIENT = /could not resolve host|connection (timed out|refused|reset)|operation timed out|early eof|rpc failed|the remote end hung up|http[/ ]5\d\d|returned error: 5\d\d|temporary failure/i;

/** git with a clean environment of its own: no prompts, no system or global config, only the given protocols */
export const git = (args: string[], run: GitRun): Promise<GitResult> =>
  new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd: run.cwd,
        signal: run.signal,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: run.cwd,
          GIT_TERMINAL_PROMPT: '0',
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_CONFIG_GLOBAL: '/dev/null',
          GIT_AUTHOR_NAME: 'Flightdeck',
          GIT_AUTHOR_EMAIL: 'deploy@flightdeck.invalid',
          GIT_COMMITTER_NAME: 'Flightdeck',
          GIT_COMMITTER_EMAIL: 'deploy@flightdeck.invalid',
          ...run.env,
        },
      },
      (e, stdout, stderr) => {
        const code = e ? (typeof (e as { code?: unknown }).code === 'number' ? ((e as { code: number }).code) : 1) : 0;
        resolve({ code, out: redact(`${stdout}${stderr}`.trim(), run.secrets) });
      },
    );
  });

/** a git command that must succeed: its failure as a ProviderError (retryable when it looks transient) */
export const gitOrFail = async (provider: string, what: string, args: string[], run: GitRun): Promise<string> => {
  const r = await git(args, run);
  if (r.code === 0) return r.out;
  if (run.signal.aborted) throw new ProviderError(provider, `${what}: stopped`);
  const said = r.out.split('\n').filter((l) => l.trim()).slice(-4).join(' | ');
  throw new ProviderError(provider, `${what} failed (git exit ${r.code}): ${said}`, { retryable: TRANSIENT.test(r.out) });
};
