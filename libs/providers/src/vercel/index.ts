export * from './vercel.provider';
