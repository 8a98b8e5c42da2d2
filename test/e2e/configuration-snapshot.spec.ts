import { randomUUID } from 'node:crypto';
import type { ConfigurationDiff, Deployment, DeploymentConfiguration } from '@flightdeck/contracts';
import { GitRepo, nodeApp } from '../support/git-repo';
import { Api, deploymentEnded, getWithHost, hostOf, until } from '../support/http';
import { type TestStack, startStack } from '../support/stack';

jest.setTimeout(300_000);

// A Node server that answers with the variables it was started with.
const greetingApp = () => ({
  ...nodeApp('g'),
  'server.js': `require('http').createServer((q, r) => r.end('greeting ' + process.env.GREETING + ' token ' + (process.env.API_TOKEN || '').length)).listen(process.env.PORT, '127.0.0.1');`,
});

describe('configuration snapshots: what a deployment ran with, rollback and diff', () => {
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
    repo.write(greetingApp());
    repo.commit('greeting app');
    const res = await api.call('POST', '/projects', { name, repositoryUrl: repo.dir });
    expect(res.status).toBe(201);
    const envs = await api.call('GET', `/projects/${res.body.id}/environments`);
    return { project: res.body, production: envs.body.items.find((e: { name: string }) => e.name === 'production') };
  };
  const setVariable = async (environmentId: string, key: string, value: string, sensitive = false) =>
    expect((await api.call('PUT', `/environments/${environmentId}/variables/${key}`, { value, sensitive })).status).toBe(200);
  const deploy = async (projectId: string) => {
    const res = await api.call<Deployment>('POST', `/projects/${projectId}/deployments`, { sourceRef: 'main' });
    expect(res.status).toBe(201);
    const d = await deploymentEnded(api, res.body.id);
    expect(d.status).toBe('succeeded');
    return d;
  };
  const served = async (d: Deployment) => (await getWithHost(stack.edgePort, hostOf(d.url!))).body;

  it('rolls back to the variables a deployment ran with, and names what changed', async () => {
    const { project, production } = await createProject('greeter');
    await setVariable(production.id, 'GREETING', 'hello');
    await setVariable(production.id, 'API_TOKEN', 'tok-first-1234', true);
    const v1 = await deploy(project.id);
    expect(await served(v1)).toBe('greeting hello token 14');

    await setVariable(production.id, 'GREETING', 'bonjour');
    await setVariable(production.id, 'API_TOKEN', 'tok-second-123456', true);
    const v2 = await deploy(project.id);
    expect(await served(v2)).toBe('greeting bonjour token 17');

    const recorded = await api.call<DeploymentConfiguration>('GET', `/deployments/${v1.id}/configuration`);
    expect(recorded.status).toBe(200);
    expect(recorded.body.variables).toEqual([
      expect.objectContaining({ key: 'API_TOKEN', sensitive: true, value: null, version: expect.any(String) }),
      expect.objectContaining({ key: 'GREETING', sensitive: false, value: 'hello' }),
    ]);
    expect(JSON.stringify(recorded.body)).not.toContain('tok-first');

    const rb = await api.call<Deployment>('POST', `/deployments/${v2.id}/rollback`, { targetDeploymentId: v1.id });
    expect(rb.status).toBe(201);
    const rolled = await deploymentEnded(api, rb.body.id);
    expect(rolled.status).toBe('succeeded');
    // the environment's URL serves v1 as it ran: today's values are bonjour and the second token
    expect(await served(rolled)).toBe('greeting hello token 14');

    const diff = await api.call<ConfigurationDiff>('GET', `/deployments/${v2.id}/config-diff?against=${v1.id}`);
    expect(diff.status).toBe(200);
    expect(diff.body.variables).toEqual([
      { key: 'API_TOKEN', change: 'changed', sensitive: true },
      { key: 'GREETING', change: 'changed', sensitive: false, from: 'hello', to: 'bonjour' },
    ]);
    expect(JSON.stringify(diff.body)).not.toMatch(/tok-(first|second)/);
    // the rollback ran with v1's configuration
    const back = await api.call<ConfigurationDiff>('GET', `/deployments/${rolled.id}/config-diff?against=${v2.id}`);
    expect(back.body.configurationOf).toEqual({ deployment: v1.id, against: v2.id });
    expect(back.body.variables.map((d) => [d.key, d.from, d.to])).toEqual([
      ['API_TOKEN', undefined, undefined],
      ['GREETING', 'bonjour', 'hello'],
    ]);

    // bad ids are 400, unknown ones and another project's 404, and nothing is answered about them
    expect((await api.call('GET', `/deployments/${v2.id}/config-diff?against=not-an-id`)).status).toBe(400);
    expect((await api.call('GET', `/deployments/${v2.id}/config-diff`)).status).toBe(400);
    expect((await api.call('GET', `/deployments/nope/config-diff?against=${v1.id}`)).status).toBe(400);
    const unknown = await api.call('GET', `/deployments/${v2.id}/config-diff?against=${randomUUID()}`);
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'deployment/not-found' } } });
    const other = await createProject('other-greeter');
    const foreign = await api.call<Deployment>('POST', `/projects/${other.project.id}/deployments`, { sourceRef: 'main', message: 'another project' });
    const crossed = await api.call('GET', `/deployments/${v2.id}/config-diff?against=${foreign.body.id}`);
    expect(crossed).toMatchObject({ status: 404, body: { error: { code: 'deployment/not-found' } } });
    await deploymentEnded(api, foreign.body.id);
  });

  it('deploys staging and production independently, a trigger overriding a variable once; a deleted staging stops serving, keeps its history, and serves again when restored', async () => {
    const { project, production } = await createProject('twins');
    const created = await api.call('POST', `/projects/${project.id}/environments`, { name: 'staging', type: 'staging' });
    expect(created.status).toBe(201);
    const staging = created.body;
    await setVariable(production.id, 'GREETING', 'prod');
    await setVariable(staging.id, 'GREETING', 'stage');
    const prodHost = 'twins-production.localhost';
    const stageHost = 'twins-staging.localhost';
    const page = async (host: string) => getWithHost(stack.edgePort, host);

    await deploy(project.id);
    const first = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main', environmentId: staging.id });
    const onStaging = await deploymentEnded(api, first.body.id);
    expect(onStaging.status).toBe('succeeded');
    expect((await page(prodHost)).body).toBe('greeting prod token 0');
    expect((await page(stageHost)).body).toBe('greeting stage token 0');

    // one deployment with its own value, over the environment's: the next one has the stored value again
    const once = await api.call<Deployment>('POST', `/projects/${project.id}/deployments`, {
      sourceRef: 'main',
      environmentId: staging.id,
      variables: { GREETING: 'just-this-once' },
    });
    expect((await deploymentEnded(api, once.body.id)).status).toBe('succeeded');
    expect((await page(stageHost)).body).toBe('greeting just-this-once token 0');
    expect((await page(prodHost)).body).toBe('greeting prod token 0');

    expect((await api.call('DELETE', `/projects/${project.id}/environments/${staging.id}`)).status).toBe(200);
    await until('the staging URL to stop serving', async () => (await page(stageHost)).status === 404);
    expect((await page(prodHost)).body).toBe('greeting prod token 0');
    // its history stays
    expect((await api.call<Deployment>('GET', `/deployments/${once.body.id}`)).body.environmentId).toBe(staging.id);
    const refused = await api.call('POST', `/projects/${project.id}/deployments`, { sourceRef: 'main', environmentId: staging.id });
    expect(refused.status).toBe(404);

    expect((await api.call('POST', `/projects/${project.id}/environments/${staging.id}/restore`)).status).toBe(200);
    await until('the staging URL to serve again', async () => (await page(stageHost)).status === 200);
    expect((await page(stageHost)).body).toBe('greeting just-this-once token 0');
  });
});
