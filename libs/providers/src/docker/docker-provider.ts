import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import type { DeployRequest, DeployResult, DeploymentProvider, DeploymentTarget, ProviderCallContext, ProviderLog, RollbackRequest } from '../deployment-provider';
import { ProviderError } from '../provider-error';
import { type RetryOptions, withProviderRetry } from '../provider-retry';
import { contextTar } from './context-tar';
import { type BuildHints, type DockerfilePlan, planDockerfile, planFromArtifact } from './dockerfile-plan';
import { DOCKER, DOCKER_CREDENTIALS, type DockerSettings, type EngineEndpoint } from './docker-settings';
import { withoutCredentials } from '../credential-variables';
import { DockerRelease, LABEL, environmentFilter, repositoryOf } from './docker-release';
import { engineError } from './engine-errors';

export interface DockerProviderOptions {
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
  /** how often the health of a starting container is read */
  pollMs?: number;
  /** FLIGHTDECK_PROVIDERS_ALLOW_PRIVATE: the edge may lead to a private address of an engine the environment names */
  allowPrivateAddresses?: boolean;
}

/** a deploy request as the builder sends it to a provider that builds its own image */
export type DockerDeployRequest = DeployRequest & { build?: BuildHints };

const DEFAULT_PORT = 3000;

/** an image the engine built: its reference (pushed when a registry is set), the port it listens on, its health path and user */
export interface BuiltImage {
  image: string;
  port: number;
  healthCheckPath: string;
  /** the image's USER (node, 101...), when it sets one */
  user?: string;
}

interface ProgressLine {
  stream?: string;
  status?: string;
  aux?: { ID?: string };
  errorDetail?: { message?: string };
  error?: string;
}

// Docker: the image built by the engine from the repository's Dockerfile or one generated for the
// app, pushed when a registry is configured, run as the environment's one container (docker-release).
export class DockerProvider implements DeploymentProvider {
  private readonly docker: Docker;
  private readonly release: DockerRelease;

  constructor(
    private readonly settings: DockerSettings,
    private readonly endpoint: EngineEndpoint,
    private readonly registryPassword?: string,
    private readonly options: DockerProviderOptions = {},
  ) {
    this.docker = new Docker(endpoint.options);
    this.release = new DockerRelease(this.docker, settings, endpoint, options.pollMs ?? 250, options.allowPrivateAddresses);
  }

  /** a call that is safe to repeat: retried with backoff on a 5xx or a connection that failed */
  private safe<T>(doing: string, fn: () => Promise<T>, ctx: ProviderCallContext): Promise<T> {
    return withProviderRetry(
      () =>
        fn().catch((e: unknown) => {
          throw engineError(e, doing, this.endpoint.display);
        }),
      {
        ...this.options.retry,
        signal: ctx.signal,
        onRetry: (e, attempt, waitMs) => ctx.log(`${e.providerMessage}; attempt ${attempt} in ${(waitMs / 1000).toFixed(1)}s`, 'warn'),
      },
    );
  }

  async initialize(ctx: ProviderCallContext): Promise<void> {
    const v = await this.safe('reach the Docker engine', () => this.docker.version(), ctx);
    ctx.log(`Docker engine ${v.Version} (API ${v.ApiVersion}) at ${this.endpoint.display}`);
  }

  async deploy(req: DockerDeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    let image: string;
    let port: number;
    let healthCheckPath: string;
    if (req.source.type === 'image') {
      image = req.source.image;
      port = req.source.port ?? DEFAULT_PORT;
      healthCheckPath = req.source.healthCheckPath ?? '/';
    } else {
      ({ image, port, healthCheckPath } = await this.buildImage(req, ctx));
    }
    // the registry's password is the deployer's, not the app's
    const { url } = await this.release.run({ ...req, image, port, healthCheckPath, env: withoutCredentials(req.env, this.settings, DOCKER_CREDENTIALS) }, ctx);
    await this.release.pruneImages(req, ctx);
    return { url, upstream: url, providerDeploymentId: image };
  }

