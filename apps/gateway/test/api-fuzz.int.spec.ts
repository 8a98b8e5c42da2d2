import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { ErrorCode, type ServiceName } from '@flightdeck/contracts';
import { GitRepo, type ServiceProcess, type TestInfra, spawnService, startTestInfra, waitForReady } from '@flightdeck/testing';
import { ADMIN_TOKEN, type RunningGateway, startGateway } from './support/gateway-app';
import { type FuzzRequest, type IdPools, type OpenApiDocument, operationsOf, requestFor } from './support/openapi-fuzz';

jest.setTimeout(300_000);

// How many requests, and how many at once per route (two routes are fuzzed at a time). The
// operations share them evenly.
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5_000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 3);
const REQUEST_TIMEOUT_MS = 20_000;
const CODES = new Set<string>(Object.values(ErrorCode));
// A 5xx that says a system outside the platform failed, not the request: the project's own git
// repository could not be read (the fuzz points projects at repositories and branches that do not exist).

interface Outcome {
  status: number;
  code?: string;
  message?: string;
  problem?: string;
}

// The gateway on real Postgres and NATS with the services its routes ask: environment-manager,
// deployment-orchestrator and log-ingest, each its own process. The builder is left out: a
// trigger that passes creates a deployment that waits in the queue, and nothing builds.
describe('API fuzz: every route of the OpenAPI document with random and hostile input', () => {
  let infra: TestInfra;
  let gw: RunningGateway;
  const services: ServiceProcess[] = [];
  const errors: string[] = [];
  let viewerToken: string;
  let repo: GitRepo;
  const pools: IdPools = {};

  const admin = (method: string, path: string, body?: unknown) => gw.api(method, path, body === undefined ? {} : { body });
  const created = async (method: string, path: string, body: unknown) => {
    const res = await admin(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };

  beforeAll(async () => {
    infra = await startTestInfra();
    const own: Partial<Record<ServiceName, Record<string, string>>> = {
      'environment-manager': { FLIGHTDECK_SECRET_KEY: randomBytes(32).toString('base64') },
      'deployment-orchestrator': {},
      'log-ingest': {},
    };
    await Promise.all(
      Object.entries(own).map(async ([name, env]) => {
        const svc = await spawnService(name as ServiceName, { PATH: process.env.PATH, HOME: process.env.HOME, ...infra.envFor(name as ServiceName, env) }, {
          onOutput: (line) => {
            // what a service logged as an error (pino level 50 and up), to show beside a failure
            if (/"level":(5|6)0/.test(line)) errors.push(`${name} | ${line.slice(0, 3_000)}`);
          },
        });
        services.push(svc);
        await waitForReady(svc.healthPort, 90_000, svc.exited);
      }),
    );
    // the bootstrap admin is never limited; the viewer's token gets room for everything it is sent
    gw = await startGateway(infra, { FLIGHTDECK_API_REQUESTS_PER_MINUTE: '1000000' });

    // what exists, for path parameters that name something real
    // a repository detection can read; nothing builds it
    repo = GitRepo.create({
      'package.json': JSON.stringify({ name: 'fuzz-app', scripts: { build: 'node build.js' }, dependencies: { next: '14.2.0' } }),
      'build.js': 'console.log(process.env.API_URL, process.env.DATABASE_URL)',
    });
    const project = await created('POST', '/projects', { name: 'fuzz-seed', repositoryUrl: repo.dir });
    const second = await created('POST', '/projects', { name: 'fuzz-second', repositoryUrl: repo.dir });
    const envs = (await admin('GET', `/projects/${project.id}/environments`)).body.items as { id: string }[];
    const deployment = await created('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' });
    await created('PUT', `/environments/${envs[0].id}/variables/API_URL`, { value: 'https://api.example.com' });
    const viewer = await created('POST', '/users', { name: 'fuzz-viewer' });
    await created('PUT', `/projects/${project.id}/members/${viewer.id}`, { role: 'viewer' });
    viewerToken = (await created('POST', '/tokens', { name: 'fuzz-viewer', scopes: ['read'], userId: viewer.id })).token;
    Object.assign(pools, {
      projectId: [project.id, second.id],
      environmentId: envs.map((e) => e.id),
      deploymentId: [deployment.id],
      userId: [viewer.id],
      key: ['API_URL'],
    });
  });

  afterAll(async () => {
    await gw?.close();
    await Promise.all(services.map((s) => s.stop(5_000)));
    await infra?.stop();
    repo?.remove();
  });

  const send = async (r: FuzzRequest): Promise<Outcome> => {
    const auth: Record<FuzzRequest['caller'], Record<string, string>> = {
      admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
      viewer: { authorization: `Bearer ${viewerToken}` },
      none: {},
      'wrong-token': { authorization: 'Bearer fdk_not-a-token' },
    };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      const res = await fetch(`${gw.url}/api/v1${r.path.replace(/^\/api\/v1/, '')}${r.query ? `?${r.query}` : ''}`, {
        method: r.method,
        headers: { ...auth[r.caller], ...r.headers },
        body: r.body,
        signal: abort.signal,
      });
      const type = res.headers.get('content-type') ?? '';
      // a stream its caller may read stays open: its status and headers are the answer
      if (type.startsWith('text/event-stream')) {
        abort.abort();
        return { status: res.status };
      }
      const text = await res.text();
      if (res.status < 400) return { status: res.status };
      let code: unknown;
      let message: unknown;
      try {
        ({ code, message } = JSON.parse(text)?.error ?? {});
      } catch {
        return { status: res.status, problem: `a ${res.status} whose body is no JSON (${type}): ${text.slice(0, 200)}` };
      }
      if (typeof code !== 'string' || !CODES.has(code)) return { status: res.status, problem: `a ${res.status} without a code of libs/contracts: ${text.slice(0, 200)}` };
      return { status: res.status, code, message: String(message) };
    } catch (e) {
      return { status: 0, problem: abort.signal.aborted ? `no answer within ${REQUEST_TIMEOUT_MS} ms` : `the request failed: ${(e as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  };

  const describeRequest = (r: FuzzRequest) => {
    const body = r.body === undefined ? '' : ` body(${r.body.length} bytes)=${r.body.slice(0, 300)}`;
    return `${r.caller}: ${r.method} ${r.path}${r.query ? `?${r.query.slice(0, 300)}` : ''} [${r.note}] headers=${JSON.stringify(r.headers).slice(0, 300)}${body}`;
  };

  it('answers at least 5,000 requests across every route without a 5xx, every 4xx with a stable error code, and still works afterwards', async () => {
    const doc = (await (await fetch(`${gw.opsUrl}/openapi.json`)).json()) as OpenApiDocument;
    // FUZZ_ROUTES (a regex on "METHOD /path") narrows a run down while looking into a failure
    // deletions last, so that the routes before them find the seeded project, environment and member
    const ops = operationsOf(doc)
      .filter((op) => new RegExp(process.env.FUZZ_ROUTES ?? '.').test(`${op.method} ${op.path}`))
      .sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
    if (!process.env.FUZZ_ROUTES) expect(ops.length).toBeGreaterThan(50);
    const runsPerOp = Math.ceil(REQUESTS / ops.length / CONCURRENCY);
    const statuses = new Map<number, number>();
    // 429s of the per-token limit, which would hide what a request would have answered (a project's
    // own trigger limit, which the fuzz may set low, is an answer like any other)
    let throttled = 0;
    const perRoute = new Map<string, number>();
    const failures: string[] = [];
    const started = Date.now();

    const tookPerRoute = new Map<string, number>();
    const fuzzRoute = async (op: (typeof ops)[number]) => {
      const route = `${op.method} ${op.path}`;
      const routeStarted = Date.now();
      const batch = fc.array(requestFor(op, pools), { minLength: CONCURRENCY, maxLength: CONCURRENCY });
      try {
        await fc.assert(
          fc.asyncProperty(batch, async (requests) => {
            const outcomes = await Promise.all(requests.map(send));
            outcomes.forEach((o, i) => {
              statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
              perRoute.set(route, (perRoute.get(route) ?? 0) + 1);
              if (o.status === 429 && /per token/.test(o.message ?? '')) throttled += 1;
              if (o.problem) throw new Error(`${o.problem}\n  for ${describeRequest(requests[i])}`);
              // no builder runs in this stack: the environment health route (answered by builders) is honestly unavailable
              const noBuilder = o.status === 503 && o.code === 'service/unavailable' && route.endsWith('/health');
              if (o.status >= 500 && !noBuilder) throw new Error(`${o.status} ${o.code}\n  for ${describeRequest(requests[i])}`);
            });
          }),
          // FUZZ_SEED (with FUZZ_ROUTES) replays what a failure printed
          { numRuns: runsPerOp, maxSkipsPerRun: 0, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {}) },
        );
      } catch (e) {
        // fast-check's error carries the shrunk request's failure as its cause, and the seed that replays it
        const seed = (e as Error).message.match(/\{ seed: .*\}/)?.[0] ?? '';
        const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
        failures.push(`${route}: ${cause}\n  ${seed}`);
      }
      tookPerRoute.set(route, Date.now() - routeStarted);
    };
    // two routes at a time: a slow route (the status gathers answers for a while) does not hold up the rest
    const lanes = [ops.filter((_, i) => i % 2 === 0), ops.filter((_, i) => i % 2 === 1)];
    await Promise.all(
      lanes.map(async (lane) => {
        for (const op of lane) await fuzzRoute(op);
      }),
    );
    const tookMs = Date.now() - started;
    const sent = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(
      `fuzz: ${sent} requests over ${ops.length} routes in ${(tookMs / 1000).toFixed(1)} s; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`,
    );
    if (process.env.FUZZ_VERBOSE) console.log([...tookPerRoute].sort(([, a], [, b]) => b - a).slice(0, 15).map(([r, ms]) => `${ms} ms ${r}`).join('\n'));
    if (errors.length) console.log(`errors the services logged:\n${errors.slice(0, 20).join('\n')}`);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(REQUESTS);
    expect(ops.filter((op) => !perRoute.get(`${op.method} ${op.path}`))).toEqual([]);
    expect(throttled).toBe(0);

    // and the stack still answers as it should
    expect((await fetch(`${gw.opsUrl}/health/ready`)).status).toBe(200);
    for (const svc of services) expect([svc.name, (await fetch(`http://127.0.0.1:${svc.healthPort}/health/ready`)).status]).toEqual([svc.name, 200]);
    const after = await admin('POST', '/projects', { name: 'after-the-fuzz', repositoryUrl: repo.dir });
    expect(after.status).toBe(201);
    const triggered = await admin('POST', `/projects/${after.body.id}/deployments`, { sourceRef: 'main' });
    expect(triggered.status).toBe(201);
    const listed = await admin('GET', `/projects/${after.body.id}/deployments`);
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((d: { id: string }) => d.id)).toEqual([triggered.body.id]);
    const me = await gw.api('GET', '/me', { headers: { authorization: `Bearer ${viewerToken}` } });
    expect([me.status, me.body.user?.name]).toEqual([200, 'fuzz-viewer']);
  });
});
