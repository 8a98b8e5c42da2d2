import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway.config';
import { PublisherNatsUsers } from './publisher-nats-users.service';
import { PublishersController } from './publishers.controller';
import { PublishersRepository } from './publishers.repository';
import { PublishersService } from './publishers.service';
import { PUBLISHER_SETTINGS, publisherSettings } from './publishers.settings';

@Module({})
export class PublishersModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: PublishersModule,
      controllers: [PublishersController],
      providers: [
        { provide: PUBLISHER_SETTINGS, useValue: publisherSettings(config) },
        PublishersRepository,
        PublisherNatsUsers,
        PublishersService,
      ],
    };
  }
}
