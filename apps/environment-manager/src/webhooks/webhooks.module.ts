import { Module } from '@nestjs/common';
import { ProjectsModule } from '../projects/projects.module';
import { VariablesModule } from '../variables/variables.module';
import { HookSecretsService } from './hook-secrets.service';
import { WebhookSecretsService } from './webhook-secrets.service';
import { WebhooksHandler } from './webhooks.handler';

@Module({
  imports: [ProjectsModule, VariablesModule],
  providers: [WebhookSecretsService, HookSecretsService],
  controllers: [WebhooksHandler],
})
export class WebhooksModule {}
