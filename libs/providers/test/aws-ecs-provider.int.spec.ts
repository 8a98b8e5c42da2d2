import { randomUUID } from 'node:crypto';
import { FakeEcsApi, startFakeEcsApi } from '@flightdeck/testing';
import { ProviderError, ProviderSettingsError } from '../src';
import { AwsEcsProvider, AwsEcsSettings } from '../src/aws-ecs';

// The aws-ecs provider against a local fake of the ECS API (JSON 1.1, libs/testing): no AWS account
// is reachable from here or from CI.

const KEY_ID = 'AKIAFAKEECS';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf';

describe('the aws-ecs provider, against the fake ECS API', () => {
  let ecs: FakeEcsApi;
  let lines: { message: string; level?: string }[];
  const ctx = () => ({ log: (message: string, level?: string) => void lines.push({ message, level }), signal: new AbortController().signal });
  const provider = (over: Record<string, unknown> = {}) =>
    new AwsEcsProvider(
      AwsEcsSettings.parse({ cluster: 'prod', service: 'shop', region: 'eu-west-1', endpoint: ecs.url, accessKeyIdVariable: 'K', secretAccessKeyVariable: 'S', image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:{commitSha}', pollIntervalMs: 100, ...over }),
      { accessKeyIdVariable: KEY_ID, secretAccessKeyVariable: 'ecs-secret-never-logged' },
      { dataDir: '/unused', env: {}, allowPrivateAddresses: true },
      { retry: { baseDelayMs: 20 } },
    );
  const aDeploy = (commit = 'c0ffee'.padEnd(40, '0')) => ({
    deploymentId: randomUUID(),
    projectName: 'shop',
    environmentName: 'production',
    env: { GREETING: 'hello', DATABASE_URL: 'postgres://user:pw-never-logged@db/shop', SESSION_KEY: 'sess-never-logged', PATH: '/builder/bin' },
    sensitiveKeys: ['DATABASE_URL', 'SESSION_KEY'],
    commitSha: commit,
    source: { type: 'artifact' as const, path: '/unused.tar.gz', kind: 'node' as const },
  });
  const actions = () => ecs.requests.map(FakeEcsApi.actionOf);
  const log = () => lines.map((l) => l.message).join('\n');

  beforeAll(async () => {
    ecs = await startFakeEcsApi('eu-west-1');
  });
  beforeEach(() => {
    lines = [];
    ecs.requests.length = 0;
    ecs.services.clear();
    ecs.taskDefinitions.length = 0;
    ecs.rolloutBehaviour = () => ({});
  });
  afterAll(() => ecs.stop());

  it('registers a revision with the image and variables (secrets by ARN), updates the service and follows its rollout to COMPLETED', async () => {
    ecs.addService('prod', 'shop', { name: 'app', image: 'shop:old', essential: true, portMappings: [{ containerPort: 3000 }] });
    ecs.rolloutBehaviour = () => ({ polls: 2, events: ['has started 2 tasks: (task 0a1b2c).'] });
    const req = aDeploy();
    const result = await provider({ secrets: { DATABASE_URL: SECRET_ARN }, memory: 1024, url: 'https://shop.example.com/' }).deploy(req, ctx());

    expect(actions()).toEqual(['DescribeServices', 'DescribeTaskDefinition', 'RegisterTaskDefinition', 'DescribeServices', 'UpdateService', 'DescribeServices', 'DescribeServices']);
    expect(ecs.requests.every((r) => r.headers['content-type'] === 'application/x-amz-json-1.1' && String(r.headers.authorization).includes(`Credential=${KEY_ID}/`))).toBe(true);
    expect(ecs.requests[0].body).toEqual({ cluster: 'prod', services: ['shop'] });
    expect(ecs.requests[2].body).toEqual({
      family: 'shop',
      executionRoleArn: 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '1024',
      containerDefinitions: [
        {
          name: 'app',
          image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop:${req.commitSha}`,
          essential: true,
          portMappings: [{ containerPort: 3000 }],
          environment: [
            { name: 'GREETING', value: 'hello' },
            { name: 'SESSION_KEY', value: 'sess-never-logged' },
          ],
          secrets: [{ name: 'DATABASE_URL', valueFrom: SECRET_ARN }],
        },
      ],
      tags: [{ key: 'flightdeck:deployment', value: req.deploymentId }],
    });
    const arn = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop:2';
    expect(ecs.requests[4].body).toEqual({ cluster: 'prod', service: 'shop', taskDefinition: arn });
    expect(result).toEqual({ url: 'https://shop.example.com/', providerDeploymentId: arn });
    expect(log()).toContain('(service shop) has started 2 tasks: (task 0a1b2c).');
    expect(log()).toContain('Rollout IN_PROGRESS: 0/2 running (ECS deployment detected.)');
    expect(log()).toContain('(service shop) has reached a steady state.');
    expect(lines.find((l) => l.level === 'warn')?.message).toBe('SESSION_KEY is sensitive but not in settings.secrets: the value goes into the task definition as plain text (map it to a Secrets Manager or SSM ARN to keep it out)');
    expect(log()).not.toMatch(/never-logged/);
  });

  it('fails with the rollout\'s reason and the service\'s events when ECS reports it FAILED', async () => {
    ecs.addService('prod', 'shop');
    ecs.rolloutBehaviour = () => ({ failReason: 'ECS deployment circuit breaker: tasks failed to start.', events: ['has started 1 tasks: (task 9f8e).', 'task 9f8e stopped: Essential container in task exited (exit code 1).'] });
    await expect(provider().deploy(aDeploy(), ctx())).rejects.toThrow(
      /^aws-ecs: the rollout of arn:aws:ecs:eu-west-1:123456789012:task-definition\/shop:2 failed: ECS deployment circuit breaker: tasks failed to start\.; the service's last events: \(service shop\) has started 1 tasks: \(task 9f8e\)\. \| \(service shop\) task 9f8e stopped: Essential container in task exited \(exit code 1\)\. \| \(service shop\) deployment ecs-svc\/\w+ deployment failed: ECS deployment circuit breaker: tasks failed to start\.$/,
    );
  });

  it('gives up on a rollout that never completes after timeoutSeconds, with the tasks\' reasons', async () => {
    ecs.addService('prod', 'shop');
    ecs.rolloutBehaviour = () => ({ never: true, events: ['was unable to place a task because no container instance met all of its requirements.'] });
    const started = Date.now();
    await expect(provider({ timeoutSeconds: 1 }).deploy(aDeploy(), ctx())).rejects.toThrow(
      'aws-ecs: the rollout of arn:aws:ecs:eu-west-1:123456789012:task-definition/shop:2 did not complete within 1 s (settings.timeoutSeconds): IN_PROGRESS, 0/2 tasks running; the service\'s last events: (service shop) was unable to place a task because no container instance met all of its requirements.',
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('rolls back by updating the service to the earlier revision (given, or found by its deployment tag) and waiting', async () => {
    ecs.addService('prod', 'shop');
    const p = provider();
    const one = aDeploy('1'.repeat(40));
    const first = await p.deploy(one, ctx());
    await p.deploy(aDeploy('2'.repeat(40)), ctx());
    ecs.requests.length = 0;
    const target = { projectName: 'shop', environmentName: 'production', toDeploymentId: one.deploymentId };
    const back = await p.rollback({ ...target, deploymentId: randomUUID(), toProviderDeploymentId: first.providerDeploymentId }, ctx());
    expect(back.providerDeploymentId).toBe('arn:aws:ecs:eu-west-1:123456789012:task-definition/shop:2');
    expect(actions()).toEqual(['DescribeServices', 'UpdateService', 'DescribeServices']);
    expect(ecs.services.get('prod/shop')!.taskDefinition).toBe(back.providerDeploymentId);

    await p.deploy(aDeploy('3'.repeat(40)), ctx());
    ecs.requests.length = 0;
    await expect(p.rollback({ ...target, deploymentId: randomUUID() }, ctx())).resolves.toMatchObject({ providerDeploymentId: first.providerDeploymentId });
    expect(ecs.calls('ListTaskDefinitions')[0].body).toEqual({ familyPrefix: 'shop', sort: 'DESC', maxResults: 20 });
    expect(ecs.calls('DescribeTaskDefinition').map((r) => (r.body as { taskDefinition: string }).taskDefinition.replace(/^.*\//, ''))).toEqual(['shop:4', 'shop:3', 'shop:2']);
    expect(ecs.services.get('prod/shop')!.taskDefinition).toBe(first.providerDeploymentId);
  });

  it('retries throttling and server errors, then fails with the message and request id; names refused credentials; reports a missing service', async () => {
    ecs.addService('prod', 'shop');
    ecs.failNext({ path: /^\/$/, match: (r) => FakeEcsApi.actionOf(r) === 'RegisterTaskDefinition', status: 400, code: 'ThrottlingException', message: 'Rate exceeded' });
    await provider().deploy(aDeploy(), ctx());
    expect(ecs.calls('RegisterTaskDefinition')).toHaveLength(2);
    expect(log()).toMatch(/aws-ecs: register the task definition: ThrottlingException \(HTTP 400\): Rate exceeded \(request id [0-9a-f-]{36}\); attempt 2 in 0\.0 s/);

    ecs.requests.length = 0;
    ecs.failNext({ path: /^\/$/, match: (r) => FakeEcsApi.actionOf(r) === 'UpdateService', status: 500, code: 'ServerException', message: 'Service Unavailable. Please try again later.', times: 3 });
    const err = (await provider()
      .deploy(aDeploy(), ctx())
      .catch((e: unknown) => e)) as ProviderError;
    const last = ecs.calls('UpdateService').at(-1)!;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toBe(`aws-ecs: update the service: ServerException (HTTP 500): Service Unavailable. Please try again later. (request id ${last.requestId})`);
    expect(ecs.calls('UpdateService')).toHaveLength(3);

    ecs.accessKeys.delete(KEY_ID);
    try {
      await expect(provider().initialize(ctx())).rejects.toThrow(ProviderSettingsError);
      await expect(provider().initialize(ctx())).rejects.toThrow(/^provider aws-ecs: settings\.accessKeyIdVariable \(with settings\.secretAccessKeyVariable\) names credentials AWS refused while trying to read the service: UnrecognizedClientException/);
    } finally {
      ecs.accessKeys.set(KEY_ID, 'ecs-secret-never-logged');
    }
    await expect(provider({ service: 'gone' }).initialize(ctx())).rejects.toThrow('aws-ecs: the service gone is not in cluster prod (MISSING)');
    await expect(provider({ cluster: 'nope' }).initialize(ctx())).rejects.toThrow(/^aws-ecs: read the service: ClusterNotFoundException \(HTTP 400\): Cluster not found\./);
    await expect(provider({ image: undefined }).deploy(aDeploy(), ctx())).rejects.toThrow('aws-ecs: ECS runs an image: set settings.image');
  });
});
