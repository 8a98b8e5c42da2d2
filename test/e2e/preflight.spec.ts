import { spawnSync } from 'node:child_process';
import type { Deployment, LogLine, ProgressEntry } from '@flightdeck/contracts';
import { WORKSPACE_ROOT } from '@flightdeck/testing';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, deploymentEnded, until } from '../support/http';
import { type TestStack, startStack } from '../support/stack';

jest.setTimeout(300_000);

// A Node app whose .env.example says it needs a database, a cache and NextAuth (no dependency is
// added: the build's npm ci must not fetch anything).
const appNeedingVariables = () => ({
  ...nodeApp('pf'),
  '.env.example': ['# Postgres', 'DATABASE_URL=', 'REDIS_URL=redis://localhost:6379', 'NEXTAUTH_SECRET=', 'NEXTAUTH_URL=http://localhost:3000', ''].join('\n'),
});

describe('pre-flight: the variables are checked before any build', () => {
  let stack: TestStack;
  let api: Api;

  beforeAll(async () => {
    stack = await startStack({ builder: { FLIGHTDECK_HEALTH_TIMEOUT_MS: '8000' } });
    api = new Api(stack.gatewayUrl, stack.token);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const createProject = async (name: string) => {
    const repo = new GitRepo();
    repo.write(appNeedingVariables());
    repo.commit('needs variables');
    const res = await api.call('POST', '/projects', { name, repositoryUrl: repo.dir });
    expect(res.status).toBe(201);
    const envs = await api.call('GET', `/projects/${res.body.id}/environments`);
    return { repo, project: res.body, production: envs.body.items.find((e: { name: string }) => e.name === 'production') };
  };
  const setVariable = async (environmentId: string, key: string, value: string, sensitive = false) =>
    expect((await api.call('PUT', `/environments/${environmentId}/variables/${key}`, { value, sensitive })).status).toBe(200);
  const progressOf = async (id: string) => (await api.call<{ items: ProgressEntry[] }>('GET', `/deployments/${id}/progress`)).body.items;
  const logsOf = async (id: string) => (await api.call<{ items: LogLine[] }>('GET', `/deployments/${id}/logs?limit=5000`)).body.items;

  it('fails a deployment missing two variables and with an invalid URL within a second, naming all three, with nothing built', async () => {
    const { project, production } = await createProject('preflight-shop');
    await setVariable(production.id, 'NEXTAUTH_SECRET', 'a'.repeat(44), true);
    await setVariable(production.id, 'NEXTAUTH_URL', 'localhost:3000');

    const triggeredAt = Date.now();
    const res = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' });
    expect(res.status).toBe(201);
    const failed = await until(
      'the deployment to fail',
      async () => {
        const { body } = await api.call<Deployment>('GET', `/deployments/${res.body.id}`);
        return body.status === 'failed' ? body : undefined;
      },
      10_000,
      20,
    );
    const wallMs = Date.now() - triggeredAt;
    const serverMs = Date.parse(failed.finishedAt!) - Date.parse(failed.createdAt);
    process.stdout.write(`pre-flight failure: ${serverMs} ms from creation to failed (server clock), ${wallMs} ms from the request to seeing it (polling every 20 ms)\n`);
    expect(serverMs).toBeLessThan(1_000);

    expect(failed.errorCode).toBe('deployment/invalid-configuration');
    expect(failed.errorClass).toMatchObject({ severity: 'recoverable', actions: ['check-variables'] });
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'NEXTAUTH_URL']) expect(failed.errorMessage).toContain(key);
    expect(failed.errorMessage).not.toContain('localhost:3000');
    const preflight = failed.metadata.preflight as { problems: { key: string; kind: string }[] };
    expect(preflight.problems.map((p) => [p.key, p.kind])).toEqual([
      ['DATABASE_URL', 'missing'],
      ['NEXTAUTH_URL', 'invalid'],
      ['REDIS_URL', 'missing'],
    ]);

    const history = await progressOf(failed.id);
    expect(history.map((h) => [h.status, h.phase])).toEqual([
      ['created', 'queued'],
      ['queued', 'validating'],
      ['failed', 'failed'],
    ]);
    expect(history[2].reason).toContain('NEXTAUTH_URL');
    // no builder touched it: no install or build line, no line at all
    expect((await logsOf(failed.id)).filter((l) => l.step === 'install' || l.step === 'build')).toEqual([]);
    // what was checked is kept as its configuration (no sensitive value)
    const checked = await api.call('GET', `/deployments/${failed.id}/configuration`);
    expect(checked.status).toBe(200);
    expect(checked.body.variables).toEqual([
      expect.objectContaining({ key: 'NEXTAUTH_SECRET', sensitive: true, value: null }),
      expect.objectContaining({ key: 'NEXTAUTH_URL', sensitive: false, value: 'localhost:3000' }),
    ]);
  });

  it('builds once the variables are fixed, and builds unchecked when skipValidation is asked for, recording it', async () => {
    const { repo, project, production } = await createProject('preflight-fixed');
    const skipped = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main', skipValidation: true });
    expect(skipped.status).toBe(201);
    expect(skipped.body.metadata.skipValidation).toBe(true);
    const built = await deploymentEnded(api, skipped.body.id);
    expect(built.status).toBe('succeeded');
    const skippedHistory = await progressOf(built.id);
    expect(skippedHistory.some((h) => h.phase === 'validating')).toBe(false);
    expect(skippedHistory.find((h) => h.status === 'queued')?.reason).toContain('skipValidation');

    await setVariable(production.id, 'DATABASE_URL', 'postgresql://app:pw@db.example.com:5432/shop', true);
    await setVariable(production.id, 'REDIS_URL', 'redis://cache.example.com:6379');
    await setVariable(production.id, 'NEXTAUTH_SECRET', 'b'.repeat(44), true);
    await setVariable(production.id, 'NEXTAUTH_URL', 'https://shop.example.com');
    const checked = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main' });
    const ok = await deploymentEnded(api, checked.body.id);
    expect(ok.status).toBe('succeeded');
    expect(ok.metadata.preflight).toMatchObject({ checked: true, problems: [] });
    const phases = (await progressOf(ok.id)).map((h) => h.phase);
    expect(phases.indexOf('validating')).toBeGreaterThan(-1);
    expect(phases.indexOf('validating')).toBeLessThan(phases.indexOf('building'));

    // a commit sha cannot be read for detection (a shallow clone takes branches and tags): the
    // stored values are still checked, and the deploy goes on with a warning
    await setVariable(production.id, 'NEXTAUTH_URL', 'not a url');
    const bySha = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: repo.head() });
    const refused = await deploymentEnded(api, bySha.body.id, 10_000, 50);
    expect(refused).toMatchObject({ status: 'failed', errorCode: 'deployment/invalid-configuration' });
    expect(refused.metadata.preflight).toMatchObject({
      commit: null,
      problems: [expect.objectContaining({ key: 'NEXTAUTH_URL', kind: 'invalid' })],
      warnings: [expect.stringContaining('required variables not detected')],
    });
    await setVariable(production.id, 'NEXTAUTH_URL', 'https://shop.example.com');
    const again = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: repo.head() });
    const warned = await deploymentEnded(api, again.body.id);
    expect(warned.status).toBe('succeeded');
    expect(warned.metadata.preflight).toMatchObject({ checked: true, problems: [], warnings: [expect.stringContaining('required variables not detected')] });
  });

  it('tells a command-line user every variable to fix, and deploys anyway with --skip-validation', async () => {
    const repo = new GitRepo();
    repo.write(appNeedingVariables());
    repo.commit('needs variables');
    const cli = (...extra: string[]) =>
      spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', 'deploy', repo.dir, '--name', 'preflight-cli', ...extra], {
        cwd: WORKSPACE_ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME, FLIGHTDECK_URL: stack.gatewayUrl, FLIGHTDECK_TOKEN: stack.token },
        encoding: 'utf8',
        timeout: 120_000,
      });
    const refused = cli();
    expect(refused.status).toBe(10); // failed before release: the build-failure exit code
    expect(refused.stderr).toContain('deployment/invalid-configuration: 4 variable(s) to fix before a build');
    for (const key of ['DATABASE_URL', 'NEXTAUTH_SECRET', 'NEXTAUTH_URL', 'REDIS_URL']) expect(refused.stderr).toMatch(new RegExp(`- ${key} \\(missing\\)`));
    expect(refused.stderr).toContain("what to do: check the environment's variables");
    expect(refused.stdout).not.toContain('build line');

    const forced = cli('--skip-validation');
    expect(forced.status).toBe(0);
    expect(forced.stdout).toContain('build line 500');
  });
});
