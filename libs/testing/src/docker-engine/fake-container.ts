import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ImageConfig } from './dockerfile-check';

/** how a container of the fake behaves once started (chosen per container by the test) */
export interface ContainerBehaviour {
  /** it exits right after it starts, with this code (an image that does not start) */
  exitCode?: number;
  /** its health check's verdict, when the image or the container has one (default healthy) */
  health?: 'healthy' | 'unhealthy';
  /** what it prints after it starts (default: one stdout line saying where it listens) */
  logs?: { stream: 'stdout' | 'stderr'; line: string }[];
  /** its answer on its published ports (default 200 and a line naming the container and its image) */
  respond?: (req: IncomingMessage, container: FakeContainer) => { status: number; body: string };
  /** how long its health check stays "starting" (default 30 ms) */
  healthDelayMs?: number;
}

export interface FakeLogLine {
  stream: 1 | 2;
  line: string;
  time: Date;
}

type PortBindings = Record<string, { HostIp?: string; HostPort?: string }[] | null>;

// A container of the fake engine: its state as GET /containers/{id}/json reports it, and, while it
// runs, a small HTTP server on each published host port standing in for the app.
export class FakeContainer {
  readonly created = new Date();
  state: 'created' | 'running' | 'exited' = 'created';
  exitCode = 0;
  startedAt?: Date;
  finishedAt?: Date;
  health?: { Status: 'starting' | 'healthy' | 'unhealthy'; FailingStreak: number };
  readonly logs: FakeLogLine[] = [];
  /** container port → the host ports it is published on, once started */
  readonly ports: Record<string, { HostIp: string; HostPort: string }[]> = {};
  private servers: Server[] = [];
  private readonly listeners = new Set<() => void>();
  private healthTimer?: NodeJS.Timeout;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly imageId: string,
    /** the create request's body */
    readonly spec: {
      Image: string;
      Env?: string[];
      Cmd?: string[];
      Labels?: Record<string, string>;
      ExposedPorts?: Record<string, object>;
      Healthcheck?: ImageConfig['Healthcheck'];
      HostConfig?: { PortBindings?: PortBindings; Memory?: number; NanoCpus?: number; RestartPolicy?: { Name: string; MaximumRetryCount?: number } } & Record<string, unknown>;
    } & Record<string, unknown>,
    readonly imageConfig: ImageConfig,
  ) {}

  get running(): boolean {
    return this.state === 'running';
  }

  env(key: string): string | undefined {
    const all = [...this.imageConfig.Env, ...(this.spec.Env ?? [])];
    const hit = all.reverse().find((e) => e.startsWith(`${key}=`));
    return hit?.slice(key.length + 1);
  }

  /** called when a log line arrives or the container stops */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  print(stream: 'stdout' | 'stderr', line: string): void {
    this.logs.push({ stream: stream === 'stdout' ? 1 : 2, line, time: new Date() });
    this.changed();
  }

  /** throws a message the engine answers 500 with (a port already taken) */
  async start(behaviour: ContainerBehaviour): Promise<void> {
    this.startedAt = new Date();
    this.state = 'running';
    if (behaviour.exitCode !== undefined) {
      for (const l of behaviour.logs ?? [{ stream: 'stderr' as const, line: 'Error: the app failed to start' }]) this.print(l.stream, l.line);
      this.exit(behaviour.exitCode);
      return;
    }
    for (const [containerPort, bindings] of Object.entries(this.spec.HostConfig?.PortBindings ?? {})) {
      for (const b of bindings ?? []) {
        const host = b.HostIp && b.HostIp !== '0.0.0.0' ? b.HostIp : '127.0.0.1';
        const server = createServer((req, res) => {
          const answer = behaviour.respond?.(req, this) ?? { status: 200, body: `hello from ${this.name} (${this.spec.Image})\n` };
          res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' }).end(answer.body);
        });
        await new Promise<void>((resolve, reject) => {
          server.once('error', (e: NodeJS.ErrnoException) =>
            reject(new Error(`driver failed programming external connectivity on endpoint ${this.name}: Bind for ${b.HostIp || '0.0.0.0'}:${b.HostPort} failed: ${e.code === 'EADDRINUSE' ? 'port is already allocated' : e.message}`)),
          );
          server.listen(Number(b.HostPort || 0), host, () => resolve());
        }).catch(async (e) => {
          await this.closeServers();
          this.state = 'created';
          throw e;
        });
        this.servers.push(server);
        (this.ports[containerPort] ??= []).push({ HostIp: b.HostIp || '0.0.0.0', HostPort: String((server.address() as AddressInfo).port) });
      }
    }
    const check = this.spec.Healthcheck ?? this.imageConfig.Healthcheck;
    if (check && check.Test[0] !== 'NONE') {
      this.health = { Status: 'starting', FailingStreak: 0 };
      this.healthTimer = setTimeout(() => {
        if (!this.health || !this.running) return;
        this.health = behaviour.health === 'unhealthy' ? { Status: 'unhealthy', FailingStreak: 3 } : { Status: 'healthy', FailingStreak: 0 };
        this.changed();
      }, behaviour.healthDelayMs ?? 30);
    }
    for (const l of behaviour.logs ?? [{ stream: 'stdout' as const, line: `listening on port ${this.env('PORT') ?? Object.keys(this.ports)[0] ?? '?'}` }]) this.print(l.stream, l.line);
  }

  async stop(signal = 'SIGTERM'): Promise<void> {
    if (!this.running) return;
    this.print('stdout', `received ${signal}, shutting down`);
    await this.closeServers();
    this.exit(signal === 'SIGKILL' ? 137 : 0);
  }

  private exit(code: number): void {
    clearTimeout(this.healthTimer);
    this.state = 'exited';
    this.exitCode = code;
    this.finishedAt = new Date();
    if (this.health) this.health = { ...this.health, Status: this.health.Status === 'healthy' ? 'healthy' : 'unhealthy' };
    this.changed();
  }

  private async closeServers(): Promise<void> {
    const servers = this.servers;
    this.servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve())))));
  }

  inspect(image: { Id: string }): Record<string, unknown> {
    return {
      Id: this.id,
      Name: `/${this.name}`,
      Created: this.created.toISOString(),
      Image: image.Id,
      State: {
        Status: this.state,
        Running: this.running,
        Paused: false,
        Restarting: false,
        OOMKilled: false,
        Dead: false,
        Pid: this.running ? 4242 : 0,
        ExitCode: this.exitCode,
        Error: '',
        StartedAt: this.startedAt?.toISOString() ?? '0001-01-01T00:00:00Z',
        FinishedAt: this.finishedAt?.toISOString() ?? '0001-01-01T00:00:00Z',
        ...(this.health ? { Health: { ...this.health, Log: [] } } : {}),
      },
      RestartCount: 0,
      Config: { ...this.imageConfig, Image: this.spec.Image, Env: [...this.imageConfig.Env, ...(this.spec.Env ?? [])], Labels: { ...this.imageConfig.Labels, ...this.spec.Labels }, ...(this.spec.Healthcheck ? { Healthcheck: this.spec.Healthcheck } : {}) },
      HostConfig: this.spec.HostConfig ?? {},
      NetworkSettings: { Ports: this.running ? this.ports : {} },
    };
  }

  summary(image: { Id: string }): Record<string, unknown> {
    return {
      Id: this.id,
      Names: [`/${this.name}`],
      Image: this.spec.Image,
      ImageID: image.Id,
      Created: Math.floor(this.created.getTime() / 1000),
      State: this.state,
      Status: this.running ? 'Up Less than a second' : `Exited (${this.exitCode}) Less than a second ago`,
      Labels: { ...this.imageConfig.Labels, ...this.spec.Labels },
      Ports: Object.entries(this.running ? this.ports : {}).flatMap(([p, bs]) =>
        bs.map((b) => ({ IP: b.HostIp, PrivatePort: Number(p.split('/')[0]), PublicPort: Number(b.HostPort), Type: p.split('/')[1] ?? 'tcp' })),
      ),
    };
  }
}
