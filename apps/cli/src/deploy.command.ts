import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Deployment, type LogLine, isTerminal } from '@flightdeck/contracts';
import { ApiError, type FlightdeckClient } from './flightdeck-client';

export interface DeployArgs {
  source: string;
  ref?: string;
  name?: string;
  environmentId?: string;
  /** emergencies only: no pre-flight check of the variables (recorded on the deployment) */
  skipValidation?: boolean;
}

export const parseDeployArgs = (argv: string[]): DeployArgs => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ref: { type: 'string' }, name: { type: 'string' }, env: { type: 'string' }, 'skip-validation': { type: 'boolean' } },
  });
  if (positionals.length !== 1) throw new Error('usage: npm run deploy -- <git URL or local path> [--ref <ref>] [--name <project>] [--skip-validation]');
  return {
    source: positionals[0],
    ref: values.ref,
    name: values.name,
    environmentId: values.env,
    ...(values['skip-validation'] ? { skipValidation: true } : {}),
  };
};

const isLocalPath = (s: string) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !/^[^/]+@[^:]+:/.test(s);

export const projectNameFor = (source: string) =>
  basename(source.replace(/\/+$/, ''))
    .replace(/\.git$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50) || 'app';

const currentBranch = (dir: string) => {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--abbrev-ref', 'HEAD'], { stdio: 'pipe' }).toString().trim();
  } catch {
    return undefined;
  }
};

const formatLine = (l: LogLine) => `${String(l.seq).padStart(5)} ${l.step.padEnd(8)} ${l.level === 'error' ? '\x1b[31m' : ''}${l.message}\x1b[0m`;

// Creates the project if needed, triggers, follows the log live and ends with the URL.
export async function deploy(client: FlightdeckClient, args: DeployArgs, out = console): Promise<Deployment> {
  let repositoryUrl = args.source;
  let ref = args.ref;
  if (isLocalPath(args.source)) {
    repositoryUrl = resolve(args.source);
    if (!existsSync(repositoryUrl)) throw new Error(`no such directory: ${repositoryUrl}`);
    ref ??= currentBranch(repositoryUrl);
  }
  const name = args.name ?? projectNameFor(repositoryUrl);
  let project = (await client.listProjects()).find((p) => p.name === name);
  if (!project) {
    project = await client.createProject({ name, repositoryUrl, ...(ref ? { defaultBranch: ref } : {}) });
    out.log(`created project ${project.name}`);
  }
  const deployment = await client.triggerDeployment(
    project.id,
    { sourceRef: ref ?? project.defaultBranch, environmentId: args.environmentId, ...(args.skipValidation ? { skipValidation: true } : {}) },
    randomUUID(),
  );
  out.log(`deployment ${deployment.id} of ${project.name}@${deployment.sourceRef} (${deployment.status})`);
  return follow(client, deployment.id, out);
}

export function follow(client: FlightdeckClient, deploymentId: string, out = console): Promise<Deployment> {
  return new Promise((resolvePromise, reject) => {
    const socket = client.connect();
    let lastPhase = '';
    // after a reconnect, resume after the last line shown: nothing printed twice, nothing skipped
    let lastSeq = 0;
    socket.on('connect_error', (e) => {
      socket.close();
      reject(new Error(`live log: ${e.message}`));
    });
    socket.on('connect', () => {
      socket.emit('subscribe', { deploymentId, afterSeq: lastSeq }, (ack) => {
        if (!ack.ok) {
          socket.close();
          reject(new ApiError(404, ack.error));
        }
      });
    });
    socket.on('logs', (p) =>
      p.lines.forEach((l) => {
        if (l.seq <= lastSeq) return;
        lastSeq = l.seq;
        out.log(formatLine(l));
      }),
    );
    // lines the server did not send live (this client too slow, or a flood): said, never silent
    socket.on('gap', (g) => {
      if (g.toSeq <= lastSeq) return;
      lastSeq = g.toSeq;
      out.log(`--> ${g.message} (seq ${g.fromSeq}-${g.toSeq})`);
    });
    socket.on('dropped', (p) => out.log(`--> the server dropped this connection: ${p.message}`));
    // socket.io reconnects by itself after a lost connection, not after the server closed it
    socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') socket.connect();
    });
    socket.on('status', ({ deployment: d }) => {
      const phase = `${d.status}${d.phase ? `/${d.phase}` : ''}`;
      if (phase !== lastPhase) out.log(`--> ${phase}${d.progress ? ` ${d.progress}%` : ''}`);
      lastPhase = phase;
    });
    socket.on('end', async () => {
      socket.close();
      try {
        const d = await client.getDeployment(deploymentId);
        if (!isTerminal(d.status)) throw new Error(`ended while ${d.status}`);
        resolvePromise(d);
      } catch (e) {
        reject(e);
      }
    });
  });
}
