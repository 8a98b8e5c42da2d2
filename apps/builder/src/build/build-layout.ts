import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildDetection } from '@flightdeck/contracts';
import { isInside } from './framework-detection';
import { buildFailed } from './step-errors';

export interface AppLayout {
  /** as the settings name it, "." for the repository root */
  rootDirectory: string;
  /** host paths: the app's folder, and where install runs (the workspace root in a monorepo) */
  appDir: string;
  installDir: string;
  workspace?: 'npm' | 'yarn' | 'pnpm';
}

// npm and yarn share the `workspaces` field: yarn's by its lockfile or the packageManager it pins.
function isWorkspaceRoot(dir: string): AppLayout['workspace'] {
  if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return 'pnpm';
  try {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { workspaces?: unknown; packageManager?: unknown };
    if (!pkg.workspaces) return undefined;
    const yarn = existsSync(join(dir, 'yarn.lock')) || (typeof pkg.packageManager === 'string' && pkg.packageManager.startsWith('yarn@'));
    return yarn ? 'yarn' : 'npm';
  } catch {
    return undefined;
  }
}

// Where the app is in the checked-out repository: its rootDirectory must be a folder of it. In a
// workspace (npm/yarn `workspaces`, pnpm-workspace.yaml) install runs at the root.
export function appLayout(repoDir: string, rootDirectory = '.'): AppLayout {
  const appDir = join(repoDir, rootDirectory);
  if (rootDirectory === '.') return { rootDirectory, appDir, installDir: appDir };
  if (!existsSync(appDir) || !isInside(repoDir, appDir)) throw buildFailed('install', `the rootDirectory "${rootDirectory}" does not exist in the repository`);
  if (!statSync(appDir).isDirectory()) throw buildFailed('install', `the rootDirectory "${rootDirectory}" is a file, not a folder`);
  const workspace = isWorkspaceRoot(repoDir);
  return { rootDirectory, appDir, installDir: workspace ? repoDir : appDir, workspace };
}

export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// The build log's first lines after the clone: what was detected and why.
export function describeDetection(d: BuildDetection, layout: AppLayout): string[] {
  const lines = [
    `Detected: ${d.frameworkName ? `${d.frameworkName}${d.frameworkVersion ? ` ${d.frameworkVersion}` : ''} (${d.framework})` : 'no framework'}, runs as ${
      d.runKind === 'static' ? 'static files served by the edge' : d.runKind === 'node' ? 'a Node server' : 'a Docker image'
    }${layout.rootDirectory === '.' ? '' : `, in ${layout.rootDirectory}`}`,
    `Package manager: ${d.packageManager ?? 'none (no package.json)'}${layout.workspace ? `, ${layout.workspace} workspace: installed at the repository root` : ''}`,
    `Install: ${d.installCommand ?? '-'} · Build: ${d.buildCommand ?? '-'} · Output: ${d.outputDirectory ?? (d.runKind === 'static' ? 'looked for after the build' : '-')} · Start: ${d.startCommand ?? '-'}`,
  ];
  return [...lines, ...d.why.map((w) => `Why: ${w}`)];
}
