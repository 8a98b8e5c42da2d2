import { Controller, Delete, Get, Put } from '@nestjs/common';
import {
  type Actor,
  DeploymentSchedule,
  ErrorCode,
  ScheduleBody,
  deleteDeploymentSchedule,
  listDeploymentSchedules,
  listOf,
  setDeploymentSchedule,
} from '@flightdeck/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { ApiException } from '../http/api.exception';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

// An environment's deployment schedule (one per environment), kept by the orchestrator, which
// checks the environment is this project's.
@Controller('projects/:projectId')
export class SchedulesController {
  constructor(private readonly api: ApiBus) {}

  @Get('schedules')
  @ApiRoute({
    summary: "List a project's deployment schedules, one per scheduled environment",
    ids: ['projectId'],
    responses: [{ status: 200, description: 'its schedules', name: 'DeploymentScheduleList', schema: listOf(DeploymentSchedule) }],
  })
  list(@IdParam('projectId') projectId: string) {
    return this.api.call(listDeploymentSchedules, { projectId });
  }

  @Get('environments/:environmentId/schedule')
  @ApiRoute({
    summary: "An environment's deployment schedule",
    ids: ['projectId', 'environmentId'],
    responses: [{ status: 200, description: 'the schedule, with its next and last firing', name: 'DeploymentSchedule', schema: DeploymentSchedule }],
    errors: [ErrorCode.ScheduleNotFound],
  })
  async get(@IdParam('projectId') projectId: string, @IdParam('environmentId') environmentId: string) {
    const { items } = await this.api.call(listDeploymentSchedules, { projectId, environmentId });
    if (!items[0]) throw new ApiException(ErrorCode.ScheduleNotFound, `environment ${environmentId} of project ${projectId} has no deployment schedule`);
    return items[0];
  }

  @Put('environments/:environmentId/schedule')
  @ApiRoute({
    summary:
      'Create or replace the environment’s deployment schedule: a cron expression (5 fields, or 6 with seconds first) in a time zone, and the ref each firing deploys (trigger `schedule`); missed firings are caught up once, never in a burst',
    ids: ['projectId', 'environmentId'],
    body: { name: 'ScheduleBody', schema: ScheduleBody },
    responses: [{ status: 200, description: 'the schedule with its next firing', name: 'DeploymentSchedule', schema: DeploymentSchedule }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.EnvironmentNotFound, ErrorCode.ScheduleInvalidCron],
  })
  set(
    @IdParam('projectId') projectId: string,
    @IdParam('environmentId') environmentId: string,
    @ValidBody(ScheduleBody) body: ScheduleBody,
    @CurrentActor() actor: Actor,
  ) {
    return this.api.call(setDeploymentSchedule, { ...body, projectId, environmentId, actor });
  }

  @Delete('environments/:environmentId/schedule')
  @ApiRoute({
    summary: "Delete an environment's deployment schedule",
    ids: ['projectId', 'environmentId'],
    responses: [{ status: 200, description: 'the schedule as it was', name: 'DeploymentSchedule', schema: DeploymentSchedule }],
    errors: [ErrorCode.ScheduleNotFound],
  })
  delete(@IdParam('projectId') projectId: string, @IdParam('environmentId') environmentId: string, @CurrentActor() actor: Actor) {
    return this.api.call(deleteDeploymentSchedule, { projectId, environmentId, actor });
  }
}
