import { startArgv } from './start-command';

// A Dockerfile for an app that has none, from what the builder detected (seed 003): multi-stage
// (install and build in one stage, only what runs copied into the last), the last stage run by an
// unprivileged user, a HEALTHCHECK, and signals handled (tini as PID 1 for Node, nginx handles its
// own). Only instructions the classic builder knows (the Engine API's POST /build without a
// BuildKit session): no heredocs, no RUN --mount, no COPY --link.

export type PackageManagerName = 'npm' | 'yarn' | 'pnpm';

export interface DockerfileInput {
  kind: 'node' | 'static';
  /** the app's folder in the repository ('.' for the root); the build context is the repository */
  rootDirectory: string;
  packageManager?: { name: PackageManagerName; lockfile?: string };
  /** shell lines, as the builder runs them */
  installCommand?: string;
  buildCommand?: string;
  /** node: the shell line that starts the server */
  startCommand?: string;
  /** package.json scripts: `npm run start` runs the script's own command when it is a plain one */
  scripts?: Record<string, string>;
  /** static: the folder the build writes (relative to the app); absent: the first of dist/ build/ out/ public/ with an index.html */
  outputDirectory?: string;
  /** a major ("22") or an exact version ("22.11.0") */
  nodeVersion: string;
  framework?: string | null;
  /** Next.js with output: "standalone" in next.config */
  nextStandalone?: boolean;
  healthCheckPath?: string;
  /** node: devDependencies stay in the final image (the start command comes from one) */
  keepDevDependencies?: boolean;
}

export interface GeneratedDockerfile {
  dockerfile: string;
  /** written beside it unless the repository has its own .dockerignore (then appended to it) */
  dockerignore: string;
  /** the port the image's server listens on */
  port: number;
  healthCheckPath: string;
  /** one line per decision, for the deployment's log */
  why: string[];
}

export const NODE_PORT = 3000;
export const STATIC_PORT = 8080;
export const STATIC_IMAGE = 'nginxinc/nginx-unprivileged:stable-alpine';
const STATIC_ROOT = '/usr/share/nginx/html';
const STATIC_OUTPUT_DIRS = ['dist', 'build', 'out', 'public'];

// the install runs in the image: the builder's own node_modules and caches stay out of the context
export const DOCKERIGNORE = ['.git', '**/node_modules', '.next/cache', 'npm-debug.log*', ''].join('\n');

const PRUNE: Partial<Record<PackageManagerName, string>> = {
  npm: 'npm prune --omit=dev --no-audit --no-fund',
  pnpm: 'corepack pnpm prune --prod',
};

