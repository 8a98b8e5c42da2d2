import { Inject, Injectable } from '@nestjs/common';
import { type EnvironmentLimits, getEnvironment } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { BUILDER_CONFIG, type BuilderConfig } from '../config/builder.config';
import { type BuildStepLimits, type Resolved, type ResourceLimits, resolveBuildLimits, resolveReleaseLimits } from '../sandbox/resource-limits';

export interface JobLimits {
  build: Resolved<BuildStepLimits>;
  release: Resolved<ResourceLimits>;
  /** set when the environment's own limits could not be read: the operator's defaults apply */
  unavailable?: string;
}

// A job's limits: the operator's defaults (builder settings), overridden by what its environment
// sets (environment-manager), capped at what the host can give.
@Injectable()
export class EnvironmentLimitsSource {
  constructor(
    private readonly bus: Bus,
    @Inject(BUILDER_CONFIG) private readonly config: BuilderConfig,
  ) {}

  get defaults(): { build: BuildStepLimits; release: ResourceLimits } {
    const c = this.config;
    return {
      build: {
        memoryMb: c.FLIGHTDECK_BUILD_MEMORY_MB,
        processes: c.FLIGHTDECK_BUILD_PROCESSES,
        cpus: c.FLIGHTDECK_BUILD_CPUS,
        diskMb: c.FLIGHTDECK_BUILD_DISK_MB,
        installTimeoutSeconds: c.FLIGHTDECK_INSTALL_TIMEOUT_SECONDS,
        buildTimeoutSeconds: c.FLIGHTDECK_BUILD_TIMEOUT_SECONDS,
      },
      release: { memoryMb: c.FLIGHTDECK_RELEASE_MEMORY_MB, processes: c.FLIGHTDECK_RELEASE_PROCESSES, cpus: c.FLIGHTDECK_RELEASE_CPUS },
    };
  }

  async forEnvironment(environmentId: string): Promise<JobLimits> {
    let overrides: EnvironmentLimits = {};
    let unavailable: string | undefined;
    const r = await this.bus.request(getEnvironment, { environmentId }).catch((e: Error) => ({ ok: false as const, error: { message: e.message } }));
    if (r.ok) overrides = r.data.limits ?? {};
    else unavailable = r.error.message;
    const d = this.defaults;
    return { build: resolveBuildLimits(d.build, overrides.build), release: resolveReleaseLimits(d.release, overrides.release), unavailable };
  }
}
