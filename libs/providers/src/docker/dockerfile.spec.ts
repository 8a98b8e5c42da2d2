import { type DockerfileInput, generateArtifactDockerfile, generateDockerfile } from './dockerfile';
import { startArgv } from './start-command';

const aNodeServer = (over: Partial<DockerfileInput> = {}): DockerfileInput => ({
  kind: 'node',
  rootDirectory: '.',
  packageManager: { name: 'npm', lockfile: 'package-lock.json' },
  installCommand: 'npm ci --no-audit --no-fund',
  buildCommand: 'npm run build',
  startCommand: 'npm run start',
  scripts: { start: 'node dist/server.js', build: 'tsc' },
  nodeVersion: '22',
  framework: 'express',
  ...over,
});

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

// The Dockerfile read back as stages, the way a reviewer reads it.
function stages(dockerfile: string): Stage[] {
  const out: Stage[] = [];
  for (const line of dockerfile.split('\n')) {
    const from = /^FROM (\S+)(?: AS (\S+))?$/.exec(line);
    if (from) out.push({ from: from[1], name: from[2], lines: [] });
    else if (line && !line.startsWith('#') && out.length) out[out.length - 1].lines.push(line);
  }
  return out;
}
const finalStage = (dockerfile: string) => stages(dockerfile).at(-1)!;
const instruction = (stage: Stage, name: string) => stage.lines.filter((l) => l.startsWith(`${name} `));
const cmdOf = (stage: Stage): string[] => JSON.parse(instruction(stage, 'CMD')[0].slice(4));
const BUILD_TOOLS = /\b(apt-get|apk|npm (ci|install)|yarn install|pnpm install|npm run build|gcc|make|git)\b/;

