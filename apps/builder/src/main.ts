import 'reflect-metadata';
import { bootstrapService, runMain } from '@flightdeck/runtime';
import { AppModule } from './app.module';
import { loadBuilderConfig } from './config/builder.config';

runMain('builder', async () => {
  const config = loadBuilderConfig();
  await bootstrapService({ name: 'builder', port: config.HTTP_PORT, host: config.HTTP_HOST, module: AppModule.forRoot(config) });
});
