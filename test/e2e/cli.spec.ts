import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { WORKSPACE_ROOT } from '@flightdeck/testing';
import { GitRepo, nodeApp } from '../support/git-repo';
import { getWithHost, hostOf, until } from '../support/http';
import { type Launched, startLauncher } from '../support/launcher';

jest.setTimeout(300_000);

const SECRET = 'cli-S3cret/value+=';
const BIN = join(WORKSPACE_ROOT, 'node_modules', '.bin', 'flightdeck');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  /** when each stdout line arrived (ms since the start), to tell a live log from one printed at the end */
  lineAt: Map<string, number>;
  exitedAt: number;
}

// `flightdeck` as a user's shell runs it after `npm ci`: the installed bin, a clean environment
// (PATH, a HOME of its own in a 0700 dir, the machine's trust settings), stdin a pipe, not a terminal.
describe('flightdeck CLI against the running stack', () => {
  let stack: Launched;
  let home: string;

  beforeAll(async () => {
    // a release that never listens fails in 6 s instead of a minute
    stack = await startLauncher({ FLIGHTDECK_HEALTH_TIMEOUT_MS: '6000' });
    home = mkdtempSync(join(tmpdir(), 'fd-cli-home-'));
    chmodSync(home, 0o700);
  });
  afterAll(async () => {
    await stack?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const cli = (
    args: string[],
    opts: {
      cwd?: string;
      input?: string;
      keepStdinOpen?: boolean;
      timeoutMs?: number;
      env?: Record<string, string>;
      command?: string;
      onLine?: (line: string, child: ChildProcess) => void;
    } = {},
  ): Promise<Ran> =>
    new Promise((resolve, reject) => {
      const env: Record<string, string> = { PATH: process.env.PATH!, HOME: home, ...(opts.env ?? {}) };
      for (const k of ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE']) if (process.env[k]) env[k] = process.env[k]!;
      const started = Date.now();
      const child = spawn(opts.command ?? BIN, args, { cwd: opts.cwd ?? home, env, stdio: ['pipe', 'pipe', 'pipe'] });
      const ran: Ran = { code: null, stdout: '', stderr: '', lineAt: new Map(), exitedAt: 0 };
      let partial = '';
      child.stdout.on('data', (b: Buffer) => {
        ran.stdout += b;
        const lines = (partial + b.toString()).split('\n');
        partial = lines.pop()!;
        for (const l of lines) {
          if (!ran.lineAt.has(l)) ran.lineAt.set(l, Date.now() - started);
          opts.onLine?.(l, child);
        }
      });
      child.stderr.on('data', (b: Buffer) => (ran.stderr += b));
      if (opts.input !== undefined) child.stdin.end(opts.input);
      else if (!opts.keepStdinOpen) child.stdin.end();
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`flightdeck ${args.join(' ')} still running after ${opts.timeoutMs ?? 180_000} ms\n${ran.stdout}\n${ran.stderr}`));
      }, opts.timeoutMs ?? 180_000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        child.stdin.destroy();
        ran.code = code;
        ran.exitedAt = Date.now() - started;
        resolve(ran);
      });
    });

  const json = <T = Record<string, unknown>>(r: Ran): T => {
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as T;
  };
  const jsonLines = (r: Ran) =>
    r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; deployment?: { id: string; status: string; url: string | null }; message?: string; seq?: number });

  it('never prompts when stdin is not a terminal: login without a token exits 2 at once', async () => {
    // stdin left open: a prompt would wait here until the timeout
    const r = await cli(['login', '--url', stack.gatewayUrl], { keepStdinOpen: true, timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stdin is not a terminal');
    expect(r.stdout).toBe('');
    const bad = await cli(['login', '--url', stack.gatewayUrl, '--token', 'fdt_not-a-token']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^error auth\/unauthenticated: /);
  });

  it('logs in, creates a project, sets variables, deploys with the log live, lists, rolls back', async () => {
    const login = await cli(['login', '--url', stack.gatewayUrl, '--with-token'], { input: `${stack.token}\n` });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`logged in to ${stack.gatewayUrl}`);
    const credentials = join(home, '.config', 'flightdeck', 'credentials.json');
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(credentials)).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(credentials, 'utf8')).gateways[stack.gatewayUrl].token).toBe(stack.token);

    // a build that prints its lines, then works 4 s more: the lines must be on screen before it ends
    const repo = new GitRepo();
    repo.write(nodeApp('v1', { lines: 5, buildSleepS: 4 }));
    repo.commit('v1');
    const created = json<{ id: string; name: string }>(await cli(['projects', 'create', 'cli-shop', '--repo', repo.dir, '--json']));
    expect(created.name).toBe('cli-shop');
    const listed = json<{ items: { name: string }[] }>(await cli(['projects', 'ls', '--json']));
    expect(listed.items.map((p) => p.name)).toContain('cli-shop');

    const set = await cli(['vars', 'set', `SECRET=${SECRET}`, '--sensitive', '-p', 'cli-shop']);
    expect(set.code).toBe(0);
    expect(set.stdout).not.toContain(SECRET);
    expect((await cli(['vars', 'set', 'GREETING=hello', '-p', 'cli-shop'])).code).toBe(0);
    const vars = json<{ items: { key: string; value: string; sensitive: boolean }[] }>(await cli(['vars', 'ls', '-p', 'cli-shop', '--json']));
    expect(vars.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: 'SECRET', value: '***', sensitive: true }), expect.objectContaining({ key: 'GREETING', value: 'hello' })]),
    );
    // a staging environment, and a .env file imported into it: the report per line
    const staging = json<{ name: string; type: string }>(await cli(['envs', 'create', 'staging', '-p', 'cli-shop', '--json']));
    expect(staging).toMatchObject({ name: 'staging', type: 'staging' });
    const envs = json<{ items: { name: string; isDefault: boolean }[] }>(await cli(['envs', 'ls', '-p', 'cli-shop', '--json']));
    expect(envs.items.map((e) => [e.name, e.isDefault])).toEqual([
      ['production', true],
      ['staging', false],
    ]);
    writeFileSync(join(home, 'staging.env'), 'API_URL=https://staging.example.com\nDEBUG=1\n');
    const imported = json<{ applied: boolean; added: number }>(await cli(['vars', 'import', 'staging.env', '-p', 'cli-shop', '-e', 'staging', '--json']));
    expect(imported).toMatchObject({ applied: true, added: 2 });
    const bad = await cli(['vars', 'import', '-', '-p', 'cli-shop', '-e', 'staging'], { input: 'GOOD=1\nnot a line\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error variable\/import-malformed: /);
    expect(bad.stderr).toMatch(/line 2: malformed/);
    const stagingVars = json<{ items: { key: string }[] }>(await cli(['vars', 'ls', '-p', 'cli-shop', '-e', 'staging', '--json']));
    expect(stagingVars.items.map((v) => v.key).sort()).toEqual(['API_URL', 'DEBUG']);

    const humanVars = await cli(['vars', 'ls', '-p', 'cli-shop']);
    expect(humanVars.stdout).toMatch(/SECRET +\*\*\*/);
    expect(humanVars.stdout).not.toContain(SECRET);

    // from inside the checkout, the project named
    const first = await cli(['deploy', '-p', 'cli-shop'], { cwd: repo.dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^ +\d+ build +build line 5$/m);
    expect(first.stdout).toContain('plain ***');
    expect(first.stdout).not.toContain(SECRET);
    expect(first.stdout).toMatch(/--> building/);
    // printed live: the last build line came at least 3 s before the command ended (the build slept 4 s after it)
    const line5 = [...first.lineAt.entries()].find(([l]) => l.endsWith('build line 5'))!;
    expect(first.exitedAt - line5[1]).toBeGreaterThan(3_000);
    const url = /url: +(\S+)/.exec(first.stdout)![1];
    expect((await getWithHost(stack.edgePort, hostOf(url))).body).toBe('version v1');
    const firstId = /deployment ([0-9a-f-]{36})/.exec(first.stdout)![1];

    // --json: JSON lines, each parses; the log lines, then the deployment as it ended
    repo.write(nodeApp('v2', { lines: 3 }));
    repo.commit('v2');
    const second = await cli(['deploy', '-p', 'cli-shop', '--json']);
    expect(second.code).toBe(0);
    const events = jsonLines(second);
    expect(events.filter((e) => e.type === 'log').map((e) => e.message)).toEqual(expect.arrayContaining(['build line 1', 'build line 2', 'build line 3']));
    const last = events[events.length - 1];
    expect(last).toMatchObject({ type: 'deployment', deployment: { status: 'succeeded' } });
    const secondId = last.deployment!.id;
    await until('v2 to serve', async () => (await getWithHost(stack.edgePort, hostOf(url))).body === 'version v2', 10_000);

    const ls = json<{ items: { id: string; status: string }[] }>(await cli(['ls', '-p', 'cli-shop', '--json']));
    expect(ls.items.map((d) => d.id)).toEqual([secondId, firstId]);
    const human = await cli(['ls', '-p', 'cli-shop']);
    expect(human.stdout).toContain(firstId);
    expect(human.stdout).toMatch(/succeeded\/active/);
    const status = json<{ id: string; status: string }>(await cli(['status', secondId, '--json']));
    expect(status).toMatchObject({ id: secondId, status: 'succeeded' });
    expect((await cli(['status', firstId])).stdout).toContain(`url      ${url}`);

    // back to v1 without a build
    const rollback = await cli(['rollback', secondId]);
    expect(rollback.stderr).toBe('');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('succeeded');
    await until('v1 to serve again', async () => (await getWithHost(stack.edgePort, hostOf(url))).body === 'version v1', 10_000);
    // a rollback pauses the environment: a plain deploy is refused, saying so, until resumed or forced
    const paused = await cli(['deploy', '-p', 'cli-shop']);
    expect(paused.code).toBe(1);
    expect(paused.stderr).toContain('error deployment/environment-paused');
    expect((await getWithHost(stack.edgePort, hostOf(url))).body).toBe('version v1');

    const logs = await cli(['logs', firstId, '--json']);
    expect(json<{ items: { message: string }[] }>(logs).items.map((l) => l.message)).toContain('build line 5');
  });

  it("shows a live app's own output: logs --runtime lists its lines, masked; logs -f on a succeeded deployment follows them until Ctrl-C", async () => {
    const repo = new GitRepo();
    repo.write({
      ...nodeApp('rt', { lines: 1 }),
      'server.js': `require('http').createServer((q, r) => { console.log('served ' + q.url + ' ' + process.env.SECRET); r.end('rt'); }).listen(process.env.PORT, '127.0.0.1');`,
    });
    repo.commit('rt');
    expect((await cli(['projects', 'create', 'cli-runtime', '--repo', repo.dir])).code).toBe(0);
    expect((await cli(['vars', 'set', `SECRET=${SECRET}`, '--sensitive', '-p', 'cli-runtime'])).code).toBe(0);
    const deployed = await cli(['deploy', '-p', 'cli-runtime']);
    expect(deployed.code).toBe(0);
    const id = /deployment ([0-9a-f-]{36})/.exec(deployed.stdout)![1];
    const host = hostOf(/url: +(\S+)/.exec(deployed.stdout)![1]);

    expect((await getWithHost(stack.edgePort, host, '/hello')).body).toBe('rt');
    type Line = { message: string; source: string; step: string };
    const line = await until('the runtime line stored', async () =>
      json<{ items: Line[] }>(await cli(['logs', id, '--runtime', '--json'])).items.find((l) => l.message.startsWith('served /hello')),
    );
    expect(line).toMatchObject({ message: 'served /hello ***', source: 'runtime', step: 'run' });

    // -f: the deploy's log, then the app's output live; a request made while following shows up
    const followed = await cli(['logs', id, '-f'], {
      timeoutMs: 60_000,
      onLine: (l, child) => {
        if (l.includes('source runtime) follows')) void getWithHost(stack.edgePort, host, '/again');
        if (l.includes('served /again')) child.kill('SIGINT');
      },
    });
    expect(followed.code).toBe(0);
    expect(followed.stdout).toMatch(/build line 1/);
    expect(followed.stdout).toMatch(/^ +\d+ run +served \/hello \*\*\*$/m);
    expect(followed.stdout).toMatch(/^ +\d+ run +served \/again \*\*\*$/m);
    expect(followed.stdout).not.toContain(SECRET);
  });

  it('on a terminal, keeps a live phase/progress line under the log', async () => {
    // `script` gives the command a pseudo-terminal, as a person's shell would
    // --force: the rollback above paused the environment
    const r = await cli(['-qec', `${BIN} deploy -p cli-shop --force`, '/dev/null'], { command: 'script', env: { TERM: 'xterm' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\r\x1b\[2K(\x1b\[2m)?[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] (created|queued|initializing|building|deploying)\S* \d+% · \d+s/);
    expect(r.stdout).toContain('build line 3');
    expect(r.stdout).not.toContain('--> building');
    expect(r.stdout).toContain('succeeded in');
  });

  it('manages members and tokens', async () => {
    const res = await fetch(`${stack.gatewayUrl}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cli-dev' }),
    });
    expect(res.status).toBe(201);
    const user = (await res.json()) as { id: string };
    expect((await cli(['members', 'add', 'cli-dev', '--role', 'deployer', '-p', 'cli-shop'])).code).toBe(0);
    const members = json<{ items: { userName: string; role: string }[] }>(await cli(['members', 'ls', '-p', 'cli-shop', '--json']));
    expect(members.items).toEqual(expect.arrayContaining([expect.objectContaining({ userName: 'cli-dev', role: 'deployer' })]));

    const created = json<{ id: string; token: string }>(await cli(['tokens', 'create', 'ci', '--scopes', 'read,deploy', '--user', user.id, '--json']));
    expect(created.token).toMatch(/^fdt_/);
    const asDev = { FLIGHTDECK_URL: stack.gatewayUrl, FLIGHTDECK_TOKEN: created.token };
    const me = json<{ user: { name: string } }>(await cli(['whoami', '--json'], { env: asDev }));
    expect(me.user.name).toBe('cli-dev');
    // a deployer sees its project; a read+deploy token cannot manage members: 403, the auth exit code
    const devProjects = json<{ items: { name: string }[] }>(await cli(['projects', 'ls', '--json'], { env: asDev }));
    expect(devProjects.items.map((p) => p.name)).toEqual(['cli-shop']);
    const refused = await cli(['members', 'remove', user.id, '-p', 'cli-shop'], { env: asDev });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^error deployment\/insufficient-permissions: /);

    const listed = json<{ items: { id: string; name: string }[] }>(await cli(['tokens', 'ls', '--user', user.id, '--json']));
    expect(listed.items.map((t) => t.name)).toEqual(['ci']);
    expect((await cli(['tokens', 'revoke', created.id])).code).toBe(0);
    const revoked = await cli(['whoami'], { env: asDev });
    expect(revoked.code).toBe(3);
    expect(revoked.stderr).toMatch(/^error auth\/unauthenticated: /);
    expect((await cli(['members', 'remove', 'cli-dev', '-p', 'cli-shop'])).code).toBe(0);
  });

  it('exits with the build-failure code when the build fails, and says why', async () => {
    const repo = new GitRepo();
    repo.write(nodeApp('broken', { lines: 2, buildExit: 3 }));
    repo.commit('broken');
    // a local path: the project is created from it
    const r = await cli(['deploy', repo.dir, '--name', 'cli-broken']);
    expect(r.code).toBe(10);
    expect(r.stdout).toContain('created project cli-broken');
    expect(r.stdout).toContain('build broke');
    expect(r.stderr).toContain('deployment/build-failed');
    expect(r.stderr).toContain('what to do: read the build log above');
    const j = await cli(['deploy', '-p', 'cli-broken', '--json']);
    expect(j.code).toBe(10);
    const failed = jsonLines(j).pop()!;
    expect(failed).toMatchObject({ type: 'deployment', deployment: { status: 'failed' } });
    // a retry of it builds the same commit again, and fails the same way
    const retry = await cli(['retry', failed.deployment!.id, '--follow']);
    expect(retry.code).toBe(10);
    expect(retry.stdout).toContain(`retries ${failed.deployment!.id}`);
    expect(retry.stdout).toContain('build broke');
  });

  it('exits with the deploy-failure code when the build succeeds and the release never answers', async () => {
    const repo = new GitRepo();
    repo.write(nodeApp('mute', { lines: 1, listen: false }));
    repo.commit('mute');
    const r = await cli(['deploy', repo.dir, '--name', 'cli-mute']);
    expect(r.code).toBe(11);
    expect(r.stdout).toContain('build line 1');
    expect(r.stderr).toContain('deployment/deploy-failed');
  });

  it('Ctrl-C and --timeout stop following, not the deployment; cancel stops it, and logs -f ends with the canceled code', async () => {
    const repo = new GitRepo();
    repo.write(nodeApp('slow', { lines: 2, buildSleepS: 60 }));
    repo.commit('slow');
    const r = await cli(['deploy', repo.dir, '--name', 'cli-slow'], { onLine: (l, child) => l.endsWith('build line 2') && child.kill('SIGINT') });
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('goes on (flightdeck cancel');
    const id = /deployment ([0-9a-f-]{36})/.exec(r.stdout)![1];
    expect(json<{ status: string }>(await cli(['status', id, '--json'])).status).toBe('building');
    // --timeout: following stops with the timeout code, the deployment goes on
    const timedOut = await cli(['deploy', '-p', 'cli-slow', '--timeout', '2', '--force']);
    expect(timedOut.code).toBe(12);
    expect(timedOut.stderr).toMatch(/still \S+.* after 2s; it goes on/);
    const second = /deployment ([0-9a-f-]{36})/.exec(timedOut.stdout)![1];
    // the forced deployment canceled the first; cancel stops the second
    const first = await cli(['logs', id, '-f']);
    expect(first.code).toBe(13);
    expect(first.stdout).toContain('build line 2');
    expect((await cli(['cancel', second])).code).toBe(0);
    expect((await cli(['logs', second, '-f', '--json'])).code).toBe(13);
  });

  it('prints API errors as `error <code>: <message>`, never a stack', async () => {
    const r = await cli(['status', '00000000-0000-4000-8000-000000000000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error deployment\/not-found: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = await cli(['status', '00000000-0000-4000-8000-000000000000', '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'deployment/not-found' } });
  });
});
