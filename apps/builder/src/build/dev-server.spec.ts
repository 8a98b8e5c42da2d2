import { devServerIn } from './dev-server';

describe('development servers', () => {
  it.each([
    'react-scripts start',
    'vite',
    'vite --host 0.0.0.0',
    'vite dev',
    'next dev',
    'next dev -p 3000',
    'nuxt dev',
    'gatsby develop',
    'vue-cli-service serve',
    'webpack serve --mode development',
    'webpack-dev-server',
    'ng serve',
    'astro dev',
    'docusaurus start',
    'nodemon server.js',
    'cross-env NODE_ENV=development vite',
    'PORT=3000 react-scripts start',
    'npm run build && vite',
    'npx @11ty/eleventy --serve',
  ])('recognises %p as a development server', (cmd) => {
    expect(devServerIn(cmd)).toBeDefined();
  });

  it.each(['node server.js', 'next start', 'vite preview', 'vite build', 'react-scripts build', 'node .output/server/index.mjs', 'fastify start app.js', 'nest start', 'serve -s build', 'dojo build -m dist'])(
    'does not take %p for one',
    (cmd) => {
      expect(devServerIn(cmd)).toBeUndefined();
    },
  );

  it('follows a start script that runs another script to the dev server it starts', () => {
    const scripts = { start: 'npm run dev', dev: 'vite' };
    expect(devServerIn(scripts.start, scripts)).toBe('vite');
    expect(devServerIn('yarn serve', { serve: 'vue-cli-service serve' })).toBe('vue-cli-service serve');
    expect(devServerIn('pnpm run loop', { loop: 'pnpm run loop' })).toBeUndefined();
  });
});
