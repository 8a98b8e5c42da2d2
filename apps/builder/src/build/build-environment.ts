import { join } from 'node:path';
import { type ResolvedVariable, reachesStage } from '@flightdeck/contracts';
import { networkEnvironment } from './network-trust';

export interface BuildPaths {
  /** the job's work dir (FLIGHTDECK_DATA_DIR/work/<deploymentId>) */
  workDir: string;
  /** the project's caches (FLIGHTDECK_DATA_DIR/cache/<project>): npm, corepack, yarn, pnpm */
  cacheDir: string;
}

// Where a sandboxed command sees the work dir and the project's caches; unsandboxed
// (FLIGHTDECK_ISOLATION=unsafe-none) it sees the host paths.
export const SANDBOX_VIEW: BuildPaths = { workDir: '/workspace', cacheDir: '/cache' };

// Where a sandboxed build or release sees the Node its nodeVersion fetched (node-runtimes.ts).
export const NODE_RUNTIME_VIEW = '/opt/node';

/** the environment with a Node runtime's bin/ (as the command sees it) first on PATH */
export const withNodeRuntime = (env: Record<string, string>, runtimeDir: string | undefined): Record<string, string> =>
  runtimeDir ? { ...env, PATH: `${join(runtimeDir, 'bin')}:${env.PATH}` } : env;

export const homeDir = (paths: BuildPaths) => join(paths.workDir, 'home');
export const tmpDir = (paths: BuildPaths) => join(paths.workDir, 'tmp');
export const appDir = (paths: BuildPaths) => join(paths.workDir, 'app');

// What every command of a build sees besides the deployment's variables: paths as the command
// sees them, and the machine's network trust (CA bundle, proxies, registry; see network-trust.ts).
// Nothing else of the builder's environment (DATABASE_URL, NATS_*, FLIGHTDECK_*) reaches a build.
export function baseEnvironment(view: BuildPaths, from: NodeJS.ProcessEnv = process.env, extraNames: readonly string[] = []): Record<string, string> {
  return {
    // first: a name an operator adds to the network trust never replaces the build's own paths
    ...networkEnvironment(from, extraNames),
    PATH: from.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: homeDir(view),
    TMPDIR: tmpDir(view),
    LANG: from.LANG ?? 'C.UTF-8',
    CI: 'true',
    npm_config_cache: join(view.cacheDir, 'npm'),
    npm_config_update_notifier: 'false',
    COREPACK_HOME: join(view.cacheDir, 'corepack'),
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    // the registry this platform installs from publishes no signing keys for corepack to check
    COREPACK_INTEGRITY_KEYS: '0',
    YARN_CACHE_FOLDER: join(view.cacheDir, 'yarn'),
    npm_config_store_dir: join(view.cacheDir, 'pnpm-store'),
  };
}

// git needs no variables of the deployment, and must never prompt for credentials.
export function gitEnvironment(view: BuildPaths, from: NodeJS.ProcessEnv = process.env, extraNames: readonly string[] = []): Record<string, string> {
  const { PATH, HOME, TMPDIR, LANG } = baseEnvironment(view, from, extraNames);
  return {
    ...networkEnvironment(from, extraNames),
    PATH,
    HOME,
    TMPDIR,
    LANG,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    GIT_ALLOW_PROTOCOL: 'https:http:file',
    GIT_HTTP_LOW_SPEED_LIMIT: '1000',
    GIT_HTTP_LOW_SPEED_TIME: '60',
  };
}

// The deployment's variables win over the base, as users expect on any platform (a private
// registry, NODE_ENV); NODE_ENV=production is set for the build only, since install needs the
// devDependencies that production would skip. A variable whose target is `runtime` reaches only
// the release, never install or build.
export function stepEnvironment(
  base: Record<string, string>,
  variables: ResolvedVariable[],
  step: 'install' | 'build',
): Record<string, string> {
  const env = { ...base };
  if (step === 'build') env.NODE_ENV = 'production';
  for (const v of variables) if (reachesStage(v.target, 'build')) env[v.key] = v.value;
  return env;
}

// What the release runs with: the variables (but those whose target is `build` only), and a base
// without the build's paths and caches (COREPACK_HOME stays: `corepack yarn start` runs the yarn
// the build fetched, read-only).
export function releaseEnvironment(base: Record<string, string>, variables: ResolvedVariable[]): Record<string, string> {
  const {
    HOME: _home,
    TMPDIR: _tmp,
    CI: _ci,
    npm_config_cache: _npm,
    YARN_CACHE_FOLDER: _yarn,
    npm_config_store_dir: _pnpm,
    ...rest
  } = base;
  const env: Record<string, string> = { ...rest, NODE_ENV: 'production' };
  for (const v of variables) if (reachesStage(v.target, 'runtime')) env[v.key] = v.value;
  return env;
}
