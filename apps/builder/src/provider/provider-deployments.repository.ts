import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface ProviderDeploymentRow {
  deploymentId: string;
  /** the provider it was released by (the environment's configuration at the time) */
  provider: string;
  /** what that provider answered (DeployResult.providerDeploymentId), when it gave an id */
  providerDeploymentId: string | null;
}

// The only code that knows builder.provider_deployments.
@Injectable()
export class ProviderDeploymentsRepository {
  constructor(private readonly ds: DataSource) {}

  async record(row: ProviderDeploymentRow): Promise<void> {
    await this.ds.query(
      `insert into builder.provider_deployments (deployment_id, provider, provider_deployment_id) values ($1, $2, $3)
       on conflict (deployment_id) do update set provider = excluded.provider, provider_deployment_id = excluded.provider_deployment_id, recorded_at = now()`,
      [row.deploymentId, row.provider, row.providerDeploymentId],
    );
  }

  async find(deploymentId: string): Promise<ProviderDeploymentRow | undefined> {
    const rows: { provider: string; provider_deployment_id: string | null }[] = await this.ds.query(
      `select provider, provider_deployment_id from builder.provider_deployments where deployment_id = $1`,
      [deploymentId],
    );
    const r = rows[0];
    return r && { deploymentId, provider: r.provider, providerDeploymentId: r.provider_deployment_id };
  }
}
