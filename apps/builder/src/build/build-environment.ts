import { join } from 'node:path';
import type { ResolvedVariable } from '@flightdeck/contracts';

// Machine-level network settings a build needs to reach a registry (proxies, CAs, a mirror).
// They describe the machine, not the builder; everything else of the builder's environment
// (DATABASE_URL, NATS_URL, NATS_USER, NATS_PASSWORD, FLIGHTDECK_*, ...) never reaches a build: a
// build has no credential for the bus or the database.
export const PASS_THROUGH = [
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'npm_config_registry',
  'NPM_CONFIG_REGISTRY',
  'COREPACK_NPM_REGISTRY',
];

export interface BuildPaths {
  /** the job's work dir (FLIGHTDECK_DATA_DIR/work/<deploymentId>) */
  workDir: string;
  /** FLIGHTDECK_DATA_DIR/cache */
  cacheDir: string;
}

export const homeDir = (paths: BuildPaths) => join(paths.workDir, 'home');
export const tmpDir = (paths: BuildPaths) => join(paths.workDir, 'tmp');
export const appDir = (paths: BuildPaths) => join(paths.workDir, 'app');

// What every command of a build sees besides the deployment's variables.
export function baseEnvironment(paths: BuildPaths, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {
    PATH: from.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: homeDir(paths),
    TMPDIR: tmpDir(paths),
    LANG: from.LANG ?? 'C.UTF-8',
    CI: 'true',
    npm_config_cache: join(paths.cacheDir, 'npm'),
    npm_config_update_notifier: 'false',
    COREPACK_HOME: join(paths.cacheDir, 'corepack'),
    COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
    // the registry this platform installs from publishes no signing keys for corepack to check
    COREPACK_INTEGRITY_KEYS: '0',
  };
  for (const key of PASS_THROUGH) if (from[key]) env[key] = from[key]!;
  return env;
}

// git needs no variables of the deployment, and must never prompt for credentials.
export function gitEnvironment(paths: BuildPaths, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const { PATH, HOME, TMPDIR, LANG, ...rest } = baseEnvironment(paths, from);
  const network = Object.fromEntries(Object.entries(rest).filter(([k]) => PASS_THROUGH.includes(k)));
  return {
    PATH,
    HOME,
    TMPDIR,
    LANG,
    ...network,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    GIT_ALLOW_PROTOCOL: 'https:http:file',
    GIT_HTTP_LOW_SPEED_LIMIT: '1000',
    GIT_HTTP_LOW_SPEED_TIME: '60',
  };
}

// The deployment's variables win over the base, as users expect on any platform (a private
// registry, NODE_ENV); NODE_ENV=production is set for the build only, since install needs the
// devDependencies that production would skip.
export function stepEnvironment(
  base: Record<string, string>,
  variables: ResolvedVariable[],
  step: 'install' | 'build',
): Record<string, string> {
  const env = { ...base };
  if (step === 'build') env.NODE_ENV = 'production';
  for (const v of variables) env[v.key] = v.value;
  return env;
}

// What the release runs with: the variables, and a base without the build's temporary dirs.
export function releaseEnvironment(base: Record<string, string>, variables: ResolvedVariable[]): Record<string, string> {
  const { HOME: _home, TMPDIR: _tmp, CI: _ci, ...rest } = base;
  const env: Record<string, string> = { ...rest, NODE_ENV: 'production' };
  for (const v of variables) env[v.key] = v.value;
  return env;
}
