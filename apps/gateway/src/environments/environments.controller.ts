import { Controller, Delete, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import { z } from 'zod';
import {
  CreateEnvironmentBody,
  Environment,
  EnvironmentConcurrency,
  EnvironmentLimits,
  ErrorCode,
  UpdateEnvironmentBody,
  createEnvironment,
  deleteEnvironment,
  getProjectEnvironment,
  listEnvironments,
  listOf,
  restoreEnvironment,
  setEnvironmentConcurrency,
  setEnvironmentLimits,
  updateEnvironment,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

// ?deleted=true lists the soft-deleted environments instead, to find one to restore
const EnvironmentListQuery = z
  .object({ deleted: z.enum(['true', 'false']).transform((v) => v === 'true').optional() })
  .strict();

@Controller('projects/:projectId/environments')
export class EnvironmentsController {
  constructor(private readonly api: ApiBus) {}

  @Get()
  @ApiRoute({
    summary: "List a project's live environments, the default first (?deleted=true: its soft-deleted ones)",
    ids: ['projectId'],
    query: EnvironmentListQuery,
    responses: [{ status: 200, description: 'its environments', name: 'EnvironmentList', schema: listOf(Environment) }],
    errors: [ErrorCode.ProjectNotFound],
  })
  list(@IdParam('projectId') projectId: string, @ValidQuery(EnvironmentListQuery) query: z.infer<typeof EnvironmentListQuery>) {
    return this.api.call(listEnvironments, query.deleted ? { projectId, deleted: true } : { projectId });
  }

  @Post()
  @ApiRoute({
    summary: 'Create an environment (name: a slug, part of its hostname <project>-<environment>.localhost; isDefault moves the default here)',
    ids: ['projectId'],
    body: { name: 'CreateEnvironmentBody', schema: CreateEnvironmentBody },
    responses: [{ status: 201, description: 'created', name: 'Environment', schema: Environment }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.EnvironmentNameTaken],
  })
  create(@IdParam('projectId') projectId: string, @ValidBody(CreateEnvironmentBody) body: CreateEnvironmentBody) {
    return this.api.call(createEnvironment, { ...body, projectId });
  }

  @Get(':environmentId')
  @ApiRoute({
    summary: 'Get an environment of the project (a deleted one answers 404)',
    ids: ['projectId', 'environmentId'],
    responses: [{ status: 200, description: 'the environment', name: 'Environment', schema: Environment }],
    errors: [ErrorCode.EnvironmentNotFound],
  })
  get(@IdParam('projectId') projectId: string, @IdParam('environmentId') environmentId: string) {
    return this.api.call(getProjectEnvironment, { projectId, environmentId });
  }

  @Patch(':environmentId')
  @ApiRoute({
    summary:
      "Rename, retype or make default an environment (isDefault: true un-defaults the previous default; false on the project's only default is refused), change its build settings (buildSettings: fields given are set, null unsets one), or name the provider its deployments are released by (provider: {name, settings}, checked against that provider's settings; credentials are names of sensitive variables; null: the internal provider)",
    ids: ['projectId', 'environmentId'],
    body: { name: 'UpdateEnvironmentBody', schema: UpdateEnvironmentBody },
    responses: [{ status: 200, description: 'the environment as changed', name: 'Environment', schema: Environment }],
    errors: [ErrorCode.EnvironmentNotFound, ErrorCode.EnvironmentNameTaken, ErrorCode.EnvironmentDefaultRequired],
  })
  update(
    @IdParam('projectId') projectId: string,
    @IdParam('environmentId') environmentId: string,
    @ValidBody(UpdateEnvironmentBody) body: UpdateEnvironmentBody,
  ) {
    return this.api.call(updateEnvironment, { ...body, projectId, environmentId });
  }

  @Delete(':environmentId')
  @ApiRoute({
    summary:
      'Soft-delete an environment: gone from lists and triggers, its deployments and variables kept, restorable; the default cannot be deleted',
    ids: ['projectId', 'environmentId'],
    responses: [{ status: 200, description: 'the deleted environment, with deletedAt', name: 'Environment', schema: Environment }],
    errors: [ErrorCode.EnvironmentNotFound, ErrorCode.EnvironmentIsDefault],
  })
  delete(@IdParam('projectId') projectId: string, @IdParam('environmentId') environmentId: string) {
    return this.api.call(deleteEnvironment, { projectId, environmentId });
  }

  @Post(':environmentId/restore')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Restore a soft-deleted environment (not as the default), unless another environment took its name meanwhile',
    ids: ['projectId', 'environmentId'],
    responses: [{ status: 200, description: 'the environment, live again', name: 'Environment', schema: Environment }],
    errors: [ErrorCode.EnvironmentNotFound, ErrorCode.EnvironmentNameTaken],
  })
  restore(@IdParam('projectId') projectId: string, @IdParam('environmentId') environmentId: string) {
    return this.api.call(restoreEnvironment, { projectId, environmentId });
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
