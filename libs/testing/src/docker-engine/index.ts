export * from './build-context';
export * from './dockerfile-check';
export * from './fake-container';
export * from './fake-docker-engine';
