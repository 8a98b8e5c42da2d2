import { Controller } from '@nestjs/common';
import { type EventData, type Result, edgeRouteChanged, listEdgeRoutes, ok, type CommandReply } from '@flightdeck/contracts';
import { HandleBroadcast, HandleCommand } from '@flightdeck/messaging';
import { InstancesRepository } from './instances.repository';
import { ReleasePlacement } from './release-placement';

// The edge's route table, read whole by any replica from Postgres; and the route changes of the
// other replicas, heard by every one.
@Controller()
export class EdgeRoutesHandler {
  constructor(
    private readonly instances: InstancesRepository,
    private readonly placement: ReleasePlacement,
  ) {}

  @HandleCommand(listEdgeRoutes)
  async list(): Promise<Result<CommandReply<typeof listEdgeRoutes>>> {
    return ok({ routes: await this.instances.edgeRoutes() });
  }

  @HandleBroadcast(edgeRouteChanged)
  async changed(change: EventData<typeof edgeRouteChanged>): Promise<void> {
    await this.placement.heard(change);
  }
}
