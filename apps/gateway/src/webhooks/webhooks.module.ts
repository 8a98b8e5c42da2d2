import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway.config';
import { CommitStatusReporter, GITHUB_API_URL } from './commit-status.reporter';
import { GithubWebhookController } from './github-webhook.controller';
import { GithubWebhookService } from './github-webhook.service';
import { ProjectWebhookController } from './project-webhook.controller';
import { ProviderWebhookController } from './provider-webhook.controller';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookRecovery } from './webhook-recovery.service';
import { WEBHOOK_EDGE_PORT, WebhookWork } from './webhook-work.service';

@Module({})
export class WebhooksModule {
  static forRoot(config: Pick<GatewayConfig, 'FLIGHTDECK_EDGE_PORT' | 'FLIGHTDECK_GITHUB_API_URL'>): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [GithubWebhookController, ProjectWebhookController, ProviderWebhookController],
      providers: [
        { provide: WEBHOOK_EDGE_PORT, useValue: config.FLIGHTDECK_EDGE_PORT },
        { provide: GITHUB_API_URL, useValue: config.FLIGHTDECK_GITHUB_API_URL },
        CommitStatusReporter,
        WebhookDeliveriesRepository,
        WebhookWork,
        GithubWebhookService,
        WebhookRecovery,
      ],
    };
  }
}
