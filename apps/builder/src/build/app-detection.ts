import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isInside } from './framework-detection';
import { buildFailed } from './step-errors';

export interface PackageJson {
  scripts: Record<string, string>;
  /** dependencies and devDependencies, by name */
  dependencies: Record<string, string>;
  /** devDependencies alone: what a production install leaves out */
  devDependencies: Record<string, string>;
}

export const STATIC_OUTPUT_DIRS = ['dist', 'build', 'out', 'public'];

const stringEntries = (o: unknown): [string, string][] =>
  o && typeof o === 'object' ? Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string') : [];

export function readPackageJson(dir: string): PackageJson | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  // a symlink out of the repository reads as no package.json
  if (!isInside(dir, file)) throw buildFailed('install', 'package.json is a link to a file outside the repository');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw buildFailed('install', `package.json is not valid JSON: ${(e as Error).message}`);
  }
  const p = parsed as { scripts?: unknown; dependencies?: unknown; devDependencies?: unknown } | null;
  return {
    scripts: Object.fromEntries(stringEntries(p?.scripts)),
    dependencies: Object.fromEntries([...stringEntries(p?.devDependencies), ...stringEntries(p?.dependencies)]),
    devDependencies: Object.fromEntries(stringEntries(p?.devDependencies)),
  };
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

// After the build, what a static site serves: the output directory of the settings or the
// framework when there is one (it must exist and hold something), else the first of dist/,
// build/, out/, public/ with an index.html; plain HTML at the root counts only when there is no
// package.json (with one, the root index.html is usually the unbuilt source).
export function staticOutput(dir: string, pkg: PackageJson | undefined, outputDirectory: string | undefined): string {
  if (outputDirectory) {
    const out = join(dir, outputDirectory);
    if (!isDir(out) || !isInside(dir, out)) throw buildFailed('package', `the output directory ${outputDirectory}/ does not exist after the build`);
    if (readdirSync(out).length === 0) throw buildFailed('package', `the output directory ${outputDirectory}/ is empty after the build`);
    return outputDirectory;
  }
  for (const out of STATIC_OUTPUT_DIRS) {
    if (isFile(join(dir, out, 'index.html')) && isInside(dir, join(dir, out))) return out;
  }
  if (!pkg && isFile(join(dir, 'index.html'))) return '.';
  throw buildFailed(
    'package',
    `nothing to deploy: no framework the detector knows, no "start" script (other than a development server), no server.js, and no index.html in ${STATIC_OUTPUT_DIRS.map((d) => `${d}/`).join(', ')}${pkg ? '' : ' or the repository root'}`,
  );
}
