import type { INestApplication } from '@nestjs/common';
import { JetStreamServer } from './jetstream.server';
import { NatsCommandServer } from './nats-command.server';

// Connects the service's two bus transports to its Nest app (a hybrid app: HTTP for health,
// metrics and the gateway's API) and starts them: command handlers subscribe, consumers pull.
export async function startBusTransports(app: INestApplication): Promise<void> {
  app.connectMicroservice({ strategy: app.get(NatsCommandServer) }, { inheritAppConfig: true });
  app.connectMicroservice({ strategy: app.get(JetStreamServer) }, { inheritAppConfig: true });
  await app.startAllMicroservices();
}
