export * from './fake-vercel-api';
