import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import type { Deployment, SupervisedProcess, SupervisorStatus, SystemStatus } from '@flightdeck/contracts';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { eventually, sleep } from '@flightdeck/testing';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, deploymentEnded, getWithHost, until } from '../support/http';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(600_000);

const TERMINAL = ['succeeded', 'failed', 'canceled', 'timeout'];

// One npm start for the whole file: what an operator does to a running machine, in turn.
describe('npm start heals itself', () => {
  let stack: Launched;
  let api: Api;
  let repo: GitRepo;
  let projectId: string;
  const measured: string[] = [];

  beforeAll(async () => {
    stack = await startLauncher();
    api = new Api(stack.gatewayUrl, stack.token);
    repo = new GitRepo();
    repo.write(nodeApp('v1', { lines: 20, buildSleepS: 2 }));
    repo.commit('v1');
    const project = await api.call<{ id: string }>('POST', '/projects', {
      name: 'healer',
      repositoryUrl: repo.dir,
    });
    expect(project.status).toBe(201);
    projectId = project.body.id;
  });
  afterAll(async () => {
    if (measured.length) console.log(`restart to ready:\n${measured.join('\n')}`);
    await stack?.stop();
    repo?.remove();
  });

  const supervisorFile = (): SupervisorStatus =>
    JSON.parse(readFileSync(join(stack.dataDir, 'supervisor.json'), 'utf8'));
  const processOf = (name: string): SupervisedProcess => {
    const p = supervisorFile().processes.find((x) => x.name === name);
    if (!p) throw new Error(`${name} is not in supervisor.json`);
    return p;
  };
  const healthUrl = (name: ServiceName) =>
    name === 'gateway'
      ? `${stack.gatewayOpsUrl}/health/ready`
      : `http://127.0.0.1:${stack.servicePorts[name]}/health/ready`;
  const isReady = async (name: ServiceName) => {
    try {
      return (await fetch(healthUrl(name))).status === 200;
    } catch {
      return false;
    }
  };
  const pidGone = (pid: number) => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  };
  // one at a time (the environment's policy refuses a second with 409), and a deployment ended by a
  // kill may be retried automatically meanwhile: wait for the environment to be free
  const trigger = (ref = 'main') =>
    until(
      'the environment to take a deployment',
      async () => {
        const res = await api.call<Deployment>('POST', `/projects/${projectId}/deployments`, {
          sourceRef: ref,
        });
        if (res.status === 409) return undefined;
        expect(res).toMatchObject({ status: 201 });
        return res.body;
      },
      240_000,
      500,
    );
  const servesTheApp = async () => {
    const res = await getWithHost(stack.edgePort, 'healer-production.localhost');
    return res.status === 200 && res.body.includes('version v1');
  };
  const everyServiceReady = async () => {
    const res = await api.call<SystemStatus>('GET', '/system/status');
    if (res.status !== 200) return false;
    const ready = new Set(res.body.items.filter((i) => i.ready).map((i) => i.name));
    return SERVICE_NAMES.every((n) => ready.has(n)) ? res.body : false;
  };

  it('lists what it supervises in the system status, each running with no restart yet', async () => {
    const status = await until('every service ready on the bus', everyServiceReady, 30_000);
    expect(status.supervisor?.processes.map((p) => [p.name, p.state, p.restarts]).sort()).toEqual(
      [...SERVICE_NAMES, 'postgres', 'nats-server'].map((n) => [n, 'running', 0]).sort(),
    );
    const first = await trigger();
    expect((await deploymentEnded(api, first.id)).status).toBe('succeeded');
    await until('the edge to serve the app', servesTheApp, 30_000);
  });

  it.each([...SERVICE_NAMES])(
    'brings %s back within 10 s of kill -9, and a deployment started before the kill ends',
    async (name) => {
      const before = processOf(name);
      const deployment = await trigger();
      // into its build, so the kill interrupts real work
      await until(`deployment ${deployment.id} to build`, async () => {
        const { body } = await api.call<Deployment>('GET', `/deployments/${deployment.id}`);
        return body && !['created', 'queued'].includes(body.status);
      });
      process.kill(before.pid!, 'SIGKILL');
      const killedAt = Date.now();
      await eventually(`${name}'s pid ${before.pid} to be gone`, async () => pidGone(before.pid!));
      await eventually(
        `${name} to be restarted and ready`,
        async () => {
          const now = processOf(name);
          return now.pid !== before.pid && now.state === 'running' && (await isReady(name));
        },
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      const readyAfter = Date.now() - killedAt;
      expect(processOf(name)).toMatchObject({
        restarts: before.restarts + 1,
        lastExit: { signal: 'SIGKILL' },
      });
      const ended = await deploymentEnded(api, deployment.id, 240_000);
      expect(TERMINAL).toContain(ended.status);
      measured.push(
        `  ${name}: ready ${readyAfter} ms after kill -9; the deployment it interrupted ended ${ended.status} ${ended.errorCode ?? ''}`,
      );
      const printed = stack.output.join('\n');
      expect(printed).toContain(
        `${name} exited unexpectedly (signal SIGKILL); restart #${before.restarts + 1}`,
      );
      expect(printed).toMatch(new RegExp(`${name} is back \\(pid \\d+\\): ready \\d+ ms after it exited`));
    },
  );

  it('shows the restarts in GET /api/v1/system/status', async () => {
    const status = await until('every service ready on the bus', everyServiceReady, 30_000);
    for (const name of SERVICE_NAMES)
      expect(status.supervisor?.processes.find((p) => p.name === name)?.restarts).toBe(1);
  });

  it.each(['nats-server', 'postgres'])(
    'recovers from kill -9 of %s with no one touching it',
    async (name) => {
      const before = processOf(name);
      process.kill(before.pid!, 'SIGKILL');
      const killedAt = Date.now();
      await eventually(`${name}'s pid ${before.pid} to be gone`, async () => pidGone(before.pid!));
      await eventually(
        `${name} to be running again`,
        async () => {
          const now = processOf(name);
          return now.pid !== before.pid && now.state === 'running';
        },
        { timeoutMs: 30_000 },
      );
      // every service reconnects with its own credentials, and deploys work end to end again
      await until(`every service ready after ${name} came back`, everyServiceReady, 60_000);
      measured.push(`  ${name}: ${Date.now() - killedAt} ms to every service ready`);
      const after = await trigger();
      expect((await deploymentEnded(api, after.id, 240_000)).status).toBe('succeeded');
      expect(await servesTheApp()).toBe(true);
    },
  );

  it('stops restarting a service that crashes at start five times in a minute, and the rest keep serving', async () => {
    // its port taken by another program: every start fails at listen
    const victim = 'log-ingest';
    const port = stack.servicePorts[victim];
    const before = processOf(victim);
    process.kill(before.pid!, 'SIGKILL');
    const squatter = await eventually(`port ${port} to be ours`, () => listenOn(port), { intervalMs: 5 });
    try {
      const looping = await eventually(
        `${victim} to be reported crash-looping`,
        async () => (processOf(victim).state === 'crash-looping' ? processOf(victim) : undefined),
        { timeoutMs: 90_000, intervalMs: 250 },
      );
      // the kill and at least three failed starts (an earlier kill may still be inside the minute)
      expect(looping.restarts).toBeGreaterThanOrEqual(before.restarts + 3);
      // supervisor.json is written before the line reaches the launcher's output pipe: wait for the line
      await eventually('the crash-loop line in the launcher output', async () =>
        /log-ingest is CRASH-LOOPING: 5 exits within 60 s/.test(stack.output.join('\n')),
      );
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    // the port is free again, yet nothing restarts it
    const restarts = processOf(victim).restarts;
    await sleep(3_000);
    expect(processOf(victim)).toMatchObject({ state: 'crash-looping', restarts });
    expect(await isReady(victim)).toBe(false);
    const status = await api.call<SystemStatus>('GET', '/system/status');
    expect(status.body.supervisor?.processes.find((p) => p.name === victim)?.state).toBe('crash-looping');
    expect(status.body.items.map((i) => i.name)).not.toContain(victim);
    expect((await api.call('GET', '/projects')).status).toBe(200);
    expect(await servesTheApp()).toBe(true);

    // the cause gone, the operator asks for another try (systemctl reload does the same)
    process.kill(stack.pid, 'SIGUSR2');
    await eventually(
      `${victim} to run again`,
      async () => processOf(victim).state === 'running' && (await isReady(victim)),
      {
        timeoutMs: 30_000,
      },
    );
  });

  it("stops everything on Ctrl-C; the README's backup, restored onto a wiped machine, serves the same environments", async () => {
    const pids = supervisorFile().processes.flatMap((p) => (p.pid ? [p.pid] : []));
    await stack.stop({ keepData: true });
    for (const pid of pids) expect([pid, pidGone(pid)]).toEqual([pid, true]);

    // back up as the README says: the stopped data dir, and the cluster it links to when it was moved
    const backup = join(dirname(stack.dataDir), '..', `${stack.pid}-backup.tar`);
    const data = stack.dataDir;
    const linked = lstatSync(join(data, 'postgres')).isSymbolicLink()
      ? resolve(data, readlinkSync(join(data, 'postgres')))
      : undefined;
    execFileSync('tar', ['-cpf', backup, '-C', '/', data.slice(1), ...(linked ? [linked.slice(1)] : [])]);
    rmSync(data, { recursive: true, force: true });
    if (linked) rmSync(linked, { recursive: true, force: true });
    expect(existsSync(data)).toBe(false);

    execFileSync('tar', ['-xpf', backup, '-C', '/']);
    rmSync(backup, { force: true });
    stack = await startLauncher({}, { dataDir: data });
    api = new Api(stack.gatewayUrl, stack.token);
    const printed = await until(
      'the launcher to list the live environments',
      async () => stack.output.some((l) => l.includes('live environments')) && stack.output.join('\n'),
    );
    expect(printed).toMatch(/live environments \(1\):\n\s+http:\/\/healer-production\.localhost:\d+/);
    await until('the restored edge to serve the app', servesTheApp, 60_000);
    const list = await api.call<{ items: Deployment[] }>('GET', `/projects/${projectId}/deployments`);
    expect(list.status).toBe(200);
    expect(list.body.items.every((d) => TERMINAL.includes(d.status))).toBe(true);
  });

  it('after the launcher itself is killed with SIGKILL, the next start stops what it left running and serves again', async () => {
    const pids = supervisorFile().processes.flatMap((p) => (p.pid ? [p.pid] : []));
    process.kill(stack.pid, 'SIGKILL');
    await eventually('the launcher to be gone', async () => pidGone(stack.pid));
    // its children have their own process groups: nothing stops them (systemd would, by cgroup)
    const survivors = pids.filter((pid) => !pidGone(pid));
    await stack.stop({ keepData: true });
    stack = await startLauncher({}, { dataDir: stack.dataDir });
    api = new Api(stack.gatewayUrl, stack.token);
    for (const pid of pids) expect([pid, pidGone(pid)]).toEqual([pid, true]);
    if (survivors.length)
      expect(stack.output.join('\n')).toMatch(/died without stopping them: stopped .*\(pid \d+\)/);
    measured.push(
      `  launcher killed: ${survivors.length} of ${pids.length} processes outlived it, stopped by the next start`,
    );
    await until('the edge to serve the app again', servesTheApp, 60_000);
    expect(await everyServiceReady()).toBeTruthy();
  });
});

// Holds the port and hangs up on whoever connects (the launcher's readiness probe does).
const listenOn = (port: number): Promise<Server | undefined> =>
  new Promise((resolve) => {
    const srv = createServer((socket) => socket.destroy());
    srv.once('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
