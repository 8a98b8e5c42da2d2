import { Module } from '@nestjs/common';
import { DispatchModule } from '../dispatch/dispatch.module';
import { DeploymentTransitions } from './deployment-transitions.service';
import { CancelDeploymentUseCase } from './cancel-deployment.usecase';
import { DeploymentCanceler } from './deployment-canceler';
import { EnvironmentQueue } from './environment-queue';
import { DeploymentAttempts } from './deployment-attempts';
import { BuildHeartbeatListener } from './build-heartbeat.listener';
import { EnvironmentDeletionsConsumer } from './environment-deletions.consumer';
import { EnvironmentQueueConsumer } from './environment-queue.consumer';
import { DeploymentQueries } from './deployment-queries.service';
import { DeploymentsHandler } from './deployments.handler';
import { DeploymentsRepository } from './deployments.repository';
import { DeploymentAnalyticsService } from './deployment-analytics.service';
import { RetryDeploymentUseCase } from './retry-deployment.usecase';
import { RollbackDeploymentUseCase } from './rollback-deployment.usecase';
import { TriggerDeploymentUseCase } from './trigger-deployment.usecase';
import { PreflightRunner } from './preflight-runner';
import { EnvironmentPauses } from './environment-pauses.service';
import { HeldDeployments } from './held-deployments.service';

@Module({
  imports: [DispatchModule],
  providers: [
    DeploymentsRepository,
    DeploymentTransitions,
    DeploymentCanceler,
    EnvironmentQueue,
    DeploymentAttempts,
    DeploymentQueries,
    TriggerDeploymentUseCase,
    CancelDeploymentUseCase,
    RollbackDeploymentUseCase,
    RetryDeploymentUseCase,
    DeploymentAnalyticsService,
    PreflightRunner,
    EnvironmentPauses,
    HeldDeployments,
  ],
  controllers: [DeploymentsHandler, EnvironmentQueueConsumer, EnvironmentDeletionsConsumer, BuildHeartbeatListener],
  exports: [DeploymentsRepository, DeploymentTransitions, DeploymentCanceler, EnvironmentQueue, DeploymentAttempts, RetryDeploymentUseCase, TriggerDeploymentUseCase, PreflightRunner, EnvironmentPauses, HeldDeployments],
})
export class DeploymentsModule {}
