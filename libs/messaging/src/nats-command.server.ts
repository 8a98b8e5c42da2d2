import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { ErrorCode, type MessageEnvelope, type Result, describeIssues, err, errorCodeOfIssues, findInvalidText } from '@flightdeck/contracts';
import { dataExceptionOf } from './data-exception';
import { runWithCorrelation } from './correlation';
import { decodeEnvelope, encodeJson } from './envelope.codec';
import type { CommandPatternExtras } from './handle-command.decorator';
import { settle } from './handler-result';
import { NATS_COMMANDS } from './transports';

export interface CommandContext {
  subject: string;
  envelope: MessageEnvelope;
}

// Commands and queries over core NATS request/reply, as a Nest transport strategy. Why not Nest's
// built-in NATS transport: its wire format is Nest's own packet ({pattern, data, id}), while ours is
// the versioned envelope of libs/contracts that every service and external publisher speaks, with a
// correlation id and a Result reply; here one queue group per service and the version check and
// schema parse happen before the handler, for every command the same way.
export class NatsCommandServer extends Server implements CustomTransportStrategy {
  override readonly transportId = NATS_COMMANDS;
  private readonly log = new Logger('CommandHandlers');
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly serviceName: string,
  ) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void) {
    for (const [subject, handler] of this.messageHandlers) {
      const extras = handler.extras as CommandPatternExtras | undefined;
      if (!extras?.command) throw new Error(`${subject}: a command handler must be declared with @HandleCommand`);
      const sub = this.nc.subscribe(subject, {
        queue: extras.broadcast ? undefined : this.serviceName,
        callback: (error, msg) => {
          if (error) return this.log.error({ subject, err: error.message }, 'subscription error');
          void this.handle(extras, handler, msg);
        },
      });
      this.subscriptions.push(sub);
      this.log.log({ subject }, 'handling command');
    }
    callback();
  }

  // No new requests are taken; the ones in flight are answered before the connection drains.
  async close() {
    await Promise.all(this.subscriptions.splice(0).map((s) => s.drain().catch(() => undefined)));
  }

  on(): never {
    throw new Error('NatsCommandServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.nc as T;
  }

  private async handle({ command }: CommandPatternExtras, handler: MessageHandler, msg: Msg) {
    const decoded = decodeEnvelope(msg.data);
    if (!decoded.ok) return this.reply(msg, err(ErrorCode.InvalidMessage, decoded.reason));
    const { envelope } = decoded;
    await runWithCorrelation(envelope.correlationId, async () => {
      if (envelope.v !== command.version) {
        this.log.warn({ subject: command.subject, v: envelope.v }, 'rejected message of unsupported version');
        return this.reply(
          msg,
          err(ErrorCode.InvalidMessage, `${command.subject} speaks version ${command.version}, got ${envelope.v}`),
        );
      }
      const invalid = findInvalidText(envelope.data);
      if (invalid) return this.reply(msg, err(ErrorCode.InvalidInput, `${invalid.path}: ${invalid.message}`, { fields: [invalid] }));
      const parsed = command.request.safeParse(envelope.data);
      if (!parsed.success) {
        const { message, fields } = describeIssues(parsed.error);
        return this.reply(msg, err(errorCodeOfIssues(parsed.error), message, { fields }));
      }
      try {
        const ctx: CommandContext = { subject: msg.subject, envelope };
        this.reply(msg, (await settle(handler(parsed.data, ctx))) as Result<unknown>);
      } catch (e) {
        const data = dataExceptionOf(e);
        if (data) {
          this.log.warn({ subject: command.subject, pgCode: data.code }, 'command refused: the database could not store a value');
          return this.reply(msg, err(ErrorCode.InvalidInput, `invalid value: ${data.message}`, { pgCode: data.code }));
        }
        this.log.error({ subject: command.subject, err: e }, 'command handler failed');
        this.reply(msg, err(ErrorCode.InternalError, 'internal error'));
      }
    });
  }

  private reply(msg: Msg, result: Result<unknown>) {
    if (msg.reply) msg.respond(encodeJson(result));
  }
}
