// deploy(): what `npm start` uses to deploy the example app (scripts/example-deploy.ts), on the
// first REST client (flightdeck-client.ts, also used by the bench). The `flightdeck` CLI's own deploy
// is commands/deploy.command.ts, on @flightdeck/client.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Deployment, type LogLine, isTerminal } from '@flightdeck/contracts';
import { currentBranch, isLocalPath, projectNameFor } from './commands/deploy.command';
import { ApiError, type FlightdeckClient } from './flightdeck-client';

export interface DeployArgs {
  source: string;
  ref?: string;
  name?: string;
  environmentId?: string;
  /** emergencies only: no pre-flight check of the variables (recorded on the deployment) */
  skipValidation?: boolean;
}

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
