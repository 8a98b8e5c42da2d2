// Which dependencies mean which variables. A family matches when any of its packages is a
// dependency (or a dev dependency) of the project.
export interface DependencyFamily {
  name: string;
  packages: string[];
  keys: string[];
}

export const DEPENDENCY_FAMILIES: DependencyFamily[] = [
  {
    name: 'postgres',
    packages: [
      '@prisma/client',
      'prisma',
      'drizzle-orm',
      'pg',
      'postgres',
      '@neondatabase/serverless',
      '@vercel/postgres',
      'typeorm',
    ],
    keys: ['DATABASE_URL'],
  },
  { name: 'mongodb', packages: ['mongodb', 'mongoose'], keys: ['MONGODB_URI'] },
  {
    name: 'supabase',
    packages: ['@supabase/supabase-js', '@supabase/ssr', '@supabase/auth-helpers-nextjs'],
    keys: ['NEXT_PUBLIC_SUPABASE_URL', 'NEXT_PUBLIC_SUPABASE_ANON_KEY'],
  },
  { name: 'nextauth', packages: ['next-auth', '@auth/core'], keys: ['NEXTAUTH_SECRET', 'NEXTAUTH_URL'] },
  {
    name: 'clerk',
    packages: [
      '@clerk/nextjs',
      '@clerk/clerk-sdk-node',
      '@clerk/express',
      '@clerk/backend',
      '@clerk/remix',
      '@clerk/clerk-react',
    ],
    keys: ['NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY'],
  },
  {
    name: 'anthropic',
    packages: ['@anthropic-ai/sdk', '@ai-sdk/anthropic', '@langchain/anthropic'],
    keys: ['ANTHROPIC_API_KEY'],
  },
  { name: 'openai', packages: ['openai', '@ai-sdk/openai', '@langchain/openai'], keys: ['OPENAI_API_KEY'] },
  {
    name: 'aws-bedrock',
    packages: [
      '@aws-sdk/client-bedrock-runtime',
      '@aws-sdk/client-bedrock',
      '@ai-sdk/amazon-bedrock',
      '@anthropic-ai/bedrock-sdk',
    ],
    keys: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'],
  },
  {
    name: 'gemini',
    packages: ['@google/generative-ai', '@google/genai', '@ai-sdk/google'],
    keys: ['GOOGLE_GENERATIVE_AI_API_KEY'],
  },
  { name: 'redis', packages: ['redis', 'ioredis', '@upstash/redis', 'bullmq'], keys: ['REDIS_URL'] },
];

export const matches = (family: DependencyFamily, deps: Set<string>): string | undefined => {
  return family.packages.find((p) => deps.has(p));
};
