import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { lastValueFrom, toArray } from 'rxjs';
import {
  type CommandDefinition,
  type CommandReply,
  type CommandRequest,
  ErrorCode,
  type Result,
  err,
  resultSchema,
} from '@flightdeck/contracts';
import { NatsCommandClient } from './command.client';
import { encodeEnvelope } from './envelope.codec';
import { NATS_CONNECTION } from './nats-connection';

const NO_RESPONDER_MAX_PAUSE_MS = 500;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** a reply as its command's contract reads it, or undefined when it does not hold */
export function checkReply<C extends CommandDefinition>(command: C, reply: unknown): Result<CommandReply<C>> | undefined {
  if (command.acceptsReply && isRecord(reply) && reply.ok === true && Object.keys(reply).length === 2 && command.acceptsReply(reply.data)) {
    return reply as Result<CommandReply<C>>;
  }
  const parsed = replySchemaOf(command).safeParse(reply);
  return parsed.success ? (parsed.data as Result<CommandReply<C>>) : undefined;
}

// built once per command: a zod schema built for every reply was a fair share of a request's CPU
const replySchemas = new WeakMap<CommandDefinition, ReturnType<typeof resultSchema>>();
const replySchemaOf = (command: CommandDefinition) => {
  let schema = replySchemas.get(command);
  if (!schema) replySchemas.set(command, (schema = resultSchema(command.reply)));
  return schema;
};

// The typed client of every command: request/reply over NatsCommandClient. Every outcome is a
// Result: a timeout or a missing responder comes back as service/unavailable, never as a thrown
// error the caller must remember to catch.
@Injectable()
export class Bus {
  private readonly logger = new Logger(Bus.name);
  private readonly client: NatsCommandClient;

  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection) {
    this.client = new NatsCommandClient(nc);
  }

  async request<C extends CommandDefinition>(
    command: C,
    data: CommandRequest<C>,
    opts: { timeoutMs?: number } = {},
  ): Promise<Result<CommandReply<C>>> {
    const timeoutMs = opts.timeoutMs ?? command.timeoutMs;
    const payload = encodeEnvelope(command.subject, command.version, data);
    const deadline = Date.now() + timeoutMs;
    let reply: unknown;
    for (let attempt = 1; ; attempt++) {
      try {
        reply = await lastValueFrom(this.client.send(command.subject, { payload, timeoutMs: Math.max(deadline - Date.now(), 1) }));
        break;
      } catch (e) {
        const noResponder = (e as { code?: string }).code === '503';
        // nobody received it, so asking again until the deadline is safe: a replica restarting or
        // nats-server reloading its users leaves a subject without a listener for a moment (about
        // 1 s, several on a loaded machine: a fresh-clone CI run got a 503 after four tries in 1 s)
        const pause = Math.min(100 * attempt, NO_RESPONDER_MAX_PAUSE_MS);
        if (noResponder && Date.now() + pause < deadline) {
          await new Promise((r) => setTimeout(r, pause));
          continue;
        }
        const reason = noResponder ? 'no instance is listening' : 'no reply in time';
        this.logger.warn({ subject: command.subject, timeout: timeoutMs, reason, attempts: attempt }, 'request failed');
        return err(ErrorCode.ServiceUnavailable, `${command.subject}: ${reason}`);
      }
    }
    const checked = checkReply(command, reply);
    if (!checked) {
      this.logger.error({ subject: command.subject, issues: replySchemaOf(command).safeParse(reply).error?.issues }, 'malformed reply');
      return err(ErrorCode.InternalError, `${command.subject}: malformed reply`);
    }
    return checked;
  }

  // Scatter-gather: every instance listening without a queue group answers within maxWaitMs.
  async requestAll<C extends CommandDefinition>(
    command: C,
    data: CommandRequest<C>,
    opts: { maxWaitMs?: number } = {},
  ): Promise<CommandReply<C>[]> {
    const payload = encodeEnvelope(command.subject, command.version, data);
    let replies: unknown[] = [];
    try {
      replies = await lastValueFrom(
        this.client.send(command.subject, { payload, timeoutMs: opts.maxWaitMs ?? command.timeoutMs, all: true }).pipe(toArray()),
      );
    } catch (e) {
      if ((e as { code?: string }).code !== '503') throw e;
    }
    const ok: CommandReply<C>[] = [];
    for (const r of replies) {
      const parsed = replySchemaOf(command).safeParse(r);
      if (parsed.success && parsed.data.ok) ok.push(parsed.data.data as CommandReply<C>);
    }
    return ok;
  }
}
