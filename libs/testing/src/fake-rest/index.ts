export * from './fake-rest-api';
