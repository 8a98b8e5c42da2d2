export * from './fake-netlify-api';
