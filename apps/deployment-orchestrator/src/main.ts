import 'reflect-metadata';
import { bootstrapService, runMain } from '@flightdeck/runtime';
import { AppModule } from './app.module';
import { loadDeploymentOrchestratorConfig } from './config/deployment-orchestrator.config';

runMain('deployment-orchestrator', async () => {
  const config = loadDeploymentOrchestratorConfig();
  await bootstrapService({ name: 'deployment-orchestrator', port: config.HTTP_PORT, host: config.HTTP_HOST, module: AppModule.forRoot(config) });
});
