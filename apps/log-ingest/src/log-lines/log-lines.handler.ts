import { Controller } from '@nestjs/common';
import { type CommandRequest, countLogLevels, getLogVolume, listLogLines, ok, searchLogLines } from '@flightdeck/contracts';
import { HandleCommand } from '@flightdeck/messaging';
import { LogLinesRepository } from './log-lines.repository';

// NATS request/reply: the query arrives parsed by the contract (limit ≤ 5,000 included).
@Controller()
export class LogLinesHandler {
  constructor(private readonly lines: LogLinesRepository) {}

  @HandleCommand(listLogLines)
  async list(req: CommandRequest<typeof listLogLines>) {
    return ok(await this.lines.list(req));
  }

  @HandleCommand(searchLogLines)
  async search(req: CommandRequest<typeof searchLogLines>) {
    return ok({ items: await this.lines.search(req) });
  }

  @HandleCommand(countLogLevels)
  async levels(req: CommandRequest<typeof countLogLevels>) {
    return ok(await this.lines.countLevels(req.deploymentId));
  }

  @HandleCommand(getLogVolume)
  async volume(req: CommandRequest<typeof getLogVolume>) {
    return ok({ deploymentId: req.deploymentId, ...(await this.lines.volume(req.deploymentId)) });
  }
}
