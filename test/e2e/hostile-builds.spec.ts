import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { type Deployment, type LogLine, SERVICE_NAMES } from '@flightdeck/contracts';
import { projectProcesses, releasePids } from '../../apps/builder/test/support/sandbox-processes';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, deploymentEnded, getWithHost, hostOf, until } from '../support/http';
import { type TestStack, startStack } from '../support/stack';

jest.setTimeout(600_000);

const VICTIM_SECRET = 'victim-Value-7f3a9c21-never-shown';
const SECRETS_FILE_MARKER = 'platform-secrets-json-4d0e7b';
const ADMIN_TOKEN_MARKER = 'platform-admin-token-91c2aa';

const npmProject = (name: string, scripts: Record<string, string>, files: Record<string, string> = {}) => ({
  'package.json': JSON.stringify({ name, version: '1.0.0', private: true, scripts }),
  'package-lock.json': JSON.stringify({ name, version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name, version: '1.0.0' } } }),
  ...files,
});

// Everything a hostile build would try, printed as `ATTEMPT <what>: GOT <it>` or `ATTEMPT <what>: failed (<why>)`.
const HOSTILE_JS = `
const fs = require('fs');
const net = require('net');
const { spawnSync } = require('child_process');
const D = process.env.PLATFORM_DATA_DIR;
const say = (what, got, why) => console.log('ATTEMPT ' + what + ': ' + (got !== undefined ? 'GOT ' + String(got).replace(/\\n/g, ' | ').slice(0, 4000) : 'failed (' + why + ')'));
const attempt = (what, fn) => { try { say(what, fn()); } catch (e) { say(what, undefined, e.code || e.message); } };
const ask = (port, send) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1');
  let got = '';
  s.on('data', (b) => { got += b; if (got.includes('\\n') && send) { s.write(send); send = undefined; } });
  s.on('error', (e) => resolve('error ' + e.code));
  setTimeout(() => { s.destroy(); resolve(got); }, 1500);
});
(async () => {
  attempt('secrets.json', () => fs.readFileSync(D + '/secrets.json', 'utf8'));
  attempt('admin-token', () => fs.readFileSync(D + '/admin-token', 'utf8'));
  attempt('secrets.json from HOME', () => fs.readFileSync(process.env.HOME + '/../../../secrets.json', 'utf8'));
  attempt('other project env.json', () => {
    const base = D + '/releases/victim/production';
    return fs.readdirSync(base).map((d) => fs.readFileSync(base + '/' + d + '/env.json', 'utf8')).join(' ');
  });
  attempt('other work dirs', () => fs.readdirSync(D + '/work').join(','));
  attempt('other project cache', () => fs.readdirSync(D + '/cache/victim').join(','));
  attempt('platform process environ', () => {
    const found = fs.readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).map((p) => { try { return fs.readFileSync('/proc/' + p + '/environ', 'latin1'); } catch { return ''; } })
      .filter((e) => /DATABASE_URL|NATS_PASSWORD|FLIGHTDECK_/.test(e));
    if (!found.length) throw Object.assign(new Error(), { code: 'no platform process visible' });
    return found.join(' ');
  });
  const natsAnswer = await ask(Number(process.env.PLATFORM_NATS_PORT), 'CONNECT {"verbose":false,"user":"builder","pass":""}\\r\\nSUB > 1\\r\\nPING\\r\\n');
  if (/PONG/.test(natsAnswer) && !/-ERR/.test(natsAnswer)) say('nats', natsAnswer); else say('nats', undefined, natsAnswer.replace(/\\s+/g, ' ').slice(-80));
  for (const user of ['postgres', 'builder', 'gateway', 'environment_manager']) {
    const r = spawnSync('psql', ['-h', '127.0.0.1', '-p', process.env.PLATFORM_PG_PORT, '-U', user, '-w', '-d', 'postgres', '-c', 'select 1'], { encoding: 'utf8', env: { ...process.env, PGCONNECT_TIMEOUT: '5' } });
    if (r.status === 0) say('postgres as ' + user, r.stdout); else say('postgres as ' + user, undefined, (r.error && r.error.code) || (r.stderr || '').trim().split('\\n').pop());
  }
  fs.mkdirSync('dist', { recursive: true });
  fs.writeFileSync('dist/index.html', 'hostile');
})();
`;

