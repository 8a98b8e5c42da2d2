// What tests need: the local stack's servers (libs/local-stack), one throwaway set per test file,
// and helpers for git repositories and Host-routed requests.
export * from '@flightdeck/local-stack';
export * from './test-infra';
export * from './git-repo';
export * from './get-with-host';
export * from './eventually';
export * from './query-rows';
export * from './factories/contracts.factory';
export * from './docker-engine';
export * from './kube-api';
export * from './aws-lambda-api';
export * from './aws-ecs-api';
export * from './render-api';
export * from './railway-api';
export * from './fake-http-api';
export * from './vercel-api';
export * from './netlify-api';
