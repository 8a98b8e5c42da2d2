import { Controller } from '@nestjs/common';
import {
  type CommandRequest,
  type SetDeploymentScheduleRequest,
  deleteDeploymentSchedule,
  listDeploymentSchedules,
  setDeploymentSchedule,
} from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { DeploymentSchedulesService } from './deployment-schedules.service';

// NATS request/reply: requests arrive parsed by their contract schema; replies are Results.
@Controller()
export class SchedulesHandler {
  constructor(private readonly schedules: DeploymentSchedulesService) {}

  @HandleCommand(setDeploymentSchedule)
  set(req: SetDeploymentScheduleRequest) {
    return this.schedules.set(req);
  }

  @HandleCommand(listDeploymentSchedules)
  list(req: CommandRequest<typeof listDeploymentSchedules>) {
    return this.schedules.list(req);
  }

  @HandleCommand(deleteDeploymentSchedule)
  delete(req: CommandRequest<typeof deleteDeploymentSchedule>) {
    return this.schedules.delete(req);
  }
}
