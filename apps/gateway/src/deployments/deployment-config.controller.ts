import { Controller, Get } from '@nestjs/common';
import type { z } from 'zod';
import {
  ConfigDiffQuery,
  ConfigurationDiff,
  type Deployment,
  DeploymentConfiguration,
  ErrorCode,
  diffDeploymentConfigurations,
  getDeployment,
  getDeploymentConfiguration,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { ApiException } from '../http/api.exception';
import { IdParam, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';

// a rollback of a rollback is still the first target's release: followed this far at most
const MAX_ROLLBACK_HOPS = 10;

@Controller('deployments/:deploymentId')
export class DeploymentConfigController {
  constructor(private readonly api: ApiBus) {}

  @Get('configuration')
  @ApiRoute({
    summary: 'The configuration this deployment was built and run with: each variable with its version (values of non-sensitive ones only) and the environment settings; a rollback answers its target\'s',
    ids: ['deploymentId'],
    responses: [{ status: 200, description: 'its recorded configuration', name: 'DeploymentConfiguration', schema: DeploymentConfiguration }],
    errors: [ErrorCode.DeploymentNotFound],
  })
  async configuration(@IdParam('deploymentId') deploymentId: string): Promise<DeploymentConfiguration> {
    const deployment = await this.api.call(getDeployment, { deploymentId });
    return this.api.call(getDeploymentConfiguration, { deploymentId: await this.ranWith(deployment) });
  }

  @Get('config-diff')
  @ApiRoute({
    summary: 'What differs between the configuration this deployment ran with and another deployment of its project: variables by key (values of non-sensitive ones; a sensitive one only "changed") and environment settings by path',
    ids: ['deploymentId'],
    query: ConfigDiffQuery,
    responses: [{ status: 200, description: 'the differences from `against` to this deployment', name: 'ConfigurationDiff', schema: ConfigurationDiff }],
    errors: [ErrorCode.DeploymentNotFound],
  })
  async diff(@IdParam('deploymentId') deploymentId: string, @ValidQuery(ConfigDiffQuery) query: z.infer<typeof ConfigDiffQuery>): Promise<ConfigurationDiff> {
    const deployment = await this.api.call(getDeployment, { deploymentId });
    const against = await this.api.bus.request(getDeployment, { deploymentId: query.against });
    // another project's deployment is answered as one that does not exist
    if (!against.ok || against.data.projectId !== deployment.projectId) {
      if (!against.ok && against.error.code !== ErrorCode.DeploymentNotFound) throw ApiException.from(against.error);
      throw new ApiException(ErrorCode.DeploymentNotFound, `deployment ${query.against} not found in the project of deployment ${deploymentId}`);
    }
    const configurationOf = { deployment: await this.ranWith(deployment), against: await this.ranWith(against.data) };
    const diff = await this.api.call(diffDeploymentConfigurations, { deploymentId: configurationOf.deployment, against: configurationOf.against });
    return { ...diff, deploymentId, against: query.against, configurationOf };
  }

  // A rollback runs its target's release with the variables that release ran with: its configuration is the target's.
  private async ranWith(d: Deployment): Promise<string> {
    let current = d;
    for (let hop = 0; current.trigger === 'rollback' && current.rollbackTargetId && hop < MAX_ROLLBACK_HOPS; hop++) {
      current = await this.api.call(getDeployment, { deploymentId: current.rollbackTargetId });
    }
    return current.id;
  }
}
