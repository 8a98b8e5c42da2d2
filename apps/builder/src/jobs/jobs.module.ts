import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { BuildPipeline } from '../build/build-pipeline';
import { DeploymentVariables } from '../build/deployment-variables';
import { EnvironmentLimitsSource } from '../build/environment-limits';
import { NodeRuntimes } from '../build/node-runtimes';
import { SandboxModule } from '../sandbox/sandbox.module';
import { RuntimeLogsModule } from '../logs/runtime-logs';
import { BuildEventsReporter } from './build-events.reporter';
import { BuildJobsRepository } from './build-jobs.repository';
import { CancelListener } from './cancel-listener';
import { DeployJobsConsumer } from './deploy-jobs.consumer';
import { DeploymentWanted } from './deployment-wanted';
import { EnvironmentReleasesConsumer } from './environment-releases.consumer';
import { JobRunner } from './job-runner';
import { StaleJobsSweeper } from './stale-jobs.sweeper';

type ImportedModule = NonNullable<ModuleMetadata['imports']>[number];

// The build pipeline behind the DEPLOY_JOBS queue. `releaseModule` exports RELEASE_PROVIDER: the
// internal provider in the service, a stand-in in tests that exercise the pipeline alone.
@Module({})
export class JobsModule {
  static register(releaseModule: ImportedModule): DynamicModule {
    return {
      module: JobsModule,
      imports: [releaseModule, SandboxModule, RuntimeLogsModule],
      providers: [
        BuildJobsRepository,
        BuildEventsReporter,
        DeploymentVariables,
        EnvironmentLimitsSource,
        NodeRuntimes,
        BuildPipeline,
        JobRunner,
        DeploymentWanted,
        StaleJobsSweeper,
      ],
      controllers: [CancelListener, DeployJobsConsumer, EnvironmentReleasesConsumer],
    };
  }
}
