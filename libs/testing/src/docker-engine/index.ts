export * from './build-context';
export * from './dockerfile-check';
export * from './fake-container';
export { FAKE_API_VERSION, frame } from './engine-http';
export * from './fake-docker-engine';
