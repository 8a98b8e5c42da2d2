import type { ProviderDefinition } from '../deployment-provider';
import { DockerProvider } from './docker-provider';
import { DOCKER, DOCKER_CREDENTIALS, DockerSettings, engineEndpoint } from './docker-settings';

export { DockerProvider, type BuiltImage, type DockerDeployRequest } from './docker-provider';
export { repositoryOf, containerEnv } from './docker-release';
export { DockerSettings, engineEndpoint } from './docker-settings';
export { generateDockerfile, type DockerfileInput } from './dockerfile';
export type { BuildHints } from './dockerfile-plan';

// Docker (dockerode over DOCKER_HOST): builds the image, runs it as the environment's container.
export const dockerProvider: ProviderDefinition<DockerSettings> = {
  name: DOCKER,
  description: 'Builds an image (the repository\'s Dockerfile or one generated for the app) on a Docker engine and runs it as the environment\'s container',
  settings: DockerSettings as unknown as ProviderDefinition<DockerSettings>['settings'],
  credentials: DOCKER_CREDENTIALS,
  supports: { rollback: true, cancel: false, webhooks: false },
  // DOCKER_HOST is checked here: a missing or malformed one is named before any build
  create: ({ settings, credentials, host }) =>
    new DockerProvider(settings, engineEndpoint(settings, host.env), credentials.registryPasswordVariable, { allowPrivateAddresses: host.allowPrivateAddresses }),
};
