import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildContext } from './build-context';
import type { ImageConfig } from './dockerfile-check';
import { buildImage } from './fake-build';
import { FAKE_API_VERSION, HEADERS, MIN_API_VERSION, fail, frame, newId, parseJsonParam, progress, send, versionNum, withTag } from './engine-http';
import { type ContainerBehaviour, FakeContainer } from './fake-container';

// A local stand-in for the Docker Engine API (v1.43+, the paths, verbs, status codes and bodies of
// its documentation) for what the Docker provider uses: no engine runs on this machine. It listens
// on a unix socket in a temp dir (DOCKER_HOST=unix://...) or on a TCP port, records every request
// and every build context, checks a Dockerfile against its context without running it, and runs
// "containers" as small HTTP servers on their published ports.


export interface RecordedRequest {
  method: string;
  /** without the /v1.xx prefix */
  path: string;
  apiVersion?: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** a JSON body, parsed */
  body?: unknown;
}

export interface RecordedBuild {
  query: Record<string, string>;
  tags: string[];
  dockerfilePath: string;
  /** the Dockerfile's text, as it came in the context */
  dockerfile?: string;
  context: BuildContext;
  /** each stage's base image, build args applied (what a real engine would pull) */
  stages?: { from: string; name?: string }[];
  imageId?: string;
  error?: string;
}

export interface RecordedPush {
  ref: string;
  /** the X-Registry-Auth header, decoded */
  auth?: { username?: string; password?: string; serveraddress?: string };
}

export interface FakeImage {
  Id: string;
  RepoTags: string[];
  /** unix seconds, as GET /images/json lists it */
  Created: number;
  /** as GET /images/{name}/json reports it (RFC 3339, sub-second) */
  CreatedAt: Date;
  Labels: Record<string, string>;
  Config: ImageConfig;
}

interface Failure {
  method?: string;
  path: RegExp;
  status: number;
  message: string;
  times: number;
}

type Handler = (req: IncomingMessage, res: ServerResponse, m: RegExpExecArray, q: Record<string, string>, body: Buffer) => Promise<void> | void;

export class FakeDockerEngine {
  readonly requests: RecordedRequest[] = [];
  readonly builds: RecordedBuild[] = [];
  readonly pushes: RecordedPush[] = [];
  readonly images = new Map<string, FakeImage>();
  readonly containers = new Map<string, FakeContainer>();
  /** how each container behaves once started; the test sets it */
  behaviour: (container: FakeContainer) => ContainerBehaviour = () => ({});
  /** credentials a push must carry; none: any push passes */
  registry?: { username: string; password: string };
  private failures: Failure[] = [];
  /** set by failNextBuild, taken by the next build */
  buildFailure?: string;
  private readonly routes: [string, RegExp, Handler][];

