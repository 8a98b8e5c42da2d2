import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CreateHookRequest, type CreatedHook, ErrorCode, type Hook, type HookDelivery, type UpdateHookRequest, getProject, hookSecret } from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { ApiException } from '../http/api.exception';
import { RefusedAddressError, checkHookUrl } from './hook-address';
import { HOOK_SETTINGS, type HookSettings } from './hooks.settings';
import { HooksRepository, toDelivery } from './hooks.repository';

const hookNotFound = (projectId: string, hookId: string) => new ApiException(ErrorCode.HookNotFound, `no hook ${hookId} in project ${projectId}`);

@Injectable()
export class HooksService {
  private readonly logger = new Logger(HooksService.name);

  constructor(
    private readonly api: ApiBus,
    private readonly hooks: HooksRepository,
    @Inject(HOOK_SETTINGS) private readonly settings: HookSettings,
  ) {}

  async create(projectId: string, req: CreateHookRequest): Promise<CreatedHook> {
    await this.api.call(getProject, { projectId }); // project/not-found answers 404
    await this.checkUrl(req.url);
    const id = randomUUID();
    // the secret first: a hook is never stored without one
    const { secret } = await this.api.call(hookSecret, { projectId, hookId: id, action: 'generate' });
    const hook = await this.hooks.insert({ id, projectId, url: req.url, events: [...new Set(req.events)], active: req.active });
    this.logger.log({ projectId, hookId: id, events: hook.events }, 'hook created');
    return { ...hook, secret: secret! };
  }

  list(projectId: string): Promise<Hook[]> {
    return this.hooks.list(projectId);
  }

  async get(projectId: string, hookId: string): Promise<Hook> {
    const hook = await this.hooks.find(projectId, hookId);
    if (!hook) throw hookNotFound(projectId, hookId);
    return hook;
  }

  async update(projectId: string, hookId: string, req: UpdateHookRequest): Promise<Hook> {
    await this.get(projectId, hookId);
    if (req.url) await this.checkUrl(req.url);
    const hook = await this.hooks.update(projectId, hookId, { ...req, events: req.events ? [...new Set(req.events)] : undefined });
    if (!hook) throw hookNotFound(projectId, hookId);
    this.logger.log({ projectId, hookId }, 'hook updated');
    return hook;
  }

  async delete(projectId: string, hookId: string): Promise<Hook> {
    const hook = await this.get(projectId, hookId);
    await this.hooks.delete(projectId, hookId);
    await this.api.call(hookSecret, { projectId, hookId, action: 'delete' });
    this.logger.log({ projectId, hookId }, 'hook deleted');
    return hook;
  }

  async deliveries(projectId: string, hookId: string, limit: number): Promise<HookDelivery[]> {
    await this.get(projectId, hookId);
    return (await this.hooks.deliveries(projectId, hookId, limit)).map(toDelivery);
  }

  async redeliver(projectId: string, hookId: string, deliveryId: string): Promise<HookDelivery> {
    const row = await this.hooks.redeliver(projectId, hookId, deliveryId);
    if (!row) throw new ApiException(ErrorCode.HookNotFound, `no delivery ${deliveryId} of hook ${hookId} in project ${projectId}`);
    if (row === 'pending') throw new ApiException(ErrorCode.HookDeliveryPending, `delivery ${deliveryId} is still being tried; send it again once it is delivered or failed`);
    this.logger.log({ projectId, hookId, deliveryId }, 'hook delivery to be sent again');
    return toDelivery(row);
  }

  private async checkUrl(url: string) {
    try {
      await checkHookUrl(url, this.settings.allowPrivate);
    } catch (e) {
      if (e instanceof RefusedAddressError) throw new ApiException(ErrorCode.HookUrlRefused, e.message);
      throw e;
    }
  }
}
