import { CreateMessagingTables1763900000000 } from './1763900000000-create-messaging-tables';
import { CreateProjects1764200000000 } from './1764200000000-create-projects';
import { AddEnvironmentLimits1764500000000 } from './1764500000000-add-environment-limits';
import { AddConcurrencyPolicy1764700000000 } from './1764700000000-add-concurrency-policy';
import { EnvironmentSoftDelete1764900000000 } from './1764900000000-environment-soft-delete';
import { ProjectSoftDelete1764900000001 } from './1764900000001-project-soft-delete';
import { ProjectTriggerRate1764950000000 } from './1764950000000-project-trigger-rate';
import { VariableLevelsAndKeyIds1765000000000 } from './1765000000000-variable-levels-and-key-ids';
import { EnvironmentBuildSettings1765100000000 } from './1765100000000-environment-build-settings';
import { DeploymentConfigurations1765200000000 } from './1765200000000-deployment-configurations';
import { EnvironmentPushSettings1765300000000 } from './1765300000000-environment-push-settings';
import { ProjectWebhookSecrets1765400000000 } from './1765400000000-project-webhook-secrets';
import { ProjectGithubTokens1765400000001 } from './1765400000001-project-github-tokens';
import { HookSecrets1765500000000 } from './1765500000000-hook-secrets';
import { EnvironmentAllowedRefs1765600000000 } from './1765600000000-environment-allowed-refs';
import { ProjectRepositoryKey1765610000000 } from './1765610000000-project-repository-key';
import { EnvironmentProtection1765700000000 } from './1765700000000-environment-protection';
import { EnvironmentProvider1765800000000 } from './1765800000000-environment-provider';
import { EnvironmentDomains1765900000000 } from './1765900000000-environment-domains';

// Applied in this order at start-up and by `npm run migrate`.
export const migrations = [
  CreateMessagingTables1763900000000,
  CreateProjects1764200000000,
  AddEnvironmentLimits1764500000000,
  AddConcurrencyPolicy1764700000000,
  EnvironmentSoftDelete1764900000000,
  ProjectSoftDelete1764900000001,
  ProjectTriggerRate1764950000000,
  VariableLevelsAndKeyIds1765000000000,
  EnvironmentBuildSettings1765100000000,
  DeploymentConfigurations1765200000000,
  EnvironmentPushSettings1765300000000,
  ProjectWebhookSecrets1765400000000,
  ProjectGithubTokens1765400000001,
  HookSecrets1765500000000,
  EnvironmentAllowedRefs1765600000000,
  ProjectRepositoryKey1765610000000,
  EnvironmentProtection1765700000000,
  EnvironmentProvider1765800000000,
  EnvironmentDomains1765900000000,
];
