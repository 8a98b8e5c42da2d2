import { existsSync } from 'node:fs';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { type Artifact, type CommitInfo, ErrorCode } from '@flightdeck/contracts';
import { ArtifactStore, type PackedArtifact } from '../artifacts/artifact-store';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { parseRepositoryUrl } from '../git/repository-url';
import { checkRepositoryReach } from '../git/repository-reach';
import { isAncestor } from '../git/commit-order';
import { SourceCheckout } from '../git/source-checkout';
import type { BuildLog } from '../logs/build-log';
import { SecretMasker } from '../masking/secret-masker';
import { DeploymentProviders } from '../provider/deployment-providers';
import { RELEASE_PROVIDER, type ReleaseLog, type ReleaseProvider, type ReleaseSpec, type ReleaseUrls } from '../provider/release-provider';
import { readPackageJson, staticOutput } from './app-detection';
import { type PlannedCommand, installedVersion, planBuild } from './build-plan';
import { appLayout, describeDetection, formatBytes, shellQuote } from './build-layout';
import { Sandboxes } from '../sandbox/sandboxes';
import { describeLimits } from '../sandbox/resource-limits';
import {
  type BuildPaths,
  NODE_RUNTIME_VIEW,
  SANDBOX_VIEW,
  appDir,
  baseEnvironment,
  gitEnvironment,
  homeDir,
  releaseEnvironment,
  stepEnvironment,
  tmpDir,
  withNodeRuntime,
} from './build-environment';
import { NodeRuntimes } from './node-runtimes';
import { DeploymentVariables } from './deployment-variables';
import { EnvironmentLimitsSource } from './environment-limits';
import { detectPackageManager } from './package-manager';
import type { PipelineContext } from './pipeline-context';
import { StepAbortedError, StepFailedError, buildFailed } from './step-errors';
import { ARTIFACT_EXCLUDE, nodeArtifact } from './artifact-plan';
import { type StepCommand, StepRunner } from './step-runner';
import { BuildReport } from './build-report';
import { type CacheKey, RESTORE_MISS, buildCacheKey, evictOldEntries, restoreCommand, saveCommand } from './build-cache';

// what the builder keeps of every project under FLIGHTDECK_DATA_DIR: never a repository to clone
const BUILDER_OWN_DIRS = ['work', 'cache', 'artifacts', 'releases', 'node-runtimes'];

// per project: the newest entry always stays
const BUILD_CACHE_MAX_BYTES = 2 * 1024 ** 3;

export interface PipelineOutcome {
  commit?: CommitInfo;
  artifact: Artifact;
  urls: ReleaseUrls;
}

const deployLog =
  (log: BuildLog): ReleaseLog =>
  (message, level = 'info') =>
    log.line('deploy', message, { level, source: 'deploy' });

// clone → install → build → package → deploy for one job, in FLIGHTDECK_DATA_DIR/work/<deploymentId>.
@Injectable()
export class BuildPipeline {
  private readonly artifacts: ArtifactStore;

  constructor(
    @Inject(BUILDER_CONFIG) private readonly config: BuilderConfig,
    @Inject(RELEASE_PROVIDER) private readonly provider: ReleaseProvider,
    private readonly variables: DeploymentVariables,
    private readonly limitsSource: EnvironmentLimitsSource,
    private readonly sandboxes: Sandboxes,
    private readonly runtimes: NodeRuntimes,
    // absent where a stand-in provides RELEASE_PROVIDER (tests of the pipeline alone)
    @Optional() private readonly providers?: DeploymentProviders,
  ) {
    this.artifacts = new ArtifactStore(join(config.FLIGHTDECK_DATA_DIR, 'artifacts'));
  }

  pathsFor(deploymentId: string, project = ''): BuildPaths {
    return {
      workDir: join(this.config.FLIGHTDECK_DATA_DIR, 'work', deploymentId),
      // per project: no project can plant a package or a package manager for another
      cacheDir: join(this.config.FLIGHTDECK_DATA_DIR, 'cache', project),
    };
  }

