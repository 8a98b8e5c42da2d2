import { Controller, Logger } from '@nestjs/common';
import { type BuildHeartbeat, buildHeartbeat } from '@flightdeck/contracts';
import { HandleBroadcast } from '@flightdeck/messaging';
import { DeploymentsRepository } from './deployments.repository';

// Builders' heartbeats (core NATS, every replica hears them): the time of the last one, by the
// database's clock, is what the sweeper's stuck detection reads.
@Controller()
export class BuildHeartbeatListener {
  private readonly logger = new Logger(BuildHeartbeatListener.name);

  constructor(private readonly repo: DeploymentsRepository) {}

  @HandleBroadcast(buildHeartbeat)
  async beat(b: BuildHeartbeat) {
    const current = await this.repo.recordHeartbeat(b.deploymentId, b.attempt, b.lastSeq);
    if (!current) this.logger.debug({ deploymentId: b.deploymentId, attempt: b.attempt, builder: b.builder }, 'heartbeat of an attempt that is not current ignored');
  }
}
