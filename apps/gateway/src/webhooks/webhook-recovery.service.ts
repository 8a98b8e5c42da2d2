import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { getProject } from '@flightdeck/contracts';
import { ApiBus } from '../http/api-bus';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository';
import { WebhookWork } from './webhook-work.service';

const SWEEP_MS = 15_000;
const MAX_ATTEMPTS = 3;

// A delivery is answered before its work is done: should the gateway stop in between, the delivery
// stays accepted with its work recorded, and a running gateway (this one after a restart, or
// another replica) does it once RETRY_AFTER_S has passed. Doing it again is safe: triggers carry
// keys made of the delivery id. Commit statuses are not reported for work done this way (the
// project's GitHub token travels with the delivery only).
@Injectable()
export class WebhookRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookRecovery.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(
    private readonly api: ApiBus,
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly work: WebhookWork,
  ) {}

  onApplicationBootstrap() {
    this.timer = setInterval(() => void this.sweep().catch((e: unknown) => this.logger.warn({ err: (e as Error).message }, 'webhook sweep failed')), SWEEP_MS);
    this.timer.unref();
  }

  /** one pass: the number of deliveries taken up */
  sweep(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    const due = await this.deliveries.takeUnfinished(20);
    for (const d of due) {
      if (d.attempts > MAX_ATTEMPTS) {
        await this.deliveries.finish(d.rowId, 'failed', `not done after ${MAX_ATTEMPTS} attempts (the gateway stopped each time)`, [], null);
        continue;
      }
      this.logger.log({ deliveryId: d.deliveryId, projectId: d.projectId, attempt: d.attempts }, 'unfinished webhook delivery taken up');
      try {
        const project = await this.api.call(getProject, { projectId: d.projectId });
        await this.work.execute({ deliveryId: d.deliveryId, project, rowId: d.rowId, work: d.work });
      } catch (e) {
        await this.deliveries.finish(d.rowId, 'failed', (e as Error).message, [], null);
      }
    }
    return due.length;
  }

  async onApplicationShutdown() {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
