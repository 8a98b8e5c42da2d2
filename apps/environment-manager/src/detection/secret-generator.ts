import { randomBytes } from 'node:crypto';

// As `openssl rand -base64 <bytes>` would: what NextAuth's and Auth.js's docs ask for.
export const generateSecret = (bytes: number): string => randomBytes(bytes).toString('base64');
