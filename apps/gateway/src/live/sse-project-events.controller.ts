import { Controller, Get, Logger, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ErrorCode } from '@flightdeck/contracts';
import { ApiException } from '../http/api.exception';
import { IdParam } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { ProjectSubscriptions } from './project-subscriptions';
import { SSE_KEEPALIVE_MS, openEventStream, sseEvent } from './server-sent-events';

// How much one project-events client may hold unsent before it is let go: status events are small
// and few, a client this far behind is not reading.
const MAX_UNSENT_BYTES = 1 << 20;

// A project's deployments as they change, for clients without Socket.IO (a dashboard's EventSource,
// a CI script): one `status` event {deployment, transition} per status or phase change.
@Controller('projects/:projectId/events')
export class SseProjectEventsController {
  private readonly logger = new Logger(SseProjectEventsController.name);

  constructor(private readonly projects: ProjectSubscriptions) {}

  @Get()
  @ApiRoute({
    summary: "Every status and phase change of a project's deployments from now on, as Server-Sent Events (`status` {deployment, transition})",
    ids: ['projectId'],
    responses: [{ status: 200, description: 'text/event-stream' }],
    errors: [ErrorCode.ProjectNotFound],
  })
  async stream(@IdParam('projectId') projectId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    let stop: (() => void) | undefined;
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
    const close = () => {
      clearInterval(keepalive);
      stop?.();
      stop = undefined;
    };
    const outcome = await this.projects.subscribe(
      { projectId },
      // the route's rights were checked before it ran
      async () => true,
      (p) => {
        if (res.writableLength > MAX_UNSENT_BYTES) {
          this.logger.warn({ projectId }, 'slow project-events client disconnected');
          close();
          res.end();
          return;
        }
        res.write(sseEvent('status', p));
      },
    );
    if (!outcome.ok) {
      close();
      throw ApiException.from(outcome.error);
    }
    stop = outcome.stop;
    openEventStream(res);
    req.on('close', close);
  }
}
