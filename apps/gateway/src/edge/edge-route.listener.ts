import { Controller } from '@nestjs/common';
import { type EventData, edgeRouteChanged } from '@flightdeck/contracts';
import { HandleBroadcast } from '@flightdeck/messaging';
import { EdgeRoutes } from './edge-routes';

// Every gateway replica hears each route change the builders announce.
@Controller()
export class EdgeRouteListener {
  constructor(private readonly routes: EdgeRoutes) {}

  @HandleBroadcast(edgeRouteChanged)
  changed(change: EventData<typeof edgeRouteChanged>): void {
    this.routes.apply(change);
  }
}
