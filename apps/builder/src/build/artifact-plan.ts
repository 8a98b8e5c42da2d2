import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PackageJson } from './app-detection';
import { type PlannedCommand, shellCommand } from './build-plan';
import { isInside } from './framework-detection';
import type { PackageManager } from './package-manager';

// What a Node server's artifact holds. A framework's self-contained output is packed alone (Nuxt's
// .output, Next.js standalone when next.config asks for it); otherwise the app, with its
// devDependencies pruned when the start command does not itself come from one. The build's own
// caches never go in (see ARTIFACT_EXCLUDE).
export interface ArtifactPlan {
  /** relative to the app dir: the folder whose contents become the artifact */
  dir: string;
  /** the release's start command when packing a self-contained output changes it */
  start?: PlannedCommand;
  /** run in the build's sandbox after the build, before packing */
  prepare: PlannedCommand[];
  why: string;
}

// Caches of the build that a release never reads: left out of every artifact.
export const ARTIFACT_EXCLUDE = /^(\.\/)?(\.git|node_modules\/\.cache|\.next\/cache|\.nuxt|\.svelte-kit|\.astro|\.turbo)(\/|$)/;

const NEXT_CONFIGS = ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts'];

export function usesNextStandalone(dir: string): boolean {
  return NEXT_CONFIGS.some((f) => {
    try {
      return existsSync(join(dir, f)) && isInside(dir, join(dir, f)) && /output\s*:\s*['"`]standalone['"`]/.test(readFileSync(join(dir, f), 'utf8'));
    } catch {
      return false;
    }
  });
}

const PRUNE: Partial<Record<PackageManager['name'], string[]>> = {
  npm: ['npm', 'prune', '--omit=dev', '--no-audit', '--no-fund'],
  pnpm: ['corepack', 'pnpm', 'prune', '--prod'],
};

// The executable a start command runs first (`npm run start` -> the start script's).
function startExecutable(start: PlannedCommand, pkg: PackageJson | undefined): string | undefined {
  const line = start.argv[0] === 'sh' ? start.display : start.argv.join(' ');
  const viaScript = /^(npm|corepack (yarn|pnpm)|yarn|pnpm) (run )?start$/.test(line) ? pkg?.scripts.start : line;
  return viaScript?.trim().split(/\s+/).find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) && w !== 'npx' && w !== 'exec');
}

export function nodeArtifact(input: {
  dir: string;
  rootDirectory: string;
  framework: string | null;
  pkg: PackageJson | undefined;
  pm: PackageManager | undefined;
  start: PlannedCommand;
  startFromSettings: boolean;
}): ArtifactPlan {
  const { dir, framework, pkg, pm, start } = input;
  if (input.rootDirectory !== '.') return { dir: '.', prepare: [], why: 'a workspace app: packed with the repository (its dependencies live at the root)' };
  if (!input.startFromSettings && framework === 'nuxtjs' && start.display === 'node .output/server/index.mjs') {
    return { dir: '.output', start: shellCommand('node server/index.mjs'), prepare: [], why: "Nuxt's .output is self-contained: only it is packed" };
  }
  if (!input.startFromSettings && framework === 'nextjs' && usesNextStandalone(dir)) {
    return {
      dir: '.next/standalone',
      // standalone leaves the static assets to be copied beside its server.js
      prepare: [shellCommand('cp -R .next/static .next/standalone/.next/ && if [ -d public ]; then cp -R public .next/standalone/; fi')],
      start: shellCommand('HOSTNAME=127.0.0.1 node server.js'),
      why: 'Next.js standalone output (next.config output: "standalone"): only .next/standalone is packed',
    };
  }
  const prune = pm && PRUNE[pm.name];
  if (!prune) return { dir: '.', prepare: [], why: `packed whole: devDependencies are not pruned for ${pm?.name ?? 'an app without a package manager'}` };
  const exe = startExecutable(start, pkg);
  if (input.startFromSettings || (exe && pkg?.devDependencies[exe])) {
    return { dir: '.', prepare: [], why: `packed whole: the start command may need devDependencies${exe && pkg?.devDependencies[exe] ? ` (${exe} is one)` : ''}` };
  }
  return { dir: '.', prepare: [{ argv: prune, display: prune.join(' ') }], why: 'devDependencies pruned before packing' };
}
