import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProjectFiles } from './detect-variables';

export const EXAMPLE_FILES = ['.env.example', '.env.sample'] as const;
const MAX_FILE_BYTES = 256 * 1024;
const CLONE_TIMEOUT_MS = 30_000;
const READ_TIMEOUT_MS = 10_000;

export interface RepositorySnapshot {
  commit: string;
  files: ProjectFiles;
  /** the names of the files found */
  read: string[];
  warnings: string[];
}

// Its message is safe to show: the URL without credentials, git's last line with them masked.
export class RepositoryReadError extends Error {}

interface Target {
  cloneUrl: string;
  display: string;
  secrets: string[];
}

const targetOf = (repositoryUrl: string): Target => {
  if (isAbsolute(repositoryUrl))
    return { cloneUrl: pathToFileURL(repositoryUrl).href, display: repositoryUrl, secrets: [] };
  let url: URL;
  try {
    url = new URL(repositoryUrl);
  } catch {
    throw new RepositoryReadError('the repository URL is not a URL nor an absolute path');
  }
  if (!['https:', 'http:', 'file:'].includes(url.protocol))
    throw new RepositoryReadError(`the ${url.protocol} scheme cannot be read (https, file or a local path)`);
  const secrets = [
    url.username,
    url.password,
    decodeURIComponent(url.username),
    decodeURIComponent(url.password),
  ].filter((s) => s.length > 0);
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  return { cloneUrl: url.href, display: bare.href, secrets };
};

// A stranger's repository: no hooks, no system or user git config, no prompts, no protocol but
// https and file, bounded in time; only the default branch's tip, without file contents but the
// few read (a partial clone fetches those blobs on demand).
const SAFE_CONFIG = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'protocol.allow=never',
  '-c',
  'protocol.https.allow=always',
  '-c',
  'protocol.http.allow=always',
  '-c',
  'protocol.file.allow=always',
  '-c',
  'http.lowSpeedLimit=1024',
  '-c',
  'http.lowSpeedTime=10',
  '-c',
  'credential.helper=',
];

export interface ReaderLimits {
  cloneTimeoutMs: number;
  /** clones at once in this process; one more is refused (temporary: the caller retries) */
  concurrentReads: number;
}

export class RepositoryReader {
  private reading = 0;

  constructor(
    private readonly limits: ReaderLimits = { cloneTimeoutMs: CLONE_TIMEOUT_MS, concurrentReads: 4 },
  ) {}

  /** `cloneTimeoutMs`: a shorter deadline than the reader's own, for a caller that must not wait long (pre-flight) */
  async read(repositoryUrl: string, branch: string, cloneTimeoutMs = this.limits.cloneTimeoutMs): Promise<RepositorySnapshot> {
    if (this.reading >= this.limits.concurrentReads) {
      throw new RepositoryReadError(
        `${this.limits.concurrentReads} repositories are being read at once already, the most allowed: try again in a few seconds`,
      );
    }
    this.reading++;
    try {
      return await this.readNow(repositoryUrl, branch, Math.min(cloneTimeoutMs, this.limits.cloneTimeoutMs));
    } finally {
      this.reading--;
    }
  }

  private async readNow(repositoryUrl: string, branch: string, cloneTimeoutMs: number): Promise<RepositorySnapshot> {
    const target = targetOf(repositoryUrl);
    const home = await mkdtemp(join(tmpdir(), 'fd-detect-'));
    const dir = join(home, 'repo');
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: '/bin/false',
      GIT_PROTOCOL_FROM_USER: '0',
    };
    const git = (args: string[], cwd: string, timeout: number) =>
      run(['git', ...SAFE_CONFIG, ...args], { cwd, env, timeout });
    try {
      const cloned = await git(
        [
          'clone',
          '--quiet',
          '--depth',
          '1',
          '--filter=blob:none',
          '--no-checkout',
          '--single-branch',
          `--branch=${branch}`,
          '--',
          target.cloneUrl,
          dir,
        ],
        home,
        cloneTimeoutMs,
      );
      if (cloned.code !== 0) {
        const why = cloned.timedOut
          ? `no answer within ${cloneTimeoutMs / 1000} s`
          : lastLine(cloned.stderr) || `git exited with code ${cloned.code}`;
        throw new RepositoryReadError(
          mask(`could not read ${target.display} at branch ${branch}: ${why}`, target),
        );
      }
      const commit = (await git(['rev-parse', 'HEAD'], dir, READ_TIMEOUT_MS)).stdout.trim();
      const warnings: string[] = [];
      const readFile = async (name: string): Promise<string | undefined> => {
        const size = await git(['cat-file', '-s', `HEAD:${name}`], dir, READ_TIMEOUT_MS);
        if (size.code !== 0) return undefined;
        if (Number(size.stdout.trim()) > MAX_FILE_BYTES) {
          warnings.push(`${name} is larger than ${MAX_FILE_BYTES / 1024} KiB: not read`);
          return undefined;
        }
        const shown = await git(['cat-file', 'blob', `HEAD:${name}`], dir, READ_TIMEOUT_MS);
        if (shown.code !== 0) {
          warnings.push(mask(`${name} could not be read: ${lastLine(shown.stderr)}`, target));
          return undefined;
        }
        return shown.stdout;
      };
      const packageJson = await readFile('package.json');
      const envExamples: ProjectFiles['envExamples'] = [];
      for (const name of EXAMPLE_FILES) {
        const text = await readFile(name);
        if (text !== undefined) envExamples.push({ name, text });
      }
      const read = [
        ...(packageJson !== undefined ? ['package.json'] : []),
        ...envExamples.map((e) => e.name),
      ];
      return { commit, files: { packageJson, envExamples }, read, warnings };
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

// git in its own process group, killed as a group at the deadline: git clone leaves the transfer to
// a child (git-remote-https, upload-pack) that a kill of git alone would leave running.
const run = (
  argv: string[],
  opts: { cwd: string; env: Record<string, string>; timeout: number },
): Promise<RunResult> =>
  new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const collect = (name: 'stdout' | 'stderr') => (chunk: Buffer) => {
      out[name] += chunk.toString('utf8');
      // a reply larger than any file we read is refused rather than held in memory
      if (out[name].length > MAX_FILE_BYTES * 2) killGroup();
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, opts.timeout);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({
        code: -1,
        stdout: '',
        stderr: e.code === 'ENOENT' ? 'git is not installed' : String(e.code ?? e.message),
        timedOut,
      });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, ...out, timedOut });
    });
  });

const lastLine = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .pop() ?? '';

const mask = (text: string, target: Target) => {
  let out = text.split(target.cloneUrl).join(target.display);
  for (const s of target.secrets) out = out.split(s).join('***');
  return out;
};
