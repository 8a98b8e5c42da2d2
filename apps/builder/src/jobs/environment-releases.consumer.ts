import { Controller, Inject } from '@nestjs/common';
import { Durables, type EnvironmentDeleted, type EnvironmentRestored, environmentDeleted, environmentRestored } from '@flightdeck/contracts';
import { HandleEvent } from '@flightdeck/messaging';
import { RELEASE_PROVIDER, type ReleaseProvider } from '../provider/release-provider';

// environment-manager's facts about environments, in order (one durable consumer reads both, so a
// restore never overtakes the delete before it): a deleted environment's URL stops serving, a
// restored one's serves its last release again. Deployments, logs and previews stay. A durable
// consumer, so a builder that was down catches up; with several builder replicas only the one that
// takes a message changes its own edge (the others' routes follow from Postgres at their restart).
@Controller()
export class EnvironmentReleasesConsumer {
  constructor(@Inject(RELEASE_PROVIDER) private readonly provider: ReleaseProvider) {}

  @HandleEvent(environmentDeleted, { stream: 'environmentEvents', durable: Durables.environmentReleases })
  async deleted({ project, environment }: EnvironmentDeleted): Promise<void> {
    await this.provider.retire({ projectName: project.name, environmentName: environment.name });
  }

  @HandleEvent(environmentRestored, { stream: 'environmentEvents', durable: Durables.environmentReleases })
  async restored({ project, environment }: EnvironmentRestored): Promise<void> {
    await this.provider.reinstate({ projectName: project.name, environmentName: environment.name });
  }
}