  async build(ctx: PipelineContext): Promise<PipelineOutcome> {
    const { job, log, signal } = ctx;
    const paths = this.pathsFor(job.deploymentId, job.projectName);
    // what the build's commands see: the sandbox's own paths, or the host's when not isolated
    const view = this.sandboxes.isolated ? SANDBOX_VIEW : paths;
    const dir = appDir(paths);

    await ctx.enterStep('prepare');
    const report = new BuildReport(log);
    ctx.report = report;
    const source = parseRepositoryUrl(job.repositoryUrl);
    const variables = await this.variables.resolve(job.environmentId, job.deploymentId, signal);
    const secrets = variables.filter((v) => v.sensitive).map((v) => v.value);
    log.useMasker(new SecretMasker([...secrets, ...source.credentials]));
    log.system('prepare', `Loaded ${variables.length} variable(s), ${secrets.length} sensitive (masked in this log)`);
    // the environment's provider and its credentials, checked before anything is cloned or built
    const providerName = await this.providers?.prepare(job, async () => variables, (m, level) => log.system('prepare', m, level), signal);
    const limits = await this.limitsSource.forEnvironment(job.environmentId);
    const build = limits.build.limits;
    log.system(
      'prepare',
      `Build runs ${this.sandboxes.describe()}: ${describeLimits(build)}, ${build.diskMb} MiB disk, install ${build.installTimeoutSeconds} s, build ${build.buildTimeoutSeconds} s`,
    );
    for (const note of [...limits.build.capped, ...limits.release.capped]) log.system('prepare', `Capped at what this host gives: ${note}`, 'warn');
    if (limits.unavailable) log.system('prepare', `The environment's limits could not be read (${limits.unavailable}): the defaults apply`, 'warn');
    const user = await this.sandboxes.userFor(job.projectName);
    await rm(paths.workDir, { recursive: true, force: true });
    await mkdir(paths.workDir, { recursive: true, mode: 0o700 });
    await Promise.all([mkdir(homeDir(paths)), mkdir(tmpDir(paths))]);
    if (job.clearCache && existsSync(paths.cacheDir)) {
      await rm(paths.cacheDir, { recursive: true, force: true });
      log.system('prepare', "Cleared the project's build caches (clearCache): this build is cold");
    }
    if (!existsSync(paths.cacheDir)) {
      await mkdir(paths.cacheDir, { recursive: true, mode: 0o700 });
      await this.sandboxes.handOver([paths.cacheDir], user);
    }

    await ctx.enterStep('clone');
    await checkRepositoryReach(source, BUILDER_OWN_DIRS.map((d) => join(this.config.FLIGHTDECK_DATA_DIR, d)));
    ctx.commit = await new SourceCheckout(log).checkout({ source, ref: job.sourceRef, dir, env: gitEnvironment(paths), signal });
    await chmod(paths.workDir, 0o700);
    await this.sandboxes.handOver([paths.workDir], user);

    const settings = job.buildSettings ?? {};
    const layout = appLayout(dir, settings.rootDirectory);
    const pkg = readPackageJson(layout.appDir);
    const pm = layout.installDir !== layout.appDir ? detectPackageManager(layout.installDir) : pkg ? detectPackageManager(layout.appDir) : undefined;
    const plan = await planBuild({ dir: layout.appDir, rootDirectory: layout.rootDirectory, pkg, pm, settings });
    report.set({ framework: plan.detection.framework });
    // a next attempt (its builder stopped) on the host that packed the artifact: a finished build is not built again
    const earlier = job.attempt > 1 ? await this.artifacts.stored(job.deploymentId) : undefined;
    const reusing = earlier && earlier.commitSha === ctx.commit.sha;
    const firstStep = reusing ? 'package' : 'install';
    if (reusing) {
      await ctx.enterStep('package', { stage: 'building', phase: 'packaging', progress: 65, commit: ctx.commit, build: plan.detection });
    } else {
      await ctx.enterStep('install', { stage: 'building', phase: 'building', progress: 25, commit: ctx.commit, build: plan.detection });
      for (const line of describeDetection(plan.detection, layout)) log.system('install', line);
      if (plan.detection.runKind === 'docker') {
        if (providerName !== 'docker') {
          throw new StepFailedError(
            ErrorCode.DeploymentProviderError,
            'install',
            `${layout.rootDirectory === '.' ? 'the repository' : layout.rootDirectory} has a Dockerfile: it is built and run by the Docker provider, and this environment releases to the ${providerName ?? 'internal'} provider (set its provider to docker, or the build settings' framework to build it as a Node app instead)`,
          );
        }
        // the engine builds the image from the Dockerfile: the source goes to the provider as it is
        log.system('install', 'The Docker provider builds the image from this Dockerfile on its engine: nothing is installed or built here');
        await ctx.enterStep('package', { stage: 'building', phase: 'packaging', progress: 65 });
        const source = await this.pack(ctx, layout.appDir, 'node');
        log.system('package', `Packed the source for the Docker engine: ${formatBytes(source.artifact.sizeBytes)}, sha256 ${source.artifact.sha256}`);
        const env = releaseEnvironment({}, variables);
        return this.release(ctx, { paths, dir, start: undefined, env, limits: limits.release.limits, healthCheckPath: settings.healthCheckPath, secrets, strategy: settings.strategy }, source);
      }
    }
    // a nodeVersion other than the builder's own: every command of the build and the release run it
    const runtime = await this.runtimes.resolve(settings.nodeVersion, (line) => log.system(firstStep, line), signal);
    const runtimeView = runtime && (this.sandboxes.isolated ? NODE_RUNTIME_VIEW : runtime.dir);
    const base = withNodeRuntime(baseEnvironment(view, process.env, this.config.FLIGHTDECK_BUILD_PASS_THROUGH), runtimeView);
    // a Node server of a workspace runs from the repository root (its node_modules) in its folder
    const startIn = (cmd: PlannedCommand | undefined): string[] | undefined =>
      cmd && layout.rootDirectory !== '.' ? ['sh', '-c', `cd ${shellQuote(layout.rootDirectory)} && exec "$@"`, 'sh', ...cmd.argv] : cmd?.argv;
    const packing =
      plan.start &&
      nodeArtifact({ dir: layout.appDir, rootDirectory: layout.rootDirectory, framework: plan.detection.framework, pkg, pm, start: plan.start, startFromSettings: !!settings.startCommand });
    const release = {
      paths,
      dir,
      start: startIn(packing?.start ?? plan.start),
      env: releaseEnvironment(base, variables),
      limits: limits.release.limits,
      healthCheckPath: settings.healthCheckPath,
      nodeRuntimeDir: runtime?.dir,
      secrets,
      strategy: settings.strategy,
    };

    if (reusing) {
      log.system(
        'package',
        `Attempt ${job.attempt} reuses the artifact an earlier attempt built of ${ctx.commit.sha.slice(0, 12)} (${earlier.artifact.sizeBytes} bytes, sha256 ${earlier.artifact.sha256}): no install, no build`,
      );
      report.set({ buildSizeBytes: earlier.artifact.sizeBytes });
      return this.release(ctx, release, earlier);
    }

    const steps = new StepRunner(log, this.sandboxes);
    const sandbox = (step: 'install' | 'build' | 'package') => ({
      project: job.projectName,
      name: `build-${job.deploymentId}-${job.attempt}-${step}`,
      mounts: [
        { source: paths.workDir, target: view.workDir, writable: true },
        { source: paths.cacheDir, target: view.cacheDir, writable: true },
        ...(runtime && runtimeView !== runtime.dir ? [{ source: runtime.dir, target: runtimeView! }] : []),
      ],
      limits: build,
    });
    const disk = { dir: paths.workDir, limitMb: build.diskMb };
    const inView = (hostDir: string) => join(appDir(view), relative(dir, hostDir));
    const stepIn = (step: 'install' | 'build', argv: string[]): StepCommand => ({
      step,
      argv,
      cwd: inView(layout.appDir),
      env: stepEnvironment(base, variables, 'install'),
      signal,
      sandbox: sandbox(step),
      timeoutSeconds: build.installTimeoutSeconds,
      disk,
    });
    // a workspace's node_modules are spread over its packages: not cached yet
    const cacheKey = plan.install && layout.installDir === layout.appDir ? buildCacheKey(layout.installDir, pm, layout.rootDirectory, runtime?.version) : undefined;
    const cacheHit = cacheKey ? await this.restoreCache(log, steps, cacheKey, stepIn('install', restoreCommand(view.cacheDir, cacheKey.key))) : false;
    if (plan.install && !cacheHit) {
      const install = plan.install;
      await report.time('installTimeMs', () => steps.run({
        step: 'install',
        argv: install.argv,
        cwd: inView(layout.installDir),
        env: stepEnvironment(base, variables, 'install'),
        signal,
        sandbox: sandbox('install'),
        timeoutSeconds: build.installTimeoutSeconds,
        disk,
      }));
    }
    if (!plan.install && !plan.build) {
      log.system('install', settings.skipBuild ? 'skipBuild is set: no install, no build' : 'No package.json: nothing to install or build');
    } else {
      await ctx.enterStep('build', { stage: 'building', phase: 'building', progress: 45 });
      if (plan.build) {
        const buildCmd = plan.build;
        await report.time('buildTimeMs', () => steps.run({
          step: 'build',
          argv: buildCmd.argv,
          cwd: inView(layout.appDir),
          env: stepEnvironment(base, variables, 'build'),
          signal,
          sandbox: sandbox('build'),
          timeoutSeconds: build.buildTimeoutSeconds,
          disk,
        }));
      } else {
        log.system('build', 'No build command (no "build" script, none from the framework): nothing to build');
      }
    }

    if (plan.test) await this.test(ctx, steps, report, { ...plan.test, cwd: inView(layout.appDir), env: stepEnvironment(base, variables, 'build'), sandbox: sandbox('build'), timeoutSeconds: build.buildTimeoutSeconds, disk });
    if (cacheKey && !cacheHit) await this.saveCache(log, steps, cacheKey, stepIn('build', saveCommand(view.cacheDir, cacheKey.key)), paths.cacheDir);

    const version = installedVersion({ root: dir, candidates: [layout.appDir, layout.installDir] }, plan.detection.framework);
    const detection = version ? { ...plan.detection, frameworkVersion: version } : plan.detection;
    await ctx.enterStep('package', { stage: 'building', phase: 'packaging', progress: 65, build: detection });
    if (version && version !== plan.detection.frameworkVersion) log.system('package', `Installed ${detection.frameworkName} ${version}`);
    const kind = plan.detection.runKind === 'node' ? 'node' : 'static';
    const output = kind === 'static' ? staticOutput(layout.appDir, pkg, plan.outputDirectory) : undefined;
    if (packing) {
      log.system('package', `Artifact: ${packing.why}`);
      for (const cmd of packing.prepare) {
        await steps.run({
          step: 'package',
          argv: cmd.argv,
          cwd: inView(layout.appDir),
          env: stepEnvironment(base, variables, 'install'),
          signal,
          sandbox: sandbox('package'),
          timeoutSeconds: build.installTimeoutSeconds,
          disk,
        });
      }
    }
    // a workspace's server needs the root's node_modules: the repository is packed, run in its folder
    const packDir = output ? join(layout.appDir, output) : packing && layout.rootDirectory === '.' ? join(dir, packing.dir) : dir;
    if (!existsSync(packDir)) throw buildFailed('package', `${relative(dir, packDir)}/ does not exist after the build: nothing to pack`);
    const packed = await report.time('packageTimeMs', () => this.pack(ctx, packDir, kind));
    report.set({ buildSizeBytes: packed.artifact.sizeBytes });
    const where = output ? `static site from ${output === '.' ? 'the app root' : `${output}/`}` : `Node server${packing && packing.dir !== '.' ? ` from ${packing.dir}/` : ''}`;
    log.system('package', `Packed the ${where}: ${packed.artifact.sizeBytes} bytes (${formatBytes(packed.artifact.sizeBytes)}), sha256 ${packed.artifact.sha256}`);

    return this.release(ctx, release, packed);
  }

