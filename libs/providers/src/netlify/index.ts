export * from './netlify.provider';
