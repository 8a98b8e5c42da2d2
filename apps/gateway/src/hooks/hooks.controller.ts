import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import type { z } from 'zod';
import { CreateHookRequest, CreatedHook, ErrorCode, Hook, HookDeliveriesQuery, HookDelivery, HookDeliveryList, HookList, UpdateHookRequest } from '@flightdeck/contracts';
import { IdParam, ValidBody, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { HooksService } from './hooks.service';

// A project's outgoing webhooks (project admins): signed deployment.* events to a URL.
@Controller('projects/:projectId/hooks')
export class HooksController {
  constructor(private readonly hooks: HooksService) {}

  @Post()
  @ApiRoute({
    summary: 'Subscribe a URL to deployment events: each is POSTed signed with the hook secret, shown in this answer only',
    access: 'admin',
    ids: ['projectId'],
    body: { name: 'CreateHookRequest', schema: CreateHookRequest },
    responses: [{ status: 201, description: 'created, with its secret', name: 'CreatedHook', schema: CreatedHook }],
    errors: [ErrorCode.ProjectNotFound, ErrorCode.HookUrlRefused],
  })
  create(@IdParam('projectId') projectId: string, @ValidBody(CreateHookRequest) body: z.infer<typeof CreateHookRequest>) {
    return this.hooks.create(projectId, body);
  }

  @Get()
  @ApiRoute({
    summary: "A project's hooks (never their secrets)",
    access: 'admin',
    ids: ['projectId'],
    responses: [{ status: 200, description: 'the hooks', name: 'HookList', schema: HookList }],
  })
  async list(@IdParam('projectId') projectId: string) {
    return { items: await this.hooks.list(projectId) };
  }

  @Get(':hookId')
  @ApiRoute({
    summary: 'One hook (never its secret)',
    access: 'admin',
    ids: ['projectId', 'hookId'],
    responses: [{ status: 200, description: 'the hook', name: 'Hook', schema: Hook }],
    errors: [ErrorCode.HookNotFound],
  })
  get(@IdParam('projectId') projectId: string, @IdParam('hookId') hookId: string) {
    return this.hooks.get(projectId, hookId);
  }

  @Patch(':hookId')
  @ApiRoute({
    summary: "Change a hook's URL, events or whether it is active",
    access: 'admin',
    ids: ['projectId', 'hookId'],
    body: { name: 'UpdateHookRequest', schema: UpdateHookRequest },
    responses: [{ status: 200, description: 'the hook', name: 'Hook', schema: Hook }],
    errors: [ErrorCode.HookNotFound, ErrorCode.HookUrlRefused],
  })
  update(@IdParam('projectId') projectId: string, @IdParam('hookId') hookId: string, @ValidBody(UpdateHookRequest) body: z.infer<typeof UpdateHookRequest>) {
    return this.hooks.update(projectId, hookId, body);
  }

  @Delete(':hookId')
  @HttpCode(200)
  @ApiRoute({
    summary: 'Delete a hook, its deliveries and its secret',
    access: 'admin',
    ids: ['projectId', 'hookId'],
    responses: [{ status: 200, description: 'the deleted hook', name: 'Hook', schema: Hook }],
    errors: [ErrorCode.HookNotFound],
  })
  delete(@IdParam('projectId') projectId: string, @IdParam('hookId') hookId: string) {
    return this.hooks.delete(projectId, hookId);
  }

  @Get(':hookId/deliveries')
  @ApiRoute({
    summary: "A hook's deliveries, newest first: status, attempts, the last answer and its time, the next attempt",
    access: 'admin',
    ids: ['projectId', 'hookId'],
    query: HookDeliveriesQuery,
    responses: [{ status: 200, description: 'the deliveries', name: 'HookDeliveryList', schema: HookDeliveryList }],
    errors: [ErrorCode.HookNotFound],
  })
  async deliveries(@IdParam('projectId') projectId: string, @IdParam('hookId') hookId: string, @ValidQuery(HookDeliveriesQuery) q: z.infer<typeof HookDeliveriesQuery>) {
    return { items: await this.hooks.deliveries(projectId, hookId, q.limit) };
  }

  @Post(':hookId/deliveries/:deliveryId/redeliver')
  @HttpCode(202)
  @ApiRoute({
    summary: 'Send a delivered or failed delivery again now, with the same delivery id (its attempts counted afresh)',
    access: 'admin',
    ids: ['projectId', 'hookId', 'deliveryId'],
    responses: [{ status: 202, description: 'to be sent', name: 'HookDelivery', schema: HookDelivery }],
    errors: [ErrorCode.HookNotFound, ErrorCode.HookDeliveryPending],
  })
  redeliver(@IdParam('projectId') projectId: string, @IdParam('hookId') hookId: string, @IdParam('deliveryId') deliveryId: string) {
    return this.hooks.redeliver(projectId, hookId, deliveryId);
  }
}
