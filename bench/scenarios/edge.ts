import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { TestInfra } from '@flightdeck/testing';
import { getWithHost } from '@flightdeck/testing';
import { freePort } from '@flightdeck/runtime';
import { type ProviderApp, packArtifact, startProviderApp } from '../../apps/builder/test/provider-fixtures';
import { HttpLoad, openWebSocket, percentile, versionedApp } from '../../apps/builder/test/support/http-load';
import type { ReleaseSpec } from '../../apps/builder/src/provider/release-provider';
import type { Measurement } from '../results';
import type { BenchContext, Scenario } from '../scenario';
import { raceAbort, until } from '../support/abortable';

// What users get since the edge left the builder (1b6e471): a trivial Node release hit directly on
// its port, through the builder's router alone (the internal provider as the builder wires it, its
// Postgres schema on the run's server, the router on FLIGHTDECK_ROUTER_PORT), and through the
// gateway's edge in front of that router (the gateway's PublicEdge and EdgeRoutes in a process of
// their own: two hops, as deployed). Same load on each, in alternating thirds. Then SWITCHES deploys
// of new releases while a load runs through the gateway's edge (failed requests counted), then a
// rollback to the previous release, timed through the gateway's edge, while it still runs (an open
// WebSocket keeps it draining) and one after it stopped. Only 127.0.0.1.

const CONCURRENCY = 32;
const LOAD_MS = 5_000;
const SWITCHES = 10;
const ROLLBACKS = 3;

// The throughput load runs in a child process of its own, so that the edge (in this process, as in
// the builder) does not share its event loop with the client: keep-alive loops for `ms`.
const LOAD_SCRIPT = `
const http = require('node:http');
const o = JSON.parse(process.argv[1]);
const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency });
const lat = []; let failed = 0; const t0 = performance.now();
const one = () => new Promise((resolve) => {
  const sent = performance.now();
  const req = http.request({ host: '127.0.0.1', port: o.port, path: '/', headers: { host: o.host }, agent }, (res) => {
    res.resume();
    res.on('end', () => { if (res.statusCode !== 200) failed++; lat.push(performance.now() - sent); resolve(); });
  });
  req.on('error', () => { failed++; resolve(); });
  req.end();
});
const loop = async () => { while (performance.now() - t0 < o.ms) await one(); };
Promise.all(Array.from({ length: o.concurrency }, loop)).then(() => {
  const ms = performance.now() - t0;
  lat.sort((a, b) => a - b);
  console.log(JSON.stringify({ count: lat.length, failed, ms, p99: lat[Math.ceil(lat.length * 0.99) - 1] ?? 0 }));
  agent.destroy();
});`;

/** two runs as one: counts and times added, p99 the worse of the two */
const merged = (runs: LoadResult[]): LoadResult => ({
  count: runs.reduce((n, r) => n + r.count, 0),
  failed: runs.reduce((n, r) => n + r.failed, 0),
  ms: runs.reduce((n, r) => n + r.ms, 0),
  p99: Math.max(...runs.map((r) => r.p99)),
});

const execFileAsync = promisify(execFile);

interface LoadResult {
  count: number;
  failed: number;
  ms: number;
  p99: number;
}

async function externalLoad(o: { port: number; host: string; concurrency: number; ms: number }, signal: AbortSignal): Promise<LoadResult> {
  const { stdout } = await execFileAsync(process.execPath, ['-e', LOAD_SCRIPT, JSON.stringify(o)], { signal, timeout: Math.round(o.ms) + 30_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as LoadResult;
}

// The gateway's edge as its own process (bench/support/gateway-edge-process.ts), so that client,
// edge and router each have an event loop; stopped with the scenario.
async function startGatewayEdge(o: { port: number; router: string; labels: string[] }, signal: AbortSignal): Promise<() => Promise<void>> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, '..', 'support', 'gateway-edge-process.ts'), JSON.stringify(o)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  signal.addEventListener('abort', () => void stop(), { once: true });
  try {
    await raceAbort(
      new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        void exited.then(() => reject(new Error(`the gateway edge process exited: ${output.slice(-2_000)}`)));
      }),
      signal,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return stop;
}

