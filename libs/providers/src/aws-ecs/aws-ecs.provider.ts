import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type Deployment,
  ECSClient,
  type KeyValuePair,
  type RegisterTaskDefinitionCommandInput,
  RegisterTaskDefinitionCommand,
  type Service,
  type TaskDefinition,
  UpdateServiceCommand,
  paginateListTaskDefinitions,
} from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { AwsSettingsFields, BOTH_CREDENTIALS, type AwsProviderOptions, awsCall, awsClientConfig, bothCredentials, checkAwsEndpoint, deploymentEnv } from '../aws/aws-client';
import type { DeployRequest, DeployResult, DeploymentProvider, ProviderCallContext, ProviderDefinition, ProviderHost, RollbackRequest } from '../deployment-provider';
import { ProviderError } from '../provider-error';
import { pollUntil } from '../poll';

const NAME = 'aws-ecs';
// each task definition revision carries the deployment it was registered for: how a rollback finds it
const DEPLOYMENT_TAG = 'flightdeck:deployment';
// how many revisions of the family a rollback looks through
const ROLLBACK_DEPTH = 100;

export const AwsEcsSettings = z
  .object({
    ...AwsSettingsFields,
    cluster: z.string().min(1).max(255).default('default'),
    /** the service (it exists already: its load balancer, network and desired count are the owner's) */
    service: z.string().min(1).max(255),
    /** the task definition family registered into; default: the family of the service's current task definition */
    family: z.string().regex(/^[a-zA-Z0-9_-]{1,255}$/, 'must be a task definition family (letters, digits, - and _)').optional(),
    /** the container that runs the app; default: the task definition's only container */
    containerName: z.string().min(1).max(255).optional(),
    /** the image the container runs ({commitSha} is replaced by the deployment's commit), unless the deployment is of an image */
    image: z.string().min(1).max(1024).optional(),
    /** task-level CPU units and memory (MiB); default: the current task definition's */
    cpu: z.number().int().min(128).max(16_384).optional(),
    memory: z.number().int().min(128).max(122_880).optional(),
    /** sensitive variables the container reads from Secrets Manager or SSM: variable name -> valueFrom ARN (the value never enters the task definition) */
    secrets: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().regex(/^arn:aws[a-z-]*:(secretsmanager|ssm):/, 'must be a Secrets Manager or SSM parameter ARN')).default({}),
    /** where the service is reached (its load balancer's URL); none: the service ARN */
    url: z.string().url().optional(),
    /** how long a rollout may run before the deployment fails */
    timeoutSeconds: z.number().int().min(1).max(7_200).default(900),
  })
  .strict()
  .refine(bothCredentials, BOTH_CREDENTIALS);
export type AwsEcsSettings = z.infer<typeof AwsEcsSettings>;

// An ECS service: a new revision of its task definition (the current one, with the app's container
// running the deployment's image and variables), the service updated to it, and the rollout followed
// (its events into the log) until the primary deployment's rolloutState is COMPLETED. Rollback
// updates the service to the earlier revision and waits the same way.
export class AwsEcsProvider implements DeploymentProvider {
  private readonly client: ECSClient;

  constructor(
    private readonly settings: AwsEcsSettings,
    credentials: Readonly<Record<string, string>>,
    private readonly host: ProviderHost,
    private readonly options: AwsProviderOptions = {},
  ) {
    this.client = new ECSClient(awsClientConfig(NAME, settings, credentials, host));
  }

  private call<T>(doing: string, fn: () => Promise<T>, ctx: ProviderCallContext) {
    return awsCall(NAME, doing, fn, ctx, this.options);
  }

  async initialize(ctx: ProviderCallContext): Promise<void> {
    await checkAwsEndpoint(NAME, this.settings, this.host);
    const svc = await this.readService(ctx);
    ctx.log(`ECS service ${svc.serviceName} in cluster ${this.settings.cluster} (${this.settings.region}): ${svc.runningCount}/${svc.desiredCount} tasks of ${svc.taskDefinition}`);
  }

