import { Controller } from '@nestjs/common';
import {
  type CommandRequest,
  type SetVariableRequest,
  deleteVariable,
  listVariables,
  resolveVariables,
  setVariable,
} from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { ResolveVariablesUseCase } from './resolve-variables.usecase';
import { VariablesService } from './variables.service';

@Controller()
export class VariablesHandler {
  constructor(
    private readonly variables: VariablesService,
    private readonly resolveUseCase: ResolveVariablesUseCase,
  ) {}

  @HandleCommand(setVariable)
  set(req: SetVariableRequest) {
    return this.variables.set(req);
  }

  @HandleCommand(listVariables)
  list(req: CommandRequest<typeof listVariables>) {
    return this.variables.list(req.environmentId);
  }

  @HandleCommand(deleteVariable)
  delete(req: CommandRequest<typeof deleteVariable>) {
    return this.variables.delete(req.environmentId, req.key);
  }

  @HandleCommand(resolveVariables)
  resolve(req: CommandRequest<typeof resolveVariables>) {
    return this.resolveUseCase.execute(req);
  }
}
