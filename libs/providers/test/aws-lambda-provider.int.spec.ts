import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FakeLambdaApi, startFakeLambdaApi, unzip } from '@flightdeck/testing';
import * as tar from 'tar';
import { ProviderError, ProviderRegistry, ProviderSettingsError } from '../src';
import { AwsLambdaProvider, AwsLambdaSettings, awsLambdaProvider } from '../src/aws-lambda';

// The aws-lambda provider against a local fake of the Lambda REST API (libs/testing): no AWS account
// is reachable from here or from CI.

const KEY_ID = 'AKIAFAKELAMBDA';
const SECRET = 'lambda-secret-never-logged';
const ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:shop-api';

describe('the aws-lambda provider, against the fake Lambda API', () => {
  let lambda: FakeLambdaApi;
  let root: string;
  let artifact: string;
  let lines: { message: string; level?: string }[];
  const ctx = () => ({ log: (message: string, level?: string) => void lines.push({ message, level }), signal: new AbortController().signal });
  const host = { dataDir: '/unused', env: {}, allowPrivateAddresses: true };
  const provider = (over: Record<string, unknown> = {}, secret = SECRET) =>
    new AwsLambdaProvider(
      AwsLambdaSettings.parse({ functionName: 'shop-api', region: 'eu-west-1', endpoint: lambda.url, accessKeyIdVariable: 'AWS_KEY_ID', secretAccessKeyVariable: 'AWS_SECRET', pollIntervalMs: 100, ...over }),
      { accessKeyIdVariable: KEY_ID, secretAccessKeyVariable: secret },
      host,
      { retry: { baseDelayMs: 20 } },
    );
  const aDeploy = (env: Record<string, string> = { GREETING: 'hello', API_KEY: 'sk-live-value' }) => ({
    deploymentId: randomUUID(),
    projectName: 'shop',
    environmentName: 'production',
    env: { ...env, PATH: '/builder/bin', AWS_KEY_ID: KEY_ID, AWS_SECRET: SECRET },
    sensitiveKeys: ['API_KEY', 'AWS_KEY_ID', 'AWS_SECRET'],
    commitSha: 'a'.repeat(40),
    source: { type: 'artifact' as const, path: artifact, kind: 'node' as const },
  });
  const log = () => lines.map((l) => l.message).join('\n');

  beforeAll(async () => {
    lambda = await startFakeLambdaApi('eu-west-1');
    root = mkdtempSync(join(tmpdir(), 'fd-lambda-'));
    const app = join(root, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'index.js'), 'exports.handler = async () => ({ statusCode: 200, body: "hi" });\n');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'shop-api' }));
    artifact = join(root, 'artifact.tar.gz');
    await tar.c({ gzip: true, cwd: app, file: artifact, portable: true }, ['.']);
  });
  beforeEach(() => {
    lines = [];
    lambda.requests.length = 0;
    lambda.updateBehaviour = () => ({});
  });
  afterAll(async () => {
    await lambda.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('uploads the zipped build, sets the environment, waits for each update, publishes a version and points the alias at it', async () => {
    lambda.addFunction('shop-api', { OLD: '1' });
    lambda.updateBehaviour = () => ({ polls: 2 });
    const result = await provider().deploy(aDeploy(), ctx());

    const sent = lambda.requests.map((r) => `${r.method} ${r.path}`);
    expect(sent).toEqual([
      'PUT /2015-03-31/functions/shop-api/code',
      'GET /2015-03-31/functions/shop-api/configuration',
      'GET /2015-03-31/functions/shop-api/configuration',
      'PUT /2015-03-31/functions/shop-api/configuration',
      'GET /2015-03-31/functions/shop-api/configuration',
      'GET /2015-03-31/functions/shop-api/configuration',
      'POST /2015-03-31/functions/shop-api/versions',
      'GET /2015-03-31/functions/shop-api/aliases/live',
      'POST /2015-03-31/functions/shop-api/aliases',
    ]);
    expect(lambda.requests.every((r) => String(r.headers.authorization).startsWith(`AWS4-HMAC-SHA256 Credential=${KEY_ID}/`) && String(r.headers.authorization).includes('/eu-west-1/lambda/aws4_request'))).toBe(true);
    const files = unzip(Buffer.from((lambda.requests[0].body as { ZipFile: string }).ZipFile, 'base64'));
    expect([...files.keys()]).toEqual(['index.js', 'package.json']);
    expect(files.get('index.js')!.toString()).toContain('exports.handler');
    // the builder's own PATH and the deployer's credentials stay out; the function gets the deployment's variables
    expect(lambda.requests[3].body).toEqual({ Environment: { Variables: { GREETING: 'hello', API_KEY: 'sk-live-value' } } });
    expect(lambda.requests[6].body).toMatchObject({ CodeSha256: lambda.functions.get('shop-api')!.codeSha256, Description: expect.stringMatching(/^Flightdeck deployment .* \(aaaaaaaaaaaa\)$/) });
    expect(lambda.requests[8].body).toMatchObject({ Name: 'live', FunctionVersion: '1' });
    expect(result).toEqual({ url: `${ARN}:live`, previewUrl: `${ARN}:1`, providerDeploymentId: '1' });
    expect(log()).toContain('Function code update: state Active, last update InProgress (The function is being created.)');
    expect(log()).toContain('Function code update: state Active, last update Successful');
    expect(log()).toContain('Alias live created on version 1');
    expect(log()).not.toContain('sk-live-value');
    expect(log()).not.toContain(SECRET);
  });

  it('moves the alias on the next deployment, and back to the earlier version on rollback without uploading', async () => {
    const fn = lambda.addFunction('shop-api');
    const p = provider({ url: 'https://abc.lambda-url.eu-west-1.on.aws/' });
    const one = aDeploy({ GREETING: 'one' });
    const first = await p.deploy(one, ctx());
    const second = await p.deploy(aDeploy({ GREETING: 'two' }), ctx());
    expect([first.providerDeploymentId, second.providerDeploymentId]).toEqual(['1', '2']);
    expect(second.url).toBe('https://abc.lambda-url.eu-west-1.on.aws/');
    expect(fn.aliases.get('live')!.version).toBe('2');
    expect(fn.versions.map((v) => v.environment.GREETING)).toEqual(['one', 'two']);

    lambda.requests.length = 0;
    const target = { projectName: 'shop', environmentName: 'production', toDeploymentId: one.deploymentId };
    const back = await p.rollback({ ...target, deploymentId: randomUUID(), toProviderDeploymentId: first.providerDeploymentId }, ctx());
    expect(lambda.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /2015-03-31/functions/shop-api/aliases/live', 'PUT /2015-03-31/functions/shop-api/aliases/live']);
    expect(lambda.requests[1].body).toMatchObject({ FunctionVersion: '1', RevisionId: expect.any(String) });
    expect(back.providerDeploymentId).toBe('1');
    expect(fn.aliases.get('live')!.version).toBe('1');
    expect(log()).toContain('Alias live moved from version 2 to 1');

    // without the version (the builder does not keep it): found by the description the version was published with
    await p.deploy(aDeploy({ GREETING: 'three' }), ctx());
    lambda.requests.length = 0;
    await expect(p.rollback({ ...target, deploymentId: randomUUID() }, ctx())).resolves.toMatchObject({ providerDeploymentId: '1' });
    expect(lambda.requests[0]).toMatchObject({ method: 'GET', path: '/2015-03-31/functions/shop-api/versions', query: { MaxItems: '50' } });
    expect(fn.aliases.get('live')!.version).toBe('1');
    await expect(p.rollback({ ...target, deploymentId: randomUUID(), toDeploymentId: randomUUID() }, ctx())).rejects.toThrow(/^aws-lambda: no version of shop-api was published by deployment [0-9a-f-]{36}: nothing to move the alias back to$/);
  });

  it('fails with the reason Lambda gives when an update fails, the alias left where it was', async () => {
    const fn = lambda.addFunction('shop-api');
    lambda.updateBehaviour = () => ({ failReason: 'The runtime nodejs12.x is no longer supported for creating or updating functions.' });
    await expect(provider().deploy(aDeploy(), ctx())).rejects.toThrow(
      new ProviderError('aws-lambda', 'the code update failed: The runtime nodejs12.x is no longer supported for creating or updating functions. (InvalidRuntime)'),
    );
    expect(fn.versions).toEqual([]);
    expect(lambda.requestsTo('POST', /versions$/)).toEqual([]);
  });

  it('gives up on an update that stays InProgress after timeoutSeconds, saying its last status', async () => {
    lambda.addFunction('shop-api');
    lambda.updateBehaviour = () => ({ never: true });
    const started = Date.now();
    await expect(provider({ timeoutSeconds: 1 }).deploy(aDeploy(), ctx())).rejects.toThrow(
      'aws-lambda: the code update did not finish within 1 s (settings.timeoutSeconds): last update InProgress: The function is being created.',
    );
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('retries a ServiceException and a throttled call (waiting the Retry-After), then fails with the message and request id', async () => {
    lambda.addFunction('shop-api');
    lambda.failNext({ method: 'PUT', path: /\/code$/, status: 500, code: 'ServiceException', message: 'Lambda is having a moment' });
    lambda.failNext({ method: 'POST', path: /\/versions$/, status: 429, code: 'TooManyRequestsException', message: 'Rate exceeded', headers: { 'Retry-After': '1' } });
    await provider().deploy(aDeploy(), ctx());
    expect(lambda.requestsTo('PUT', /\/code$/)).toHaveLength(2);
    const publishes = lambda.requestsTo('POST', /\/versions$/);
    expect(publishes).toHaveLength(2);
    expect(lines.find((l) => l.level === 'warn')?.message).toMatch(/^aws-lambda: update the function code: ServiceException \(HTTP 500\): Lambda is having a moment \(request id [0-9a-f-]{36}\); attempt 2 in 0\.0 s$/);
    expect(log()).toMatch(/TooManyRequestsException \(HTTP 429\): Rate exceeded .*attempt 2 in 1\.0 s/);

    lambda.failNext({ method: 'PUT', path: /\/code$/, status: 503, code: 'ServiceException', message: 'still down', times: 3 });
    const err = (await provider()
      .deploy(aDeploy(), ctx())
      .catch((e: unknown) => e)) as ProviderError;
    const last = lambda.requestsTo('PUT', /\/code$/).at(-1)!;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.message).toBe(`aws-lambda: update the function code: ServiceException (HTTP 503): still down (request id ${last.requestId})`);
    expect(err.details).toMatchObject({ status: 503, requestId: last.requestId });
  });

  it('names the credential settings when AWS refuses them, before any upload; a missing function is the provider\'s error', async () => {
    lambda.addFunction('shop-api');
    lambda.accessKeys.delete(KEY_ID);
    try {
      const err = (await provider()
        .initialize(ctx())
        .catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(ProviderSettingsError);
      expect(err.message).toMatch(
        /^provider aws-lambda: settings\.accessKeyIdVariable \(with settings\.secretAccessKeyVariable\) names credentials AWS refused while trying to read the function: UnrecognizedClientException: The security token included in the request is invalid\. \(request id [0-9a-f-]{36}\)$/,
      );
      expect(lambda.requestsTo('PUT', /./)).toEqual([]);
    } finally {
      lambda.accessKeys.set(KEY_ID, SECRET);
    }
    // the key is known but the secret is not its own: the fake recomputes the signature, as AWS does
    await expect(provider({}, 'not-the-secret').initialize(ctx())).rejects.toThrow(
      /^provider aws-lambda: settings\.accessKeyIdVariable \(with settings\.secretAccessKeyVariable\) names credentials AWS refused while trying to read the function: InvalidSignatureException: The request signature we calculated does not match the signature you provided\./,
    );
    await expect(provider({ functionName: 'gone' }).initialize(ctx())).rejects.toThrow(/^aws-lambda: read the function: ResourceNotFoundException \(HTTP 404\): Function not found: .*:function:gone \(request id .*\)$/);
    await provider().initialize(ctx());
    expect(log()).toContain(':function:shop-api (nodejs20.x, Active) in eu-west-1');
  });

  it('checks its settings through the registry: both credential variables, sensitive, and a private endpoint only where allowed', () => {
    const registry = new ProviderRegistry([awsLambdaProvider]);
    const settings = { functionName: 'shop-api', region: 'eu-west-1', accessKeyIdVariable: 'AWS_KEY_ID', secretAccessKeyVariable: 'AWS_SECRET', endpoint: 'http://127.0.0.1:4000' };
    expect(() => registry.validate({ name: 'aws-lambda', settings: { ...settings, secretAccessKeyVariable: undefined } })).toThrow('provider aws-lambda: settings.secretAccessKeyVariable is required with accessKeyIdVariable');
    expect(() => registry.validate({ name: 'aws-lambda', settings: { ...settings, region: 'Europe' } })).toThrow('provider aws-lambda: settings.region must be an AWS region such as eu-west-1');
    const vars = [
      { key: 'AWS_KEY_ID', value: KEY_ID, sensitive: true },
      { key: 'AWS_SECRET', value: SECRET, sensitive: false },
    ];
    expect(() => registry.create({ name: 'aws-lambda', settings }, vars, host)).toThrow('provider aws-lambda: settings.secretAccessKeyVariable names the variable AWS_SECRET, which is not sensitive');
    vars[1].sensitive = true;
    expect(() => registry.create({ name: 'aws-lambda', settings }, vars, { ...host, allowPrivateAddresses: false })).toThrow(/^provider aws-lambda: settings\.endpoint is refused: /);
    expect(registry.create({ name: 'aws-lambda', settings }, vars, host)).toBeInstanceOf(AwsLambdaProvider);
  });
});
