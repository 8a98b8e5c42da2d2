import { Controller } from '@nestjs/common';
import { type CommandRequest, checkDeploymentConfiguration } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { PreflightUseCase } from './preflight.usecase';

@Controller()
export class PreflightHandler {
  constructor(private readonly preflight: PreflightUseCase) {}

  @HandleCommand(checkDeploymentConfiguration)
  check(req: CommandRequest<typeof checkDeploymentConfiguration>) {
    return this.preflight.execute(req);
  }
}
