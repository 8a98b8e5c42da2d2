import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Deployment } from '@flightdeck/contracts';

// The only code that knows logs.deployments: which project and environment a deployment is of.
@Injectable()
export class DeploymentProjectsRepository {
  // A deployment's project and environment never change: the first event that names it is enough.
  async record(tx: EntityManager, d: Pick<Deployment, 'id' | 'projectId' | 'environmentId' | 'createdAt'>): Promise<void> {
    await tx.query(
      `insert into logs.deployments (deployment_id, project_id, environment_id, created_at) values ($1, $2, $3, $4)
       on conflict (deployment_id) do nothing`,
      [d.id, d.projectId, d.environmentId, d.createdAt],
    );
  }
}
