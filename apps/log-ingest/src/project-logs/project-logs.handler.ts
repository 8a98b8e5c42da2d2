import { Controller } from '@nestjs/common';
import { type CommandRequest, ErrorCode, err, logSearchWindow, ok, searchProjectLogLines } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { ProjectLogSearchRepository, QUERY_CANCELED } from './project-log-search.repository';

// within the command's 15 s timeout, with room for the reply
const SEARCH_TIMEOUT_MS = 10_000;

// NATS request/reply: queries arrive parsed by their contracts (empty q, a range past 31 days refused).
@Controller()
export class ProjectLogsHandler {
  constructor(private readonly search: ProjectLogSearchRepository) {}

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
}
