import { type ServiceProcess, type TestInfra, eventually, freePort, spawnService, startTestInfra, waitForReady } from '../src';

// a deadline that does not keep jest waiting once the race is decided
const after = <T>(ms: number, value: T) => new Promise<T>((r) => setTimeout(() => r(value), ms).unref());

const probe = async (port: number, path: string) => {
  try {
    return (await fetch(`http://127.0.0.1:${port}${path}`)).status;
  } catch {
    return 0;
  }
};

// A service started before its Postgres or NATS is reachable keeps retrying, says so in its log,
// answers live but not ready, and becomes ready once the server is there; it never crash-loops.
describe('service start-up with its servers unreachable', () => {
  let infra: TestInfra;
  let svc: ServiceProcess | undefined;
  let output: string[];

  beforeAll(async () => {
    infra = await startTestInfra();
  });
  beforeEach(() => {
    output = [];
  });
  afterEach(async () => {
    await svc?.stop(5_000);
    svc = undefined;
  });
  afterAll(async () => {
    await infra?.stop();
  });

  const start = async (env: Record<string, string>) => {
    svc = await spawnService('log-ingest', { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, { onOutput: (l) => output.push(l) });
    return svc;
  };

  it('waits for NATS with a logged retry, not ready meanwhile, then becomes ready', async () => {
    await infra.nats.stop();
    const s = await start(infra.envFor('log-ingest'));
    await eventually('the NATS retry to be logged', () => output.some((l) => l.includes('NATS unreachable, retrying')), { timeoutMs: 30_000, intervalMs: 100 }).catch(() => undefined);
    expect(output.join('\n')).toContain('NATS unreachable, retrying');
    expect(await probe(s.port, '/health/live')).toBe(200);
    expect(await probe(s.port, '/health/ready')).toBe(503);
    expect(s.child.exitCode).toBeNull();

    await infra.nats.start();
    await waitForReady(s.port, 30_000, s.exited);
  });

  it('retries an unreachable database with a logged reason and stops cleanly on SIGTERM while waiting', async () => {
    const url = new URL(infra.databaseUrls['log-ingest']);
    url.port = String(await freePort()); // nothing listens there
    const s = await start(infra.envFor('log-ingest', { DATABASE_URL: url.toString() }));
    await eventually('two database retries to be logged', () => output.filter((l) => l.includes('database unreachable, retrying')).length >= 2, { timeoutMs: 30_000, intervalMs: 100 }).catch(() => undefined);
    expect(output.filter((l) => l.includes('database unreachable, retrying')).length).toBeGreaterThanOrEqual(2);
    expect(await probe(s.port, '/health/ready')).toBe(503);
    expect(s.child.exitCode).toBeNull();

    s.child.kill('SIGTERM');
    await expect(Promise.race([s.exited, after(10_000, 'still running')])).resolves.toBe(0);
  });

  it('stops at once with one message naming a malformed setting', async () => {
    const s = await start(infra.envFor('log-ingest', { LOG_INGEST_MAX_LINES_PER_TX: 'lots' }));
    await expect(Promise.race([s.exited, after(30_000, 'still running')])).resolves.toBe(1);
    const errors = output.filter((l) => l.includes('LOG_INGEST_MAX_LINES_PER_TX'));
    expect(errors).toHaveLength(1);
  });
});