  constructor(
    private readonly server: Server,
    readonly dockerHost: string,
    private readonly dir?: string,
  ) {
    this.routes = [
      ['GET', /^\/_ping$/, (_q, res) => send(res, 200, 'OK', 'text/plain; charset=utf-8')],
      ['HEAD', /^\/_ping$/, (_q, res) => send(res, 200)],
      ['GET', /^\/version$/, (_q, res) => send(res, 200, { Version: '27.5.1', ApiVersion: FAKE_API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: 'amd64', KernelVersion: '6.1.0' })],
      ['POST', /^\/build$/, (req, res, _m, q, body) => buildImage(this, req, res, q, body)],
      ['GET', /^\/images\/json$/, (_r, res, _m, q) => send(res, 200, this.listImages(q))],
      ['GET', /^\/images\/(.+)\/json$/, (_r, res, m) => this.withImage(res, m[1], ({ CreatedAt, ...img }) => send(res, 200, { ...img, Created: CreatedAt.toISOString() }))],
      ['POST', /^\/images\/(.+)\/tag$/, (_r, res, m, q) => this.withImage(res, m[1], (img) => this.tag(res, img, q))],
      ['POST', /^\/images\/(.+)\/push$/, (req, res, m, q) => this.push(req, res, decodeURIComponent(m[1]), q)],
      ['DELETE', /^\/images\/(.+)$/, (_r, res, m, q) => this.withImage(res, m[1], (img) => this.removeImage(res, img, decodeURIComponent(m[1]), q))],
      ['POST', /^\/containers\/create$/, (_r, res, _m, q, body) => this.createContainer(res, q, body)],
      ['GET', /^\/containers\/json$/, (_r, res, _m, q) => send(res, 200, this.listContainers(q))],
      ['GET', /^\/containers\/([^/]+)\/json$/, (_r, res, m) => this.withContainer(res, m[1], (c) => send(res, 200, c.inspect(this.images.get(c.imageId) ?? { Id: c.imageId })))],
      ['POST', /^\/containers\/([^/]+)\/start$/, (_r, res, m) => this.withContainer(res, m[1], (c) => this.start(res, c))],
      ['POST', /^\/containers\/([^/]+)\/stop$/, (_r, res, m, q) => this.withContainer(res, m[1], async (c) => (c.running ? (await c.stop(q.signal), send(res, 204)) : send(res, 304)))],
      ['POST', /^\/containers\/([^/]+)\/wait$/, (_r, res, m) => this.withContainer(res, m[1], (c) => this.wait(res, c))],
      ['GET', /^\/containers\/([^/]+)\/logs$/, (req, res, m, q) => this.withContainer(res, m[1], (c) => this.logs(req, res, c, q))],
      ['DELETE', /^\/containers\/([^/]+)$/, (_r, res, m, q) => this.withContainer(res, m[1], (c) => this.removeContainer(res, c, q))],
    ];
    server.on('request', (req, res) => void this.handle(req, res));
  }

  /** the next `times` requests matching answer `status` with {message} (an outage, a 5xx, a conflict) */
  failNext(match: { method?: string; path: RegExp }, status: number, message: string, times = 1): void {
    this.failures.push({ ...match, status, message, times });
  }

  /** the next build's stream ends with this errorDetail after its first step (a RUN that failed) */
  failNextBuild(message: string): void {
    this.buildFailure = message;
  }

  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  findImage(ref: string): FakeImage | undefined {
    const r = decodeURIComponent(ref);
    for (const img of this.images.values()) {
      if (img.Id === r || img.Id === `sha256:${r}` || (r.length >= 12 && /^[0-9a-f]+$/.test(r) && img.Id.startsWith(`sha256:${r}`))) return img;
      if (img.RepoTags.includes(withTag(r))) return img;
    }
    return undefined;
  }

