import { Controller, Get, Put } from '@nestjs/common';
import {
  Environment,
  EnvironmentConcurrency,
  EnvironmentLimits,
  ErrorCode,
  listEnvironments,
  listOf,
  setEnvironmentConcurrency,
  setEnvironmentLimits,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('projects/:projectId/environments')
export class EnvironmentsController {
  constructor(private readonly api: ApiBus) {}

  @Get()
  @ApiRoute({
    summary: "List a project's environments",
    ids: ['projectId'],
    responses: [{ status: 200, description: 'its environments', name: 'EnvironmentList', schema: listOf(Environment) }],
    errors: [ErrorCode.ProjectNotFound],
  })
  list(@IdParam('projectId') projectId: string) {
    return this.api.call(listEnvironments, { projectId });
  }

  // environment-manager changes it only if it is this project's: another's answers 404
  @Put(':environmentId/limits')
  @ApiRoute({
    summary: "Replace an environment's resource limits and step timeouts ({} clears them back to the operator's defaults)",
    ids: ['projectId', 'environmentId'],
    body: { name: 'EnvironmentLimits', schema: EnvironmentLimits },
    responses: [{ status: 200, description: 'the environment with its new limits', name: 'Environment', schema: Environment }],
    errors: [ErrorCode.EnvironmentNotFound],
  })
  setLimits(
    @IdParam('projectId') projectId: string,
    @IdParam('environmentId') environmentId: string,
    @ValidBody(EnvironmentLimits) limits: EnvironmentLimits,
  ) {
    return this.api.call(setEnvironmentLimits, { projectId, environmentId, limits });
  }

  @Put(':environmentId/concurrency')
  @ApiRoute({
    summary:
      'Set what a trigger does while a deployment is in progress: reject (409), queue (in order, at most 100 waiting), supersede (one running, the newest waiting) or cancel-in-progress (the newest wins)',
    ids: ['projectId', 'environmentId'],
    body: { name: 'EnvironmentConcurrency', schema: EnvironmentConcurrency },
    responses: [{ status: 200, description: 'the environment with its new policy', name: 'Environment', schema: Environment }],
    errors: [ErrorCode.EnvironmentNotFound],
  })
  setConcurrency(
    @IdParam('projectId') projectId: string,
    @IdParam('environmentId') environmentId: string,
    @ValidBody(EnvironmentConcurrency) body: EnvironmentConcurrency,
  ) {
    return this.api.call(setEnvironmentConcurrency, { projectId, environmentId, policy: body.policy });
  }
}
