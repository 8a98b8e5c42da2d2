import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AppKind } from './app-kind';
import { buildFailed } from './step-errors';

export interface PackageJson {
  scripts: Record<string, string>;
}

export const STATIC_OUTPUT_DIRS = ['dist', 'build', 'out', 'public'];

export function readPackageJson(dir: string): PackageJson | undefined {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw buildFailed('install', `package.json is not valid JSON: ${(e as Error).message}`);
  }
  const scripts = (parsed as { scripts?: unknown })?.scripts;
  const valid = scripts && typeof scripts === 'object' ? Object.entries(scripts).filter(([, v]) => typeof v === 'string') : [];
  return { scripts: Object.fromEntries(valid) as Record<string, string> };
}

export interface DetectedApp {
  kind: AppKind;
  /** static: the directory (relative to the app) that is served */
  outputDir?: string;
}

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

// After the build: a `start` script makes a Node server; otherwise the first output directory
// holding an index.html is a static site; plain HTML at the root counts only when there is no
// package.json (with one, the root index.html is usually the unbuilt source).
export function detectApp(dir: string, pkg: PackageJson | undefined): DetectedApp {
  if (pkg?.scripts.start) return { kind: 'node' };
  for (const out of STATIC_OUTPUT_DIRS) {
    if (isFile(join(dir, out, 'index.html'))) return { kind: 'static', outputDir: out };
  }
  if (!pkg && isFile(join(dir, 'index.html'))) return { kind: 'static', outputDir: '.' };
  throw buildFailed(
    'package',
    `nothing to deploy: no "start" script in package.json and no index.html in ${STATIC_OUTPUT_DIRS.map((d) => `${d}/`).join(', ')}${pkg ? '' : ' or the repository root'}`,
  );
}