  private async release(
    ctx: PipelineContext,
    r: { paths: BuildPaths; dir: string; start: string[] | undefined; env: Record<string, string>; limits: ReleaseSpec['limits']; healthCheckPath?: string; nodeRuntimeDir?: string; secrets: string[]; strategy?: ReleaseSpec['strategy'] },
    packed: PackedArtifact,
  ): Promise<PipelineOutcome> {
    const { job, log, signal } = ctx;
    const kind = packed.artifact.kind;
    await ctx.enterStep('deploy', { stage: 'deploying', phase: 'releasing', progress: 80 });
    const urls = await this.provider.deploy(
      {
        deploymentId: job.deploymentId,
        projectName: job.projectName,
        environmentName: job.environmentName,
        artifactPath: packed.path,
        kind,
        startCommand: kind === 'node' ? r.start : undefined,
        healthCheckPath: r.healthCheckPath,
        nodeRuntimeDir: r.nodeRuntimeDir,
        env: r.env,
        secrets: r.secrets,
        strategy: r.strategy,
        // the deployment's progress follows the canary's share of clients (80 % → 99 % at 100 %)
        onCanaryStep: (_step, _of, percent) =>
          void ctx.enterStep('deploy', { stage: 'deploying', phase: 'updating_routes', progress: 80 + Math.round(percent * 0.19) }).catch(() => undefined),
        limits: r.limits,
        force: job.force,
        commit: ctx.commit && {
          sha: ctx.commit.sha,
          isOlderThan: (live) => isAncestor(r.dir, ctx.commit!.sha, live, gitEnvironment(r.paths)),
        },
      },
      deployLog(log),
      signal,
    );
    return { commit: ctx.commit, artifact: packed.artifact, urls };
  }

