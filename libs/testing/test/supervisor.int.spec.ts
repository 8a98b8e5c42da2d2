import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Supervisable,
  type SupervisedUnit,
  Supervisor,
  eventually,
  exitOf,
  isOurs,
  isRunning,
  stopChild,
  stopLeftovers,
} from '../src';

jest.setTimeout(60_000);

// Real child processes (node -e) under the npm start supervisor, with a short backoff.
const policy = { baseDelayMs: 20, maxDelayMs: 200, crashLoopExits: 3, crashLoopWindowMs: 60_000 };

const nodeUnit = (name: string, script: string, started: number[] = []): SupervisedUnit => ({
  name,
  kind: 'service',
  start: async (): Promise<Supervisable> => {
    const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
    started.push(child.pid!);
    return { pid: child.pid, exited: exitOf(child), stop: () => stopChild(child, 'SIGTERM', 2_000) };
  },
});
const SLEEPER = 'setInterval(() => {}, 1000)';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the launcher supervisor', () => {
  let said: string[];
  let supervisor: Supervisor;
  const stateOf = (name: string) => supervisor.status().processes.find((p) => p.name === name)!;

  beforeEach(() => {
    said = [];
    supervisor = new Supervisor({ policy, say: (m) => said.push(m) });
  });
  afterEach(() => supervisor.stop([]));

  it('restarts a process killed with SIGKILL, and counts it', async () => {
    const pids: number[] = [];
    await supervisor.add(nodeUnit('sleeper', SLEEPER, pids));
    await eventually('it to run', async () => stateOf('sleeper').state === 'running');
    process.kill(pids[0], 'SIGKILL');
    const back = await eventually('it to run again', async () =>
      stateOf('sleeper').state === 'running' && pids.length === 2 ? stateOf('sleeper') : undefined,
    );
    expect(back).toMatchObject({ pid: pids[1], restarts: 1, lastExit: { code: null, signal: 'SIGKILL' } });
    expect(said.join('\n')).toContain('sleeper exited unexpectedly (signal SIGKILL); restart #1 in 20 ms');
  });

  it('gives up on a crash loop, says so, and leaves the others running', async () => {
    const pids: number[] = [];
    await supervisor.add(nodeUnit('sleeper', SLEEPER, pids));
    await supervisor.add(nodeUnit('crasher', 'process.exit(3)'));
    await eventually(
      'the crasher to be crash-looping',
      async () => stateOf('crasher').state === 'crash-looping',
    );
    expect(stateOf('crasher')).toMatchObject({ restarts: 2, lastExit: { code: 3, signal: null } });
    expect(stateOf('crasher').pid).toBeUndefined();
    expect(said.join('\n')).toMatch(/crasher is CRASH-LOOPING: 3 exits within 60 s \(last: code 3\)/);
    expect(stateOf('sleeper')).toMatchObject({ state: 'running', restarts: 0 });
    expect(alive(pids[0])).toBe(true);
    // the point: nothing more happens to it, while the supervisor still acts on the others (a waited-for
    // restart of the sleeper, not a fixed sleep, shows time passing with the supervisor at work)
    process.kill(pids[0], 'SIGKILL');
    await eventually('the sleeper to run again', async () => stateOf('sleeper').state === 'running' && pids.length === 2);
    expect(stateOf('crasher')).toMatchObject({ state: 'crash-looping', restarts: 2 });
  });

  it('settles once each is running or crash-looping, as npm start waits at start-up', async () => {
    await supervisor.add(nodeUnit('sleeper', SLEEPER));
    // like a service: ready only once it answers, which this one never does before it exits
    const neverReady = (run: Supervisable) => run.exited.then(() => Promise.reject(new Error('exited')));
    await supervisor.add({ ...nodeUnit('crasher', 'process.exit(3)'), ready: neverReady });
    await expect(supervisor.settled(['sleeper', 'crasher'], 10_000)).resolves.toEqual({
      crashLooping: ['crasher'],
      notReady: [],
    });
  });

  it('starts a crash-looping one again when asked (the operator fixed the cause), with a clean slate', async () => {
    let fixed = false;
    await supervisor.add({
      ...nodeUnit('fixable', SLEEPER),
      start: () => nodeUnit('fixable', fixed ? SLEEPER : 'process.exit(2)').start(),
    });
    await eventually('it to be crash-looping', async () => stateOf('fixable').state === 'crash-looping');
    fixed = true;
    expect(supervisor.retryCrashLooping()).toEqual(['fixable']);
    await eventually('it to run', async () => stateOf('fixable').state === 'running');
    expect(stateOf('fixable').restarts).toBe(3);
    expect(supervisor.retryCrashLooping()).toEqual([]);
  });

  it('counts a start that throws as an exit', async () => {
    let calls = 0;
    await supervisor.add({
      ...nodeUnit('flaky', SLEEPER),
      start: async () => {
        calls += 1;
        if (calls === 1) return nodeUnit('flaky', 'process.exit(1)').start();
        throw new Error('port in use');
      },
    });
    await eventually('it to be crash-looping', async () => stateOf('flaky').state === 'crash-looping');
    expect(said.join('\n')).toContain('flaky did not start: port in use');
  });

  it('stops group after group, and restarts nothing once stopping', async () => {
    const pids: Record<string, number[]> = { a: [], b: [], db: [] };
    const order: string[] = [];
    for (const name of ['a', 'b', 'db']) {
      const unit = nodeUnit(name, SLEEPER, pids[name]);
      await supervisor.add({
        ...unit,
        start: async () => {
          const run = await unit.start();
          const stop = async () => {
            await run.stop();
            order.push(name);
          };
          return { ...run, stop };
        },
      });
    }
    await eventually('all to run', async () =>
      supervisor.status().processes.every((p) => p.state === 'running'),
    );
    await supervisor.stop([['a', 'b'], ['db']]);
    expect(order.slice(2)).toEqual(['db']);
    expect(new Set(order.slice(0, 2))).toEqual(new Set(['a', 'b']));
    for (const pid of Object.values(pids).flat()) expect([pid, alive(pid)]).toEqual([pid, false]);
    expect(supervisor.status().processes.map((p) => p.state)).toEqual(['stopped', 'stopped', 'stopped']);
    expect(said).toEqual([]);
  });
});

