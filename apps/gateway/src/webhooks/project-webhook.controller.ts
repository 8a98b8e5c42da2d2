import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import type { z } from 'zod';
import {
  CreatedWebhookSecret,
  ErrorCode,
  SetGithubTokenBody,
  WebhookDeliveriesQuery,
  WebhookDeliveryList,
  WebhookSettings,
  getWebhookSettings,
  rotateWebhookSecret,
  setGithubToken,
} from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { IdParam, ValidBody, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';

// A project's git webhook: its secret (project admins) and what its deliveries did.
@Controller('projects/:projectId/webhook')
export class ProjectWebhookController {
  constructor(
    private readonly api: ApiBus,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  @Get()
  @ApiRoute({
    summary: "Whether the project has a webhook secret, and since when (never the secret); project admins",
    access: 'admin',
    ids: ['projectId'],
    responses: [{ status: 200, description: 'the settings', name: 'WebhookSettings', schema: WebhookSettings }],
    errors: [ErrorCode.ProjectNotFound],
  })
  settings(@IdParam('projectId') projectId: string) {
    return this.api.call(getWebhookSettings, { projectId });
  }

  @Post('secret')
  @ApiRoute({
    summary:
      "Generate the project's webhook secret, or rotate it (the old one stops at once): shown in this answer only; set it as the secret of the repository's webhook (POST /api/v1/webhooks/github)",
    access: 'admin',
    ids: ['projectId'],
    responses: [{ status: 201, description: 'the new secret', name: 'CreatedWebhookSecret', schema: CreatedWebhookSecret }],
    errors: [ErrorCode.ProjectNotFound],
  })
  rotate(@IdParam('projectId') projectId: string) {
    return this.api.call(rotateWebhookSecret, { projectId });
  }

  @Put('github-token')
  @ApiRoute({
    summary:
      "Set the GitHub token previews are reported with: each pull request's preview becomes a commit status (pending, then success or failure, linking its URL); stored sealed, never shown; needs 'Commit statuses: write'",
    access: 'admin',
    ids: ['projectId'],
    body: { name: 'SetGithubTokenBody', schema: SetGithubTokenBody },
    responses: [{ status: 200, description: 'the settings', name: 'WebhookSettings', schema: WebhookSettings }],
    errors: [ErrorCode.ProjectNotFound],
  })
  setToken(@IdParam('projectId') projectId: string, @ValidBody(SetGithubTokenBody) body: z.infer<typeof SetGithubTokenBody>) {
    return this.api.call(setGithubToken, { projectId, token: body.token });
  }

  @Delete('github-token')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Remove the GitHub token: previews are no longer reported as commit statuses',
    access: 'admin',
    ids: ['projectId'],
    responses: [{ status: 200, description: 'the settings', name: 'WebhookSettings', schema: WebhookSettings }],
    errors: [ErrorCode.ProjectNotFound],
  })
  removeToken(@IdParam('projectId') projectId: string) {
    return this.api.call(setGithubToken, { projectId, token: null });
  }

  @Get('deliveries')
  @ApiRoute({
    summary: "The project's latest webhook deliveries, newest first: event, outcome (deployed, preview-deployed, ignored, rejected, ...), deployments and preview URL; project admins",
    access: 'admin',
    ids: ['projectId'],
    query: WebhookDeliveriesQuery,
    responses: [{ status: 200, description: 'the deliveries', name: 'WebhookDeliveryList', schema: WebhookDeliveryList }],
    errors: [ErrorCode.ProjectNotFound],
  })
  async list(@IdParam('projectId') projectId: string, @ValidQuery(WebhookDeliveriesQuery) query: z.infer<typeof WebhookDeliveriesQuery>) {
    return { items: await this.deliveries.recent(projectId, query.limit) };
  }
}