  // A hit restores node_modules and the framework's caches for this exact lockfile: no install.
  private async restoreCache(log: BuildLog, steps: StepRunner, key: CacheKey, cmd: StepCommand): Promise<boolean> {
    const exit = await steps.exec(cmd);
    if (exit.exitCode === 0) {
      log.system('install', `Build cache hit (${key.describe}): node_modules and framework caches restored, install skipped`);
      return true;
    }
    if (exit.exitCode === RESTORE_MISS) log.system('install', `Build cache miss (${key.describe}): installing`);
    else log.system('install', `Build cache entry for ${key.describe} could not be read (corrupt): removed, installing from scratch`, 'warn');
    return false;
  }

  // Saved only after a successful build; a failed save leaves the build as it is.
  private async saveCache(log: BuildLog, steps: StepRunner, key: CacheKey, cmd: StepCommand, hostCacheDir: string): Promise<void> {
    const exit = await steps.exec(cmd);
    if (exit.exitCode !== 0) {
      log.system('build', `Build cache not saved (exit ${exit.exitCode}): the next build installs again`, 'warn');
      return;
    }
    const evicted = await evictOldEntries(hostCacheDir, BUILD_CACHE_MAX_BYTES);
    log.system('build', `Build cache saved for ${key.describe}${evicted.length ? `; ${evicted.length} older entr${evicted.length === 1 ? 'y' : 'ies'} evicted (over ${BUILD_CACHE_MAX_BYTES / 1024 ** 3} GiB)` : ''}`);
  }

