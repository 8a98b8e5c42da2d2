import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type PackageManagerName = 'npm' | 'yarn' | 'pnpm';

export interface PackageManager {
  name: PackageManagerName;
  /** the lockfile it was detected by, if any */
  lockfile?: string;
  install: string[];
  run(script: string): string[];
}

// yarn and pnpm come through corepack, pinned by the project's `packageManager` field when it has one.
const MANAGERS: Record<PackageManagerName, (lockfile?: string) => PackageManager> = {
  npm: (lockfile) => ({
    name: 'npm',
    lockfile,
    install: lockfile ? ['npm', 'ci', '--no-audit', '--no-fund'] : ['npm', 'install', '--no-audit', '--no-fund'],
    run: (script) => ['npm', 'run', script],
  }),
  yarn: (lockfile) => ({ name: 'yarn', lockfile, install: ['corepack', 'yarn', 'install'], run: (script) => ['corepack', 'yarn', 'run', script] }),
  pnpm: (lockfile) => ({ name: 'pnpm', lockfile, install: ['corepack', 'pnpm', 'install'], run: (script) => ['corepack', 'pnpm', 'run', script] }),
};

const LOCKFILES: [string, PackageManagerName][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

// By lockfile; a project without one is installed with npm.
export function detectPackageManager(dir: string): PackageManager {
  for (const [file, name] of LOCKFILES) if (existsSync(join(dir, file))) return MANAGERS[name](file);
  return MANAGERS.npm();
}
