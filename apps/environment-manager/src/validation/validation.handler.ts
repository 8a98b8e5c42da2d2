import { Controller } from '@nestjs/common';
import { type ValidateVariablesRequest, validateVariables } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { ValidateVariablesUseCase } from './validate-variables.usecase';

@Controller()
export class ValidationHandler {
  constructor(private readonly validateUseCase: ValidateVariablesUseCase) {}

  @HandleCommand(validateVariables)
  validate(req: ValidateVariablesRequest) {
    return this.validateUseCase.execute(req);
  }
}