const json = (argv: string[]) => JSON.stringify(argv);
const shq = (s: string) => (/^[\w./@:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** node:<version>-bookworm-slim: Debian's glibc (native modules built for it run), no compilers */
export const nodeImage = (version: string) => `node:${version}-bookworm-slim`;

// Probes with what the final image already has: node for a Node image, busybox wget in nginx's alpine.
function nodeHealthCheck(path: string): string {
  const probe =
    `require('http').get({host:'127.0.0.1',port:process.env.PORT||${NODE_PORT},path:${JSON.stringify(path)},timeout:2500},` +
    `r=>process.exit(r.statusCode<500?0:1)).on('timeout',function(){this.destroy()}).on('error',()=>process.exit(1))`;
  return `HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ${json(['node', '-e', probe])}`;
}
const staticHealthCheck = (path: string) =>
  `HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ${json(['wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${STATIC_PORT}${path}`])}`;

// tini from Debian in a stage of its own: the final stage copies the static binary, never apt
const TINI_STAGE = ['FROM ${NODE_IMAGE} AS tini', 'RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*'];

// corepack ships with Node up to 24; later images get it from the registry.
const COREPACK = 'RUN command -v corepack >/dev/null || npm install -g --no-audit --no-fund corepack';

/** the install and build stage(s): the app's dependencies and build output under /app */
function buildStages(input: DockerfileInput, why: string[]): string[] {
  const pm = input.packageManager;
  const lines = ['FROM ${NODE_IMAGE} AS build', 'WORKDIR /app'];
  if (pm && pm.name !== 'npm') lines.push(COREPACK);
  // npm's standard install needs only the manifests: that layer is rebuilt only when they change
  const manifestsFirst = input.rootDirectory === '.' && pm?.name === 'npm' && !!input.installCommand && /^npm (ci|install)\b/.test(input.installCommand);
  if (manifestsFirst) {
    lines.push(`COPY ${['package.json', ...(pm?.lockfile ? [pm.lockfile] : [])].join(' ')} ./`);
    lines.push(`RUN ${input.installCommand}`);
    lines.push('COPY . .');
    why.push('dependencies installed from package.json and the lockfile alone, so that layer is cached until they change');
  } else {
    lines.push('COPY . .');
    if (input.installCommand) lines.push(`RUN ${input.installCommand}`);
  }
  if (input.rootDirectory !== '.') lines.push(`WORKDIR /app/${input.rootDirectory}`);
  if (input.buildCommand) lines.push(`RUN ${input.buildCommand}`);
  return lines;
}

function staticDockerfile(input: DockerfileInput, why: string[]): string[] {
  const path = input.healthCheckPath ?? '/';
  const plain = !input.installCommand && !input.buildCommand;
  const out: string[] = [`ARG STATIC_IMAGE=${STATIC_IMAGE}`];
  let copy: string;
  if (plain) {
    const dir = input.outputDirectory && input.outputDirectory !== '.' ? input.outputDirectory : input.rootDirectory;
    why.push(`a static site without a build: ${dir === '.' ? 'the repository' : `${dir}/`} served by nginx`);
    copy = `COPY ${dir === '.' ? '.' : `${dir}/`} ${STATIC_ROOT}/`;
  } else {
    out.unshift(`ARG NODE_IMAGE=${nodeImage(input.nodeVersion)}`);
    out.push('', ...buildStages(input, why));
    const found = input.outputDirectory
      ? `cp -R ${shq(input.outputDirectory)} /site`
      : `for d in ${STATIC_OUTPUT_DIRS.join(' ')}; do if [ -f "$d/index.html" ]; then cp -R "$d" /site && exit 0; fi; done; ` +
        `echo "nothing to serve: no index.html in ${STATIC_OUTPUT_DIRS.map((d) => `${d}/`).join(', ')} after the build" >&2; exit 1`;
    out.push(`RUN ${found}`);
    why.push(`built with Node ${input.nodeVersion}; ${input.outputDirectory ? `${input.outputDirectory}/` : 'the output folder with an index.html'} served by nginx`);
    copy = `COPY --from=build /site/ ${STATIC_ROOT}/`;
  }
  out.push(
    '',
    'FROM ${STATIC_IMAGE} AS runtime',
    // nginx's welcome page goes; the site's files stay root-owned (readable, not writable, by nginx)
    'USER root',
    `RUN rm -rf ${STATIC_ROOT}/*`,
    copy,
    'USER 101',
    `EXPOSE ${STATIC_PORT}`,
    staticHealthCheck(path),
    // nginx finishes the requests under way on SIGQUIT; its image's entrypoint execs it as PID 1
    'STOPSIGNAL SIGQUIT',
  );
  why.push(`the final stage is ${STATIC_IMAGE} (listens on ${STATIC_PORT}, runs as the unprivileged user nginx, uid 101)`);
  return out;
}

function nodeDockerfile(input: DockerfileInput, why: string[]): string[] {
  if (!input.startCommand) throw new Error('a Node server needs a start command');
  const path = input.healthCheckPath ?? '/';
  const app = input.rootDirectory === '.' ? '/app' : `/app/${input.rootDirectory}`;
  const next = input.framework === 'nextjs';
  const standalone = next && !!input.nextStandalone && input.rootDirectory === '.';
  const prune = !input.keepDevDependencies && input.rootDirectory === '.' && input.packageManager && PRUNE[input.packageManager.name];

  const out = [`ARG NODE_IMAGE=${nodeImage(input.nodeVersion)}`, '', ...buildStages(input, why)];
  if (standalone) {
    // standalone leaves the static assets beside its server.js to be copied; the cache dir is the app's to write
    out.push('RUN mkdir -p public .next/standalone/.next/cache');
  } else if (next) {
    out.push('RUN mkdir -p public .next/cache');
  }
  if (prune && !standalone) {
    out.push(`RUN ${prune}`);
    why.push('devDependencies pruned before the final stage copies node_modules');
  } else if (!standalone) {
    why.push(input.keepDevDependencies ? 'devDependencies kept: the start command comes from one' : 'node_modules copied as installed');
  }
  out.push(
    '',
    // Debian's static tini: the final stage gets the binary, not apt
    ...TINI_STAGE,
    '',
    'FROM ${NODE_IMAGE} AS runtime',
    `ENV NODE_ENV=production PORT=${NODE_PORT}${next ? ' HOSTNAME=0.0.0.0 NEXT_TELEMETRY_DISABLED=1' : ''} PATH=${app === '/app' ? '' : `${app}/node_modules/.bin:`}/app/node_modules/.bin:$PATH`,
    'WORKDIR /app',
    'COPY --from=tini /usr/bin/tini-static /usr/local/bin/tini',
  );
  let cmd: string[];
  if (standalone) {
    out.push(
      'COPY --from=build /app/.next/standalone ./',
      'COPY --from=build /app/.next/static ./.next/static',
      'COPY --from=build /app/public ./public',
      'COPY --from=build --chown=node:node /app/.next/standalone/.next/cache ./.next/cache',
    );
    cmd = ['node', 'server.js'];
    why.push('Next.js standalone output: the final stage holds .next/standalone, .next/static and public/ only');
  } else {
    // the app's files stay root-owned: its user reads them and cannot change them
    out.push('COPY --from=build /app ./');
    if (next) out.push(`COPY --from=build --chown=node:node ${app}/.next/cache ${app}/.next/cache`);
    if (app !== '/app') out.push(`WORKDIR ${app}`);
    cmd = startArgv(input.startCommand, input.scripts);
    why.push(`started with ${cmd.join(' ')} under tini (signals reach the server's whole process group)`);
  }
  out.push(
    'USER node',
    `EXPOSE ${NODE_PORT}`,
    nodeHealthCheck(path),
    'STOPSIGNAL SIGTERM',
    `ENTRYPOINT ${json(['/usr/local/bin/tini', '-g', '--'])}`,
    `CMD ${json(cmd)}`,
  );
  why.push(`the final stage is ${nodeImage(input.nodeVersion)} without the build's tools, run as the unprivileged user node, listening on PORT ${NODE_PORT}`);
  return out;
}

/** the build's own output (the artifact the builder packed), to run as it is: nothing is built again */
export interface ArtifactDockerfileInput {
  kind: 'node' | 'static';
  /** the .tar.gz in the build context: ADD unpacks it */
  artifactFile: string;
  /** node: the start command, exec form */
  cmd?: string[];
  nodeVersion: string;
  healthCheckPath?: string;
}

