import { type DynamicModule, Module } from '@nestjs/common';
import {
  RELEASE_PROVIDER,
  type ReleaseEnvironment,
  type ReleaseLog,
  type ReleaseProvider,
  type ReleaseSpec,
  type ReleaseTarget,
  type ReleaseUrls,
} from '../../src/provider/release-provider';

// Stands in for the internal provider (tested on its own) so these tests see exactly what the
// pipeline hands over: the spec, the artifact on disk, the env. It answers like the real one.
export class RecordingReleaseProvider implements ReleaseProvider {
  readonly deployed: ReleaseSpec[] = [];
  readonly rolledBack: (ReleaseTarget & { toDeploymentId: string })[] = [];
  /** retire and reinstate calls, in order: ['retire', 'shop-staging'] */
  readonly environmentChanges: ['retire' | 'reinstate', string][] = [];
  /** replaces the default behaviour of the next deploys */
  onDeploy?: (spec: ReleaseSpec, log: ReleaseLog, signal: AbortSignal) => Promise<void>;

  async deploy(spec: ReleaseSpec, log: ReleaseLog, signal: AbortSignal): Promise<ReleaseUrls> {
    this.deployed.push(spec);
    log(`unpacking ${spec.artifactPath}`);
    await this.onDeploy?.(spec, log, signal);
    log('health check passed');
    return urls(spec);
  }

  async rollback(target: ReleaseTarget & { toDeploymentId: string }, log: ReleaseLog): Promise<ReleaseUrls> {
    this.rolledBack.push(target);
    log(`routing ${target.projectName}-${target.environmentName} to ${target.toDeploymentId}`);
    return urls(target);
  }

  async retire(e: ReleaseEnvironment): Promise<void> {
    this.environmentChanges.push(['retire', `${e.projectName}-${e.environmentName}`]);
  }

  async reinstate(e: ReleaseEnvironment): Promise<void> {
    this.environmentChanges.push(['reinstate', `${e.projectName}-${e.environmentName}`]);
  }

  module(): DynamicModule {
    return { module: RecordingReleaseModule, providers: [{ provide: RELEASE_PROVIDER, useValue: this }], exports: [RELEASE_PROVIDER] };
  }
}

@Module({})
class RecordingReleaseModule {}

const urls = (t: ReleaseTarget): ReleaseUrls => ({
  url: `http://${t.projectName}-${t.environmentName}.localhost:3080`,
  previewUrl: `http://${t.projectName}-${t.deploymentId.slice(0, 8)}.localhost:3080`,
});