  findContainer(ref: string): FakeContainer | undefined {
    const byId = [...this.containers.values()].filter((c) => c.id.startsWith(ref));
    return [...this.containers.values()].find((c) => c.name === ref || c.name === ref.replace(/^\//, '')) ?? (byId.length === 1 ? byId[0] : undefined);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.containers.values()].map((c) => c.stop()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://docker');
    const vm = /^\/v(\d+\.\d+)(\/.*)$/.exec(url.pathname);
    const path = vm ? vm[2] : url.pathname;
    const query = Object.fromEntries(url.searchParams);
    const isJson = (req.headers['content-type'] ?? '').includes('json') && body.length > 0;
    this.requests.push({ method: req.method ?? 'GET', path, apiVersion: vm?.[1], query, headers: req.headers, body: isJson ? parseJsonParam(body.toString(), body.toString()) : undefined });
    try {
      if (vm && versionNum(vm[1]) > versionNum(FAKE_API_VERSION)) return fail(res, 400, `client version ${vm[1]} is too new. Maximum supported API version is ${FAKE_API_VERSION}`);
      if (vm && versionNum(vm[1]) < versionNum(MIN_API_VERSION)) return fail(res, 400, `client version ${vm[1]} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
      const f = this.failures.find((x) => (!x.method || x.method === req.method) && x.path.test(path));
      if (f) {
        if (--f.times <= 0) this.failures = this.failures.filter((x) => x !== f);
        return fail(res, f.status, f.message);
      }
      for (const [method, rx, handler] of this.routes) {
        const m = rx.exec(path);
        if (m && method === req.method) return await handler(req, res, m, query, body);
      }
      fail(res, 404, 'page not found');
    } catch (e) {
      if (!res.headersSent) fail(res, 500, (e as Error).message);
      else res.end();
    }
  }

  private withImage(res: ServerResponse, ref: string, fn: (img: FakeImage) => unknown) {
    const img = this.findImage(ref);
    return img ? fn(img) : fail(res, 404, `No such image: ${withTag(decodeURIComponent(ref))}`);
  }

  private withContainer(res: ServerResponse, ref: string, fn: (c: FakeContainer) => unknown) {
    const c = this.findContainer(decodeURIComponent(ref));
    return c ? fn(c) : fail(res, 404, `No such container: ${decodeURIComponent(ref)}`);
  }

  private listImages(q: Record<string, string>): unknown[] {
    const filters = parseJsonParam<Record<string, string[] | Record<string, boolean>>>(q.filters, {});
    const values = (k: string) => (Array.isArray(filters[k]) ? (filters[k] as string[]) : Object.keys(filters[k] ?? {}));
    return [...this.images.values()]
      .filter((img) => values('label').every((l) => (l.includes('=') ? img.Labels[l.split('=')[0]] === l.slice(l.indexOf('=') + 1) : l in img.Labels)))
      .filter((img) => values('reference').every((r) => img.RepoTags.some((t) => t === withTag(r) || t.startsWith(`${r}:`))))
      .map((img) => ({ Id: img.Id, ParentId: '', RepoTags: img.RepoTags, RepoDigests: [], Created: img.Created, Size: 1234567, Labels: img.Labels, Containers: -1 }));
  }

  private tag(res: ServerResponse, img: FakeImage, q: Record<string, string>) {
    if (!q.repo) return fail(res, 400, 'repository name must have at least one component');
    const ref = `${q.repo}:${q.tag || 'latest'}`;
    for (const other of this.images.values()) other.RepoTags = other.RepoTags.filter((t) => t !== ref);
    img.RepoTags.push(ref);
    send(res, 201);
  }

  private push(req: IncomingMessage, res: ServerResponse, name: string, q: Record<string, string>) {
    const ref = `${name}:${q.tag || 'latest'}`;
    const img = this.findImage(ref);
    if (!img) return fail(res, 404, `No such image: ${ref}`);
    const header = req.headers['x-registry-auth'];
    const auth = typeof header === 'string' && header ? parseJsonParam<RecordedPush['auth']>(Buffer.from(header, 'base64url').toString(), {}) : undefined;
    this.pushes.push({ ref, auth });
    const out = progress(res);
    out({ status: `The push refers to repository [${name}]` });
    if (this.registry && (auth?.username !== this.registry.username || auth?.password !== this.registry.password)) {
      out({ errorDetail: { message: 'unauthorized: authentication required' }, error: 'unauthorized: authentication required' });
      return void res.end();
    }
    const digest = `sha256:${createHash('sha256').update(img.Id).digest('hex')}`;
    out({ status: 'Pushed', progressDetail: {}, id: img.Id.slice(7, 19) });
    out({ status: `${q.tag || 'latest'}: digest: ${digest} size: 1234` });
    out({ progressDetail: {}, aux: { Tag: q.tag || 'latest', Digest: digest, Size: 1234 } });
    res.end();
  }

  private removeImage(res: ServerResponse, img: FakeImage, ref: string, q: Record<string, string>) {
    const user = [...this.containers.values()].find((c) => c.imageId === img.Id);
    const byTag = img.RepoTags.includes(withTag(ref));
    if (byTag && img.RepoTags.length > 1) {
      img.RepoTags = img.RepoTags.filter((t) => t !== withTag(ref));
      return send(res, 200, [{ Untagged: withTag(ref) }]);
    }
    if (user && q.force !== '1' && q.force !== 'true') {
      return fail(res, 409, `conflict: unable to delete ${img.Id.slice(7, 19)} (${user.running ? 'cannot be forced' : 'must be forced'}) - image is being used by ${user.running ? 'running' : 'stopped'} container ${user.id.slice(0, 12)}`);
    }
    this.images.delete(img.Id);
    send(res, 200, [...img.RepoTags.map((t) => ({ Untagged: t })), { Deleted: img.Id }]);
  }

  private createContainer(res: ServerResponse, q: Record<string, string>, body: Buffer) {
    const spec = parseJsonParam<FakeContainer['spec'] | undefined>(body.toString(), undefined);
    if (!spec?.Image) return fail(res, 400, 'config cannot be empty in order to create a container');
    const img = this.findImage(spec.Image);
    if (!img) return fail(res, 404, `No such image: ${withTag(spec.Image)}`);
    const id = newId();
    const name = q.name || `fake_${id.slice(0, 8)}`;
    const taken = this.findContainer(name);
    if (q.name && taken && taken.name === name) {
      return fail(res, 409, `Conflict. The container name "/${name}" is already in use by container "${taken.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.containers.set(id, new FakeContainer(id, name, img.Id, spec, img.Config));
    send(res, 201, { Id: id, Warnings: [] });
  }

  private listContainers(q: Record<string, string>): unknown[] {
    const filters = parseJsonParam<Record<string, string[]>>(q.filters, {});
    return [...this.containers.values()]
      .filter((c) => q.all === '1' || q.all === 'true' || c.running)
      .filter((c) => (filters.label ?? []).every((l) => {
        const labels = { ...c.imageConfig.Labels, ...c.spec.Labels };
        return l.includes('=') ? labels[l.split('=')[0]] === l.slice(l.indexOf('=') + 1) : l in labels;
      }))
      .filter((c) => (filters.name ?? []).every((n) => c.name.includes(n)))
      .sort((a, b) => b.created.getTime() - a.created.getTime())
      .map((c) => c.summary(this.images.get(c.imageId) ?? { Id: c.imageId }));
  }

  private async start(res: ServerResponse, c: FakeContainer) {
    if (c.running) return send(res, 304);
    try {
      await c.start(this.behaviour(c));
    } catch (e) {
      return fail(res, 500, (e as Error).message);
    }
    send(res, 204);
  }

  private async wait(res: ServerResponse, c: FakeContainer) {
    if (c.running) await new Promise<void>((resolve) => {
      const off = c.onChange(() => {
        if (c.running) return;
        off();
        resolve();
      });
    });
    send(res, 200, { StatusCode: c.exitCode, Error: null });
  }

  private logs(req: IncomingMessage, res: ServerResponse, c: FakeContainer, q: Record<string, string>) {
    const on = (k: string) => q[k] === '1' || q[k] === 'true';
    if (!on('stdout') && !on('stderr')) return fail(res, 400, 'Bad parameters: you must choose at least one stream');
    res.writeHead(200, { ...HEADERS, 'content-type': 'application/vnd.docker.multiplexed-stream' });
    let sent = q.tail && q.tail !== 'all' ? Math.max(0, c.logs.length - Number(q.tail)) : 0;
    const flush = () => {
      for (; sent < c.logs.length; sent++) {
        const l = c.logs[sent];
        if ((l.stream === 1 && on('stdout')) || (l.stream === 2 && on('stderr'))) res.write(frame(l.stream, `${on('timestamps') ? `${l.time.toISOString()} ` : ''}${l.line}\n`));
      }
    };
    flush();
    if (!on('follow') || !c.running) return void res.end();
    const off = c.onChange(() => {
      flush();
      if (c.running) return;
      off();
      res.end();
    });
    req.socket.once('close', off);
  }

  private async removeContainer(res: ServerResponse, c: FakeContainer, q: Record<string, string>) {
    const force = q.force === '1' || q.force === 'true';
    if (c.running && !force) return fail(res, 409, `cannot remove container "/${c.name}": container is running: stop the container before removing or force remove`);
    await c.stop('SIGKILL');
    this.containers.delete(c.id);
    send(res, 204);
  }
}

/** a fake engine on a unix socket in a temp dir (the default) or on 127.0.0.1:<free port> */
export async function startFakeDockerEngine(options: { tcp?: boolean } = {}): Promise<FakeDockerEngine> {
  const server = createServer();
  if (options.tcp) {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return new FakeDockerEngine(server, `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'fake-docker-'));
  const socket = join(dir, 'docker.sock');
  await new Promise<void>((resolve) => server.listen(socket, () => resolve()));
  return new FakeDockerEngine(server, `unix://${socket}`, dir);
}
