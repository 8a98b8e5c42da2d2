import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import type { z } from 'zod';
import { CreatePublisherRequest, CreatedPublisher, ErrorCode, Publisher, PublisherList } from '@flightdeck/contracts';
import { AdminOnly } from '../auth/auth.decorators';
import { IdParam, ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { PublishersService } from './publishers.service';

@Controller('projects/:projectId/publishers')
@AdminOnly()
export class PublishersController {
  constructor(private readonly publishers: PublishersService) {}

  @Post()
  @ApiRoute({
    summary: "Create a NATS credential that may publish only this project's external build events (the password is shown once)",
    adminOnly: true,
    ids: ['projectId'],
    body: { name: 'CreatePublisherRequest', schema: CreatePublisherRequest },
    responses: [{ status: 201, description: 'created', name: 'CreatedPublisher', schema: CreatedPublisher }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.PublisherUnsupported],
  })
  create(@IdParam('projectId') projectId: string, @ValidBody(CreatePublisherRequest) body: z.infer<typeof CreatePublisherRequest>) {
    return this.publishers.create(projectId, body);
  }

  @Get()
  @ApiRoute({
    summary: "List a project's publishers, revoked ones included (no passwords)",
    adminOnly: true,
    ids: ['projectId'],
    responses: [{ status: 200, description: 'the publishers', name: 'PublisherList', schema: PublisherList }],
    errors: [ErrorCode.PublisherUnsupported],
  })
  list(@IdParam('projectId') projectId: string) {
    return this.publishers.list(projectId);
  }

  @Delete(':publisherId')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Revoke a publisher: its NATS user is removed, its connections closed',
    adminOnly: true,
    ids: ['projectId', 'publisherId'],
    responses: [{ status: 200, description: 'revoked', name: 'Publisher', schema: Publisher }],
    errors: [ErrorCode.PublisherNotFound, ErrorCode.PublisherUnsupported],
  })
  revoke(@IdParam('projectId') projectId: string, @IdParam('publisherId') publisherId: string) {
    return this.publishers.revoke(projectId, publisherId);
  }
}
