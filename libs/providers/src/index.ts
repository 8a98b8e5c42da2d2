export * from './deployment-provider';
export * from './provider-error';
export * from './provider-retry';
export * from './provider-registry';
export * from './credential-variables';
export * from './registry';
