import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildSettings } from '@flightdeck/contracts';
import { readPackageJson } from './app-detection';
import { planBuild } from './build-plan';
import { detectPackageManager } from './package-manager';

describe('build plan', () => {
  let dir: string;
  const write = (path: string, content: string | object = '') => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  };
  const plan = (settings: BuildSettings = {}) => {
    const pkg = readPackageJson(dir);
    return planBuild({ dir, rootDirectory: '.', pkg, pm: pkg ? detectPackageManager(dir) : undefined, settings });
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'fd-plan-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('serves a Create React App as static files from build/, never with react-scripts start', async () => {
    write('package.json', { dependencies: { react: '18.3.1', 'react-scripts': '5.0.1' }, scripts: { start: 'react-scripts start', build: 'react-scripts build' } });
    write('package-lock.json', '{}');
    const p = await plan();
    expect(p.detection).toMatchObject({
      framework: 'create-react-app',
      frameworkVersion: '5.0.1',
      packageManager: 'npm (package-lock.json)',
      installCommand: 'npm ci --no-audit --no-fund',
      buildCommand: 'npm run build',
      outputDirectory: 'build',
      startCommand: null,
      runKind: 'static',
    });
    expect(p.start).toBeUndefined();
    expect(p.detection.why.join('\n')).toMatch(/"start" script runs a development server \(react-scripts start\): not used in production/);
  });

  it.each([
    ['Vite', { devDependencies: { vite: '^5.4.0' }, scripts: { dev: 'vite', build: 'vite build' } }, 'vite', 'dist'],
    ['Vite whose start is its dev server', { devDependencies: { vite: '^5.4.0' }, scripts: { start: 'vite', build: 'vite build' } }, 'vite', 'dist'],
    ['Astro without an adapter', { dependencies: { astro: '4.16.0' }, scripts: { build: 'astro build' } }, 'astro', 'dist'],
    ['Gatsby', { dependencies: { gatsby: '5' }, scripts: { start: 'gatsby develop', build: 'gatsby build' } }, 'gatsby', 'public'],
    ['Vue CLI', { devDependencies: { '@vue/cli-service': '5' }, scripts: { start: 'vue-cli-service serve', build: 'vue-cli-service build' } }, 'vue', 'dist'],
    ['Angular', { devDependencies: { '@angular/cli': '17' }, scripts: { start: 'ng serve', build: 'ng build' } }, 'angular', 'dist'],
    ['Docusaurus', { dependencies: { '@docusaurus/core': '3' }, scripts: { start: 'docusaurus start', build: 'docusaurus build' } }, 'docusaurus-2', 'build'],
    ['SvelteKit with the static adapter', { devDependencies: { '@sveltejs/kit': '2', '@sveltejs/adapter-static': '3' }, scripts: { build: 'vite build' } }, 'sveltekit-1', 'build'],
    ['Nuxt generate', { dependencies: { nuxt: '3' }, scripts: { build: 'nuxt generate' } }, 'nuxtjs', '.output/public'],
    ['Eleventy', { devDependencies: { '@11ty/eleventy': '2' }, scripts: { build: 'eleventy' } }, 'eleventy', '_site'],
  ])('serves %s as static files', async (_name, pkg, framework, outputDirectory) => {
    write('package.json', pkg);
    const p = await plan();
    expect(p.detection).toMatchObject({ framework, runKind: 'static', outputDirectory, startCommand: null });
    expect(p.start).toBeUndefined();
  });

  it.each([
    ['Next.js with next start', { dependencies: { next: '14.2.0' }, scripts: { build: 'next build', start: 'next start' } }, 'nextjs', 'npm run start'],
    ['Next.js whose start is next dev', { dependencies: { next: '14.2.0' }, scripts: { build: 'next build', start: 'next dev' } }, 'nextjs', 'next start'],
    ['Nuxt', { dependencies: { nuxt: '3' }, scripts: { build: 'nuxt build', start: 'nuxt dev' } }, 'nuxtjs', 'node .output/server/index.mjs'],
    ['SvelteKit with the Node adapter', { devDependencies: { '@sveltejs/kit': '2', '@sveltejs/adapter-node': '5' }, scripts: { build: 'vite build' } }, 'sveltekit-1', 'node build'],
    ['Astro with the Node adapter', { dependencies: { astro: '4', '@astrojs/node': '8' }, scripts: { build: 'astro build' } }, 'astro', 'node ./dist/server/entry.mjs'],
    ['Remix', { dependencies: { '@remix-run/dev': '2' }, scripts: { build: 'remix build', start: 'remix-serve build/index.js' } }, 'remix', 'npm run start'],
  ])('runs %s as a Node server', async (_name, pkg, framework, startCommand) => {
    write('package.json', pkg);
    const p = await plan();
    expect(p.detection).toMatchObject({ framework, runKind: 'node', startCommand });
    expect(p.start?.argv.join(' ')).toContain(startCommand);
  });

  it('runs a plain server by its start script, or by node server.js when it has none (npm’s own default)', async () => {
    write('package.json', { dependencies: { express: '4.19.2' }, scripts: { start: 'node index.js' } });
    expect((await plan()).detection).toMatchObject({ runKind: 'node', startCommand: 'npm run start', buildCommand: null });
    write('package.json', { dependencies: { fastify: '4' } });
    write('server.js', "require('fastify')");
    expect((await plan()).detection).toMatchObject({ runKind: 'node', startCommand: 'node server.js' });
    expect((await plan()).start?.argv).toEqual(['node', 'server.js']);
  });

  it('does not run a plain server whose start is nodemon, and says so', async () => {
    write('package.json', { dependencies: { express: '4' }, scripts: { start: 'nodemon index.js' } });
    const p = await plan();
    expect(p.start).toBeUndefined();
    expect(p.detection.runKind).toBe('static');
    expect(p.detection.why.join('\n')).toMatch(/development server \(nodemon\)/);
  });

  it('records a Dockerfile at the root as docker, unless a framework is forced', async () => {
    write('package.json', { dependencies: { next: '14' }, scripts: { build: 'next build', start: 'next start' } });
    write('Dockerfile', 'FROM node:20');
    expect((await plan()).detection).toMatchObject({ runKind: 'docker', startCommand: null });
    expect((await plan({ framework: 'nextjs' })).detection).toMatchObject({ runKind: 'node', framework: 'nextjs' });
  });

  it('takes every command from the settings over what it detects', async () => {
    write('package.json', { devDependencies: { vite: '5' }, scripts: { build: 'vite build' } });
    const p = await plan({ installCommand: 'npm install --legacy-peer-deps', buildCommand: 'vite build --mode staging', outputDirectory: 'www' });
    expect(p.detection).toMatchObject({ installCommand: 'npm install --legacy-peer-deps', buildCommand: 'vite build --mode staging', outputDirectory: 'www', runKind: 'static' });
    expect(p.build?.argv.slice(0, 2)).toEqual(['sh', '-c']);
    const served = await plan({ startCommand: 'node dist/server.js' });
    expect(served.detection).toMatchObject({ runKind: 'node', startCommand: 'node dist/server.js' });
    expect((await plan({ skipBuild: true })).detection).toMatchObject({ installCommand: null, buildCommand: null });
  });

  it('builds with the framework’s own command when package.json has no build script', async () => {
    write('package.json', { dependencies: { 'react-scripts': '5' } });
    const p = await plan();
    expect(p.detection.buildCommand).toBe('react-scripts build');
    expect(p.build?.argv[2]).toMatch(/node_modules\/\.bin.*react-scripts build$/);
  });

  it('fails on a framework setting the detector does not know, naming some it does', async () => {
    write('package.json', {});
    await expect(plan({ framework: 'not-a-framework' })).rejects.toThrow(/"not-a-framework" is not a framework the detector knows; known ones include .*nextjs/);
  });

  it('serves plain HTML at the root without package.json', async () => {
    write('index.html', '<h1>hi</h1>');
    expect((await plan()).detection).toMatchObject({ framework: null, runKind: 'static', packageManager: null, installCommand: null, buildCommand: null });
  });
});
