import { Controller } from '@nestjs/common';
import { type CommandRequest, type Result, ok, receiveProviderWebhook } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { DeploymentProviders } from './deployment-providers';

// Every replica hears a provider's status webhook; the one running a deployment of the environment
// with that provider holds the secret to verify it, and applies it.
@Controller()
export class ProviderWebhookHandler {
  constructor(private readonly providers: DeploymentProviders) {}

  @HandleCommand(receiveProviderWebhook, { broadcast: true })
  receive(req: CommandRequest<typeof receiveProviderWebhook>): Result<ReturnType<DeploymentProviders['applyWebhook']>> {
    return ok(this.providers.applyWebhook(req));
  }
}
