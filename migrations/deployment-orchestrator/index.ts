import { CreateMessagingTables1763900000000 } from './1763900000000-create-messaging-tables';
import { CreateDeployments1764000000000 } from './1764000000000-create-deployments';
import { AddDeploymentProvider1764300000000 } from './1764300000000-add-deployment-provider';
import { AddEnvironmentQueue1764700000000 } from './1764700000000-add-environment-queue';
import { CreateDeploymentSchedules1764800000000 } from './1764800000000-create-deployment-schedules';
import { CreateEnvironmentPauses1765600000000 } from './1765600000000-create-environment-pauses';
import { HeldDeployments1765700000000 } from './1765700000000-held-deployments';
import { DeploymentProviderNames1765800000000 } from './1765800000000-deployment-provider-names';

// Applied in this order at start-up and by `npm run migrate`.
export const migrations = [
  CreateMessagingTables1763900000000,
  CreateDeployments1764000000000,
  AddDeploymentProvider1764300000000,
  AddEnvironmentQueue1764700000000,
  CreateDeploymentSchedules1764800000000,
  CreateEnvironmentPauses1765600000000,
  HeldDeployments1765700000000,
  DeploymentProviderNames1765800000000,
];
