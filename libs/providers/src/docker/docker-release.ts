import type Docker from 'dockerode';
import type { DeploymentTarget, ProviderCallContext } from '../deployment-provider';
import { checkHookUrl } from '@flightdeck/runtime';
import { ProviderError, ProviderSettingsError } from '../provider-error';
import { ALLOW_PRIVATE_SETTING } from '../provider-http';
import { DOCKER, type DockerSettings, type EngineEndpoint } from './docker-settings';
import { engineError } from './engine-errors';

// Running an image for an environment: a container with the deployment's variables on a port the
// engine picks, limits and restart policy; it serves only once it answers its health check (and
// its image's HEALTHCHECK says healthy); then the host's edge routes the environment to it (when
// the host has one), the environment's previous containers drain and stop, and images past the
// last N are removed.

export const LABEL = { project: 'dev.flightdeck.project', environment: 'dev.flightdeck.environment', deployment: 'dev.flightdeck.deployment', port: 'dev.flightdeck.port', health: 'dev.flightdeck.health-path' };

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9_.-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 60) || 'app';
export const repositoryOf = (t: DeploymentTarget, registry?: string) => `${registry ? `${registry}/` : ''}flightdeck/${slug(t.projectName)}-${slug(t.environmentName)}`;
export const containerNameOf = (t: DeploymentTarget) => `flightdeck-${slug(t.projectName)}-${slug(t.environmentName)}-${t.deploymentId.slice(0, 8)}`;
export const environmentFilter = (t: DeploymentTarget) => ({ label: [`${LABEL.project}=${t.projectName}`, `${LABEL.environment}=${t.environmentName}`] });

// (the health check polls many times on one deployment's signal: each wait removes its listener)
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

export interface RunSpec extends DeploymentTarget {
  image: string;
  port: number;
  healthCheckPath: string;
  env: Record<string, string>;
}

export class DockerRelease {
  constructor(
    private readonly docker: Docker,
    private readonly settings: DockerSettings,
    private readonly endpoint: EngineEndpoint,
    private readonly pollMs: number,
    private readonly allowPrivateAddresses = false,
  ) {}

