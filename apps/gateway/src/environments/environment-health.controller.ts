import { Controller, Get } from '@nestjs/common';
import { EnvironmentHealth, ErrorCode, getEnvironmentHealth, getProject, getProjectEnvironment } from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('projects/:projectId/environments/:environmentId/health')
export class EnvironmentHealthController {
  constructor(private readonly api: ApiBus) {}

  @Get()
  @ApiRoute({
    summary:
      "The health of the release the environment serves, as the builder's supervision sees it: healthy, degraded (failing checks, or being restarted) or down (crash-looping: no more restarts until a deploy or rollback); null when no Node release serves it. With its restarts since it went live and its last failure",
    ids: ['projectId', 'environmentId'],
    access: 'read',
    responses: [{ status: 200, description: "the environment's health", name: 'EnvironmentHealth', schema: EnvironmentHealth }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.EnvironmentNotFound],
  })
  async get(@IdParam('projectId') projectId: string, @IdParam('environmentId') environmentId: string) {
    // the environment must be the project's (404 otherwise); releases are kept by names
    const environment = await this.api.call(getProjectEnvironment, { projectId, environmentId });
    const project = await this.api.call(getProject, { projectId });
    return this.api.call(getEnvironmentHealth, { projectName: project.name, environmentName: environment.name });
  }
}
