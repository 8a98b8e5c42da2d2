import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type CommandRequest,
  type DeploymentSchedule,
  ErrorCode,
  type Result,
  type SetDeploymentScheduleRequest,
  type deleteDeploymentSchedule,
  type listDeploymentSchedules,
  err,
  ok,
} from '@flightdeck/contracts';
import { ProjectDirectory } from '../dispatch/project-directory';
import { DeploymentScheduleEntity } from './deployment-schedule.entity';
import { toSchedule } from './deployment-schedule.mapper';
import { DeploymentSchedulesRepository } from './deployment-schedules.repository';
import { checkCron } from './schedule-timing';

// Set, list and delete an environment's schedule. The environment must be the project's
// (environment-manager says so over the bus); a bad cron or time zone changes nothing.
@Injectable()
export class DeploymentSchedulesService {
  private readonly logger = new Logger(DeploymentSchedulesService.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: DeploymentSchedulesRepository,
    private readonly directory: ProjectDirectory,
  ) {}

  async set(req: SetDeploymentScheduleRequest): Promise<Result<DeploymentSchedule>> {
    const now = await this.repo.now();
    const timing = checkCron(req.cron, req.timezone, now);
    if (!timing.ok) return err(ErrorCode.ScheduleInvalidCron, timing.reason, { cron: req.cron, timezone: req.timezone });
    const target = await this.directory.resolve(req.projectId, req.environmentId);
    if (!target.ok) return target;
    const saved = await this.ds.transaction(async (tx) => {
      const s = Object.assign(new DeploymentScheduleEntity(), {
        id: randomUUID(),
        environmentId: req.environmentId,
        projectId: req.projectId,
        cron: req.cron,
        timezone: req.timezone,
        sourceRef: req.sourceRef,
        enabled: req.enabled,
        nextRunAt: req.enabled ? timing.next : null,
        createdBy: req.actor.id,
      });
      await this.repo.upsert(tx, s);
      return (await this.repo.findByEnvironment(req.environmentId, tx))!;
    });
    this.logger.log({ scheduleId: saved.id, environmentId: saved.environmentId, cron: saved.cron, nextRunAt: saved.nextRunAt }, 'deployment schedule set');
    return ok(toSchedule(saved));
  }

  async list(req: CommandRequest<typeof listDeploymentSchedules>): Promise<Result<{ items: DeploymentSchedule[] }>> {
    const items = await this.repo.list(req.projectId, req.environmentId);
    return ok({ items: items.map(toSchedule) });
  }

  async delete(req: CommandRequest<typeof deleteDeploymentSchedule>): Promise<Result<DeploymentSchedule>> {
    const deleted = await this.ds.transaction(async (tx) => {
      // waits for a firing in progress, so it never lands after the delete
      const s = await this.repo.lockByEnvironment(tx, req.environmentId);
      if (!s || s.projectId !== req.projectId) return undefined;
      await this.repo.delete(tx, s.id);
      return s;
    });
    if (!deleted) return err(ErrorCode.ScheduleNotFound, `environment ${req.environmentId} of project ${req.projectId} has no deployment schedule`);
    this.logger.log({ scheduleId: deleted.id, environmentId: deleted.environmentId, by: req.actor.id }, 'deployment schedule deleted');
    return ok(toSchedule(deleted));
  }
}
