import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Inject, Injectable } from '@nestjs/common';
import { x as extract } from 'tar';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { KeyedLock } from '../provider/keyed-lock';
import { networkEnvironment } from './network-trust';
import { FALLBACK_NPM, bestInstalled, describeAvailable, isWanted, nodePackageName, npmRunsOn, tooOld } from './node-runtime-versions';
import { buildFailed } from './step-errors';

const run = promisify(execFile);

/** a Node other than the builder's own: a folder with bin/node (and bin/npm when the builder's npm does not run on it) */
export interface NodeRuntime {
  version: string;
  /** host path; its bin/ goes first on PATH */
  dir: string;
}

interface RuntimeManifest {
  version: string;
  npm?: string;
}

const FETCH_TIMEOUT_MS = 300_000;

// The Node a build's nodeVersion names: the builder's own when it matches, else one fetched once
// from the npm registry (the `node-<platform>-<arch>` packages hold the official binaries) and kept
// in FLIGHTDECK_DATA_DIR/node-runtimes/<version>, shared read-only by every project's builds and
// releases. The registry is reached the way builds reach it (the machine's CA, proxy and registry
// settings), with npm's own integrity check of the tarball.
@Injectable()
export class NodeRuntimes {
  private readonly root: string;
  private readonly fetching = new KeyedLock();
  private hostNpmEngines?: Promise<string | undefined>;

  constructor(@Inject(BUILDER_CONFIG) private readonly config: BuilderConfig) {
    this.root = join(config.FLIGHTDECK_DATA_DIR, 'node-runtimes');
  }

  /** undefined: the builder's own Node is the one wanted (or none was asked for) */
  async resolve(wanted: string | undefined, say: (line: string) => void, signal: AbortSignal): Promise<NodeRuntime | undefined> {
    if (!wanted || isWanted(process.versions.node, wanted)) return undefined;
    const old = tooOld(wanted);
    if (old) throw buildFailed('install', old);
    return this.fetching.run(wanted, async () => {
      const cached = bestInstalled(this.installed(), wanted);
      if (cached) {
        say(`Node ${cached} (nodeVersion ${wanted}; this builder's own is ${process.versions.node}): fetched earlier, from this builder's runtimes`);
        return { version: cached, dir: join(this.root, cached) };
      }
      say(`Node ${wanted} is not this builder's own (${process.versions.node}): fetching ${nodePackageName()}@${wanted} from the npm registry`);
      const started = Date.now();
      const runtime = await this.fetch(wanted, signal);
      say(`Node ${runtime.version} ready in ${((Date.now() - started) / 1000).toFixed(1)} s${runtime.npm ? ` with ${runtime.npm} (the builder's npm does not run on it)` : ''}; kept for later builds`);
      return { version: runtime.version, dir: join(this.root, runtime.version) };
    });
  }

  private installed(): string[] {
    if (!existsSync(this.root)) return [];
    return readdirSync(this.root).filter((name) => existsSync(join(this.root, name, 'runtime.json')));
  }

  // Into a hidden folder, renamed into place once complete: a killed fetch leaves nothing half-made.
  private async fetch(wanted: string, signal: AbortSignal): Promise<RuntimeManifest> {
    await mkdir(this.root, { recursive: true, mode: 0o755 });
    const partial = join(this.root, `.fetch-${randomUUID().slice(0, 8)}`);
    try {
      await mkdir(join(partial, 'bin'), { recursive: true });
      const node = await this.pack(`${nodePackageName()}@${wanted}`, partial, signal);
      if (!node) throw buildFailed('install', await this.notAvailable(wanted, signal));
      await extract({ file: node.file, cwd: partial, strip: 1, filter: (p) => p === 'package/bin/node' || p === 'package/LICENSE' });
      const ran = await run(join(partial, 'bin', 'node'), ['--version'], { timeout: 10_000 }).catch((e: Error) => {
        throw buildFailed('install', `Node ${node.version} from the npm registry does not run on this builder: ${e.message.split('\n')[0]}`);
      });
      const manifest: RuntimeManifest = { version: ran.stdout.trim().replace(/^v/, '') };
      if (!npmRunsOn(await this.builderNpmEngines(), manifest.version)) {
        const npm = await this.pack(FALLBACK_NPM.spec, partial, signal);
        if (!npm) throw buildFailed('install', `${FALLBACK_NPM.spec} for Node ${manifest.version} could not be fetched from the npm registry`);
        const npmDir = join(partial, 'lib', 'node_modules', 'npm');
        await mkdir(npmDir, { recursive: true });
        await extract({ file: npm.file, cwd: npmDir, strip: 1 });
        await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(partial, 'bin', 'npm'));
        await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(partial, 'bin', 'npx'));
        manifest.npm = `npm ${npm.version}`;
      }
      await rm(join(partial, 'packs'), { recursive: true, force: true });
      await writeFile(join(partial, 'runtime.json'), JSON.stringify(manifest));
      const target = join(this.root, manifest.version);
      if (existsSync(join(target, 'runtime.json'))) return manifest; // another builder of this host got it first
      await rm(target, { recursive: true, force: true });
      await rename(partial, target);
      return manifest;
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
  }

  /** the package's tarball in <into>/packs, or undefined when the registry has no version of it that matches */
  private async pack(spec: string, into: string, signal: AbortSignal): Promise<{ file: string; version: string } | undefined> {
    const dest = join(into, 'packs');
    await mkdir(dest, { recursive: true });
    try {
      const { stdout } = await run('npm', ['pack', spec, '--json', '--pack-destination', dest], { env: this.npmEnv(), signal, timeout: FETCH_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
      const [packed] = JSON.parse(stdout) as { filename: string; version: string }[];
      return { file: join(dest, packed.filename), version: packed.version };
    } catch (e) {
      if (signal.aborted) throw e;
      const stderr = String((e as { stderr?: unknown }).stderr ?? '');
      if (/ETARGET|E404|No matching version/.test(stderr)) return undefined;
      throw buildFailed('install', `${spec} could not be fetched from the npm registry: ${stderr.split('\n').find((l) => /npm (error|ERR!)/.test(l)) ?? (e as Error).message.split('\n')[0]}`);
    }
  }

  private async notAvailable(wanted: string, signal: AbortSignal): Promise<string> {
    let available = 'the registry did not say which exist';
    try {
      const { stdout } = await run('npm', ['view', nodePackageName(), 'versions', '--json'], { env: this.npmEnv(), signal, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
      available = describeAvailable(JSON.parse(stdout) as string[]);
    } catch {
      // the message without the list is still the answer
    }
    return `nodeVersion ${wanted} cannot be had: there is no such Node on the npm registry (${nodePackageName()}); available: ${available}; this builder's own is ${process.versions.node}`;
  }

  private builderNpmEngines(): Promise<string | undefined> {
    this.hostNpmEngines ??= run('npm', ['root', '-g'], { env: this.npmEnv(), timeout: 30_000 })
      .then(async ({ stdout }) => (JSON.parse(await readFile(join(stdout.trim(), 'npm', 'package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node)
      .catch(() => undefined);
    return this.hostNpmEngines;
  }

  // The machine's network trust and nothing of the builder's settings or credentials.
  private npmEnv(): Record<string, string> {
    return {
      ...networkEnvironment(process.env, this.config.FLIGHTDECK_BUILD_PASS_THROUGH),
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: this.root,
      npm_config_cache: join(this.root, '.npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    };
  }
}
