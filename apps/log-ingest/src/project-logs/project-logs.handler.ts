import { Controller, Inject } from '@nestjs/common';
import { type CommandRequest, ErrorCode, err, logSearchWindow, ok, pinLogLines, searchProjectLogLines, setLogRetention } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { DeploymentProjectsRepository } from './deployment-projects.repository';
import { ProjectLogSearchRepository, QUERY_CANCELED } from './project-log-search.repository';
import { PROJECT_LOGS_SETTINGS, type ProjectLogsSettings } from './project-logs.settings';

// within the command's 15 s timeout, with room for the reply
const SEARCH_TIMEOUT_MS = 10_000;

// NATS request/reply: queries arrive parsed by their contracts (empty q, a range past 31 days refused).
@Controller()
export class ProjectLogsHandler {
  constructor(
    private readonly search: ProjectLogSearchRepository,
    private readonly projects: DeploymentProjectsRepository,
    @Inject(PROJECT_LOGS_SETTINGS) private readonly settings: ProjectLogsSettings,
  ) {}

  @HandleCommand(searchProjectLogLines)
  async searchProject(req: CommandRequest<typeof searchProjectLogLines>) {
    const { from, to } = logSearchWindow(req);
    try {
      const hits = await this.search.search({ ...req, from, to }, SEARCH_TIMEOUT_MS);
      return ok({ items: hits.slice(0, req.limit), from: from.toISOString(), to: to.toISOString(), truncated: hits.length > req.limit });
    } catch (e) {
      if ((e as { code?: string }).code !== QUERY_CANCELED) throw e;
      return err(ErrorCode.LogSearchTooBroad, `the search read too many lines to answer within ${SEARCH_TIMEOUT_MS / 1000} s: add a longer word or narrow from..to`);
    }
  }

  // applied by the next retention run (hourly), on whichever replica takes the lock
  @HandleCommand(setLogRetention)
  async setRetention(req: CommandRequest<typeof setLogRetention>) {
    await this.projects.setRetention(req.projectId, req.days);
    return ok({ projectId: req.projectId, days: req.days, effectiveDays: req.days ?? this.settings.retentionDays });
  }

  @HandleCommand(pinLogLines)
  async pin(req: CommandRequest<typeof pinLogLines>) {
    await this.projects.pin(req.deploymentId, req.pinned);
    return ok({ deploymentId: req.deploymentId, pinned: req.pinned });
  }
}
