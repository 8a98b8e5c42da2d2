import { CreateMessagingTables1763900000000 } from './1763900000000-create-messaging-tables';
import { CreateBuildJobs1763900100000 } from './1763900100000-create-build-jobs';
import { CreateReleases1763900200000 } from './1763900200000-create-releases';
import { AddRouteCommit1764600000000 } from './1764600000000-add-route-commit';
import { RetireEnvironmentRoutes1764900000000 } from './1764900000000-retire-environment-routes';
import { CreateEnvironmentHealth1765000000000 } from './1765000000000-create-environment-health';
import { PlaceReleases1765700000000 } from './1765700000000-place-releases';
import { CreateProviderDeployments1766000000000 } from './1766000000000-create-provider-deployments';
import { AddRouteUpstream1766100000000 } from './1766100000000-add-route-upstream';

// Applied in this order at start-up and by `npm run migrate`.
export const migrations = [
  CreateMessagingTables1763900000000,
  CreateBuildJobs1763900100000,
  CreateReleases1763900200000,
  AddRouteCommit1764600000000,
  RetireEnvironmentRoutes1764900000000,
  CreateEnvironmentHealth1765000000000,
  PlaceReleases1765700000000,
  CreateProviderDeployments1766000000000,
  AddRouteUpstream1766100000000,
];
