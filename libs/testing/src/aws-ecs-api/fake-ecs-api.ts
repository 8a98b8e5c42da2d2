import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { type ApiFailure, type ApiRoute, FakeHttpApi, type RecordedApiRequest } from '../fake-http-api';

// A local stand-in for the Amazon ECS API (JSON 1.1: POST / with X-Amz-Target
// AmazonEC2ContainerServiceV20141113.<Action>), for what the aws-ecs provider uses, as the API
// reference documents them: RegisterTaskDefinition, DescribeTaskDefinition (include TAGS),
// ListTaskDefinitions (familyPrefix, sort, nextToken), UpdateService, DescribeServices (deployments
// PRIMARY/ACTIVE with rolloutState IN_PROGRESS -> COMPLETED | FAILED and rolloutStateReason, the
// service's events newest first). Errors are {__type, message} (ClientException,
// ServiceNotFoundException, ClusterNotFoundException, ServerException, ThrottlingException...),
// every answer has an x-amzn-RequestId, and a request must carry a SigV4 header of a known key.

const TARGET = 'AmazonEC2ContainerServiceV20141113.';
const ACCOUNT = '123456789012';

export interface EcsRolloutBehaviour {
  /** how many DescribeServices reads the rollout stays IN_PROGRESS (1) */
  polls?: number;
  /** it ends FAILED with this rolloutStateReason */
  failReason?: string;
  /** it stays IN_PROGRESS for good */
  never?: boolean;
  /** service events it adds while in progress (newest last here; DescribeServices lists newest first) */
  events?: string[];
}

export interface FakeTaskDefinition {
  arn: string;
  family: string;
  revision: number;
  body: Record<string, unknown>;
  tags: { key: string; value: string }[];
}

export interface FakeEcsDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: string;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  pollsLeft: number;
  never: boolean;
  failReason?: string;
  createdAt: number;
}

export interface FakeEcsService {
  cluster: string;
  name: string;
  arn: string;
  desiredCount: number;
  taskDefinition: string;
  deployments: FakeEcsDeployment[];
  events: { id: string; createdAt: number; message: string }[];
}

const now = () => Date.now() / 1000;

export class FakeEcsApi extends FakeHttpApi {
  /** access key id -> secret access key: the requests' signatures are checked with it */
  readonly accessKeys = new Map<string, string>([['AKIAFAKEECS', 'ecs-secret-never-logged']]);
  readonly taskDefinitions: FakeTaskDefinition[] = [];
  readonly services = new Map<string, FakeEcsService>();
  readonly clusters = new Set<string>();
  /** how the next rollout of a service goes; the test sets it */
  rolloutBehaviour: (service: FakeEcsService, taskDefinition: string) => EcsRolloutBehaviour = () => ({});
  protected override requestIdHeader = 'x-amzn-RequestId';
  private readonly actions: Record<string, (body: Record<string, unknown>, rec: RecordedApiRequest, res: ServerResponse) => void> = {
    RegisterTaskDefinition: (b, r, res) => this.register(b, r, res),
    DescribeTaskDefinition: (b, r, res) => this.describeTaskDefinition(b, r, res),
    ListTaskDefinitions: (b, r, res) => this.listTaskDefinitions(b, r, res),
    UpdateService: (b, r, res) => this.updateService(b, r, res),
    DescribeServices: (b, r, res) => this.describeServices(b, r, res),
  };

  protected readonly routes: ApiRoute[] = [['POST', /^\/$/, (rec, _m, res) => this.dispatch(rec, res)]];

  constructor(readonly region = 'us-east-1') {
    super();
  }

  /** the action of a recorded request (its X-Amz-Target) */
  static actionOf(rec: RecordedApiRequest): string {
    return String(rec.headers['x-amz-target'] ?? '').replace(TARGET, '');
  }

  calls(action: string): RecordedApiRequest[] {
    return this.requests.filter((r) => FakeEcsApi.actionOf(r) === action);
  }

