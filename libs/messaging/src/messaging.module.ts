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
import { ModuleRef } from '@nestjs/core';
import type { NatsConnection } from 'nats';
import { DataSource } from 'typeorm';
import { Bus } from './bus';
import { JetStreamServer } from './jetstream.server';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { NatsCommandServer } from './nats-command.server';
import { NATS_CONNECTION, connectNats } from './nats-connection';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox.relay';
import { withJetStreamRetry } from './jetstream-retry';
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
    private readonly commands: NatsCommandServer,
    private readonly events: JetStreamServer,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Optional() @Inject(OUTBOX_RELAY) private readonly relay?: OutboxRelay,
  ) {}

  async onModuleInit() {
    const jsm = await withJetStreamRetry('JetStream', () => this.nc.jetstreamManager());
    await ensureStreams(jsm, undefined, { replicas: this.options.streamReplicas });
    this.relay?.start();
  }

  // Stop taking work first (Nest closes the transports again later, a no-op by then); in-flight
  // handlers finish and ack, and the outbox they wrote to is relayed, before the connection drains.
  async beforeApplicationShutdown() {
    await this.commands.close();
    await this.events.close();
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
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: NATS_CONNECTION,
          useFactory: () => connectNats(options),
        },
        Bus,
        {
          provide: NatsCommandServer,
          inject: [NATS_CONNECTION],
          useFactory: (nc: NatsConnection) => new NatsCommandServer(nc, options.serviceName),
        },
        {
          provide: JetStreamServer,
          inject: [NATS_CONNECTION, ModuleRef, { token: DataSource, optional: true }],
          useFactory: (nc: NatsConnection, moduleRef: ModuleRef, ds?: DataSource) =>
            new JetStreamServer({ nc, moduleRef, ds, schema: options.outboxSchema }),
        },
        MessagingLifecycle,
        ...outboxProviders,
      ],
      exports: [NATS_CONNECTION, Bus, NatsCommandServer, JetStreamServer, ...(options.outboxSchema ? [Outbox] : [])],
    };
  }
}
