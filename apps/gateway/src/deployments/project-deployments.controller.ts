import { Controller, Get, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import {
  type Actor,
  Deployment,
  ErrorCode,
  ListDeploymentsQuery,
  TriggerDeploymentBody,
  TriggerDeploymentRequest,
  listDeployments,
  pageOf,
  triggerDeployment,
} from '@flightdeck/contracts';
import type { z } from 'zod';
import { CurrentActor, CurrentCaller } from '../auth/auth.decorators';
import { ProjectAccessService } from '../access/project-access.service';
import type { Caller } from '../access/caller';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidHeader, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
const IdempotencyKey = TriggerDeploymentRequest.shape.idempotencyKey;

@Controller('projects/:projectId/deployments')
export class ProjectDeploymentsController {
  constructor(
    private readonly api: ApiBus,
    private readonly access: ProjectAccessService,
  ) {}

  @Post()
  @ApiRoute({
    summary: 'Trigger a deployment of a source ref (branch, tag or commit sha)',
    access: 'deploy',
    ids: ['projectId'],
    headers: [{ name: IDEMPOTENCY_KEY_HEADER, description: 'the same key for the same project returns the same deployment' }],
    body: { name: 'TriggerDeploymentBody', schema: TriggerDeploymentBody },
    responses: [
      { status: 201, description: 'triggered', name: 'Deployment', schema: Deployment },
      { status: 200, description: 'the deployment this idempotency key already triggered', name: 'Deployment', schema: Deployment },
    ],
    errors: [
      ErrorCode.ProjectNotFound,
      ErrorCode.EnvironmentNotFound,
      ErrorCode.DeploymentAlreadyRunning,
      ErrorCode.DeploymentRefNotAllowed,
      ErrorCode.EnvironmentPaused,
      ErrorCode.EnvironmentFrozen,
    ],
  })
  async trigger(
    @IdParam('projectId') projectId: string,
    @ValidBody(TriggerDeploymentBody) body: z.infer<typeof TriggerDeploymentBody>,
    @ValidHeader(IDEMPOTENCY_KEY_HEADER, IdempotencyKey) idempotencyKey: string | undefined,
    @CurrentActor() actor: Actor,
    @CurrentCaller() caller: Caller,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Deployment> {
    const { deployment, replayed } = await this.api.call(triggerDeployment, {
      ...body,
      projectId,
      idempotencyKey,
      trigger: 'api',
      actor,
      // a forced trigger by an admin goes through a freeze window (protection rules): only asked then
      ...(body.force ? { actorRole: await this.access.effectiveRole(caller, projectId) } : {}),
    });
    res.status(replayed ? 200 : 201);
    return deployment;
  }

  @Get()
  @ApiRoute({
    summary: "List a project's deployments: newest first unless sorted, filtered by status, environment, trigger, ref, commit, author and creation time",
    ids: ['projectId'],
    query: ListDeploymentsQuery,
    responses: [{ status: 200, description: 'one page', name: 'DeploymentPage', schema: pageOf(Deployment) }],
    errors: [ErrorCode.ProjectNotFound],
  })
  list(@IdParam('projectId') projectId: string, @ValidQuery(ListDeploymentsQuery) query: z.infer<typeof ListDeploymentsQuery>) {
    return this.api.call(listDeployments, { ...query, projectId });
  }
}
