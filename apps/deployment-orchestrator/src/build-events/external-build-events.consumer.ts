import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import {
  type BuildProgress,
  type BuildResult,
  type LogBatch,
  Durables,
  Subjects,
  buildFinished,
  buildProgressed,
  logLinesPublished,
  parseExternalSubject,
} from '@flightdeck/contracts';
import { type ConsumedMessageContext, DeadLetterError, HandleEvent, Outbox } from '@flightdeck/messaging';
import { DeploymentsRepository } from '../deployments/deployments.repository';
import { BuildEventsService } from './build-events.service';

export const EXTERNAL_EVENTS_DURABLE = Durables.externalBuildEvents;
const consumer = (subject: string) => ({ stream: 'externalBuildEvents', durable: EXTERNAL_EVENTS_DURABLE, subject }) as const;

// Build events from a team's own publishers (external.<projectId>.build.<kind>.<deploymentId>). A
// publisher's NATS user may publish only under its project's id; here the deployment must be that
// project's and external, or the event is dead-lettered with the reason and changes nothing. Then
// it is applied exactly like our builder's: phases and results here, log lines forwarded to
// build.logs.<id> (through the outbox, in the same transaction) for log-ingest and live followers.
@Controller()
export class ExternalBuildEventsConsumer {
  constructor(
    private readonly events: BuildEventsService,
    private readonly deployments: DeploymentsRepository,
    private readonly outbox: Outbox,
  ) {}

  @HandleEvent(buildProgressed, consumer(Subjects.external.progress))
  async progressed(@Payload() data: BuildProgress, @Ctx() ctx: ConsumedMessageContext) {
    await this.admit(ctx, data.deploymentId);
    await this.events.onProgress(ctx.tx, data);
  }

  @HandleEvent(buildFinished, consumer(Subjects.external.result))
  async finished(@Payload() data: BuildResult, @Ctx() ctx: ConsumedMessageContext) {
    await this.admit(ctx, data.deploymentId);
    await this.events.onResult(ctx.tx, data);
  }

  @HandleEvent(logLinesPublished, consumer(Subjects.external.logs))
  async logs(@Payload() batch: LogBatch, @Ctx() ctx: ConsumedMessageContext) {
    await this.admit(ctx, batch.deploymentId);
    await this.outbox.add(ctx.tx, logLinesPublished, batch.deploymentId, batch);
  }

  private async admit(ctx: ConsumedMessageContext, deploymentId: string) {
    const where = parseExternalSubject(ctx.subject);
    if (!where || where.deploymentId !== deploymentId) {
      throw new DeadLetterError(`a payload of deployment ${deploymentId} does not belong on ${ctx.subject}`);
    }
    const d = await this.deployments.findById(deploymentId, ctx.tx);
    if (!d || d.projectId !== where.projectId) {
      throw new DeadLetterError(`deployment ${deploymentId} is not a deployment of project ${where.projectId}`);
    }
    if (d.provider !== 'external') {
      throw new DeadLetterError(`deployment ${deploymentId} is built by the platform, not by an external publisher`);
    }
  }
}
