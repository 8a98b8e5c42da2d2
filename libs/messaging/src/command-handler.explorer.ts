import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { Msg, NatsConnection, Subscription } from 'nats';
import { ErrorCode, type Result, describeIssues, err } from '@flightdeck/contracts';
import { COMMAND_HANDLER, type CommandHandlerMetadata } from './command-handler';
import { runWithCorrelation } from './correlation';
import { decodeEnvelope, encodeJson } from './envelope.codec';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { NATS_CONNECTION } from './nats-connection';

type Handler = (data: unknown) => Promise<Result<unknown>> | Result<unknown>;

@Injectable()
export class CommandHandlerExplorer implements OnApplicationBootstrap {
  private readonly logger = new Logger('CommandHandlers');
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  onApplicationBootstrap() {
    for (const wrapper of this.discovery.getProviders().concat(this.discovery.getControllers())) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const proto = Object.getPrototypeOf(instance);
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[name];
        const meta: CommandHandlerMetadata | undefined =
          typeof fn === 'function' ? Reflect.getMetadata(COMMAND_HANDLER, fn) : undefined;
        if (meta) this.subscribe(meta, (fn as Handler).bind(instance));
      }
    }
  }

  // Called on shutdown before the connection drains: no new requests are taken.
  async stop() {
    await Promise.all(this.subscriptions.map((s) => s.drain().catch(() => undefined)));
  }

  private subscribe(meta: CommandHandlerMetadata, handler: Handler) {
    const { command } = meta;
    const sub = this.nc.subscribe(command.subject, {
      queue: meta.broadcast ? undefined : this.options.serviceName,
      callback: (error, msg) => {
        if (error) return this.logger.error({ subject: command.subject, error: error.message }, 'subscription error');
        void this.handle(meta, handler, msg);
      },
    });
    this.subscriptions.push(sub);
    this.logger.log({ subject: command.subject }, 'handling command');
  }

  private async handle(meta: CommandHandlerMetadata, handler: Handler, msg: Msg) {
    const { command } = meta;
    const decoded = decodeEnvelope(msg.data);
    if (!decoded.ok) return this.reply(msg, err(ErrorCode.InvalidMessage, decoded.reason));
    const { envelope } = decoded;
    await runWithCorrelation(envelope.correlationId, async () => {
      if (envelope.v !== command.version) {
        this.logger.warn({ subject: command.subject, v: envelope.v }, 'rejected message of unsupported version');
        return this.reply(
          msg,
          err(ErrorCode.InvalidMessage, `${command.subject} speaks version ${command.version}, got ${envelope.v}`),
        );
      }
      const parsed = command.request.safeParse(envelope.data);
      if (!parsed.success) {
        const { message, fields } = describeIssues(parsed.error);
        return this.reply(msg, err(ErrorCode.InvalidInput, message, { fields }));
      }
      try {
        this.reply(msg, await handler(parsed.data));
      } catch (e) {
        this.logger.error({ subject: command.subject, err: e }, 'command handler failed');
        this.reply(msg, err(ErrorCode.InternalError, 'internal error'));
      }
    });
  }

  private reply(msg: Msg, result: Result<unknown>) {
    if (msg.reply) msg.respond(encodeJson(result));
  }
}
