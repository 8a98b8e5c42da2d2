import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { BuildDetection } from '@flightdeck/contracts';
import { type ExtraFile, ignoreRules } from './context-tar';
import { Parser, type ReadEntry, x as extract } from 'tar';
import { DOCKERIGNORE, type DockerfileInput, type PackageManagerName, generateArtifactDockerfile, generateDockerfile } from './dockerfile';
import { startArgv } from './start-command';

/** what the builder knows of the app beyond its files: its detection and the settings a Dockerfile needs */
export interface BuildHints {
  detection?: BuildDetection;
  nodeVersion?: string;
  healthCheckPath?: string;
}

export interface DockerfilePlan {
  /** the repository's own Dockerfile, or one generated */
  own: boolean;
  /** the build context's folder */
  contextDir: string;
  /** only these entries of it (the artifact) */
  only?: string[];
  /** removes what the plan unpacked, once the build is over */
  cleanup?: () => void;
  /** the Dockerfile's path in the context */
  dockerfile: string;
  extra: ExtraFile[];
  ignore: string[];
  /** generated: the port the image listens on (own: read from its EXPOSE after the build) */
  port?: number;
  healthCheckPath: string;
  why: string[];
}

export const GENERATED_DOCKERFILE = 'Dockerfile.flightdeck';

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
const LOCKFILES: [string, PackageManagerName][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];
const INSTALL: Record<PackageManagerName, (lock?: string) => string> = {
  npm: (lock) => (lock ? 'npm ci --no-audit --no-fund' : 'npm install --no-audit --no-fund'),
  yarn: () => 'corepack yarn install',
  pnpm: () => 'corepack pnpm install',
};
const RUN: Record<PackageManagerName, (s: string) => string> = { npm: (s) => `npm run ${s}`, yarn: (s) => `corepack yarn run ${s}`, pnpm: (s) => `corepack pnpm run ${s}` };

interface Pkg {
  scripts: Record<string, string>;
  devDependencies: Record<string, string>;
}
function readPkg(dir: string): Pkg | undefined {
  try {
    const p = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Partial<Pkg>;
    return { scripts: p.scripts ?? {}, devDependencies: p.devDependencies ?? {} };
  } catch {
    return undefined;
  }
}

