import { Controller, Get } from '@nestjs/common';
import { ErrorCode, type SystemStatus, SystemStatus as SystemStatusSchema, pingServices } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { AdminOnly } from '../auth/auth.decorators';
import { ApiException } from '../http/api.exception';
import { ApiRoute } from '../openapi/api-route.decorator';

@Controller('system')
export class SystemStatusController {
  constructor(private readonly bus: Bus) {}

  // Every instance answers the ping, this gateway included; one killed drops out with its connection.
  @Get('status')
  @AdminOnly()
  @ApiRoute({
    summary: 'Every service instance that answers on the bus right now',
    adminOnly: true,
    responses: [{ status: 200, description: 'the fleet', name: 'SystemStatus', schema: SystemStatusSchema }],
  })
  async status(): Promise<SystemStatus> {
    let items: SystemStatus['items'];
    try {
      items = await this.bus.requestAll(pingServices, {});
    } catch (e) {
      throw new ApiException(ErrorCode.ServiceUnavailable, `cannot reach the bus: ${(e as Error).message}`);
    }
    items.sort((a, b) => a.name.localeCompare(b.name) || a.instanceId.localeCompare(b.instanceId));
    return { items };
  }
}