export const edge: Scenario = {
  name: 'edge',
  description: `requests/s and p99 through the gateway's edge (a process of its own) in front of the builder's router, through the router alone, and on the release directly (${CONCURRENCY} keep-alive loops, ${LOAD_MS / 1000} s each), failed requests during ${SWITCHES} switches under load through the gateway's edge, rollback time warm and cold`,
  timeoutMs: 5 * 60_000,
  async run(ctx: BenchContext): Promise<Measurement[]> {
    const edgePort = await freePort();
    const routerPort = await freePort();
    const infra = {
      envFor: (name, extra = {}) => ({
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        ...ctx.nats.envFor(name),
        DATABASE_URL: ctx.databaseUrls[name],
        HTTP_HOST: '127.0.0.1',
        ...extra,
      }),
    } as Pick<TestInfra, 'envFor'> as TestInfra;
    const p: ProviderApp = await startProviderApp(
      infra,
      { FLIGHTDECK_DATA_DIR: join(ctx.workDir, 'data'), FLIGHTDECK_EDGE_PORT: String(edgePort), FLIGHTDECK_ROUTER_PORT: String(routerPort) },
      { healthTimeoutMs: 20_000, drainTimeoutMs: 30_000 },
    );
    const host = `bench-production.localhost:${edgePort}`;
    let stopEdge: (() => Promise<void>) | undefined;
    const versions = new Map<string, string>();
    const aSpec = async (version: string): Promise<ReleaseSpec> => {
      const deploymentId = randomUUID();
      versions.set(deploymentId, version);
      return {
        deploymentId,
        projectName: 'bench',
        environmentName: 'production',
        artifactPath: await packArtifact(versionedApp(version), ctx.workDir),
        kind: 'node',
        startCommand: ['node', 'server.js'],
        env: { PATH: process.env.PATH! },
      };
    };
    const signal = () => ctx.signal;
    const wait = { timeoutMs: 20_000, everyMs: 5, signal: ctx.signal };
    const noLog = () => undefined;
    const loadFor = (port: number, ms: number) => externalLoad({ port, host, concurrency: CONCURRENCY, ms }, ctx.signal);
    try {
      const first = await aSpec('v0');
      await p.provider.deploy(first, noLog, signal());
      const upstream = await p.processes.upstreamFor({
        id: first.deploymentId,
        project: 'bench',
        kind: 'node',
        dir: join(ctx.workDir, 'data', 'releases', 'bench', 'production', first.deploymentId),
        startCommand: first.startCommand,
      });
      stopEdge = await startGatewayEdge({ port: edgePort, router: `127.0.0.1:${routerPort}`, labels: ['bench-production'] }, ctx.signal);
      ctx.log(`release v0 on 127.0.0.1:${upstream.port}, builder's router on 127.0.0.1:${routerPort}, gateway's edge on 127.0.0.1:${edgePort}`);

      // warm the three paths, then the same load directly, through the router, through the gateway's edge
      const paths = { direct: upstream.port, router: routerPort, gateway: edgePort };
      for (const port of Object.values(paths)) await loadFor(port, 1_000);
      // alternating thirds: the machine's other load drifts alike for the three
      const runs: Record<keyof typeof paths, LoadResult[]> = { direct: [], router: [], gateway: [] };
      for (let i = 0; i < 3; i++) {
        for (const [name, port] of Object.entries(paths)) runs[name as keyof typeof paths].push(await loadFor(port, Math.round(LOAD_MS / 3)));
      }
      const direct = merged(runs.direct);
      const viaRouter = merged(runs.router);
      const viaGateway = merged(runs.gateway);
      const rps = (r: LoadResult) => (r.count * 1000) / r.ms;
      const [directRps, routerRps, gatewayRps] = [rps(direct), rps(viaRouter), rps(viaGateway)];
      if (direct.failed || viaRouter.failed || viaGateway.failed) {
        throw new Error(`failed requests: ${direct.failed} direct, ${viaRouter.failed} through the router, ${viaGateway.failed} through the gateway's edge`);
      }
      const loadAverage = loadavg()[0].toFixed(1);
      ctx.log(`machine load average ${loadAverage} (${cpus().length} cores)`);
      ctx.log(
        `direct ${directRps.toFixed(0)}/s p99 ${direct.p99.toFixed(1)} ms; router ${routerRps.toFixed(0)}/s p99 ${viaRouter.p99.toFixed(1)} ms; ` +
          `gateway edge → router ${gatewayRps.toFixed(0)}/s p99 ${viaGateway.p99.toFixed(1)} ms (${((gatewayRps / directRps) * 100).toFixed(0)} % of direct)`,
      );

      // switches under load through the gateway's edge: each a deploy of a new release (unpack, start, health check, switch, drain)
      const load = new HttpLoad({ port: edgePort, host, concurrency: CONCURRENCY, maxMs: 3 * 60_000 });
      const switchMs: number[] = [];
      try {
        for (let i = 1; i <= SWITCHES && !ctx.signal.aborted; i++) {
          const next = await aSpec(`v${i}`);
          const at = load.now();
          await p.provider.deploy(next, noLog, signal());
          switchMs.push(load.now() - at);
        }
      } finally {
        await load.stop();
      }
      const failed = load.failures();
      ctx.log(`${SWITCHES} switches under load: ${load.samples.length} requests at ${load.rate().toFixed(0)}/s, ${failed.length} failed`);
      for (const f of failed.slice(0, 3)) ctx.log(`  failed: ${f.status} ${f.error ?? f.body.slice(0, 120)}`);

      // rollback to the release before `previous`: warm (kept draining by an open WebSocket), then cold
      const rollbackTime = async (to: ReleaseSpec, from: ReleaseSpec, warm: boolean): Promise<number> => {
        const ws = warm ? await openWebSocket(edgePort, host) : undefined;
        await p.provider.deploy(from, noLog, signal());
        if (!warm) await until('the previous release stopped', async () => (p.processes.isActive(to.deploymentId) ? undefined : true), wait);
        const measure = new HttpLoad({ port: edgePort, host, concurrency: 8, maxMs: 30_000 });
        try {
          await until('the load runs', async () => (measure.samples.length > 50 ? true : undefined), wait);
          const at = measure.now();
          await p.provider.rollback({ deploymentId: randomUUID(), projectName: 'bench', environmentName: 'production', toDeploymentId: to.deploymentId }, noLog, signal());
          const answered = await until('the old version answers', async () => measure.samples.find((s) => s.sentAt >= at && s.body === versions.get(to.deploymentId)), wait);
          return answered.doneAt - at;
        } finally {
          await measure.stop();
          ws?.socket.destroy();
        }
      };
      const warm: number[] = [];
      const cold: number[] = [];
      for (let i = 0; i < ROLLBACKS && !ctx.signal.aborted; i++) {
        const a = await aSpec(`w${i}`);
        await p.provider.deploy(a, noLog, signal());
        const b = await aSpec(`x${i}`);
        warm.push(await rollbackTime(a, b, true));
        const c = await aSpec(`y${i}`);
        const d = await aSpec(`z${i}`);
        await p.provider.deploy(c, noLog, signal());
        cold.push(await rollbackTime(c, d, false));
      }
      ctx.log(`rollback warm ${warm.map((m) => m.toFixed(0)).join(', ')} ms; cold ${cold.map((m) => m.toFixed(0)).join(', ')} ms`);
      expectServes(await getWithHost(edgePort, host));

      return [
        { figure: 'direct requests/s', unit: 'req/s', value: Math.round(directRps), note: `${CONCURRENCY} keep-alive loops for ${LOAD_MS / 1000} s (three alternating thirds) on the release's port, from a child process; machine load average ${loadAverage} on ${cpus().length} cores` },
        { figure: 'direct p99', unit: 'ms', value: round1(direct.p99) },
        { figure: 'gateway edge requests/s', unit: 'req/s', value: Math.round(gatewayRps), baseline: 'edge/direct requests/s', note: "same load through the gateway's edge (its own process) and the builder's router by Host header: what users get; target ratio ≥ 0.5" },
        { figure: 'gateway edge p99', unit: 'ms', value: round1(viaGateway.p99), baseline: 'edge/direct p99' },
        { figure: 'gateway edge p99 overhead', unit: 'ms', value: round1(viaGateway.p99 - direct.p99), note: 'target < 5 ms' },
        { figure: 'router requests/s', unit: 'req/s', value: Math.round(routerRps), baseline: 'edge/direct requests/s', note: "same load on the builder's router alone (one hop, in the bench process as in the builder)" },
        { figure: 'router p99', unit: 'ms', value: round1(viaRouter.p99), baseline: 'edge/direct p99' },
        { figure: 'router p99 overhead', unit: 'ms', value: round1(viaRouter.p99 - direct.p99) },
        { figure: 'failed requests during switches', unit: 'requests', value: failed.length, note: `${SWITCHES} deploys switched under load through the gateway's edge, ${load.samples.length} requests; target 0` },
        { figure: 'switch (deploy) median', unit: 'ms', value: Math.round(percentile(switchMs, 50)), note: 'unpack, start, health check, switch' },
        { figure: 'rollback warm (max)', unit: 'ms', value: Math.round(Math.max(...warm)), note: `rollback request → first answer of the old version through the gateway's edge, ${warm.length} rounds; target < 1000` },
        { figure: 'rollback cold (max)', unit: 'ms', value: Math.round(Math.max(...cold)), note: 'the old release stopped: started and health-checked first' },
      ];
    } finally {
      await stopEdge?.();
      await p.app.close();
    }
  },
};


const round1 = (n: number) => Math.round(n * 10) / 10;

function expectServes(answer: { status: number }): void {
  if (answer.status !== 200) throw new Error(`the environment answers ${answer.status} after the rollbacks`);
}