  // The configured tests, after the build: a non-zero exit fails the deployment, with the counts.
  private async test(ctx: PipelineContext, steps: StepRunner, report: BuildReport, cmd: Omit<StepCommand, 'step' | 'signal'> & { display: string }) {
    const exit = await report.tests(() => steps.exec({ ...cmd, step: 'build', signal: ctx.signal }));
    const t = report.testCounts;
    const counts = t ? `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped (${t.runner})` : 'no jest, vitest, mocha or node test runner summary in its output';
    ctx.log.system('build', `Tests: ${counts}`, exit.exitCode === 0 ? 'info' : 'error');
    if (exit.exitCode !== 0) throw buildFailed('build', `tests failed: ${cmd.display} exited with code ${exit.exitCode}${t ? ` (${t.failed} failed, ${t.passed} passed)` : ''}`, exit.exitCode);
  }

  // An earlier release of the environment is served again: no clone, no build.
  async rollback(ctx: PipelineContext): Promise<PipelineOutcome> {
    const { job, log, signal } = ctx;
    if (!job.target) {
      throw new StepFailedError(ErrorCode.DeploymentNoRollbackTarget, 'deploy', 'a rollback job must name the deployment to roll back to');
    }
    await ctx.enterStep('deploy', { stage: 'deploying', phase: 'releasing', progress: 50 });
    log.system('deploy', `Rolling back ${job.projectName}/${job.environmentName} to deployment ${job.target.deploymentId}: no build`);
    await this.providers?.prepare(job, () => this.variables.resolve(job.environmentId, job.deploymentId, signal), deployLog(log), signal);
    const urls = await this.provider.rollback(
      {
        deploymentId: job.deploymentId,
        projectName: job.projectName,
        environmentName: job.environmentName,
        toDeploymentId: job.target.deploymentId,
      },
      deployLog(log),
      signal,
    );
    return { artifact: job.target.artifact, urls };
  }

  private async pack(ctx: PipelineContext, dir: string, kind: 'node' | 'static') {
    try {
      return await this.artifacts.pack({ deploymentId: ctx.job.deploymentId, kind, dir, signal: ctx.signal, commitSha: ctx.commit?.sha, exclude: ARTIFACT_EXCLUDE });
    } catch (e) {
      if (ctx.signal.aborted) throw new StepAbortedError('package');
      throw new StepFailedError(ErrorCode.DeploymentBuildFailed, 'package', `could not pack the artifact: ${(e as Error).message}`);
    }
  }
}
