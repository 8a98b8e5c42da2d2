import 'reflect-metadata';
import { bootstrapService, runMain } from '@flightdeck/runtime';
import { AppModule } from './app.module';
import { loadGatewayConfig } from './config/gateway.config';
import { configureHttp } from './http/configure-http';

runMain('gateway', async () => {
  const config = loadGatewayConfig();
  await bootstrapService({
    name: 'gateway',
    port: config.FLIGHTDECK_GATEWAY_PORT,
    opsPort: config.HTTP_PORT,
    host: config.HTTP_HOST,
    module: AppModule.forRoot(config),
    configure: configureHttp,
  });
});
