import { Controller, Get } from '@nestjs/common';
import { Environment, ErrorCode, listEnvironments, listOf } from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam } from '../http/zod-validation.pipe';
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
}
