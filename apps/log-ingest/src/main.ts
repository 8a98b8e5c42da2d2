import 'reflect-metadata';
import { bootstrapService, runMain } from '@flightdeck/runtime';
import { AppModule } from './app.module';
import { loadLogIngestConfig } from './config/log-ingest.config';

runMain('log-ingest', async () => {
  const config = loadLogIngestConfig();
  await bootstrapService({ name: 'log-ingest', port: config.HTTP_PORT, host: config.HTTP_HOST, module: AppModule.forRoot(config) });
});
