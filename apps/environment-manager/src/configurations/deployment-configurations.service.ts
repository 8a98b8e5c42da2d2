import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type DeploymentConfiguration,
  ErrorCode,
  type ResolvedVariable,
  type Result,
  err,
  ok,
} from '@flightdeck/contracts';
import type { EnvironmentEntity } from '../projects/environment.entity';
import { toEnvironment } from '../projects/projects.mapper';
import { configuredVariable, diffConfigurations } from './configuration-diff';
import { DeploymentConfigurationEntity } from './deployment-configuration.entity';

// The environment's settings as a deployment ran with them: what identifies it or its lifecycle is left out.
const settingsOf = (env: EnvironmentEntity): Record<string, unknown> => {
  const { id: _id, projectId: _projectId, createdAt: _createdAt, deletedAt: _deletedAt, isDefault: _isDefault, ...settings } = toEnvironment(env);
  return settings;
};

const toConfiguration = (e: DeploymentConfigurationEntity): DeploymentConfiguration => ({
  deploymentId: e.deploymentId,
  environmentId: e.environmentId,
  recordedAt: e.recordedAt.toISOString(),
  variables: e.variables,
  settings: e.settings,
});

// Each deployment's configuration, written whenever its variables are resolved for a job: a next
// attempt's resolve replaces it, since that attempt is what ran.
@Injectable()
export class DeploymentConfigurations {
  constructor(private readonly ds: DataSource) {}

  async record(env: EnvironmentEntity, deploymentId: string, resolved: readonly ResolvedVariable[]): Promise<void> {
    const variables = resolved.map(configuredVariable).sort((a, b) => a.key.localeCompare(b.key));
    await this.ds.query(
      `insert into environments.deployment_configurations (deployment_id, environment_id, recorded_at, variables, settings)
       values ($1, $2, now(), $3, $4)
       on conflict (deployment_id) do update set recorded_at = now(), variables = excluded.variables, settings = excluded.settings`,
      [deploymentId, env.id, JSON.stringify(variables), JSON.stringify(settingsOf(env))],
    );
  }

  async get(deploymentId: string): Promise<Result<DeploymentConfiguration>> {
    const row = await this.ds.getRepository(DeploymentConfigurationEntity).findOneBy({ deploymentId });
    return row
      ? ok(toConfiguration(row))
      : err(ErrorCode.DeploymentNotFound, `deployment ${deploymentId} has no recorded configuration (its variables were never resolved: it did not reach a builder)`);
  }

  async diff(deploymentId: string, against: string) {
    const [a, b] = await Promise.all([this.get(deploymentId), this.get(against)]);
    if (!a.ok) return a;
    if (!b.ok) return b;
    return ok({ deploymentId, against, ...diffConfigurations(a.data, b.data) });
  }
}