describe('builds that try to reach the platform', () => {
  let stack: TestStack;
  let api: Api;
  let platformSecrets: string[];
  const repos: GitRepo[] = [];

  beforeAll(async () => {
    stack = await startStack({
      builder: { FLIGHTDECK_HEALTH_TIMEOUT_MS: '15000' },
      // the build interrupted by kill -9 would go to a builder again (its next attempt) and then be
      // retried as temporary: here it must end with its first attempt (crash-recovery.spec.ts covers
      // the next attempt)
      'deployment-orchestrator': { FLIGHTDECK_AUTO_RETRIES: '0', FLIGHTDECK_MAX_ATTEMPTS: '1' },
    });
    api = new Api(stack.gatewayUrl, stack.token);
    // what `npm start` keeps in its data dir, beside the builder's work dirs and releases
    writeFileSync(join(stack.dataDir, 'secrets.json'), JSON.stringify({ postgresPassword: SECRETS_FILE_MARKER }), { mode: 0o600 });
    writeFileSync(join(stack.dataDir, 'admin-token'), ADMIN_TOKEN_MARKER, { mode: 0o600 });
    const passwordOf = (url: string) => decodeURIComponent(new URL(url).password);
    platformSecrets = [SECRETS_FILE_MARKER, ADMIN_TOKEN_MARKER, stack.token, passwordOf(stack.infra.postgres.url)];
    for (const name of SERVICE_NAMES) {
      const env = stack.infra.envFor(name);
      platformSecrets.push(passwordOf(env.DATABASE_URL));
      if (env.NATS_PASSWORD) platformSecrets.push(env.NATS_PASSWORD);
    }
    expect(platformSecrets.every((s) => s.length >= 8)).toBe(true);
  });
  afterAll(async () => {
    await stack?.stop();
    for (const r of repos) r.remove();
  });

  const createProject = async (name: string, files: Record<string, string>) => {
    const repo = GitRepo.create(files);
    repos.push(repo);
    const res = await api.call('POST', '/projects', { name, repositoryUrl: repo.dir });
    expect(res.status).toBe(201);
    const envs = await api.call('GET', `/projects/${res.body.id}/environments`);
    return { project: res.body as { id: string }, production: envs.body.items.find((e: { name: string }) => e.name === 'production') as { id: string } };
  };
  const deploy = async (projectId: string) => {
    const res = await api.call<Deployment>('POST', `/projects/${projectId}/deployments`, { sourceRef: 'main' });
    expect(res.status).toBe(201);
    return res.body;
  };
  const terminal = (id: string, timeoutMs = 180_000) => deploymentEnded(api, id, timeoutMs, 300);
  const logsOf = async (id: string) => (await api.call<{ items: LogLine[] }>('GET', `/deployments/${id}/logs?limit=5000`)).body.items.map((l) => l.message);
  const setVariable = (environmentId: string, key: string, value: string, sensitive = false) =>
    api.call('PUT', `/environments/${environmentId}/variables/${key}`, { value, sensitive });
  const allReady = async () => {
    const { body } = await api.call<{ items: { name: string; ready: boolean }[] }>('GET', '/system/status');
    return SERVICE_NAMES.every((n) => body.items.some((i) => i.name === n && i.ready));
  };

  let victim: { project: { id: string }; production: { id: string } };
  let victimDeployment: Deployment;

  it('reads nothing of the platform or of another project, and reaches neither NATS nor Postgres', async () => {
    victim = await createProject('victim', nodeApp('victim'));
    await setVariable(victim.production.id, 'VICTIM_SECRET', VICTIM_SECRET, true);
    victimDeployment = await terminal((await deploy(victim.project.id)).id);
    expect(victimDeployment.status).toBe('succeeded');

    const hostile = await createProject('hostile', npmProject('hostile', { build: 'node hostile.js' }, { 'hostile.js': HOSTILE_JS }));
    await setVariable(hostile.production.id, 'PLATFORM_DATA_DIR', stack.dataDir);
    await setVariable(hostile.production.id, 'PLATFORM_NATS_PORT', String(new URL(stack.infra.envFor('builder').NATS_URL).port));
    await setVariable(hostile.production.id, 'PLATFORM_PG_PORT', String(stack.infra.postgres.port));
    const done = await terminal((await deploy(hostile.project.id)).id);
    expect(done.status).toBe('succeeded');

    const lines = await logsOf(done.id);
    const attempts = lines.filter((l) => l.startsWith('ATTEMPT '));
    expect(attempts).toHaveLength(12);
    expect(attempts.filter((l) => !/^ATTEMPT [^:]+: failed \(/.test(l))).toEqual([]);
    expect(attempts.find((l) => l.startsWith('ATTEMPT nats'))).toMatch(/Authorization Violation/i);
    expect(attempts.find((l) => l.startsWith('ATTEMPT postgres as postgres'))).toMatch(/password|authentication/i);

    const everywhere = [JSON.stringify(lines), JSON.stringify(done)];
    const db = new Client({ connectionString: stack.infra.postgres.url });
    await db.connect();
    try {
      const stored = await db.query<{ message: string }>('select message from logs.log_lines');
      everywhere.push(stored.rows.map((r) => r.message).join('\n'));
    } finally {
      await db.end();
    }
    for (const text of everywhere) {
      for (const secret of [...platformSecrets, VICTIM_SECRET]) expect(text).not.toContain(secret);
    }
    // the victim's value did reach its own release, which still serves
    expect((await getWithHost(stack.edgePort, hostOf(victimDeployment.url!))).body).toBe('version victim');
  });

  it('stops a canceled build within 5 s, with the processes it detached and untagged', async () => {
    const detacher = await createProject(
      'detacher',
      npmProject('detacher', { build: `sh -c "env -u BUILD_PROCESS_TAG setsid sh -c 'sleep 600' & echo detached; sleep 600"` }),
    );
    const d = await deploy(detacher.project.id);
    // by the project's user: whatever the build named or unset, it runs as that user
    await until('the detached sleep to run', async () => projectProcesses('detacher').length >= 3 || undefined, 120_000);
    await until('the build to say so', async () => (await logsOf(d.id)).includes('detached') || undefined, 30_000);

    const asked = Date.now();
    expect((await api.call('POST', `/deployments/${d.id}/cancel`)).status).toBeLessThan(300);
    await until('no process of the build left', async () => projectProcesses('detacher').length === 0 || undefined, 10_000, 50);
    expect(Date.now() - asked).toBeLessThan(5_000);
    expect((await terminal(d.id)).status).toBe('canceled');
  });

  it('ends a fork bomb and an 8 GiB allocation as failed naming the limit, and the platform keeps working', async () => {
    const bomb = await createProject('forker', npmProject('forker', { build: `sh -c 'b() { b & b & wait; }; b'` }));
    expect((await api.call('PUT', `/projects/${bomb.project.id}/environments/${bomb.production.id}/limits`, { build: { processes: 64 } })).status).toBe(200);
    const hog = await createProject(
      'hog',
      npmProject('hog', { build: `node -e "const a = []; for (let i = 0; i < 128; i++) a.push(Buffer.alloc(64 * 1024 * 1024, 1)); console.log('allocated 8 GiB')"` }),
    );
    expect((await api.call('PUT', `/projects/${hog.project.id}/environments/${hog.production.id}/limits`, { build: { memoryMb: 256 } })).status).toBe(200);

    const [bombed, hogged] = await Promise.all([deploy(bomb.project.id), deploy(hog.project.id)]);
    const [b, h] = await Promise.all([terminal(bombed.id), terminal(hogged.id)]);
    expect(b).toMatchObject({ status: 'failed', errorCode: 'deployment/build-failed' });
    expect(b.errorMessage).toMatch(/process limit of 64 processes/);
    expect(h).toMatchObject({ status: 'failed', errorCode: 'deployment/build-failed' });
    expect(h.errorMessage).toMatch(/memory limit of 256 MiB/);
    expect(await logsOf(h.id)).not.toContain('allocated 8 GiB');
    expect(projectProcesses('forker')).toEqual([]);

    expect(await allReady()).toBe(true);
    const again = await terminal((await deploy(victim.project.id)).id);
    expect(again.status).toBe('succeeded');
    victimDeployment = again;
  });

  it('after kill -9 of the builder: no orphan, each release served by one process, the interrupted deployment ends', async () => {
    const other = await createProject('other', nodeApp('other'));
    const otherDeployment = await terminal((await deploy(other.project.id)).id);
    expect(otherDeployment.status).toBe('succeeded');
    const sleeper = await createProject('sleeper', npmProject('sleeper', { build: 'sleep 600' }));
    const interrupted = await deploy(sleeper.project.id);
    await until('the build to run', async () => projectProcesses('sleeper').length > 0 || undefined, 120_000);
    expect(releasePids(victimDeployment.id).length).toBeGreaterThan(0);
    expect(releasePids(otherDeployment.id).length).toBeGreaterThan(0);

    const builder = stack.services.get('builder')!;
    builder.child.kill('SIGKILL');
    await builder.exited;
    // the sandboxes die with their builder (bwrap --die-with-parent): nothing runs on unaccounted
    await until('the dead builder to leave nothing running', async () =>
      ['sleeper', 'victim', 'other'].every((p) => projectProcesses(p).length === 0) || undefined, 10_000, 50);

    await stack.start('builder');
    for (const d of [victimDeployment, otherDeployment]) {
      const answer = await until(`${d.url} to answer again`, async () => {
        const r = await getWithHost(stack.edgePort, hostOf(d.url!)).catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      }, 60_000, 250);
      expect(answer.body).toMatch(/^version (victim|other)$/);
    }
    // exactly one server process per release (not one per builder life)
    for (const project of ['victim', 'other']) {
      const servers = projectProcesses(project).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes('server.js'));
      expect(servers).toHaveLength(1);
    }
    const ended = await terminal(interrupted.id, 180_000);
    expect(['failed', 'timeout']).toContain(ended.status);
    expect(projectProcesses('sleeper')).toEqual([]);
  });
});
