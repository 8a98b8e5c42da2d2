export * from './child-exit';
export * from './free-port';
export * from './process-user';
export * from './postgres.server';
export * from './nats.server';
export * from './service-stack';
export * from './test-infra';
export * from './git-repo';
