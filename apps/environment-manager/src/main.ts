import 'reflect-metadata';
import { bootstrapService, runMain } from '@flightdeck/runtime';
import { AppModule } from './app.module';
import { loadEnvironmentManagerConfig } from './config/environment-manager.config';

runMain('environment-manager', async () => {
  const config = loadEnvironmentManagerConfig();
  await bootstrapService({ name: 'environment-manager', port: config.HTTP_PORT, host: config.HTTP_HOST, module: AppModule.forRoot(config) });
});