  /** the deployment's image built on the engine, pushed when a registry is set: for a provider that runs it elsewhere too (Kubernetes) */
  async buildImage(req: DockerDeployRequest, ctx: ProviderCallContext): Promise<BuiltImage> {
    if (req.source.type !== 'artifact') throw new ProviderError(DOCKER, 'nothing to build an image from');
    const built = await this.build(req, req.source.kind, ctx);
    if (this.settings.registry) await this.push(built.image, ctx);
    return built;
  }

  private async build(req: DockerDeployRequest, kind: 'node' | 'static', ctx: ProviderCallContext): Promise<BuiltImage> {
    if (req.source.type !== 'artifact') throw new ProviderError(DOCKER, 'nothing to build an image from');
    const hints: BuildHints = { ...req.build, healthCheckPath: req.build?.healthCheckPath ?? req.source.healthCheckPath };
    const nodeVersion = hints.nodeVersion ?? process.versions.node.split('.')[0];
    let plan: DockerfilePlan;
    try {
      // the source tree: its own Dockerfile or a multi-stage one built by the engine; else the builder's artifact as it is
      plan = req.sourceDir ? planDockerfile(req.sourceDir, kind, hints, nodeVersion) : await planFromArtifact({ ...req.source, healthCheckPath: hints.healthCheckPath }, nodeVersion);
    } catch (e) {
      throw new ProviderError(DOCKER, `no Dockerfile could be generated: ${(e as Error).message}`);
    }
    for (const line of plan.why) ctx.log(line);
    const image = `${repositoryOf(req, this.settings.registry)}:${req.deploymentId}`;
    const labels = { [LABEL.project]: req.projectName, [LABEL.environment]: req.environmentName, [LABEL.deployment]: req.deploymentId, [LABEL.health]: plan.healthCheckPath, ...(plan.port ? { [LABEL.port]: String(plan.port) } : {}) };
    ctx.log(`docker build -f ${plan.dockerfile} -t ${image}`);
    try {
      await this.safe(
        'build the image',
        async () => {
          const stream = await this.docker.buildImage(contextTar(plan.contextDir, plan.ignore, plan.extra, plan.only), { t: image, dockerfile: plan.dockerfile, labels, rm: true, forcerm: true, ...(plan.own ? {} : { buildargs: this.baseImages() }) });
          await this.follow(stream, 'the image build failed', ctx, lineLogger(ctx.log));
        },
        ctx,
      );
    } finally {
      plan.cleanup?.();
    }
    const info = await this.safe('inspect the image', () => this.docker.getImage(image).inspect(), ctx);
    const exposed = Object.keys(info.Config.ExposedPorts ?? {}).find((p) => p.endsWith('/tcp'));
    const port = plan.port ?? (exposed ? Number(exposed.split('/')[0]) : DEFAULT_PORT);
    if (plan.own) ctx.log(exposed ? `the image exposes ${exposed}: PORT=${port}` : `the image exposes no port: PORT=${port} is set for it to listen on`);
    return { image, port, healthCheckPath: plan.healthCheckPath, user: info.Config.User || undefined };
  }

  /** the generated Dockerfiles' base images (ARG NODE_IMAGE / STATIC_IMAGE), when the settings name a mirror */
  private baseImages(): Record<string, string> {
    return { ...(this.settings.nodeImage ? { NODE_IMAGE: this.settings.nodeImage } : {}), ...(this.settings.staticImage ? { STATIC_IMAGE: this.settings.staticImage } : {}) };
  }

