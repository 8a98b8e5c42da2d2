import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway.config';
import { EdgeRouteListener } from './edge-route.listener';
import { EdgeRoutes } from './edge-routes';
import { PUBLIC_EDGE_OPTIONS, PublicEdge } from './public-edge';

// The edge (issue 17 item 1) lives in the gateway: it is the public entry already, scaled by
// connections like the API, and needs nothing the gateway lacks (the bus). Off
// (FLIGHTDECK_EDGE_ENABLED=false), this gateway serves the API only.
@Module({})
export class EdgeModule {
  static forRoot(config: Pick<GatewayConfig, 'FLIGHTDECK_EDGE_ENABLED' | 'FLIGHTDECK_EDGE_PORT' | 'HTTP_HOST' | 'FLIGHTDECK_EDGE_REFRESH_MS'>): DynamicModule {
    if (!config.FLIGHTDECK_EDGE_ENABLED) return { module: EdgeModule };
    return {
      module: EdgeModule,
      controllers: [EdgeRouteListener],
      providers: [
        EdgeRoutes,
        { provide: PUBLIC_EDGE_OPTIONS, useValue: { host: config.HTTP_HOST, port: config.FLIGHTDECK_EDGE_PORT, refreshMs: config.FLIGHTDECK_EDGE_REFRESH_MS } },
        PublicEdge,
      ],
    };
  }
}
