import { Controller } from '@nestjs/common';
import { type CommandRequest, getWebhookSettings, hookSecret, matchWebhookProjects, rotateWebhookSecret, setGithubToken } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { HookSecretsService } from './hook-secrets.service';
import { WebhookSecretsService } from './webhook-secrets.service';

// NATS request/reply for a project's git webhook secret.
@Controller()
export class WebhooksHandler {
  constructor(
    private readonly secrets: WebhookSecretsService,
    private readonly hookSecrets: HookSecretsService,
  ) {}

  @HandleCommand(hookSecret)
  hookSecret(req: CommandRequest<typeof hookSecret>) {
    return this.hookSecrets.handle(req.projectId, req.hookId, req.action);
  }

  @HandleCommand(rotateWebhookSecret)
  rotate(req: CommandRequest<typeof rotateWebhookSecret>) {
    return this.secrets.rotate(req.projectId);
  }

  @HandleCommand(setGithubToken)
  setGithubToken(req: CommandRequest<typeof setGithubToken>) {
    return this.secrets.setGithubToken(req.projectId, req.token);
  }

  @HandleCommand(getWebhookSettings)
  settings(req: CommandRequest<typeof getWebhookSettings>) {
    return this.secrets.settings(req.projectId);
  }

  @HandleCommand(matchWebhookProjects)
  match(req: CommandRequest<typeof matchWebhookProjects>) {
    return this.secrets.match(req.repositoryUrls);
  }
}
