import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type ReadEntry, x as extract } from 'tar';
import type { AppKind } from '../build/app-kind';
import type { ResourceLimits } from '../sandbox/resource-limits';
import { appDir } from '../edge/routed-release';

// Layout of one release: FLIGHTDECK_DATA_DIR/releases/<project>/<environment>/<deploymentId>/
//   app/       the unpacked artifact (the process's cwd, or the static site's root)
//   env.json   the Node release's environment, mode 0600: it may hold secrets, so it is kept beside
//              the app (never inside a served dir) instead of in the database
//   home/      HOME of the release's process
//   limits.json what the release's process may use (from its environment when it was deployed)
//   health.json the path its health check asks, when its build settings name one
//   node.json  the Node runtime it runs on, when its build asked for another than the builder's own
//   masked.json the values of its sensitive variables (mode 0600), masked in its runtime log
export const releaseDir = (releasesDir: string, project: string, environment: string, deploymentId: string) =>
  join(releasesDir, project, environment, deploymentId);
const envFile = (dir: string) => join(dir, 'env.json');
const limitsFile = (dir: string) => join(dir, 'limits.json');
const healthFile = (dir: string) => join(dir, 'health.json');
const nodeFile = (dir: string) => join(dir, 'node.json');
const maskedFile = (dir: string) => join(dir, 'masked.json');
export const homeDir = (dir: string) => join(dir, 'home');

export interface UnpackRequest {
  artifactPath: string;
  dir: string;
  kind: AppKind;
  /** node releases: the environment their process runs with */
  env?: Record<string, string>;
  limits?: ResourceLimits;
  healthCheckPath?: string;
  nodeRuntimeDir?: string;
  /** node releases: the secret values their runtime log masks */
  secrets?: string[];
}

// Unpacks into a hidden sibling and renames it into place, so a release dir only ever holds a
// complete release. Links are dropped from static sites: the edge serves those files to anyone,
// and a link could point anywhere on this machine.
export async function unpackRelease(req: UnpackRequest): Promise<{ skippedLinks: number }> {
  if (!existsSync(req.artifactPath)) throw new Error(`artifact ${req.artifactPath} does not exist`);
  const partial = join(dirname(req.dir), `.${basename(req.dir)}.${randomUUID().slice(0, 8)}.partial`);
  let skippedLinks = 0;
  try {
    await mkdir(join(partial, 'app'), { recursive: true, mode: 0o700 });
    await chmod(partial, 0o700);
    await extract({
      file: req.artifactPath,
      cwd: appDir({ dir: partial }),
      strict: true,
      preserveOwner: false,
      filter: (_path, entry) => {
        const type = (entry as ReadEntry).type;
        if (req.kind === 'static' && (type === 'SymbolicLink' || type === 'Link')) {
          skippedLinks++;
          return false;
        }
        return true;
      },
    });
    if (req.env) await writeFile(envFile(partial), JSON.stringify(req.env), { mode: 0o600 });
    if (req.limits) await writeFile(limitsFile(partial), JSON.stringify(req.limits), { mode: 0o600 });
    if (req.healthCheckPath) await writeFile(healthFile(partial), JSON.stringify({ path: req.healthCheckPath }), { mode: 0o600 });
    if (req.secrets?.length) await writeFile(maskedFile(partial), JSON.stringify(req.secrets), { mode: 0o600 });
    if (req.nodeRuntimeDir) await writeFile(nodeFile(partial), JSON.stringify({ dir: req.nodeRuntimeDir }), { mode: 0o600 });
    await mkdir(homeDir(partial), { mode: 0o700 });
    await rm(req.dir, { recursive: true, force: true });
    await rename(partial, req.dir);
  } catch (e) {
    await rm(partial, { recursive: true, force: true });
    throw e;
  }
  return { skippedLinks };
}

export async function readReleaseEnv(dir: string): Promise<Record<string, string>> {
  const parsed: unknown = JSON.parse(await readFile(envFile(dir), 'utf8'));
  if (!parsed || typeof parsed !== 'object' || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`${envFile(dir)} is not an environment`);
  }
  return parsed as Record<string, string>;
}

/** the health check path the release was deployed with, if its build settings named one */
export async function readReleaseHealthPath(dir: string): Promise<string | undefined> {
  try {
    const { path } = JSON.parse(await readFile(healthFile(dir), 'utf8')) as { path?: unknown };
    return typeof path === 'string' && path.startsWith('/') ? path : undefined;
  } catch {
    return undefined;
  }
}

/** the limits the release was deployed with; undefined for releases from before limits existed */
export async function readReleaseLimits(dir: string): Promise<ResourceLimits | undefined> {
  try {
    const parsed = JSON.parse(await readFile(limitsFile(dir), 'utf8')) as Partial<ResourceLimits>;
    const { memoryMb, processes, cpus } = parsed;
    return [memoryMb, processes, cpus].every((n) => typeof n === 'number') ? { memoryMb: memoryMb!, processes: processes!, cpus: cpus! } : undefined;
  } catch {
    return undefined;
  }
}

/** the Node runtime folder the release was built for, if not the builder's own */
export async function readReleaseNodeRuntime(dir: string): Promise<string | undefined> {
  try {
    const { dir: runtimeDir } = JSON.parse(await readFile(nodeFile(dir), 'utf8')) as { dir?: unknown };
    return typeof runtimeDir === 'string' ? runtimeDir : undefined;
  } catch {
    return undefined;
  }
}

/** the secret values the release's runtime log masks ([] for releases deployed without any) */
export async function readReleaseSecrets(dir: string): Promise<string[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(maskedFile(dir), 'utf8'));
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