describe('the Dockerfile generated for an app without one', () => {
  describe.each([
    ['a Node server', aNodeServer()],
    ['a Next.js app (standalone output)', aNodeServer({ framework: 'nextjs', nextStandalone: true, startCommand: 'npm run start', scripts: { start: 'next start', build: 'next build' } })],
    ['a Next.js app (next start)', aNodeServer({ framework: 'nextjs', scripts: { start: 'next start', build: 'next build' } })],
    ['a static site built by Vite', { kind: 'static', rootDirectory: '.', packageManager: { name: 'npm', lockfile: 'package-lock.json' }, installCommand: 'npm ci', buildCommand: 'npm run build', outputDirectory: 'dist', nodeVersion: '22', framework: 'vite' } as DockerfileInput],
    ['plain HTML', { kind: 'static', rootDirectory: '.', nodeVersion: '22' } as DockerfileInput],
  ])('%s', (_name, input) => {
    const { dockerfile } = generateDockerfile(input);
    const last = finalStage(dockerfile);

    it('runs its final stage as an unprivileged user', () => {
      const users = instruction(last, 'USER');
      expect(users.at(-1)).toMatch(/^USER (node|101)$/);
    });

    it('has a HEALTHCHECK in the final stage', () => {
      expect(instruction(last, 'HEALTHCHECK')).toHaveLength(1);
    });

    it('keeps the build tools and the install out of the final stage', () => {
      for (const line of last.lines) expect(line).not.toMatch(BUILD_TOOLS);
      // only what an earlier stage produced, never the raw build context (plain HTML has no build)
      if (input.buildCommand) expect(last.lines.filter((l) => l.startsWith('COPY ')).every((l) => l.includes('--from='))).toBe(true);
    });

    it('says how it stops: an exec-form command under an init, or nginx with its graceful signal', () => {
      const stop = instruction(last, 'STOPSIGNAL')[0];
      if (input.kind === 'node') {
        expect(instruction(last, 'ENTRYPOINT')[0]).toBe('ENTRYPOINT ["/usr/local/bin/tini","-g","--"]');
        expect(stop).toBe('STOPSIGNAL SIGTERM');
        expect(() => cmdOf(last)).not.toThrow();
      } else {
        expect(stop).toBe('STOPSIGNAL SIGQUIT');
      }
    });

    it('uses only instructions the classic builder knows', () => {
      expect(dockerfile).not.toMatch(/<<|--mount|--link|^# syntax/m);
    });
  });

  it('runs the start script itself, not npm, for a Node server', () => {
    const { dockerfile, port } = generateDockerfile(aNodeServer());
    expect(cmdOf(finalStage(dockerfile))).toEqual(['node', 'dist/server.js']);
    expect(port).toBe(3000);
  });

  it('prunes devDependencies before copying node_modules, unless the start command needs one', () => {
    expect(stages(generateDockerfile(aNodeServer()).dockerfile)[0].lines).toContain('RUN npm prune --omit=dev --no-audit --no-fund');
    expect(generateDockerfile(aNodeServer({ keepDevDependencies: true })).dockerfile).not.toContain('prune');
  });

  it('installs from the manifests before copying the sources, so the install layer is cached', () => {
    const build = stages(generateDockerfile(aNodeServer()).dockerfile)[0].lines;
    expect(build.indexOf('COPY package.json package-lock.json ./')).toBeLessThan(build.indexOf('RUN npm ci --no-audit --no-fund'));
    expect(build.indexOf('RUN npm ci --no-audit --no-fund')).toBeLessThan(build.indexOf('COPY . .'));
  });

  it('copies only the standalone server, its static assets and public/ for Next.js standalone', () => {
    const input = aNodeServer({ framework: 'nextjs', nextStandalone: true, scripts: { start: 'next start' } });
    const last = finalStage(generateDockerfile(input).dockerfile);
    expect(instruction(last, 'COPY').filter((l) => l.includes('--from=build'))).toEqual([
      'COPY --from=build /app/.next/standalone ./',
      'COPY --from=build /app/.next/static ./.next/static',
      'COPY --from=build /app/public ./public',
      'COPY --from=build --chown=node:node /app/.next/standalone/.next/cache ./.next/cache',
    ]);
    expect(cmdOf(last)).toEqual(['node', 'server.js']);
    expect(instruction(last, 'ENV')[0]).toContain('HOSTNAME=0.0.0.0');
  });

  it('builds a workspace app from the repository root and starts it in its folder', () => {
    const { dockerfile } = generateDockerfile(aNodeServer({ rootDirectory: 'apps/api', packageManager: { name: 'pnpm', lockfile: 'pnpm-lock.yaml' }, installCommand: 'corepack pnpm install', buildCommand: 'corepack pnpm run build' }));
    const [build] = stages(dockerfile);
    expect(build.lines.slice(0, 4)).toEqual(['WORKDIR /app', 'RUN command -v corepack >/dev/null || npm install -g --no-audit --no-fund corepack', 'COPY . .', 'RUN corepack pnpm install']);
    expect(build.lines).toContain('WORKDIR /app/apps/api');
    expect(finalStage(dockerfile).lines).toContain('WORKDIR /app/apps/api');
  });

  it('finds the static output after the build when no output directory is known', () => {
    const { dockerfile, port } = generateDockerfile({ kind: 'static', rootDirectory: '.', installCommand: 'npm install', buildCommand: 'npm run build', nodeVersion: '20' });
    expect(dockerfile).toContain('for d in dist build out public; do if [ -f "$d/index.html" ]');
    expect(dockerfile).toContain('ARG NODE_IMAGE=node:20-bookworm-slim');
    expect(port).toBe(8080);
  });

  it('probes the health check path it is given', () => {
    expect(generateDockerfile(aNodeServer({ healthCheckPath: '/healthz' })).dockerfile).toContain('path:\\"/healthz\\"');
    expect(generateDockerfile({ kind: 'static', rootDirectory: '.', nodeVersion: '22', healthCheckPath: '/ok.html' }).dockerfile).toContain('"http://127.0.0.1:8080/ok.html"');
  });
});

describe("the Dockerfile for a build's artifact (the builder built it already)", () => {
  it.each([
    ['a Node server', generateArtifactDockerfile({ kind: 'node', artifactFile: 'd1.tar.gz', cmd: ['node', 'server.js'], nodeVersion: '22' }), /^USER node$/],
    ['a static site', generateArtifactDockerfile({ kind: 'static', artifactFile: 'd1.tar.gz', nodeVersion: '22' }), /^USER 101$/],
  ])('%s: unpacks the artifact in the final stage, unprivileged, with a HEALTHCHECK and no build', (_n, { dockerfile }, user) => {
    const last = finalStage(dockerfile);
    expect(instruction(last, 'ADD')).toEqual([expect.stringMatching(/^ADD d1\.tar\.gz \/(app|usr\/share\/nginx\/html)\/$/)]);
    expect(instruction(last, 'USER').at(-1)).toMatch(user);
    expect(instruction(last, 'HEALTHCHECK')).toHaveLength(1);
    for (const line of last.lines) expect(line).not.toMatch(BUILD_TOOLS);
  });
});

describe('the start command in exec form', () => {
  it.each([
    ['npm run start', { start: 'node server.js' }, ['node', 'server.js']],
    ['npm start', { start: 'NODE_ENV=production node index.js' }, ['env', 'NODE_ENV=production', 'node', 'index.js']],
    ['corepack yarn run start', { start: 'npm run serve', serve: 'fastify start app.js' }, ['fastify', 'start', 'app.js']],
    ['npm run start', { start: 'node a.js && node b.js' }, ['npm', 'run', 'start']],
    ['next start', {}, ['next', 'start']],
    ['node server.js > out.log', {}, ['sh', '-c', 'node server.js > out.log']],
  ])('%s (scripts %j) runs as %j', (line, scripts, argv) => {
    expect(startArgv(line, scripts)).toEqual(argv);
  });
});
