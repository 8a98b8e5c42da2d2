import { Controller } from '@nestjs/common';
import {
  type CommandRequest,
  type SetProjectVariableRequest,
  type SetVariableRequest,
  deleteProjectVariable,
  deleteVariable,
  exportVariables,
  importVariables,
  listProjectVariables,
  listVariables,
  resolveVariables,
  rotateSecretKey,
  setProjectVariable,
  setVariable,
} from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { ExportVariablesUseCase } from './export-variables.usecase';
import { ImportVariablesUseCase } from './import-variables.usecase';
import { KeyRotation } from './key-rotation.service';
import { ResolveVariablesUseCase } from './resolve-variables.usecase';
import { VariablesService } from './variables.service';

@Controller()
export class VariablesHandler {
  constructor(
    private readonly variables: VariablesService,
    private readonly resolveUseCase: ResolveVariablesUseCase,
    private readonly importUseCase: ImportVariablesUseCase,
    private readonly exportUseCase: ExportVariablesUseCase,
    private readonly rotation: KeyRotation,
  ) {}

  @HandleCommand(setVariable)
  set(req: SetVariableRequest) {
    return this.variables.set(req);
  }

  @HandleCommand(listVariables)
  list(req: CommandRequest<typeof listVariables>) {
    return this.variables.list(req.environmentId, req.effective);
  }

  @HandleCommand(deleteVariable)
  delete(req: CommandRequest<typeof deleteVariable>) {
    return this.variables.delete(req.environmentId, req.key);
  }

  @HandleCommand(setProjectVariable)
  setProject(req: SetProjectVariableRequest) {
    return this.variables.setProject(req);
  }

  @HandleCommand(listProjectVariables)
  listProject(req: CommandRequest<typeof listProjectVariables>) {
    return this.variables.listProject(req.projectId);
  }

  @HandleCommand(deleteProjectVariable)
  deleteProject(req: CommandRequest<typeof deleteProjectVariable>) {
    return this.variables.deleteProject(req.projectId, req.key);
  }

  @HandleCommand(importVariables)
  import(req: CommandRequest<typeof importVariables>) {
    return this.importUseCase.execute(req);
  }

  @HandleCommand(exportVariables)
  export(req: CommandRequest<typeof exportVariables>) {
    return this.exportUseCase.execute(req);
  }

  @HandleCommand(rotateSecretKey)
  rotateKey(req: CommandRequest<typeof rotateSecretKey>) {
    return this.rotation.run(req);
  }

  @HandleCommand(resolveVariables)
  resolve(req: CommandRequest<typeof resolveVariables>) {
    return this.resolveUseCase.execute(req);
  }
}
