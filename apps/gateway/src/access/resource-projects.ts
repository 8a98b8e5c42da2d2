import { Injectable } from '@nestjs/common';
import { ErrorCode, getDeployment, getEnvironment } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { ApiException } from '../http/api.exception';

// An environment or a deployment never moves to another project: what was asked once is kept
// (bounded, oldest forgotten first).
const REMEMBERED = 10_000;

/** the path parameter that names the resource, and how "not found" is said for it */
export interface ProjectScope {
  projectId: string;
  /** the code a caller who may not see the project gets, as if the resource did not exist */
  notFound: { code: ErrorCode; message: string };
}

// Which project owns the resource a request names: its projectId, else its environment's or its
// deployment's project, asked of their owners over the bus.
@Injectable()
export class ResourceProjects {
  private readonly known = new Map<string, string>();

  constructor(private readonly bus: Bus) {}

  async of(params: Record<string, string | undefined>): Promise<ProjectScope | undefined> {
    if (params.projectId) {
      return { projectId: params.projectId, notFound: { code: ErrorCode.ProjectNotFound, message: `project ${params.projectId} not found` } };
    }
    if (params.environmentId) {
      const id = params.environmentId;
      const projectId = await this.remembered(`e:${id}`, async () => {
        const r = await this.bus.request(getEnvironment, { environmentId: id });
        if (!r.ok) throw ApiException.from(r.error);
        return r.data.projectId;
      });
      return { projectId, notFound: { code: ErrorCode.EnvironmentNotFound, message: `environment ${id} not found` } };
    }
    if (params.deploymentId) {
      const id = params.deploymentId;
      const projectId = await this.remembered(`d:${id}`, async () => {
        const r = await this.bus.request(getDeployment, { deploymentId: id });
        if (!r.ok) throw ApiException.from(r.error);
        return r.data.projectId;
      });
      return { projectId, notFound: { code: ErrorCode.DeploymentNotFound, message: `deployment ${id} not found` } };
    }
    return undefined;
  }

  /** for callers that already hold the resource (a live subscription's deployment) */
  remember(kind: 'environment' | 'deployment', id: string, projectId: string) {
    this.keep(`${kind[0]}:${id}`, projectId);
  }

  private async remembered(key: string, ask: () => Promise<string>): Promise<string> {
    const hit = this.known.get(key);
    if (hit) return hit;
    const projectId = await ask();
    this.keep(key, projectId);
    return projectId;
  }

  private keep(key: string, projectId: string) {
    if (this.known.size >= REMEMBERED) this.known.delete(this.known.keys().next().value as string);
    this.known.set(key, projectId);
  }
}
