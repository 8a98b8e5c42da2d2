import { Inject, Injectable, Logger } from '@nestjs/common';
import { RequestStrategy, type NatsConnection } from 'nats';
import {
  type CommandDefinition,
  type CommandReply,
  type CommandRequest,
  ErrorCode,
  type Result,
  err,
  resultSchema,
} from '@flightdeck/contracts';
import { decodeJson, encodeEnvelope } from './envelope.codec';
import { NATS_CONNECTION } from './nats-connection';

// Request/reply over core NATS. Every outcome is a Result: a timeout or a missing responder comes
// back as service/unavailable, never as a thrown error the caller must remember to catch.
@Injectable()
export class Bus {
  private readonly logger = new Logger(Bus.name);

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async request<C extends CommandDefinition>(
    command: C,
    data: CommandRequest<C>,
    opts: { timeoutMs?: number } = {},
  ): Promise<Result<CommandReply<C>>> {
    const timeout = opts.timeoutMs ?? command.timeoutMs;
    let bytes: Uint8Array;
    try {
      const msg = await this.nc.request(command.subject, encodeEnvelope(command.subject, command.version, data), {
        timeout,
      });
      bytes = msg.data;
    } catch (e) {
      const reason = (e as { code?: string }).code === '503' ? 'no instance is listening' : 'no reply in time';
      this.logger.warn({ subject: command.subject, timeout, reason }, 'request failed');
      return err(ErrorCode.ServiceUnavailable, `${command.subject}: ${reason}`);
    }
    const parsed = resultSchema(command.reply).safeParse(decodeJson(bytes));
    if (!parsed.success) {
      this.logger.error({ subject: command.subject, issues: parsed.error.issues }, 'malformed reply');
      return err(ErrorCode.InternalError, `${command.subject}: malformed reply`);
    }
    return parsed.data as Result<CommandReply<C>>;
  }

  // Scatter-gather: every instance listening without a queue group answers within maxWaitMs.
  async requestAll<C extends CommandDefinition>(
    command: C,
    data: CommandRequest<C>,
    opts: { maxWaitMs?: number } = {},
  ): Promise<CommandReply<C>[]> {
    const replies: CommandReply<C>[] = [];
    try {
      const it = await this.nc.requestMany(command.subject, encodeEnvelope(command.subject, command.version, data), {
        strategy: RequestStrategy.Timer,
        maxWait: opts.maxWaitMs ?? command.timeoutMs,
      });
      for await (const m of it) {
        const parsed = resultSchema(command.reply).safeParse(decodeJson(m.data));
        if (parsed.success && parsed.data.ok) replies.push(parsed.data.data as CommandReply<C>);
      }
    } catch (e) {
      if ((e as { code?: string }).code !== '503') throw e;
    }
    return replies;
  }
}
