import { randomUUID } from 'node:crypto';
import { type AddressInfo, type Socket, createServer } from 'node:net';
import { PREFLIGHT_READ_TIMEOUT_MS, checkDeploymentConfiguration, getDeploymentConfiguration, setVariable } from '@flightdeck/contracts';
import { GitRepo } from '@flightdeck/testing';
import { EnvironmentManagerHarness } from './support/environment-manager-harness';

jest.setTimeout(120_000);

// The pre-flight as the orchestrator asks it, on real repositories (and one that never answers).
describe('pre-flight check of a deployment', () => {
  let h: EnvironmentManagerHarness;
  const repos: GitRepo[] = [];

  beforeAll(async () => {
    h = await EnvironmentManagerHarness.start();
  });
  afterAll(async () => {
    await h?.stop();
    for (const r of repos) r.remove();
  });

  const check = (projectId: string, environmentId: string, sourceRef = 'main') =>
    h.bus.request(checkDeploymentConfiguration, { projectId, environmentId, deploymentId: randomUUID(), sourceRef });

  it('names every missing and invalid variable at the deployed ref, and records what it checked', async () => {
    const source = GitRepo.create({ '.env.example': 'DATABASE_URL=\nREDIS_URL=\nAPP_URL=https://example.com\n# OPTIONAL_FLAG=\n' });
    repos.push(source);
    source.branch('release');
    source.write({ '.env.example': 'DATABASE_URL=\nAPP_URL=https://example.com\n' }).commit('release needs less');
    const { project, production } = await h.project('preflight-shop', source.dir);
    await h.bus.request(setVariable, { environmentId: production.id, key: 'APP_URL', value: 'example.com', sensitive: false });
    await h.bus.request(setVariable, { environmentId: production.id, key: 'DATABASE_URL', value: 'postgresql://u:secret-pw@db/app', sensitive: true });

    const deploymentId = randomUUID();
    const r = await h.bus.request(checkDeploymentConfiguration, { projectId: project.id, environmentId: production.id, deploymentId, sourceRef: 'main' });
    if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
    expect(r.data).toMatchObject({ valid: false, warnings: [] });
    expect(r.data.problems.map((p) => [p.key, p.kind])).toEqual([
      ['APP_URL', 'invalid'],
      ['REDIS_URL', 'missing'],
    ]);
    expect(JSON.stringify(r.data)).not.toContain('secret-pw');
    const recorded = await h.bus.request(getDeploymentConfiguration, { deploymentId });
    expect(recorded.ok && recorded.data.variables.map((v) => [v.key, v.value])).toEqual([
      ['APP_URL', 'example.com'],
      ['DATABASE_URL', null],
    ]);

    // the ref deployed is the one read: that branch does not need REDIS_URL
    const release = await check(project.id, production.id, 'release');
    expect(release.ok && release.data.problems.map((p) => p.key)).toEqual(['APP_URL']);
    expect(release.ok && release.data.commit).toBe(source.head());
  });

  it('answers within its time limit for a repository that never answers, still checking the stored values', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      socket.resume();
      socket.on('end', () => socket.destroy());
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const { project, production } = await h.project('preflight-silent', `https://127.0.0.1:${port}/acme/shop.git`);
      await h.bus.request(setVariable, { environmentId: production.id, key: 'REDIS_URL', value: 'http://cache:6379', sensitive: false });
      const started = Date.now();
      const r = await check(project.id, production.id);
      const tookMs = Date.now() - started;
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      expect(tookMs).toBeGreaterThanOrEqual(PREFLIGHT_READ_TIMEOUT_MS - 100);
      expect(tookMs).toBeLessThan(PREFLIGHT_READ_TIMEOUT_MS + 3_000);
      expect(r.data).toMatchObject({ valid: false, commit: null, problems: [expect.objectContaining({ key: 'REDIS_URL', kind: 'invalid' })] });
      expect(r.data.warnings).toEqual([expect.stringContaining(`required variables not detected: could not read https://127.0.0.1:${port}/acme/shop.git at branch main: no answer within 5 s`)]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
