export * from './fake-lambda-api';