export function generateArtifactDockerfile(input: ArtifactDockerfileInput): GeneratedDockerfile {
  const path = input.healthCheckPath ?? '/';
  const why = ["the image holds the build's artifact as the builder packed it: nothing is built again"];
  const header = `# Generated by Flightdeck for ${input.kind === 'static' ? 'a static site' : 'a Node server'} from its build's artifact.`;
  let lines: string[];
  if (input.kind === 'static') {
    lines = [`ARG STATIC_IMAGE=${STATIC_IMAGE}`, '', 'FROM ${STATIC_IMAGE} AS runtime', 'USER root', `RUN rm -rf ${STATIC_ROOT}/*`, `ADD ${input.artifactFile} ${STATIC_ROOT}/`, 'USER 101', `EXPOSE ${STATIC_PORT}`, staticHealthCheck(path), 'STOPSIGNAL SIGQUIT'];
    why.push(`the final stage is ${STATIC_IMAGE} (port ${STATIC_PORT}, the unprivileged user nginx)`);
  } else {
    if (!input.cmd?.length) throw new Error('a Node server needs a start command');
    lines = [
      `ARG NODE_IMAGE=${nodeImage(input.nodeVersion)}`,
      '',
      ...TINI_STAGE,
      '',
      'FROM ${NODE_IMAGE} AS runtime',
      `ENV NODE_ENV=production PORT=${NODE_PORT} PATH=/app/node_modules/.bin:$PATH`,
      'WORKDIR /app',
      'COPY --from=tini /usr/bin/tini-static /usr/local/bin/tini',
      // unpacked root-owned: the app's user reads its files and cannot change them
      `ADD ${input.artifactFile} /app/`,
      'USER node',
      `EXPOSE ${NODE_PORT}`,
      nodeHealthCheck(path),
      'STOPSIGNAL SIGTERM',
      `ENTRYPOINT ${json(['/usr/local/bin/tini', '-g', '--'])}`,
      `CMD ${json(input.cmd)}`,
    ];
    why.push(`started with ${input.cmd.join(' ')} under tini, as the unprivileged user node on ${nodeImage(input.nodeVersion)}`);
  }
  return { dockerfile: [header, ...lines, ''].join('\n'), dockerignore: '', port: input.kind === 'static' ? STATIC_PORT : NODE_PORT, healthCheckPath: path, why };
}

export function generateDockerfile(input: DockerfileInput): GeneratedDockerfile {
  const why: string[] = [];
  const lines = input.kind === 'static' ? staticDockerfile(input, why) : nodeDockerfile(input, why);
  const header = `# Generated by Flightdeck for ${input.kind === 'static' ? 'a static site' : 'a Node server'}${input.framework ? ` (${input.framework})` : ''}: the repository has no Dockerfile.`;
  return {
    dockerfile: [header, ...lines, ''].join('\n'),
    dockerignore: DOCKERIGNORE,
    port: input.kind === 'static' ? STATIC_PORT : NODE_PORT,
    healthCheckPath: input.healthCheckPath ?? '/',
    why,
  };
}
