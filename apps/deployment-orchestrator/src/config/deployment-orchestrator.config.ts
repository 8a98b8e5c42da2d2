import { z } from 'zod';
import { BaseServiceEnv, httpPort, parseConfig } from '@flightdeck/runtime';

export const DeploymentOrchestratorEnv = BaseServiceEnv.extend({
  HTTP_PORT: httpPort(3001),
});
export type DeploymentOrchestratorConfig = z.infer<typeof DeploymentOrchestratorEnv>;

export const loadDeploymentOrchestratorConfig = (env: NodeJS.ProcessEnv = process.env): DeploymentOrchestratorConfig => parseConfig(DeploymentOrchestratorEnv, env);
