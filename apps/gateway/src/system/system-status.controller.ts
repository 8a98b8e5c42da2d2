import { Controller, Get } from '@nestjs/common';
import { ErrorCode, type SystemStatus, SystemStatus as SystemStatusSchema, pingServices } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { AdminOnly } from '../auth/auth.decorators';
import { ApiException } from '../http/api.exception';
import { ApiRoute } from '../openapi/api-route.decorator';
import { SupervisorStatusReader } from './supervisor-status.reader';

@Controller('system')
export class SystemStatusController {
  constructor(
    private readonly bus: Bus,
    private readonly supervisor: SupervisorStatusReader,
  ) {}

  // Every instance answers the ping, this gateway included; one killed drops out with its connection.
  // Under npm start, `supervisor` adds what the launcher runs: each process's state and restarts.
  @Get('status')
  @AdminOnly()
  @ApiRoute({
    summary: 'Every service instance that answers on the bus right now, and (under npm start) what the launcher supervises',
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
    const supervisor = await this.supervisor.read();
    return supervisor ? { items, supervisor } : { items };
  }
}
