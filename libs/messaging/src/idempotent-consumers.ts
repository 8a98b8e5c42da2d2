import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { DataSource } from 'typeorm';
import { IdempotentConsumer, type ConsumerSpec } from './idempotent.consumer';
import { NATS_CONNECTION } from './nats-connection';

// Starts a service's durable consumers and stops them, in-flight work finished, on shutdown.
@Injectable()
export class JetStreamConsumers {
  private readonly consumers: IdempotentConsumer[] = [];

  constructor(@Inject(NATS_CONNECTION) private readonly nc: NatsConnection) {}

  async start(spec: ConsumerSpec, ds: DataSource, schema: string): Promise<IdempotentConsumer> {
    const consumer = new IdempotentConsumer(spec, this.nc.jetstream(), await this.nc.jetstreamManager(), ds, schema);
    await consumer.start();
    this.consumers.push(consumer);
    return consumer;
  }

  async stopAll() {
    await Promise.all(this.consumers.splice(0).map((c) => c.stop()));
  }
}
