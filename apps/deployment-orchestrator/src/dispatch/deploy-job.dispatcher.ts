import { Injectable } from '@nestjs/common';
import type { Artifact, DeployJob } from '@flightdeck/contracts';
import type { DeploymentEntity } from '../deployments/deployment.entity';
import type { DeployTarget } from './project-directory';
import { settingsOf } from '../deployments/build-settings-snapshot';

const withSettings = (s: ReturnType<typeof settingsOf>) => (s ? { buildSettings: s } : {});

// The builder's work for a deployment, as it goes on the DEPLOY_JOBS work queue (EnvironmentQueue
// sends it in the transaction that queues the deployment, or when its turn comes). Kept with the
// deployment: a later attempt, or a start after waiting, needs no new look-up of the project.
@Injectable()
export class DeployJobDispatcher {
  jobFor(
    d: DeploymentEntity,
    where: DeployTarget,
    rollbackTo?: { deploymentId: string; artifact: Artifact },
    opts: { clearCache?: boolean; force?: boolean } = {},
  ): DeployJob {
    return {
      deploymentId: d.id,
      attempt: d.attempt,
      kind: rollbackTo ? 'rollback' : 'build',
      projectId: where.project.id,
      projectName: where.project.name,
      environmentId: where.environment.id,
      environmentName: where.environment.name,
      repositoryUrl: where.project.repositoryUrl,
      sourceRef: d.sourceRef,
      ...(rollbackTo ? { target: rollbackTo } : {}),
      ...(opts.clearCache ? { clearCache: true } : {}),
      ...(opts.force ? { force: true } : {}),
      ...withSettings(settingsOf(d.metadata)),
    };
  }
}
