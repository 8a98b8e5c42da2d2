export * from './fake-render-api';
