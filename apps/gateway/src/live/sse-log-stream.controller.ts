import { randomUUID } from 'node:crypto';
import { Controller, Get, Inject, Logger, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { ErrorCode, LogLevel, LogSource, PgCount } from '@flightdeck/contracts';
import { ApiException } from '../http/api.exception';
import { IdParam, ValidHeader, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { ConnectionFlow } from './connection-flow';
import type { FollowerSink } from './live-follower';
import { LiveSubscriptions } from './live-subscriptions.service';
import { LIVE_SETTINGS, type LiveSettings } from './live.settings';
import { SSE_KEEPALIVE_MS, openEventStream, sseEvent as sse } from './server-sent-events';

const StreamQuery = z
  .object({ afterSeq: PgCount.optional(), level: LogLevel.optional(), step: z.string().max(100).optional(), source: LogSource.optional() })
  .strict();

// The live log for clients without Socket.IO (curl, EventSource, CI): the same followers, ring,
// history reads, gaps and flow control as the Socket.IO feed, written as text/event-stream.
@Controller('deployments/:deploymentId/logs')
export class SseLogStreamController {
  private readonly logger = new Logger(SseLogStreamController.name);

  constructor(
    private readonly subscriptions: LiveSubscriptions,
    @Inject(LIVE_SETTINGS) private readonly settings: LiveSettings,
  ) {}

  @Get('stream')
  @ApiRoute({
    summary:
      "A deployment's log as Server-Sent Events from afterSeq (or Last-Event-ID) on: `logs` events {lines,lastSeq} (id = lastSeq), `status`, `gap` {fromSeq,toSeq} for lines to read from storage, and `end` last",
    ids: ['deploymentId'],
    query: StreamQuery,
    headers: [{ name: 'Last-Event-ID', description: 'the id of the last event received: the stream resumes after that seq' }],
    responses: [{ status: 200, description: 'text/event-stream' }],
    errors: [ErrorCode.DeploymentNotFound],
  })
  async stream(
    @IdParam('deploymentId') deploymentId: string,
    @ValidQuery(StreamQuery) query: z.infer<typeof StreamQuery>,
    @ValidHeader('Last-Event-ID', PgCount.optional()) lastEventId: number | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const clientId = `sse-${randomUUID()}`;
    const flow = new ConnectionFlow(() => res.writableLength, this.settings.flow, () => {
      this.logger.warn({ clientId, deploymentId }, 'slow SSE client disconnected');
      res.end();
    });
    let ended = false;
    // first due after the subscription's answer (a bus request of at most 5 s)
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
    const close = () => {
      if (ended) return;
      ended = true;
      clearInterval(keepalive);
      flow.close();
      this.subscriptions.disconnect(clientId);
    };
    const sink: FollowerSink = {
      connectionId: clientId,
      broadcastable: false,
      // id: the last seq it accounts for, so that Last-Event-ID resumes after it
      logs: (p) => res.write(sse('logs', p, p.lastSeq)),
      status: (p) => res.write(sse('status', p)),
      gap: (p) => res.write(sse('gap', p)),
      end: (p) => {
        res.write(sse('end', p));
        res.end();
        close();
      },
      ready: () => flow.ready(),
      whenReady: (wake) => flow.whenReady(wake),
    };
    this.subscriptions.connect(clientId);
    const { ack, start } = await this.subscriptions.subscribe(
      clientId,
      { deploymentId, afterSeq: lastEventId ?? query.afterSeq ?? 0, level: query.level, step: query.step, source: query.source },
      sink,
      // the route's rights were checked before it ran
      async () => true,
    );
    if (!ack.ok) {
      close();
      throw ApiException.from(ack.error);
    }
    openEventStream(res);
    req.on('close', close);
    start?.();
  }
}
