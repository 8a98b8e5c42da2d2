import { Controller } from '@nestjs/common';
import {
  type CommandRequest,
  type TriggerDeploymentRequest,
  cancelDeployment,
  getDeployment,
  getDeploymentProgress,
  getEnvironmentPause,
  resumeEnvironment,
  decideApproval,
  getProjectAnalytics,
  listDeployments,
  retryDeployment,
  rollbackDeployment,
  triggerDeployment,
} from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { CancelDeploymentUseCase } from './cancel-deployment.usecase';
import { DeploymentAnalyticsService } from './deployment-analytics.service';
import { DeploymentQueries } from './deployment-queries.service';
import { RetryDeploymentUseCase } from './retry-deployment.usecase';
import { RollbackDeploymentUseCase } from './rollback-deployment.usecase';
import { TriggerDeploymentUseCase } from './trigger-deployment.usecase';
import { EnvironmentPauses } from './environment-pauses.service';
import { HeldDeployments } from './held-deployments.service';

// NATS request/reply: requests arrive parsed by their contract schema; replies are Results.
@Controller()
export class DeploymentsHandler {
  constructor(
    private readonly triggerUseCase: TriggerDeploymentUseCase,
    private readonly cancelUseCase: CancelDeploymentUseCase,
    private readonly rollbackUseCase: RollbackDeploymentUseCase,
    private readonly queries: DeploymentQueries,
    private readonly retryUseCase: RetryDeploymentUseCase,
    private readonly analyticsService: DeploymentAnalyticsService,
    private readonly pauses: EnvironmentPauses,
    private readonly held: HeldDeployments,
  ) {}

  @HandleCommand(decideApproval)
  decideApproval(req: CommandRequest<typeof decideApproval>) {
    return this.held.decide(req);
  }

  @HandleCommand(getEnvironmentPause)
  pause(req: CommandRequest<typeof getEnvironmentPause>) {
    return this.pauses.get(req.projectId, req.environmentId);
  }

  @HandleCommand(resumeEnvironment)
  resume(req: CommandRequest<typeof resumeEnvironment>) {
    return this.pauses.resume(req.projectId, req.environmentId, req.actor);
  }

  @HandleCommand(triggerDeployment)
  trigger(req: TriggerDeploymentRequest) {
    return this.triggerUseCase.execute(req);
  }

  @HandleCommand(getDeployment)
  get(req: CommandRequest<typeof getDeployment>) {
    return this.queries.get(req.deploymentId);
  }

  @HandleCommand(getDeploymentProgress)
  progress(req: CommandRequest<typeof getDeploymentProgress>) {
    return this.queries.progress(req.deploymentId);
  }

  @HandleCommand(getProjectAnalytics)
  analytics(req: CommandRequest<typeof getProjectAnalytics>) {
    return this.analyticsService.analytics(req);
  }

  @HandleCommand(listDeployments)
  list(req: CommandRequest<typeof listDeployments>) {
    return this.queries.list(req);
  }

  @HandleCommand(cancelDeployment)
  cancel(req: CommandRequest<typeof cancelDeployment>) {
    return this.cancelUseCase.execute(req);
  }

  @HandleCommand(retryDeployment)
  retry(req: CommandRequest<typeof retryDeployment>) {
    return this.retryUseCase.execute(req);
  }

  @HandleCommand(rollbackDeployment)
  rollback(req: CommandRequest<typeof rollbackDeployment>) {
    return this.rollbackUseCase.execute(req);
  }
}
