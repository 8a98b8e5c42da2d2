import { Controller } from '@nestjs/common';
import { type CommandRequest, detectVariables } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { DetectProjectVariablesUseCase } from './detect-project-variables.usecase';

@Controller()
export class DetectionHandler {
  constructor(private readonly detectUseCase: DetectProjectVariablesUseCase) {}

  @HandleCommand(detectVariables)
  detect(req: CommandRequest<typeof detectVariables>) {
    return this.detectUseCase.execute(req);
  }
}
