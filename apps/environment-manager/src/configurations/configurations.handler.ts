import { Controller } from '@nestjs/common';
import { type CommandRequest, diffDeploymentConfigurations, getDeploymentConfiguration } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { DeploymentConfigurations } from './deployment-configurations.service';

@Controller()
export class ConfigurationsHandler {
  constructor(private readonly configurations: DeploymentConfigurations) {}

  @HandleCommand(getDeploymentConfiguration)
  get(req: CommandRequest<typeof getDeploymentConfiguration>) {
    return this.configurations.get(req.deploymentId);
  }

  @HandleCommand(diffDeploymentConfigurations)
  diff(req: CommandRequest<typeof diffDeploymentConfigurations>) {
    return this.configurations.diff(req.deploymentId, req.against);
  }
}
