import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildDetection, BuildSettings } from '@flightdeck/contracts';
import type { PackageJson } from './app-detection';
import { devServerIn } from './dev-server';
import { type DetectedFramework, detectFramework, forcedFramework, frameworkBySlug, isInside } from './framework-detection';
import type { PackageManager } from './package-manager';

export type RunKind = BuildDetection['runKind'];

// A command as it runs (argv) and as the log and the deployment's metadata show it.
export interface PlannedCommand {
  argv: string[];
  display: string;
}

export interface BuildPlan {
  detection: BuildDetection;
  install?: PlannedCommand;
  build?: PlannedCommand;
  /** node: run in the release dir */
  start?: PlannedCommand;
  /** after the build, in the app's folder: its exit code decides, its runner's summary is counted */
  test?: PlannedCommand;
  /** static: relative to the app dir; absent means "look for index.html after the build" */
  outputDirectory?: string;
}

export interface PlanInput {
  /** the app's folder on this host (rootDirectory applied) */
  dir: string;
  rootDirectory: string;
  pkg: PackageJson | undefined;
  pm: PackageManager | undefined;
  settings: BuildSettings;
}

// A command line of a setting or of the framework list runs in a shell, with the app's and the
// workspace root's node_modules/.bin first on PATH (as `npm run` would put them).
export const shellCommand = (line: string, rootDepth = 0): PlannedCommand => {
  const bins = ['"$PWD/node_modules/.bin"', ...Array.from({ length: rootDepth }, (_, i) => `"$PWD/${'../'.repeat(i + 1)}node_modules/.bin"`)];
  return { argv: ['sh', '-c', `PATH=${bins.join(':')}:"$PATH"; ${line}`], display: line };
};
const script = (pm: PackageManager, name: string): PlannedCommand => {
  const argv = pm.run(name);
  return { argv, display: argv.join(' ') };
};

const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
const settingValue = (s: unknown): string | undefined => {
  const v = (s as { value?: unknown } | undefined)?.value;
  return typeof v === 'string' ? v : undefined;
};

interface RunDecision {
  kind: RunKind;
  outputDirectory?: string;
  /** the production start command when the framework has one of its own */
  start?: string;
  why: string;
}

// How each framework's production output runs. The detector says which framework it is; how a
// release of it runs here (files for the edge, or a server) is ours to say.
function runOf(f: DetectedFramework | null, pkg: PackageJson | undefined, dir: string): RunDecision | undefined {
  const has = (name: string) => !!pkg?.dependencies[name];
  const out = settingValue(f?.settings?.outputDirectory);
  const name = f?.name ?? 'the framework';
  switch (f?.slug) {
    case 'nextjs':
      return { kind: 'node', start: 'next start', why: 'Next.js runs as a Node server (`next start`)' };
    case 'nuxtjs':
      return /\bnuxt(i)? generate\b/.test(pkg?.scripts.build ?? '')
        ? { kind: 'static', outputDirectory: '.output/public', why: 'Nuxt with `nuxt generate` is a static site in .output/public' }
        : { kind: 'node', start: 'node .output/server/index.mjs', why: 'Nuxt runs as a Node server (.output/server/index.mjs)' };
    case 'remix':
      return { kind: 'node', start: 'remix-serve ./build/index.js', why: 'Remix runs as a Node server' };
    case 'react-router':
      return { kind: 'node', start: 'react-router-serve ./build/server/index.js', why: 'React Router (framework mode) runs as a Node server' };
    case 'sveltekit':
    case 'sveltekit-1':
      return has('@sveltejs/adapter-node')
        ? { kind: 'node', start: 'node build', why: 'SvelteKit with @sveltejs/adapter-node runs as a Node server (`node build`)' }
        : { kind: 'static', outputDirectory: 'build', why: 'SvelteKit without the Node adapter is served as static files (adapter-static writes build/)' };
    case 'astro':
      return has('@astrojs/node')
        ? { kind: 'node', start: 'node ./dist/server/entry.mjs', why: 'Astro with @astrojs/node runs as a Node server' }
        : { kind: 'static', outputDirectory: 'dist', why: 'Astro without a server adapter is a static site in dist/' };
    case 'express':
    case 'fastify':
    case 'nestjs':
    case 'koa':
    case 'hono':
    case 'h3':
    case 'nitro':
    case 'node':
      return { kind: 'node', why: `${name} is a Node server` };
    case undefined:
    case null:
      return undefined;
    default:
      if (out && out !== 'N/A') return { kind: 'static', outputDirectory: out, why: `${name} builds a static site into ${out}/` };
      return isFile(join(dir, 'server.js')) || pkg?.scripts.start ? undefined : { kind: 'static', why: `${name} builds a static site` };
  }
}

