import type { ProviderDefinition } from './deployment-provider';
import { dockerProvider } from './docker';
import { customProvider } from './custom';
import { githubPagesProvider } from './github-pages';
import { kubernetesProvider } from './kubernetes';
import { awsLambdaProvider } from './aws-lambda';
import { awsEcsProvider } from './aws-ecs';
import { renderProvider } from './render';
import { railwayProvider } from './railway';
import { vercelProvider } from './vercel';
import { netlifyProvider } from './netlify';

// Every provider of this lib: adding one is its folder and one line here. The internal provider
// lives in the builder (it is the builder's edge and processes) and is added to the registry there.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each definition has its own settings type
export const BUILT_IN_PROVIDERS: readonly ProviderDefinition<any>[] = [
  dockerProvider,
  githubPagesProvider,
  customProvider,
  kubernetesProvider,
  awsLambdaProvider,
  awsEcsProvider,
  renderProvider,
  railwayProvider,
  vercelProvider,
  netlifyProvider,
];
