import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { Bus } from './bus';
import { CommandHandlerExplorer } from './command-handler.explorer';
import { JetStreamConsumers } from './jetstream.consumers';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { NATS_CONNECTION, connectNats } from './nats-connection';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox.relay';
import { ensureStreams } from './streams';

export interface MessagingModuleOptions extends MessagingOptions {
  /** the service's schema: enables its outbox and relay */
  outboxSchema?: string;
}

const OUTBOX_RELAY = Symbol('OUTBOX_RELAY');

@Injectable()
class MessagingLifecycle implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Messaging');

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly handlers: CommandHandlerExplorer,
    private readonly consumers: JetStreamConsumers,
    @Optional() @Inject(OUTBOX_RELAY) private readonly relay?: OutboxRelay,
  ) {}

  async onModuleInit() {
    await ensureStreams(await this.nc.jetstreamManager());
    this.relay?.start();
  }

  // Stop taking work first; in-flight handlers finish and ack before the connection drains.
  async beforeApplicationShutdown() {
    await this.handlers.stop();
    await this.consumers.stopAll();
    await this.relay?.stop();
  }

  async onApplicationShutdown() {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => undefined);
    this.logger.log('NATS drained');
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const outboxProviders = options.outboxSchema
      ? [
          { provide: Outbox, useValue: new Outbox(options.outboxSchema) },
          {
            provide: OUTBOX_RELAY,
            inject: [DataSource, NATS_CONNECTION],
            useFactory: (ds: DataSource, nc: NatsConnection) =>
              new OutboxRelay(ds, nc.jetstream(), { schema: options.outboxSchema! }),
          },
        ]
      : [];
    return {
      module: MessagingModule,
      imports: [DiscoveryModule],
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: NATS_CONNECTION,
          useFactory: () => connectNats(options),
        },
        Bus,
        CommandHandlerExplorer,
        JetStreamConsumers,
        MessagingLifecycle,
        ...outboxProviders,
      ],
      exports: [NATS_CONNECTION, Bus, JetStreamConsumers, ...(options.outboxSchema ? [Outbox] : [])],
    };
  }
}