const usesNextStandalone = (dir: string) =>
  ['next.config.js', 'next.config.mjs', 'next.config.cjs', 'next.config.ts'].some((f) => isFile(join(dir, f)) && /output\s*:\s*['"`]standalone['"`]/.test(readFileSync(join(dir, f), 'utf8')));

// The repository's Dockerfile (at the app's folder) when it has one; else one generated from the
// builder's detection, or, without it, from the app's lockfile and package.json.
export function planDockerfile(sourceDir: string, kind: 'node' | 'static', hints: BuildHints, defaultNodeVersion: string): DockerfilePlan {
  const d = hints.detection;
  const rootDirectory = d?.rootDirectory ?? '.';
  const appDir = rootDirectory === '.' ? sourceDir : join(sourceDir, rootDirectory);
  const healthCheckPath = hints.healthCheckPath ?? '/';
  if (isFile(join(appDir, 'Dockerfile'))) {
    return { own: true, contextDir: appDir, dockerfile: 'Dockerfile', extra: [], ignore: ignoreRules(appDir), healthCheckPath, why: ["the repository's own Dockerfile"] };
  }
  const installDir = sourceDir;
  const lock = LOCKFILES.find(([f]) => isFile(join(installDir, f)));
  const pkg = readPkg(appDir);
  const pmName: PackageManagerName | undefined = lock?.[1] ?? (pkg ? 'npm' : undefined);
  const pm = pmName ? { name: pmName, lockfile: lock?.[0] } : undefined;
  const start = d?.startCommand ?? (pkg?.scripts.start && pm ? RUN[pm.name]('start') : isFile(join(appDir, 'server.js')) ? 'node server.js' : undefined);
  const input: DockerfileInput = {
    kind: d?.runKind === 'static' || d?.runKind === 'node' ? d.runKind : kind,
    rootDirectory,
    packageManager: pm,
    installCommand: d ? (d.installCommand ?? undefined) : pm && INSTALL[pm.name](pm.lockfile),
    buildCommand: d ? (d.buildCommand ?? undefined) : pkg?.scripts.build && pm ? RUN[pm.name]('build') : undefined,
    startCommand: start,
    scripts: pkg?.scripts,
    outputDirectory: d?.outputDirectory ?? undefined,
    nodeVersion: hints.nodeVersion ?? defaultNodeVersion,
    framework: d?.framework,
    nextStandalone: d?.framework === 'nextjs' && usesNextStandalone(appDir),
    healthCheckPath,
  };
  if (input.kind === 'node' && start) {
    const exe = startArgv(start, pkg?.scripts)[0];
    input.keepDevDependencies = !!pkg?.devDependencies[exe];
  }
  const generated = generateDockerfile(input);
  return {
    own: false,
    contextDir: sourceDir,
    dockerfile: GENERATED_DOCKERFILE,
    extra: [{ path: GENERATED_DOCKERFILE, content: generated.dockerfile }],
    ignore: ignoreRules(sourceDir, DOCKERIGNORE.split('\n')),
    port: generated.port,
    healthCheckPath,
    why: ['no Dockerfile in the repository: one generated for the detected app', ...generated.why],
  };
}

/** one file of a .tar.gz (package.json of the artifact), or undefined */
function fileInArchive(archive: string, name: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    let found: string | undefined;
    const parser = new Parser({
      onReadEntry: (entry: ReadEntry) => {
        if (entry.path.replace(/^\.\//, '') !== name) return entry.resume();
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => (found = Buffer.concat(chunks).toString('utf8')));
      },
    });
    parser.on('end', () => resolve(found));
    parser.on('error', () => resolve(undefined));
    createReadStream(archive)
      .on('error', () => resolve(undefined))
      .pipe(parser as unknown as NodeJS.WritableStream);
  });
}

// A start command as the builder runs it, for a container whose app sits in /app: a package script
// run through npm/yarn/pnpm becomes the script itself when it is plain (no package manager fetched
// at start, signals reach the server), and a server told to listen on loopback listens on every
// interface of the container (its port is published).
export async function artifactCmd(argv: string[], archive: string): Promise<string[]> {
  const loopback = (s: string) => s.replace(/\bHOSTNAME=127\.0\.0\.1\b/g, 'HOSTNAME=0.0.0.0').replace(/\bHOST=127\.0\.0\.1\b/g, 'HOST=0.0.0.0');
  if (argv[0] === 'sh' && argv[1] === '-c') return argv.map(loopback);
  const pkg = await fileInArchive(archive, 'package.json');
  let scripts: Record<string, string> = {};
  try {
    scripts = (pkg ? (JSON.parse(pkg) as { scripts?: Record<string, string> }).scripts : undefined) ?? {};
  } catch {
    // not JSON: the command as it is
  }
  return startArgv(argv.join(' '), scripts).map(loopback);
}

/**
 * What the builder packed: the source of an app with its own Dockerfile (unpacked, built by the
 * engine from that Dockerfile), or a build's output, packed into an image as it is.
 */
export async function planFromArtifact(source: { path: string; kind: 'node' | 'static'; startCommand?: string[]; healthCheckPath?: string }, nodeVersion: string): Promise<DockerfilePlan> {
  if ((await fileInArchive(source.path, 'Dockerfile')) !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'flightdeck-docker-context-'));
    try {
      await extract({ file: source.path, cwd: dir });
      return { ...planDockerfile(dir, source.kind, { healthCheckPath: source.healthCheckPath }, nodeVersion), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    } catch (e) {
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }
  const artifactFile = basename(source.path);
  const cmd = source.kind === 'node' ? await artifactCmd(source.startCommand ?? ['npm', 'run', 'start'], source.path) : undefined;
  const generated = generateArtifactDockerfile({ kind: source.kind, artifactFile, cmd, nodeVersion, healthCheckPath: source.healthCheckPath });
  return {
    own: false,
    contextDir: dirname(source.path),
    only: [artifactFile],
    dockerfile: GENERATED_DOCKERFILE,
    extra: [{ path: GENERATED_DOCKERFILE, content: generated.dockerfile }],
    ignore: [],
    port: generated.port,
    healthCheckPath: generated.healthCheckPath,
    why: generated.why,
  };
}
