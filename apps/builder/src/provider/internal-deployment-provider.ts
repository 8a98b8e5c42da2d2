import { z } from 'zod';
import { type DeployRequest, type DeployResult, type DeploymentProvider, INTERNAL_PROVIDER, type ProviderCallContext, type ProviderDefinition, type RollbackRequest } from '@flightdeck/providers';
import { ReleaseFailedError, type ReleaseProvider, type ReleaseSpec } from './release-provider';

/** a DeployRequest the builder made of a ReleaseSpec: the spec itself rides along, whole */
export type InternalDeployRequest = DeployRequest & { spec?: ReleaseSpec };

// The internal provider (this folder: releases on this machine behind the edge) behind the
// DeploymentProvider interface: an adapter over ReleaseProvider, which stays as it is.
export class InternalDeploymentProvider implements DeploymentProvider {
  constructor(private readonly releases: ReleaseProvider) {}

  deploy(req: InternalDeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    return this.releases.deploy(req.spec ?? toReleaseSpec(req), ctx.log, ctx.signal);
  }

  rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const { deploymentId, projectName, environmentName, toDeploymentId } = req;
    return this.releases.rollback({ deploymentId, projectName, environmentName, toDeploymentId }, ctx.log, ctx.signal);
  }
}

/** a request that came without the builder's spec (another caller than the pipeline): an artifact only */
const toReleaseSpec = (req: DeployRequest): ReleaseSpec => {
  if (req.source.type !== 'artifact') throw new ReleaseFailedError('the internal provider runs artifacts, not images', 'an image was given');
  const { deploymentId, projectName, environmentName, env, source } = req;
  return { deploymentId, projectName, environmentName, env, artifactPath: source.path, kind: source.kind, startCommand: source.startCommand, healthCheckPath: source.healthCheckPath };
};

export const internalProviderDefinition = (releases: ReleaseProvider): ProviderDefinition<Record<string, never>> => ({
  name: INTERNAL_PROVIDER,
  description: 'this machine: Node servers and static sites behind the edge router',
  settings: z.object({}).strict() as z.ZodType<Record<string, never>>,
  credentials: [],
  supports: { rollback: true, cancel: true, webhooks: false },
  create: () => new InternalDeploymentProvider(releases),
});
