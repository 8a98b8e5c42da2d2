import type { DetectedFramework } from '@flightdeck/contracts';

const BY_DEPENDENCY: [DetectedFramework, (deps: Set<string>) => boolean][] = [
  ['nextjs', (d) => d.has('next')],
  ['remix', (d) => [...d].some((p) => p.startsWith('@remix-run/'))],
  ['nuxt', (d) => d.has('nuxt')],
  ['sveltekit', (d) => d.has('@sveltejs/kit')],
  ['astro', (d) => d.has('astro')],
  ['nestjs', (d) => d.has('@nestjs/core')],
  ['express', (d) => d.has('express') || d.has('fastify') || d.has('koa') || d.has('hono')],
  ['vite', (d) => d.has('vite')],
];

// The first match, most specific first: a Next.js app often depends on express too.
export const detectFramework = (deps: Set<string> | undefined): DetectedFramework => {
  if (!deps) return 'unknown';
  return BY_DEPENDENCY.find(([, test]) => test(deps))?.[0] ?? 'node';
};

// What a framework itself needs or commonly reads.
export const FRAMEWORK_KEYS: Partial<Record<DetectedFramework, string[]>> = {
  nextjs: ['NEXT_PUBLIC_APP_URL'],
};
