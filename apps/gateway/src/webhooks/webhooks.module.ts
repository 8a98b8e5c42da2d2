import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway.config';
import { GithubWebhookController } from './github-webhook.controller';
import { GithubWebhookService } from './github-webhook.service';
import { ProjectWebhookController } from './project-webhook.controller';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WEBHOOK_EDGE_PORT, WebhookWork } from './webhook-work.service';

@Module({})
export class WebhooksModule {
  static forRoot(config: Pick<GatewayConfig, 'FLIGHTDECK_EDGE_PORT'>): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [GithubWebhookController, ProjectWebhookController],
      providers: [
        { provide: WEBHOOK_EDGE_PORT, useValue: config.FLIGHTDECK_EDGE_PORT },
        WebhookDeliveriesRepository,
        WebhookWork,
        GithubWebhookService,
      ],
    };
  }
}