  private async push(image: string, ctx: ProviderCallContext): Promise<void> {
    const [repo, tag] = [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)];
    const auth = this.settings.registryUsername ? { username: this.settings.registryUsername, password: this.registryPassword ?? '', serveraddress: this.settings.registry!.split('/')[0] } : { serveraddress: this.settings.registry!.split('/')[0] };
    ctx.log(`docker push ${image}`);
    await this.safe(
      'push the image',
      async () => {
        const stream = await this.docker.getImage(repo).push({ tag }, undefined, auth);
        await this.follow(stream, 'the push failed', ctx, (p) => p.status && !/^(Preparing|Waiting|Pushing)$/.test(p.status) && ctx.log(`push: ${p.status}`));
      },
      ctx,
    );
  }

  // A JSON-lines progress stream: each object to `each`, an errorDetail ends it as a ProviderError
  // (not retryable: the build or the registry said no); cancel drops the connection, which stops the build.
  private follow(stream: NodeJS.ReadableStream, failed: string, ctx: ProviderCallContext, each: (p: ProgressLine) => unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      const abort = () => {
        (stream as unknown as { destroy(): void }).destroy();
        reject(new ProviderError(DOCKER, `${failed}: canceled`));
      };
      if (ctx.signal.aborted) return abort();
      ctx.signal.addEventListener('abort', abort, { once: true });
      let error: string | undefined;
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => {
          ctx.signal.removeEventListener('abort', abort);
          if (err) reject(err);
          else if (error) reject(new ProviderError(DOCKER, `${failed}: ${error}`));
          else resolve();
        },
        (p: ProgressLine) => {
          if (p.errorDetail || p.error) error = p.errorDetail?.message ?? p.error;
          else each(p);
        },
      );
    });
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const images = await this.safe('find the image to roll back to', () => this.docker.listImages({ filters: { label: [...environmentFilter(req).label, `${LABEL.deployment}=${req.toDeploymentId}`] } }), ctx);
    const found = images[0];
    if (!found) {
      throw new ProviderError(DOCKER, `the image of deployment ${req.toDeploymentId} is no longer kept on the engine (the last ${this.settings.keepImages} are): roll back to a more recent one or deploy again`);
    }
    const image = found.RepoTags?.find((t) => t !== '<none>:<none>') ?? found.Id;
    const info = await this.safe('inspect the image', () => this.docker.getImage(found.Id).inspect(), ctx);
    const exposed = Object.keys(info.Config.ExposedPorts ?? {}).find((p) => p.endsWith('/tcp'));
    const port = Number(found.Labels?.[LABEL.port] ?? (exposed ? exposed.split('/')[0] : DEFAULT_PORT));
    // the variables it runs with are those of the container it replaces (a rollback deploys no new configuration)
    const env = await this.currentEnvironment(req);
    ctx.log(`rolling back to ${image} without building${env ? ", with the variables of the container it replaces" : ''}`);
    const { url } = await this.release.run({ ...req, image, port, healthCheckPath: found.Labels?.[LABEL.health] ?? '/', env: withoutCredentials(env ?? {}, this.settings, DOCKER_CREDENTIALS) }, ctx);
    return { url, upstream: url, providerDeploymentId: image };
  }

  private async currentEnvironment(t: DeploymentTarget): Promise<Record<string, string> | undefined> {
    const [latest] = await this.docker.listContainers({ all: true, filters: environmentFilter(t) });
    if (!latest) return undefined;
    const info = await this.docker.getContainer(latest.Id).inspect();
    return Object.fromEntries((info.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]).filter(([k]) => k !== 'PORT'));
  }

  /** the running container's output of the deployment whose image this is, followed until it stops */
  async *logs(providerDeploymentId: string, ctx: ProviderCallContext): AsyncIterable<string> {
    const all = await this.docker.listContainers({ all: true, filters: { label: [LABEL.deployment] } });
    const c = all.find((x) => x.Image === providerDeploymentId);
    if (!c) return;
    const raw = await this.docker.getContainer(c.Id).logs({ stdout: true, stderr: true, follow: true });
    const out = new PassThrough();
    this.docker.modem.demuxStream(raw, out, out);
    raw.on('end', () => out.end());
    ctx.signal.addEventListener('abort', () => (raw as unknown as { destroy(): void }).destroy(), { once: true });
    yield* createInterface({ input: out });
  }
}

/** build output arrives in pieces of lines: whole lines to the log */
function lineLogger(log: ProviderLog): (p: ProgressLine) => void {
  let partial = '';
  return (p) => {
    if (p.stream === undefined) return;
    const text = partial + p.stream;
    const lines = text.split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) log(l.replace(/\r$/, ''));
  };
}
