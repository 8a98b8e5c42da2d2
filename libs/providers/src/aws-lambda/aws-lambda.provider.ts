import {
  CreateAliasCommand,
  type FunctionConfiguration,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  paginateListVersionsByFunction,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { AwsSettingsFields, BOTH_CREDENTIALS, type AwsProviderOptions, awsCall, awsClientConfig, bothCredentials, checkAwsEndpoint, deploymentEnv } from '../aws/aws-client';
import type { DeployRequest, DeployResult, DeploymentProvider, ProviderCallContext, ProviderDefinition, ProviderHost, RollbackRequest } from '../deployment-provider';
import { ProviderError } from '../provider-error';
import { pollUntil } from '../poll';
import { zipOfArtifact } from './zip';

const NAME = 'aws-lambda';
// UpdateFunctionCode takes at most 50 MB inline (larger packages go through S3, which this provider does not use)
const MAX_ZIP = 50 * 1024 * 1024;
// a published version's description: how a rollback finds the version of a deployment
const DESCRIPTION = 'Flightdeck deployment';

export const AwsLambdaSettings = z
  .object({
    ...AwsSettingsFields,
    /** the function (name or ARN); it exists already, with its role, runtime and handler */
    functionName: z.string().min(1).max(170),
    /** the alias the environment's traffic goes to; moved to each published version */
    alias: z
      .string()
      .regex(/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/, 'must be a Lambda alias name (letters, digits, - and _, not only digits)')
      .default('live'),
    /** the function URL (or API Gateway URL) the environment is reached at; none: the alias ARN is the deployment's URL */
    url: z.string().url().optional(),
    /** how long an update of the function may stay InProgress */
    timeoutSeconds: z.number().int().min(1).max(3_600).default(300),
  })
  .strict()
  .refine(bothCredentials, BOTH_CREDENTIALS);
export type AwsLambdaSettings = z.infer<typeof AwsLambdaSettings>;

// A Lambda function: the build's artifact zipped as its code, the deployment's variables as its
// environment, each update waited for (LastUpdateStatus), then a version published and the alias
// moved to it. Rollback moves the alias back to an earlier version: nothing is uploaded again.
export class AwsLambdaProvider implements DeploymentProvider {
  private readonly client: LambdaClient;

  constructor(
    private readonly settings: AwsLambdaSettings,
    credentials: Readonly<Record<string, string>>,
    private readonly host: ProviderHost,
    private readonly options: AwsProviderOptions = {},
  ) {
    this.client = new LambdaClient(awsClientConfig(NAME, settings, credentials, host));
  }

  private call<T>(doing: string, fn: () => Promise<T>, ctx: ProviderCallContext) {
    return awsCall(NAME, doing, fn, ctx, this.options);
  }

  async initialize(ctx: ProviderCallContext): Promise<void> {
    await checkAwsEndpoint(NAME, this.settings, this.host);
    const fn = await this.call('read the function', () => this.client.send(new GetFunctionConfigurationCommand({ FunctionName: this.settings.functionName }), { abortSignal: ctx.signal }), ctx);
    ctx.log(`Lambda function ${fn.FunctionArn} (${fn.Runtime ?? fn.PackageType}, ${fn.State}) in ${this.settings.region}`);
  }

  async deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    if (req.source.type !== 'artifact' || req.source.kind !== 'node') {
      throw new ProviderError(NAME, 'Lambda runs the zipped build of a Node app: this build is a static site or an image (set the environment to another provider)');
    }
    const { zip, files } = await zipOfArtifact(req.source.path);
    if (zip.length > MAX_ZIP) throw new ProviderError(NAME, `the zipped build is ${(zip.length / 1048576).toFixed(1)} MB: Lambda takes at most 50 MB inline`);
    const FunctionName = this.settings.functionName;
    const signal = { abortSignal: ctx.signal };
    ctx.log(`Uploading the build (${files} files, ${(zip.length / 1024).toFixed(0)} KB zipped) as the code of ${FunctionName}`);
    const code = await this.call('update the function code', () => this.client.send(new UpdateFunctionCodeCommand({ FunctionName, ZipFile: zip }), signal), ctx);
    await this.waitForUpdate('code', ctx);
    const variables = deploymentEnv(req.env, this.settings);
    // names only: values may be sensitive
    ctx.log(`Setting the function's environment: ${Object.keys(variables).sort().join(', ') || '(no variables)'}`);
    await this.call('update the function configuration', () => this.client.send(new UpdateFunctionConfigurationCommand({ FunctionName, Environment: { Variables: variables } }), signal), ctx);
    await this.waitForUpdate('configuration', ctx);
    const published = await this.call(
      'publish a version',
      () => this.client.send(new PublishVersionCommand({ FunctionName, CodeSha256: code.CodeSha256, Description: `${DESCRIPTION} ${req.deploymentId}${req.commitSha ? ` (${req.commitSha.slice(0, 12)})` : ''}` }), signal),
      ctx,
    );
    const version = published.Version!;
    ctx.log(`Published version ${version} of ${FunctionName}`);
    return this.moveAlias(version, ctx);
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const version = req.toProviderDeploymentId ?? (await this.versionOf(req.toDeploymentId, ctx));
    if (!version || !/^\d+$/.test(version)) throw new ProviderError(NAME, `no version of ${this.settings.functionName} was published by deployment ${req.toDeploymentId}: nothing to move the alias back to`);
    ctx.log(`Rolling back: alias ${this.settings.alias} of ${this.settings.functionName} goes back to version ${version} (deployment ${req.toDeploymentId})`);
    return this.moveAlias(version, ctx);
  }

  // each published version's description names its deployment: found again without any state of ours
  private async versionOf(deploymentId: string, ctx: ProviderCallContext): Promise<string | undefined> {
    const pages = paginateListVersionsByFunction({ client: this.client, pageSize: 50 }, { FunctionName: this.settings.functionName });
    const found = await this.call(
      'list the versions',
      async () => {
        for await (const page of pages) {
          const v = page.Versions?.find((x) => x.Description?.startsWith(`${DESCRIPTION} ${deploymentId}`));
          if (v) return v.Version;
        }
        return undefined;
      },
      ctx,
    );
    return found;
  }

  private async moveAlias(version: string, ctx: ProviderCallContext): Promise<DeployResult> {
    const { functionName: FunctionName, alias: Name } = this.settings;
    const signal = { abortSignal: ctx.signal };
    const current = await this.call(
      `read the alias ${Name}`,
      () =>
        this.client.send(new GetAliasCommand({ FunctionName, Name }), signal).catch((e: unknown) => {
          if ((e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
          throw e;
        }),
      ctx,
    );
    const alias = current
      ? await this.call(`move the alias ${Name}`, () => this.client.send(new UpdateAliasCommand({ FunctionName, Name, FunctionVersion: version, RevisionId: current.RevisionId }), signal), ctx)
      : await this.call(`create the alias ${Name}`, () => this.client.send(new CreateAliasCommand({ FunctionName, Name, FunctionVersion: version, Description: 'Flightdeck: the environment\'s live version' }), signal), ctx);
    ctx.log(current ? `Alias ${Name} moved from version ${current.FunctionVersion} to ${version}` : `Alias ${Name} created on version ${version}`);
    return { url: this.settings.url ?? alias.AliasArn!, previewUrl: `${alias.AliasArn!.replace(/:[^:]+$/, '')}:${version}`, providerDeploymentId: version };
  }

  // Lambda applies an update in the background: LastUpdateStatus InProgress until Successful or Failed
  private async waitForUpdate(what: 'code' | 'configuration', ctx: ProviderCallContext): Promise<FunctionConfiguration> {
    let said = '';
    let last: FunctionConfiguration = {};
    return pollUntil(
      async () => {
        const fn = (last = await this.call('read the function', () => this.client.send(new GetFunctionConfigurationCommand({ FunctionName: this.settings.functionName }), { abortSignal: ctx.signal }), ctx));
        const status = `${fn.State}/${fn.LastUpdateStatus}`;
        if (status !== said) ctx.log(`Function ${what} update: state ${fn.State}, last update ${fn.LastUpdateStatus}${fn.LastUpdateStatusReason ? ` (${fn.LastUpdateStatusReason})` : ''}`);
        said = status;
        if (fn.LastUpdateStatus === 'Failed' || fn.State === 'Failed') {
          throw new ProviderError(NAME, `the ${what} update failed: ${fn.LastUpdateStatusReason ?? fn.StateReason ?? 'no reason given'}${fn.LastUpdateStatusReasonCode ? ` (${fn.LastUpdateStatusReasonCode})` : ''}`);
        }
        return fn.LastUpdateStatus === 'Successful' && fn.State !== 'Pending' ? fn : undefined;
      },
      {
        intervalMs: this.settings.pollIntervalMs,
        timeoutMs: this.settings.timeoutSeconds * 1000,
        signal: ctx.signal,
        timedOut: () =>
          new ProviderError(NAME, `the ${what} update did not finish within ${this.settings.timeoutSeconds} s (settings.timeoutSeconds): last update ${last.LastUpdateStatus}${last.LastUpdateStatusReason ? `: ${last.LastUpdateStatusReason}` : ''}`),
      },
    );
  }

}

export const awsLambdaProvider: ProviderDefinition<AwsLambdaSettings> = {
  name: NAME,
  description: 'AWS Lambda: uploads the build as the function\'s code, publishes a version and moves an alias to it',
  settings: AwsLambdaSettings as unknown as z.ZodType<AwsLambdaSettings>,
  credentials: ['accessKeyIdVariable', 'secretAccessKeyVariable'],
  supports: { rollback: true, cancel: false, webhooks: false },
  create: ({ settings, credentials, host }) => new AwsLambdaProvider(settings, credentials, host),
};