  private call<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    return fn().catch((e: unknown) => {
      throw engineError(e, doing, this.endpoint.display);
    });
  }

  /** runs the image; resolves with its URL once healthy, after the environment's previous containers are stopped */
  async run(spec: RunSpec, ctx: ProviderCallContext): Promise<{ url: string; containerId: string }> {
    const s = this.settings;
    if (ctx.switchEdge) await this.checkEdgeHost();
    const name = containerNameOf(spec);
    // an earlier attempt of the same deployment (its builder restarted) left its container
    const stale = await this.call('look for an earlier container', () => this.docker.listContainers({ all: true, filters: { name: [name] } }));
    for (const c of stale.filter((c) => c.Names.includes(`/${name}`))) await this.call('remove an earlier attempt', () => this.docker.getContainer(c.Id).remove({ force: true }));
    const portKey = `${spec.port}/tcp`;
    const container = await this.call('create the container', () =>
      this.docker.createContainer({
        name,
        Image: spec.image,
        Env: Object.entries({ ...containerEnv(spec.env), PORT: String(spec.port) }).map(([k, v]) => `${k}=${v}`),
        Labels: { [LABEL.project]: spec.projectName, [LABEL.environment]: spec.environmentName, [LABEL.deployment]: spec.deploymentId },
        ExposedPorts: { [portKey]: {} },
        HostConfig: {
          PortBindings: { [portKey]: [{ HostIp: s.publishAddress, HostPort: '' }] },
          Memory: s.memoryMb * 1024 * 1024,
          NanoCpus: Math.round(s.cpus * 1e9),
          RestartPolicy: s.restartPolicy === 'on-failure' ? { Name: 'on-failure', MaximumRetryCount: 3 } : { Name: s.restartPolicy },
        },
      }),
    );
    ctx.log(`container ${name} created from ${spec.image} (${s.memoryMb} MB, ${s.cpus} CPU, restart ${s.restartPolicy}); starting`);
    let hostPort: string;
    try {
      await this.call('start the container', () => container.start());
      hostPort = await this.waitHealthy(container, portKey, spec.healthCheckPath, ctx);
    } catch (e) {
      for (const line of await this.lastLines(container)) ctx.log(`container: ${line}`, 'warn');
      await container.remove({ force: true }).catch(() => undefined);
      throw e;
    }
    const url = `http://${this.endpoint.host.includes(':') ? `[${this.endpoint.host}]` : this.endpoint.host}:${hostPort}`;
    ctx.log(`healthy: GET ${spec.healthCheckPath} on ${url} answered; it serves the environment now`);
    if (ctx.switchEdge) {
      // the environment's edge route leads here before what it replaces drains and stops
      try {
        await ctx.switchEdge(url);
      } catch (e) {
        await container.remove({ force: true }).catch(() => undefined);
        throw e;
      }
    }
    await this.retireOthers(spec, container.id, ctx);
    return { url, containerId: container.id };
  }

  // The edge proxies public requests to the container's address. An engine the environment names
  // (settings.dockerHost) also names that address (its host, or settings.publicHost): a private or
  // loopback one would let an environment lead the edge into the platform's own network, so it needs
  // FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE. The builder's own engine (DOCKER_HOST) is the operator's.
  private async checkEdgeHost(): Promise<void> {
    if (!this.settings.dockerHost || this.allowPrivateAddresses) return;
    const host = this.endpoint.host.includes(':') ? `[${this.endpoint.host}]` : this.endpoint.host;
    await checkHookUrl(`http://${host}/`, false, ALLOW_PRIVATE_SETTING).catch((e: Error) => {
      throw new ProviderSettingsError(DOCKER, this.settings.publicHost ? 'settings.publicHost' : 'settings.dockerHost', `leads the edge to a private address: ${e.message}`);
    });
  }

  private async waitHealthy(container: Docker.Container, portKey: string, path: string, ctx: ProviderCallContext): Promise<string> {
    const deadline = Date.now() + this.settings.healthTimeoutSeconds * 1000;
    let last = 'no answer yet';
    for (;;) {
      if (ctx.signal.aborted) throw new ProviderError(DOCKER, 'canceled while waiting for the container to become healthy');
      const info = await this.call('inspect the container', () => container.inspect());
      if (!info.State.Running) throw new ProviderError(DOCKER, `the container exited with code ${info.State.ExitCode} before it became healthy`);
      const health = info.State.Health?.Status;
      if (health === 'unhealthy') throw new ProviderError(DOCKER, "the container's HEALTHCHECK reports it unhealthy");
      const hostPort = info.NetworkSettings.Ports?.[portKey]?.[0]?.HostPort;
      if (hostPort) {
        const status = await fetch(`http://${this.endpoint.host.includes(':') ? `[${this.endpoint.host}]` : this.endpoint.host}:${hostPort}${path}`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => (r.body?.cancel(), r.status),
          () => undefined,
        );
        if (status !== undefined) last = `GET ${path} answered ${status}`;
        if (status !== undefined && status < 500 && (!health || health === 'healthy')) return hostPort;
        if (health === 'starting') last += ", the image's HEALTHCHECK still starting";
      }
      if (Date.now() >= deadline) throw new ProviderError(DOCKER, `the container did not become healthy within ${this.settings.healthTimeoutSeconds}s (${last})`);
      await sleep(this.pollMs, ctx.signal);
    }
  }

  /** the last lines the container printed (stdout and stderr), for a failure's log */
  async lastLines(container: Docker.Container, tail = 20): Promise<string[]> {
    try {
      const raw = (await container.logs({ stdout: true, stderr: true, tail, follow: false })) as unknown as Buffer;
      return demux(raw);
    } catch {
      return [];
    }
  }

  // The switch is done: the environment's other containers get the drain time, then stop and go.
  private async retireOthers(t: DeploymentTarget, keep: string, ctx: ProviderCallContext): Promise<void> {
    const others = (await this.call('list the environment\'s containers', () => this.docker.listContainers({ all: true, filters: environmentFilter(t) }))).filter((c) => c.Id !== keep);
    if (others.some((c) => c.State === 'running') && this.settings.drainSeconds > 0) await sleep(this.settings.drainSeconds * 1000);
    for (const c of others) {
      try {
        if (c.State === 'running') await this.docker.getContainer(c.Id).stop({ t: 10 });
        await this.docker.getContainer(c.Id).remove();
        ctx.log(`previous container ${c.Names[0]?.replace(/^\//, '') ?? c.Id.slice(0, 12)} stopped and removed`);
      } catch (e) {
        ctx.log(`previous container ${c.Id.slice(0, 12)} not removed: ${engineError(e, 'remove it', this.endpoint.display).providerMessage}`, 'warn');
      }
    }
  }

  /** keeps the environment's last N images (newest first); one a container still uses stays */
  async pruneImages(t: DeploymentTarget, ctx: ProviderCallContext): Promise<void> {
    const images = await this.call("list the environment's images", () => this.docker.listImages({ filters: environmentFilter(t) }));
    // the list's Created is in whole seconds: the inspected one orders builds of the same second
    const created = new Map<string, number>();
    for (const img of images) created.set(img.Id, Date.parse((await this.call('inspect an image', () => this.docker.getImage(img.Id).inspect())).Created));
    const old = images.sort((a, b) => created.get(b.Id)! - created.get(a.Id)!).slice(this.settings.keepImages);
    for (const img of old) {
      try {
        await this.docker.getImage(img.Id).remove();
        ctx.log(`image ${img.RepoTags?.[0] ?? img.Id.slice(7, 19)} removed (the last ${this.settings.keepImages} are kept for rollback)`);
      } catch (e) {
        ctx.log(`image ${img.Id.slice(7, 19)} kept: ${engineError(e, 'remove it', this.endpoint.display).providerMessage}`, 'warn');
      }
    }
  }
}

// The builder's release environment names paths of its own host (PATH, caches, CA files): the
// container keeps its image's, and gets the deployment's variables.
const HOST_ONLY = /^(PATH|HOME|TMPDIR|COREPACK_\w+|npm_config_\w+|YARN_\w+|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR)$/;
export const containerEnv = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k]) => !HOST_ONLY.test(k)));

/** the multiplexed stdout/stderr stream's payloads, as lines */
export function demux(raw: Buffer): string[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= raw.length && raw[i] <= 2 && raw[i + 1] === 0) {
    const size = raw.readUInt32BE(i + 4);
    out.push(raw.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  // a TTY container's logs are not framed
  const text = i === 0 ? raw.toString() : Buffer.concat(out).toString();
  return text.split('\n').filter((l) => l.length > 0);
}
