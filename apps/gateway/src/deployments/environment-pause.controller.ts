import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { type Actor, EnvironmentPause, ErrorCode, getEnvironmentPause, resumeEnvironment } from '@flightdeck/contracts';
import { CurrentActor } from '../auth/auth.decorators';
import { ApiBus } from '../http/api-bus';
import { IdParam } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

// Pause after rollback (issue 23): kept by the orchestrator, which checks the environment is this
// project's. Resuming takes an admin: it lets pushes and schedules deploy over the rollback again
// (a deployer who must deploy meanwhile triggers with force, recorded on the deployment).
@Controller('projects/:projectId/environments/:environmentId')
export class EnvironmentPauseController {
  constructor(private readonly api: ApiBus) {}

  @Get('pause')
  @ApiRoute({
    summary: 'Whether a rollback paused the environment’s automatic deploys: since when, by which rollback, asked by whom',
    ids: ['projectId', 'environmentId'],
    responses: [{ status: 200, description: 'the pause (paused: false when none)', name: 'EnvironmentPause', schema: EnvironmentPause }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.EnvironmentNotFound],
  })
  get(@IdParam('projectId') projectId: string, @IdParam('environmentId') environmentId: string) {
    return this.api.call(getEnvironmentPause, { projectId, environmentId });
  }

  @Post('resume')
  @HttpCode(200)
  @ApiRoute({
    summary:
      'End the pause a rollback put on the environment: push webhooks and schedules deploy to it again, manual triggers no longer need force; resuming an environment that is not paused changes nothing',
    ids: ['projectId', 'environmentId'],
    access: 'admin',
    responses: [{ status: 200, description: 'the environment, not paused, with the pause it ended', name: 'EnvironmentResumed', schema: resumeEnvironment.reply }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.EnvironmentNotFound],
  })
  resume(@IdParam('projectId') projectId: string, @IdParam('environmentId') environmentId: string, @CurrentActor() actor: Actor) {
    return this.api.call(resumeEnvironment, { projectId, environmentId, actor });
  }
}
