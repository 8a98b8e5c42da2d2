import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type BuildProgress, type BuildResult, buildFinished, buildProgressed } from '@flightdeck/contracts';
import { type ConsumedMessageContext, HandleEvent } from '@flightdeck/messaging';
import { BuildEventsService } from './build-events.service';

export const BUILD_EVENTS_DURABLE = 'deployment-orchestrator-build-events';
const consumer = { stream: 'buildEvents', durable: BUILD_EVENTS_DURABLE } as const;

// One durable consumer shared by every replica: each event is applied once, in the transaction
// that records its id, and acknowledged after the commit.
@Controller()
export class BuildEventsConsumer {
  constructor(private readonly events: BuildEventsService) {}

  @HandleEvent(buildProgressed, consumer)
  progressed(@Payload() data: BuildProgress, @Ctx() ctx: ConsumedMessageContext) {
    return this.events.onProgress(ctx.tx, data);
  }

  @HandleEvent(buildFinished, consumer)
  finished(@Payload() data: BuildResult, @Ctx() ctx: ConsumedMessageContext) {
    return this.events.onResult(ctx.tx, data);
  }
}
