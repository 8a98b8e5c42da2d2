import { Controller } from '@nestjs/common';
import { type CommandRequest, type Result, actOnCanary, ok } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { CanaryRollout } from './canary-rollout';

// Every replica hears it; only the one running the deployment's canary acts (handled: true).
@Controller()
export class CanaryHandler {
  constructor(private readonly canary: CanaryRollout) {}

  @HandleCommand(actOnCanary, { broadcast: true })
  act(req: CommandRequest<typeof actOnCanary>): Result<{ handled: boolean }> {
    return ok({ handled: this.canary.act(req.deploymentId, req.action) });
  }
}
