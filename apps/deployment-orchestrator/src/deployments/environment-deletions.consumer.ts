import { Controller, Logger } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { Durables, type EnvironmentDeleted, environmentDeleted } from '@flightdeck/contracts';
import { type ConsumedMessageContext, HandleEvent } from '@flightdeck/messaging';
import { DeploymentCanceler } from './deployment-canceler';
import { DeploymentsRepository } from './deployments.repository';

// A deleted environment takes no triggers (environment-manager answers not-found), and what was in
// progress for it stops: waiting, held and not-yet-running deployments are canceled at once, a running
// one's builder is asked to stop (confirmed by its result, or by the sweeper after the grace).
@Controller()
export class EnvironmentDeletionsConsumer {
  private readonly logger = new Logger(EnvironmentDeletionsConsumer.name);

  constructor(
    private readonly repo: DeploymentsRepository,
    private readonly canceler: DeploymentCanceler,
  ) {}

  @HandleEvent(environmentDeleted, {
    stream: 'environmentEvents',
    durable: Durables.environmentDeletions,
    filterSubject: 'environments.evt.deleted.*',
  })
  async deleted(@Payload() e: EnvironmentDeleted, @Ctx() ctx: ConsumedMessageContext) {
    const { environment } = e;
    await this.repo.lockEnvironment(ctx.tx, environment.id);
    const { running, waiting, held } = await this.repo.lockInProgress(ctx.tx, environment.id);
    const reason = `environment ${environment.name} was deleted`;
    // held by a protection rule: nothing runs yet, so canceled at once like a waiting one
    for (const d of [...held, ...waiting, ...(running ? [running] : [])]) {
      if (d.status === 'created' || d.status === 'queued') await this.canceler.cancelNow(ctx.tx, d, reason);
      else if (!d.cancelRequestedAt) await this.canceler.requestCancel(ctx.tx, d, reason);
    }
    if (running || waiting.length || held.length) {
      this.logger.log({ environmentId: environment.id, running: running?.id, waiting: waiting.length, held: held.length }, 'deleted environment: its deployments stop');
    }
  }
}