  async deploy(req: DeployRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const image = req.source.type === 'image' ? req.source.image : this.settings.image?.replaceAll('{commitSha}', req.commitSha ?? 'latest');
    if (!image) throw new ProviderError(NAME, 'ECS runs an image: set settings.image (the image your CI pushes, {commitSha} replaced by the commit), or deploy an image');
    const svc = await this.readService(ctx);
    const current = await this.call('read the current task definition', () => this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition }), { abortSignal: ctx.signal }), ctx);
    const input = this.nextRevision(current.taskDefinition!, image, req, ctx);
    const registered = await this.call('register the task definition', () => this.client.send(new RegisterTaskDefinitionCommand(input), { abortSignal: ctx.signal }), ctx);
    const arn = registered.taskDefinition!.taskDefinitionArn!;
    ctx.log(`Registered ${arn} (container ${this.containerOf(current.taskDefinition!).name} running ${image})`);
    return this.roll(arn, ctx);
  }

  async rollback(req: RollbackRequest, ctx: ProviderCallContext): Promise<DeployResult> {
    const arn = req.toProviderDeploymentId ?? (await this.revisionOf(req.toDeploymentId, ctx));
    if (!arn) throw new ProviderError(NAME, `no task definition revision was registered by deployment ${req.toDeploymentId} (among the last ${ROLLBACK_DEPTH}): nothing to roll back to`);
    ctx.log(`Rolling back: service ${this.settings.service} goes back to ${arn} (deployment ${req.toDeploymentId})`);
    return this.roll(arn, ctx);
  }

  private containerOf(td: TaskDefinition) {
    const containers = td.containerDefinitions ?? [];
    const name = this.settings.containerName;
    const c = name ? containers.find((x) => x.name === name) : containers.length === 1 ? containers[0] : undefined;
    if (!c) {
      const names = containers.map((x) => x.name).join(', ');
      throw new ProviderError(NAME, name ? `the task definition ${td.taskDefinitionArn} has no container ${name} (settings.containerName; it has ${names})` : `the task definition ${td.taskDefinitionArn} has ${containers.length} containers (${names}): set settings.containerName`);
    }
    return c;
  }

  // the current revision copied, only what AWS accepts back in RegisterTaskDefinition
  private nextRevision(td: TaskDefinition, image: string, req: DeployRequest, ctx: ProviderCallContext): RegisterTaskDefinitionCommandInput {
    const app = this.containerOf(td);
    const mapped = this.settings.secrets;
    const sensitive = new Set(req.sensitiveKeys ?? []);
    const variables = deploymentEnv(req.env, this.settings);
    const environment: KeyValuePair[] = Object.entries(variables)
      .filter(([k]) => !(k in mapped))
      .map(([name, value]) => ({ name, value }));
    const inPlain = environment.filter((e) => sensitive.has(e.name!)).map((e) => e.name);
    if (inPlain.length) ctx.log(`${inPlain.join(', ')} ${inPlain.length > 1 ? 'are' : 'is'} sensitive but not in settings.secrets: the value goes into the task definition as plain text (map it to a Secrets Manager or SSM ARN to keep it out)`, 'warn');
    const secrets = Object.entries(mapped).map(([name, valueFrom]) => ({ name, valueFrom }));
    ctx.log(`Container ${app.name}: variables ${environment.map((e) => e.name).sort().join(', ') || '(none)'}${secrets.length ? `; secrets ${secrets.map((s) => s.name).join(', ')} from their ARNs` : ''}`);
    const containerDefinitions = td.containerDefinitions!.map((c) => (c === app ? { ...c, image, environment, secrets: [...(c.secrets ?? []).filter((s) => !(s.name! in mapped)), ...secrets] } : c));
    return {
      family: this.settings.family ?? td.family!,
      taskRoleArn: td.taskRoleArn,
      executionRoleArn: td.executionRoleArn,
      networkMode: td.networkMode,
      containerDefinitions,
      volumes: td.volumes,
      placementConstraints: td.placementConstraints,
      requiresCompatibilities: td.requiresCompatibilities,
      cpu: this.settings.cpu !== undefined ? String(this.settings.cpu) : td.cpu,
      memory: this.settings.memory !== undefined ? String(this.settings.memory) : td.memory,
      runtimePlatform: td.runtimePlatform,
      ephemeralStorage: td.ephemeralStorage,
      tags: [{ key: DEPLOYMENT_TAG, value: req.deploymentId }],
    };
  }

  private async readService(ctx: ProviderCallContext): Promise<Service> {
    const { cluster, service } = this.settings;
    const out = await this.call('read the service', () => this.client.send(new DescribeServicesCommand({ cluster, services: [service] }), { abortSignal: ctx.signal }), ctx);
    const svc = out.services?.[0];
    if (!svc) throw new ProviderError(NAME, `the service ${service} is not in cluster ${cluster}${out.failures?.[0]?.reason ? ` (${out.failures[0].reason})` : ''}`);
    return svc;
  }

  // the service moved to the revision, and its rollout followed until the primary deployment completes
  private async roll(arn: string, ctx: ProviderCallContext): Promise<DeployResult> {
    const { cluster, service } = this.settings;
    const before = await this.readService(ctx);
    const seen = new Set((before.events ?? []).map((e) => e.id));
    const updated = await this.call('update the service', () => this.client.send(new UpdateServiceCommand({ cluster, service, taskDefinition: arn }), { abortSignal: ctx.signal }), ctx);
    const deploymentId = updated.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
    ctx.log(`Service ${service} updated: deployment ${deploymentId ?? '(unknown)'} rolls out ${arn}`);
    const events: string[] = [];
    let said = '';
    let primary: Deployment | undefined;
    await pollUntil(
      async () => {
        const svc = await this.readService(ctx);
        // newest first from ECS: told oldest first
        for (const e of [...(svc.events ?? [])].reverse()) {
          if (seen.has(e.id)) continue;
          seen.add(e.id);
          events.push(e.message!);
          ctx.log(e.message!);
        }
        primary = svc.deployments?.find((d) => d.status === 'PRIMARY');
        if (primary && primary.taskDefinition !== arn) throw new ProviderError(NAME, `the service's primary deployment is now ${primary.taskDefinition}: another update replaced this one`);
        const state = `${primary?.rolloutState}: ${primary?.runningCount}/${primary?.desiredCount} running`;
        if (state !== said) ctx.log(`Rollout ${state}${primary?.rolloutStateReason ? ` (${primary.rolloutStateReason})` : ''}`);
        said = state;
        if (primary?.rolloutState === 'FAILED') throw new ProviderError(NAME, `the rollout of ${arn} failed: ${primary.rolloutStateReason ?? 'no reason given'}${lastEvents(events)}`);
        return primary?.rolloutState === 'COMPLETED' ? primary : undefined;
      },
      {
        intervalMs: this.settings.pollIntervalMs,
        timeoutMs: this.settings.timeoutSeconds * 1000,
        signal: ctx.signal,
        timedOut: () =>
          new ProviderError(
            NAME,
            `the rollout of ${arn} did not complete within ${this.settings.timeoutSeconds} s (settings.timeoutSeconds): ${primary?.rolloutState ?? 'no primary deployment'}, ${primary?.runningCount ?? 0}/${primary?.desiredCount ?? 0} tasks running${lastEvents(events)}`,
          ),
      },
    );
    return { url: this.settings.url ?? before.serviceArn!, providerDeploymentId: arn };
  }

  private async revisionOf(deploymentId: string, ctx: ProviderCallContext): Promise<string | undefined> {
    const family = this.settings.family ?? (await this.readService(ctx)).taskDefinition!.replace(/^.*task-definition\//, '').replace(/:\d+$/, '');
    return this.call(
      'find the earlier task definition',
      async () => {
        let looked = 0;
        for await (const page of paginateListTaskDefinitions({ client: this.client, pageSize: 20 }, { familyPrefix: family, sort: 'DESC' })) {
          for (const arn of page.taskDefinitionArns ?? []) {
            if (++looked > ROLLBACK_DEPTH) return undefined;
            const td = await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }), { abortSignal: ctx.signal });
            if (td.tags?.some((t) => t.key === DEPLOYMENT_TAG && t.value === deploymentId)) return arn;
          }
        }
        return undefined;
      },
      ctx,
    );
  }
}

const lastEvents = (events: string[]) => (events.length ? `; the service's last events: ${events.slice(-3).join(' | ')}` : '');

export const awsEcsProvider: ProviderDefinition<AwsEcsSettings> = {
  name: NAME,
  description: 'Amazon ECS: registers a task definition revision running the image with the deployment\'s variables, updates the service and waits for its rollout',
  settings: AwsEcsSettings as unknown as z.ZodType<AwsEcsSettings>,
  credentials: ['accessKeyIdVariable', 'secretAccessKeyVariable'],
  supports: { rollback: true, cancel: false, webhooks: false },
  create: ({ settings, credentials, host }) => new AwsEcsProvider(settings, credentials, host),
};
