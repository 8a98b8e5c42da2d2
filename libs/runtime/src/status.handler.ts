import { Inject, Controller } from '@nestjs/common';
import { ServiceName, ok, pingServices } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { ReadinessService } from './readiness.service';
import { SERVICE_INFO, type ServiceInfo } from './service-info';

// Every instance answers a ping, so the gateway can list the fleet as it is right now.
@Controller()
export class StatusHandler {
  constructor(
    @Inject(SERVICE_INFO) private readonly info: ServiceInfo,
    private readonly readiness: ReadinessService,
  ) {}

  @HandleCommand(pingServices, { broadcast: true })
  async ping() {
    const { ready, checks } = await this.readiness.check();
    return ok({
      name: ServiceName.parse(this.info.name),
      instanceId: this.info.instanceId,
      version: this.info.version,
      uptimeS: Math.round((Date.now() - this.info.startedAt) / 1000),
      ready,
      checks,
    });
  }
}
