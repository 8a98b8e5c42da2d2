import { type DynamicModule, Module } from '@nestjs/common';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { EDGE_UPSTREAMS } from '../edge/edge-upstreams';
import { EdgeRouter } from '../edge/edge-router';
import { SandboxModule } from '../sandbox/sandbox.module';
import { RuntimeLogsModule } from '../logs/runtime-logs';
import { RouteTable } from '../edge/route-table';
import { InternalReleaseProvider } from './internal-release-provider';
import { CanaryRollout } from './canary-rollout';
import { CanaryHandler } from './canary.handler';
import { ProviderReportHandler } from './provider-report.handler';
import { ProviderWebhookHandler } from './provider-webhook.handler';
import { ProviderReports } from './provider-reports';
import { ProviderDeploymentsRepository } from './provider-deployments.repository';
import { DeploymentProviders } from './deployment-providers';
import { PROVIDER_SETTINGS, type ProviderModuleOptions, type ProviderSettings, resolveProviderSettings } from './provider-settings';
import { ReleaseProcesses } from './release-processes';
import { RELEASE_PROVIDER } from './release-provider';
import { ReleasesRepository } from './releases.repository';
import { EnvironmentHealthRepository } from './environment-health.repository';
import { ReleaseSupervisor } from './release-supervisor';
import { EnvironmentHealthHandler } from './environment-health.handler';
import { BUILDER_INSTANCE, builderInstance } from '../placement/builder-instance';
import { InstancesRepository } from '../placement/instances.repository';
import { ReleasePlacement } from '../placement/release-placement';
import { EdgeRoutesHandler } from '../placement/edge-routes.handler';

// The internal provider and its edge router. Settings come from BUILDER_CONFIG
// (FLIGHTDECK_DATA_DIR, FLIGHTDECK_EDGE_PORT, FLIGHTDECK_ROUTER_PORT) and FLIGHTDECK_HEALTH_TIMEOUT_MS; options override.
@Module({})
export class ProviderModule {
  static forRoot(options: ProviderModuleOptions = {}): DynamicModule {
    return {
      module: ProviderModule,
      imports: [SandboxModule, RuntimeLogsModule],
      controllers: [EnvironmentHealthHandler, CanaryHandler, ProviderReportHandler, ProviderWebhookHandler, EdgeRoutesHandler],
      providers: [
        {
          provide: PROVIDER_SETTINGS,
          useFactory: (config?: BuilderConfig) => resolveProviderSettings(config, options),
          inject: [{ token: BUILDER_CONFIG, optional: true }],
        },
        {
          provide: BUILDER_INSTANCE,
          useFactory: (s: ProviderSettings) =>
            builderInstance({ id: s.builderId, advertise: s.routerAdvertise, listenHost: s.edgeHost, routerPort: s.routerPort, deadAfterMs: s.builderDeadAfterMs }),
          inject: [PROVIDER_SETTINGS],
        },
        InstancesRepository,
        ReleasePlacement,
        RouteTable,
        ReleasesRepository,
        ReleaseProcesses,
        EnvironmentHealthRepository,
        ReleaseSupervisor,
        { provide: EDGE_UPSTREAMS, useExisting: ReleaseProcesses },
        EdgeRouter,
        CanaryRollout,
        InternalReleaseProvider,
        // the custom provider's short-lived credentials to report back on a deployment
        ProviderReports,
        ProviderDeploymentsRepository,
        // the environment's provider (none configured: the internal one)
        DeploymentProviders,
        { provide: RELEASE_PROVIDER, useExisting: DeploymentProviders },
      ],
      exports: [RELEASE_PROVIDER, DeploymentProviders, InternalReleaseProvider, ReleaseProcesses, ReleaseSupervisor],
    };
  }
}