// What to install, build and run for an app, and why: the settings first, then the framework the
// detector finds, then the package.json scripts. A development server is never the run command.
export async function planBuild(input: PlanInput): Promise<BuildPlan> {
  const { dir, pkg, pm, settings, rootDirectory } = input;
  const why: string[] = [];
  const depth = rootDirectory === '.' ? 0 : rootDirectory.split('/').length;
  const shell = (line: string) => shellCommand(line, depth);

  const framework: DetectedFramework | null = settings.framework ? forcedFramework(settings.framework) : await detectFramework(dir);
  if (settings.framework) why.push(`framework "${settings.framework}" is set in the build settings`);
  else if (framework) why.push(`the detector (@vercel/frameworks) recognised ${framework.name}${framework.detectedVersion ? ` ${framework.detectedVersion}` : ''}`);

  const dockerfile = !settings.framework && isFile(join(dir, 'Dockerfile'));
  let run: RunDecision | undefined = dockerfile
    ? { kind: 'docker', why: 'a Dockerfile at the app root: it is built and run by the Docker provider' }
    : runOf(framework, pkg, dir);

  const start = pkg?.scripts.start;
  const devServer = start ? devServerIn(start, pkg?.scripts) : undefined;
  if (start && devServer) why.push(`the "start" script runs a development server (${devServer}): not used in production`);

  let startCommand: PlannedCommand | undefined;
  if (settings.startCommand) {
    startCommand = shell(settings.startCommand);
    why.push('start command from the build settings');
    if (!run || run.kind === 'static') run = { kind: 'node', why: 'a start command is set: a Node server' };
  } else if (run?.kind !== 'static' && run?.kind !== 'docker') {
    if (start && !devServer && pm) startCommand = script(pm, 'start');
    else if (run?.start) startCommand = shell(run.start);
    else if (isFile(join(dir, 'server.js'))) startCommand = { argv: ['node', 'server.js'], display: 'node server.js' };
    if (startCommand) run ??= { kind: 'node', why: startCommand.display === 'node server.js' ? 'no start script, and a server.js: npm runs `node server.js`' : 'a "start" script: a Node server' };
  }
  if (run?.kind === 'node' && !startCommand) run = undefined;
  run ??= { kind: 'static', why: 'no server to run: a static site (an output directory with index.html, or plain HTML)' };
  why.push(run.why);

  let install: PlannedCommand | undefined;
  let build: PlannedCommand | undefined;
  if (settings.skipBuild) {
    why.push('skipBuild is set: no install, no build');
  } else {
    if (settings.installCommand) install = shell(settings.installCommand);
    else if (pkg && pm) install = { argv: pm.install, display: pm.install.join(' ') };
    if (settings.buildCommand) build = shell(settings.buildCommand);
    else if (pkg?.scripts.build && pm) build = script(pm, 'build');
    else if (run.kind !== 'docker' && settingValue(framework?.settings?.buildCommand) && pkg) build = shell(settingValue(framework!.settings!.buildCommand)!);
  }

  const outputDirectory = run.kind === 'static' ? (settings.outputDirectory ?? run.outputDirectory) : undefined;
  return {
    install,
    build,
    test: settings.testCommand && !settings.skipBuild ? shell(settings.testCommand) : undefined,
    start: run.kind === 'node' ? startCommand : undefined,
    outputDirectory,
    detection: {
      rootDirectory,
      framework: framework?.slug ?? null,
      frameworkName: framework?.name ?? null,
      frameworkVersion: framework?.detectedVersion ?? null,
      packageManager: pm ? `${pm.name}${pm.lockfile ? ` (${pm.lockfile})` : ' (no lockfile)'}` : null,
      installCommand: install?.display ?? null,
      buildCommand: build?.display ?? null,
      outputDirectory: outputDirectory ?? null,
      startCommand: run.kind === 'node' ? (startCommand?.display ?? null) : null,
      runKind: run.kind,
      why,
    },
  };
}

/** the version of the framework's package that the install put in node_modules (the app's, then the workspace root's) */
export function installedVersion(dirs: { root: string; candidates: string[] }, framework: string | null): string | undefined {
  const f = framework ? frameworkBySlug(framework) : undefined;
  const pkgName = [...(f?.detectors?.every ?? []), ...(f?.detectors?.some ?? [])]
    .map((d) => ('matchPackage' in d ? d.matchPackage : undefined))
    .find((n): n is string => !!n);
  if (!pkgName) return undefined;
  for (const dir of dirs.candidates) {
    const file = join(dir, 'node_modules', pkgName, 'package.json');
    // node_modules is the build's: a symlink out of the work dir is not followed
    if (!isInside(dirs.root, file)) continue;
    try {
      const v = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
      if (typeof v === 'string' && v.length < 100) return v;
    } catch {
      // not installed here
    }
  }
  return undefined;
}
