import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import type { z } from 'zod';
import {
  type Actor,
  Deployment,
  ErrorCode,
  RetryBody,
  RollbackBody,
  cancelDeployment,
  getDeployment,
  getDeploymentProgress,
  retryDeployment,
  rollbackDeployment,
} from '@flightdeck/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

const DEPLOYMENT = { name: 'Deployment', schema: Deployment };

@Controller('deployments/:deploymentId')
export class DeploymentsController {
  constructor(private readonly api: ApiBus) {}

  @Get()
  @ApiRoute({
    summary: 'Get a deployment',
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'the deployment', ...DEPLOYMENT }],
    errors: [ErrorCode.DeploymentNotFound],
  })
  get(@IdParam('deploymentId') deploymentId: string) {
    return this.api.call(getDeployment, { deploymentId });
  }

  @Get('progress')
  @ApiRoute({
    summary: "A deployment's history (every status and phase with its time and percentage) and the time spent in each",
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'its history, oldest first, and timings', name: 'DeploymentProgress', schema: getDeploymentProgress.reply }],
    errors: [ErrorCode.DeploymentNotFound],
  })
  progress(@IdParam('deploymentId') deploymentId: string) {
    return this.api.call(getDeploymentProgress, { deploymentId });
  }

  @Post('cancel')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Cancel a deployment that has not ended',
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'the deployment, canceled or being canceled', ...DEPLOYMENT }],
    errors: [ErrorCode.DeploymentNotFound, ErrorCode.DeploymentInvalidState],
  })
  cancel(@IdParam('deploymentId') deploymentId: string, @CurrentActor() actor: Actor) {
    return this.api.call(cancelDeployment, { deploymentId, actor });
  }

  @Post('retry')
  @ApiRoute({
    summary: 'Deploy the same commit to the same environment again, as a child of this deployment (once it has ended)',
    ids: ['deploymentId'],
    body: { name: 'RetryBody', schema: RetryBody },
    responses: [{ status: 201, description: 'the new deployment, with parentDeploymentId and metadata.retryCount', ...DEPLOYMENT }],
    errors: [ErrorCode.DeploymentNotFound, ErrorCode.DeploymentInvalidState, ErrorCode.DeploymentAlreadyRunning, ErrorCode.RateLimited],
  })
  retry(@IdParam('deploymentId') deploymentId: string, @ValidBody(RetryBody) body: z.infer<typeof RetryBody>, @CurrentActor() actor: Actor) {
    return this.api.call(retryDeployment, { ...body, deploymentId, actor });
  }

  @Post('rollback')
  @ApiRoute({
    summary: "Re-release an earlier successful deployment's artifact without building (default: the previous one)",
    ids: ['deploymentId'],
    body: { name: 'RollbackBody', schema: RollbackBody },
    responses: [{ status: 201, description: 'the new deployment, with trigger rollback', ...DEPLOYMENT }],
    errors: [ErrorCode.DeploymentNotFound, ErrorCode.DeploymentNoRollbackTarget, ErrorCode.DeploymentInvalidState],
  })
  rollback(
    @IdParam('deploymentId') deploymentId: string,
    @ValidBody(RollbackBody) body: z.infer<typeof RollbackBody>,
    @CurrentActor() actor: Actor,
  ) {
    return this.api.call(rollbackDeployment, { ...body, deploymentId, actor });
  }
}