  /** a service as it exists before any deployment, running its first task definition */
  addService(cluster: string, name: string, container: Record<string, unknown> = { name: 'web', image: 'nginx:1.27', essential: true, portMappings: [{ containerPort: 80 }] }): FakeEcsService {
    this.clusters.add(cluster);
    const td = this.registerDefinition({ family: name, containerDefinitions: [container], networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/ecsTaskExecutionRole` }, []);
    const svc: FakeEcsService = {
      cluster,
      name,
      arn: `arn:aws:ecs:${this.region}:${ACCOUNT}:service/${cluster}/${name}`,
      desiredCount: 2,
      taskDefinition: td.arn,
      deployments: [{ id: `ecs-svc/${Date.now()}`, status: 'PRIMARY', taskDefinition: td.arn, rolloutState: 'COMPLETED', rolloutStateReason: 'ECS deployment ecs-svc completed.', pollsLeft: 0, never: false, createdAt: now() }],
      events: [],
    };
    this.services.set(`${cluster}/${name}`, svc);
    return svc;
  }

  protected authenticate(rec: RecordedApiRequest, res: ServerResponse): boolean {
    return this.checkSigV4(rec, res, this.accessKeys, this.region, 'ecs');
  }

  protected sendError(res: ServerResponse, rec: RecordedApiRequest, f: Omit<ApiFailure, 'path'>): void {
    this.send(res, rec, f.status, { __type: f.code ?? (f.status >= 500 ? 'ServerException' : 'ClientException'), message: f.message }, { 'content-type': 'application/x-amz-json-1.1', ...f.headers });
  }

  private dispatch(rec: RecordedApiRequest, res: ServerResponse): void {
    const action = this.actions[FakeEcsApi.actionOf(rec)];
    if (!action) return this.sendError(res, rec, { status: 400, code: 'UnknownOperationException', message: `Unknown operation ${String(rec.headers['x-amz-target'])}` });
    if (!String(rec.headers['content-type']).startsWith('application/x-amz-json-1.1')) return this.sendError(res, rec, { status: 400, code: 'SerializationException', message: 'Start of structure or map found where not expected.' });
    action((rec.body ?? {}) as Record<string, unknown>, rec, res);
  }

  private ok(res: ServerResponse, rec: RecordedApiRequest, body: unknown): void {
    this.send(res, rec, 200, body, { 'content-type': 'application/x-amz-json-1.1' });
  }

  private registerDefinition(body: Record<string, unknown>, tags: { key: string; value: string }[]): FakeTaskDefinition {
    const family = String(body.family);
    const revision = this.taskDefinitions.filter((t) => t.family === family).length + 1;
    const arn = `arn:aws:ecs:${this.region}:${ACCOUNT}:task-definition/${family}:${revision}`;
    const td = { arn, family, revision, body: { ...body, taskDefinitionArn: arn, revision, status: 'ACTIVE', compatibilities: ['EC2', 'FARGATE'], registeredAt: now() }, tags };
    this.taskDefinitions.push(td);
    return td;
  }

  private findDefinition(ref: string): FakeTaskDefinition | undefined {
    const m = /^(?:arn:aws:ecs:[^:]+:\d+:task-definition\/)?([^:]+)(?::(\d+))?$/.exec(ref);
    if (!m) return undefined;
    const ofFamily = this.taskDefinitions.filter((t) => t.family === m[1]);
    return m[2] ? ofFamily.find((t) => t.revision === Number(m[2])) : ofFamily.at(-1);
  }

  private register(b: Record<string, unknown>, rec: RecordedApiRequest, res: ServerResponse): void {
    const containers = b.containerDefinitions as { name?: string; image?: string }[] | undefined;
    if (!b.family || !/^[a-zA-Z0-9_-]{1,255}$/.test(String(b.family))) return this.sendError(res, rec, { status: 400, code: 'ClientException', message: 'Family contains invalid characters.' });
    if (!containers?.length) return this.sendError(res, rec, { status: 400, code: 'ClientException', message: 'Container list cannot be empty.' });
    const bad = containers.find((c) => !c.name || !c.image);
    if (bad) return this.sendError(res, rec, { status: 400, code: 'ClientException', message: `Container.${bad.name ? 'image' : 'name'} should not be null or empty.` });
    const { tags, ...rest } = b as { tags?: { key: string; value: string }[] };
    const td = this.registerDefinition(rest, tags ?? []);
    this.ok(res, rec, { taskDefinition: td.body, tags: td.tags });
  }

  private describeTaskDefinition(b: Record<string, unknown>, rec: RecordedApiRequest, res: ServerResponse): void {
    const td = this.findDefinition(String(b.taskDefinition ?? ''));
    if (!td) return this.sendError(res, rec, { status: 400, code: 'ClientException', message: 'Unable to describe task definition.' });
    this.ok(res, rec, { taskDefinition: td.body, ...((b.include as string[] | undefined)?.includes('TAGS') ? { tags: td.tags } : {}) });
  }

  private listTaskDefinitions(b: Record<string, unknown>, rec: RecordedApiRequest, res: ServerResponse): void {
    let arns = this.taskDefinitions.filter((t) => !b.familyPrefix || t.family.startsWith(String(b.familyPrefix))).map((t) => t.arn);
    if (b.sort === 'DESC') arns = arns.reverse();
    const from = b.nextToken ? Number(Buffer.from(String(b.nextToken), 'base64').toString()) : 0;
    const size = Number(b.maxResults ?? 100);
    const next = from + size < arns.length ? Buffer.from(String(from + size)).toString('base64') : undefined;
    this.ok(res, rec, { taskDefinitionArns: arns.slice(from, from + size), ...(next ? { nextToken: next } : {}) });
  }

  private service(b: Record<string, unknown>, name: string, rec: RecordedApiRequest, res: ServerResponse): FakeEcsService | undefined {
    const cluster = String(b.cluster ?? 'default').replace(/^arn:aws:ecs:[^:]+:\d+:cluster\//, '');
    if (!this.clusters.has(cluster)) return void this.sendError(res, rec, { status: 400, code: 'ClusterNotFoundException', message: 'Cluster not found.' });
    const svc = this.services.get(`${cluster}/${name.replace(/^arn:aws:ecs:[^:]+:\d+:service\/[^/]+\//, '')}`);
    return svc;
  }

  private updateService(b: Record<string, unknown>, rec: RecordedApiRequest, res: ServerResponse): void {
    const svc = this.service(b, String(b.service ?? ''), rec, res);
    if (res.headersSent) return;
    if (!svc) return this.sendError(res, rec, { status: 400, code: 'ServiceNotFoundException', message: 'Service not found.' });
    if (b.taskDefinition) {
      const td = this.findDefinition(String(b.taskDefinition));
      if (!td) return this.sendError(res, rec, { status: 400, code: 'ClientException', message: 'TaskDefinition not found.' });
      const behaviour = this.rolloutBehaviour(svc, td.arn);
      for (const d of svc.deployments) d.status = 'ACTIVE';
      svc.taskDefinition = td.arn;
      svc.deployments.unshift({
        id: `ecs-svc/${randomUUID().replace(/-/g, '').slice(0, 19)}`,
        status: 'PRIMARY',
        taskDefinition: td.arn,
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason: 'ECS deployment detected.',
        pollsLeft: behaviour.polls ?? 1,
        never: behaviour.never ?? false,
        failReason: behaviour.failReason,
        createdAt: now(),
      });
      for (const message of behaviour.events ?? []) this.event(svc, message);
    }
    if (typeof b.desiredCount === 'number') svc.desiredCount = b.desiredCount;
    this.ok(res, rec, { service: this.serviceBody(svc) });
  }

  private event(svc: FakeEcsService, message: string): void {
    svc.events.unshift({ id: randomUUID(), createdAt: now(), message: `(service ${svc.name}) ${message}` });
  }

  // each read moves a rollout on: after its polls it completes (the old deployments drained) or fails
  private advance(svc: FakeEcsService): void {
    const primary = svc.deployments[0];
    if (primary.rolloutState !== 'IN_PROGRESS' || primary.never || --primary.pollsLeft > 0) return;
    if (primary.failReason) {
      primary.rolloutState = 'FAILED';
      primary.rolloutStateReason = primary.failReason;
      this.event(svc, `deployment ${primary.id} deployment failed: ${primary.failReason}`);
      return;
    }
    primary.rolloutState = 'COMPLETED';
    primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
    svc.deployments = [primary];
    this.event(svc, `deployment ${primary.id} deployment completed.`);
    this.event(svc, 'has reached a steady state.');
  }

  private serviceBody(svc: FakeEcsService) {
    return {
      serviceArn: svc.arn,
      serviceName: svc.name,
      clusterArn: `arn:aws:ecs:${this.region}:${ACCOUNT}:cluster/${svc.cluster}`,
      status: 'ACTIVE',
      desiredCount: svc.desiredCount,
      runningCount: svc.desiredCount,
      pendingCount: 0,
      launchType: 'FARGATE',
      taskDefinition: svc.taskDefinition,
      deploymentController: { type: 'ECS' },
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false }, maximumPercent: 200, minimumHealthyPercent: 100 },
      deployments: svc.deployments.map((d) => ({
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDefinition,
        desiredCount: svc.desiredCount,
        runningCount: d.rolloutState === 'COMPLETED' ? svc.desiredCount : 0,
        pendingCount: d.rolloutState === 'IN_PROGRESS' ? svc.desiredCount : 0,
        failedTasks: d.rolloutState === 'FAILED' ? 3 : 0,
        createdAt: d.createdAt,
        updatedAt: now(),
        launchType: 'FARGATE',
        rolloutState: d.rolloutState,
        rolloutStateReason: d.rolloutStateReason,
      })),
      events: svc.events.slice(0, 100),
    };
  }

  private describeServices(b: Record<string, unknown>, rec: RecordedApiRequest, res: ServerResponse): void {
    const names = (b.services as string[] | undefined) ?? [];
    if (!names.length || names.length > 10) return this.sendError(res, rec, { status: 400, code: 'InvalidParameterException', message: 'Services cannot be empty and may name at most 10.' });
    const services: unknown[] = [];
    const failures: unknown[] = [];
    for (const name of names) {
      const svc = this.service(b, name, rec, res);
      if (res.headersSent) return;
      if (!svc) {
        failures.push({ arn: `arn:aws:ecs:${this.region}:${ACCOUNT}:service/${String(b.cluster ?? 'default')}/${name}`, reason: 'MISSING' });
        continue;
      }
      this.advance(svc);
      services.push(this.serviceBody(svc));
    }
    this.ok(res, rec, { services, failures });
  }
}

/** the fake of one region's ECS endpoint */
export const startFakeEcsApi = (region = 'us-east-1'): Promise<FakeEcsApi> => new FakeEcsApi(region).start();
