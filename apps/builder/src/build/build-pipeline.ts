import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { type Artifact, type CommitInfo, ErrorCode } from '@flightdeck/contracts';
import { ArtifactStore } from '../artifacts/artifact-store';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { parseRepositoryUrl } from '../git/repository-url';
import { SourceCheckout } from '../git/source-checkout';
import type { BuildLog } from '../logs/build-log';
import { SecretMasker } from '../masking/secret-masker';
import { RELEASE_PROVIDER, type ReleaseLog, type ReleaseProvider, type ReleaseUrls } from '../provider/release-provider';
import { detectApp, readPackageJson } from './app-detection';
import { type BuildPaths, appDir, baseEnvironment, gitEnvironment, homeDir, releaseEnvironment, stepEnvironment, tmpDir } from './build-environment';
import { DeploymentVariables } from './deployment-variables';
import { detectPackageManager } from './package-manager';
import type { PipelineContext } from './pipeline-context';
import { StepAbortedError, StepFailedError } from './step-errors';
import { StepRunner } from './step-runner';

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
  ) {
    this.artifacts = new ArtifactStore(join(config.FLIGHTDECK_DATA_DIR, 'artifacts'));
  }

  pathsFor(deploymentId: string): BuildPaths {
    return {
      workDir: join(this.config.FLIGHTDECK_DATA_DIR, 'work', deploymentId),
      cacheDir: join(this.config.FLIGHTDECK_DATA_DIR, 'cache'),
    };
  }

  async build(ctx: PipelineContext): Promise<PipelineOutcome> {
    const { job, log, signal } = ctx;
    const paths = this.pathsFor(job.deploymentId);
    const dir = appDir(paths);

    await ctx.enterStep('prepare');
    const source = parseRepositoryUrl(job.repositoryUrl);
    const variables = await this.variables.resolve(job.environmentId, job.deploymentId, signal);
    const secrets = variables.filter((v) => v.sensitive).map((v) => v.value);
    log.useMasker(new SecretMasker([...secrets, ...source.credentials]));
    log.system('prepare', `Loaded ${variables.length} variable(s), ${secrets.length} sensitive (masked in this log)`);
    await rm(paths.workDir, { recursive: true, force: true });
    await Promise.all([mkdir(homeDir(paths), { recursive: true }), mkdir(tmpDir(paths), { recursive: true })]);

    await ctx.enterStep('clone');
    ctx.commit = await new SourceCheckout(log).checkout({ source, ref: job.sourceRef, dir, env: gitEnvironment(paths), signal });

    await ctx.enterStep('install', { stage: 'building', phase: 'building', progress: 25, commit: ctx.commit });
    const pkg = readPackageJson(dir);
    const base = baseEnvironment(paths);
    const pm = pkg ? detectPackageManager(dir) : undefined;
    const steps = new StepRunner(log);
    if (pkg && pm) {
      log.system('install', `Detected ${pm.name} (${pm.lockfile ?? 'no lockfile'})`);
      await steps.run({ step: 'install', argv: pm.install, cwd: dir, env: stepEnvironment(base, variables, 'install'), signal });
      await ctx.enterStep('build', { stage: 'building', phase: 'building', progress: 45 });
      if (pkg.scripts.build) {
        await steps.run({ step: 'build', argv: pm.run('build'), cwd: dir, env: stepEnvironment(base, variables, 'build'), signal });
      } else {
        log.system('build', 'No "build" script in package.json: nothing to build');
      }
    } else {
      log.system('install', 'No package.json: nothing to install or build');
    }

    await ctx.enterStep('package', { stage: 'building', phase: 'packaging', progress: 65 });
    const app = detectApp(dir, pkg);
    const packed = await this.pack(ctx, app.kind === 'static' ? join(dir, app.outputDir ?? '.') : dir, app.kind);
    const where = app.kind === 'static' ? `static site from ${app.outputDir === '.' ? 'the repository root' : `${app.outputDir}/`}` : 'Node server';
    log.system('package', `Packed the ${where}: ${packed.artifact.sizeBytes} bytes, sha256 ${packed.artifact.sha256}`);

    await ctx.enterStep('deploy', { stage: 'deploying', phase: 'releasing', progress: 80 });
    const urls = await this.provider.deploy(
      {
        deploymentId: job.deploymentId,
        projectName: job.projectName,
        environmentName: job.environmentName,
        artifactPath: packed.path,
        kind: app.kind,
        startCommand: app.kind === 'node' && pm ? pm.run('start') : undefined,
        env: releaseEnvironment(base, variables),
      },
      deployLog(log),
      signal,
    );
    return { commit: ctx.commit, artifact: packed.artifact, urls };
  }

  // An earlier release of the environment is served again: no clone, no build.
  async rollback(ctx: PipelineContext): Promise<PipelineOutcome> {
    const { job, log, signal } = ctx;
    if (!job.target) {
      throw new StepFailedError(ErrorCode.DeploymentNoRollbackTarget, 'deploy', 'a rollback job must name the deployment to roll back to');
    }
    await ctx.enterStep('deploy', { stage: 'deploying', phase: 'releasing', progress: 50 });
    log.system('deploy', `Rolling back ${job.projectName}/${job.environmentName} to deployment ${job.target.deploymentId}: no build`);
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
      return await this.artifacts.pack({ deploymentId: ctx.job.deploymentId, kind, dir, signal: ctx.signal });
    } catch (e) {
      if (ctx.signal.aborted) throw new StepAbortedError('package');
      throw new StepFailedError(ErrorCode.DeploymentBuildFailed, 'package', `could not pack the artifact: ${(e as Error).message}`);
    }
  }
}