describe('what a killed launcher left running', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-leftovers-'));
  const statusFile = join(dir, 'supervisor.json');
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) await stopChild(c, 'SIGKILL', 2_000);
    rmSync(dir, { recursive: true, force: true });
  });

  // a process whose command line and environment look like a service's (or the launcher's)
  const lookalike = (args: string[], env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, ['-e', SLEEPER, ...args], {
      stdio: 'ignore',
      env: { ...process.env, ...env },
    });
    children.push(child);
    return child.pid!;
  };
  const write = (launcherPid: number, processes: { name: string; pid: number }[]) =>
    writeFileSync(
      statusFile,
      JSON.stringify({
        launcherPid,
        updatedAt: new Date().toISOString(),
        processes: processes.map((p) => ({
          ...p,
          kind: 'service',
          state: 'running',
          restarts: 0,
          since: new Date().toISOString(),
        })),
      }),
    );

  it("stops its own services, and leaves alone a pid now someone else's (another data dir's, say)", async () => {
    const ours = lookalike(['apps/builder/src/main.ts'], { FLIGHTDECK_DATA_DIR: dir });
    const theirs = lookalike(['apps/log-ingest/src/main.ts'], { FLIGHTDECK_DATA_DIR: '/elsewhere' });
    write(999_999, [
      { name: 'builder', pid: ours },
      { name: 'log-ingest', pid: theirs },
    ]);
    await expect(stopLeftovers(statusFile, dir)).resolves.toEqual({
      launcherPid: 999_999,
      stopped: [`builder (pid ${ours})`],
    });
    // (a zombie until this process reaps it: gone for the launcher's purposes)
    expect(isRunning(ours)).toBe(false);
    expect(isRunning(theirs)).toBe(true);
  });

  it("knows its NATS cluster's nodes from another data dir's", () => {
    const node = (data: string) => lookalike(['nats-server', '-c', join(data, 'nats-cluster/flightdeck-nats-2/nats-server.conf')]);
    const [ours, theirs] = [node(dir), node('/elsewhere')];
    expect(isOurs({ name: 'flightdeck-nats-2', kind: 'nats-server', pid: ours } as Parameters<typeof isOurs>[0], dir)).toBe(true);
    expect(isOurs({ name: 'flightdeck-nats-2', kind: 'nats-server', pid: theirs } as Parameters<typeof isOurs>[0], dir)).toBe(false);
  });

  it('refuses to start beside the launcher that still runs on the data dir', async () => {
    write(lookalike(['scripts/start.ts']), []);
    await expect(stopLeftovers(statusFile, dir)).rejects.toThrow(/another launcher \(pid \d+\) is running/);
  });
});
