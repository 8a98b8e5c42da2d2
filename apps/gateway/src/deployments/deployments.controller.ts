import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import type { z } from 'zod';
import {
  type Actor,
  Deployment,
  DeploymentMetrics,
  DeploymentResult,
  ErrorCode,
  LogVolume,
  RetryBody,
  RollbackBody,
  type CanaryAction,
  actOnCanary,
  cancelDeployment,
  getDeployment,
  getDeploymentProgress,
  getLogVolume,
  retryDeployment,
  rollbackDeployment,
} from '@flightdeck/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { ApiBus } from '../http/api-bus';
import { ApiException } from '../http/api.exception';
import { IdParam, ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { deploymentMetricsOf, deploymentResultOf } from './deployment-result';

const DEPLOYMENT = { name: 'Deployment', schema: Deployment };

// One deployment with its log's volume from log-ingest, which counts it as it stores lines; null
// when log-ingest did not answer within its query's timeout (1 s): the deployment still is.
const DeploymentWithLogVolume = Deployment.extend({ logVolume: LogVolume.nullable() });

@Controller('deployments/:deploymentId')
export class DeploymentsController {
  constructor(private readonly api: ApiBus) {}

  @Get()
  @ApiRoute({
    summary: 'Get a deployment',
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'the deployment, with logVolume: the lines and UTF-8 message bytes its log stored', name: 'DeploymentWithLogVolume', schema: DeploymentWithLogVolume }],
    errors: [ErrorCode.DeploymentNotFound],
  })
  async get(@IdParam('deploymentId') deploymentId: string): Promise<z.infer<typeof DeploymentWithLogVolume>> {
    const [deployment, logVolume] = await this.withLogVolume(deploymentId);
    return { ...deployment, logVolume };
  }

  // the deployment from the orchestrator and its log's volume from log-ingest, asked at once
  private async withLogVolume(deploymentId: string): Promise<[Deployment, LogVolume | null]> {
    const [deployment, volume] = await Promise.all([this.api.call(getDeployment, { deploymentId }), this.api.bus.request(getLogVolume, { deploymentId })]);
    return [deployment, volume.ok ? { lines: volume.data.lines, bytes: volume.data.bytes } : null];
  }

  @Get('result')
  @ApiRoute({
    summary:
      "What a deployment's build measured and noticed: buildTimeMs (install + build + tests), buildSizeBytes, framework, warnings (deprecated packages, peer dependencies), test counts when a testCommand is set, its error with step and last lines, and logVolume (lines and bytes its log stored)",
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'its build result; null fields until the build got there', name: 'DeploymentResult', schema: DeploymentResult }],
    errors: [ErrorCode.DeploymentNotFound],
  })
  async result(@IdParam('deploymentId') deploymentId: string): Promise<DeploymentResult> {
    return deploymentResultOf(...(await this.withLogVolume(deploymentId)));
  }

  @Get('metrics')
  @ApiRoute({
    summary: "A deployment's build times per step (install, build, tests, packaging), artifact size and total duration",
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'its metrics; null until measured', name: 'DeploymentMetrics', schema: DeploymentMetrics }],
    errors: [ErrorCode.DeploymentNotFound],
  })
  async metrics(@IdParam('deploymentId') deploymentId: string): Promise<DeploymentMetrics> {
    return deploymentMetricsOf(await this.api.call(getDeployment, { deploymentId }));
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
    access: 'deploy',
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'the deployment, canceled or being canceled', ...DEPLOYMENT }],
    errors: [ErrorCode.DeploymentNotFound, ErrorCode.DeploymentInvalidState],
  })
  cancel(@IdParam('deploymentId') deploymentId: string, @CurrentActor() actor: Actor) {
    return this.api.call(cancelDeployment, { deploymentId, actor });
  }

  @Post('promote')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Promote a running canary: every client goes to its release now, and the deployment then succeeds',
    access: 'deploy',
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'the deployment, still deploying while the switch is done', ...DEPLOYMENT }],
    errors: [ErrorCode.DeploymentNotFound, ErrorCode.DeploymentInvalidState],
  })
  promote(@IdParam('deploymentId') deploymentId: string) {
    return this.actOnCanary(deploymentId, 'promote');
  }

  @Post('abort')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Abort a running canary: it is rolled back, the previous release serves every client, the deployment fails',
    access: 'deploy',
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'the deployment, still deploying while the rollback is done', ...DEPLOYMENT }],
    errors: [ErrorCode.DeploymentNotFound, ErrorCode.DeploymentInvalidState],
  })
  abort(@IdParam('deploymentId') deploymentId: string) {
    return this.actOnCanary(deploymentId, 'abort');
  }

  // Every builder hears it; the one running the deployment's canary acts. None: it runs no canary.
  private async actOnCanary(deploymentId: string, action: CanaryAction) {
    const before = await this.api.call(getDeployment, { deploymentId });
    const replies = await this.api.bus.requestAll(actOnCanary, { deploymentId, action });
    if (!replies.some((r) => r.handled)) {
      throw ApiException.from({
        code: ErrorCode.DeploymentInvalidState,
        message: `deployment ${deploymentId} is not a running canary (it is ${before.status}${before.phase ? `/${before.phase}` : ''})`,
      });
    }
    return this.api.call(getDeployment, { deploymentId });
  }

  @Post('retry')
  @ApiRoute({
    summary: 'Deploy the same commit to the same environment again, as a child of this deployment (once it has ended)',
    access: 'deploy',
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
    access: 'deploy',
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
