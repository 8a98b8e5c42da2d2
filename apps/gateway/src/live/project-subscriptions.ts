import { Injectable } from '@nestjs/common';
import { ErrorCode, type ErrorBody, type StatusPayload, SubscribeProjectRequest, describeIssues, getProject } from '@flightdeck/contracts';
import { Bus } from '@flightdeck/messaging';
import { ProjectEvents } from './project-events.service';

export type ProjectSubscribeOutcome = { ok: true; stop: () => void } | { ok: false; error: ErrorBody };

// A client's subscription to a project's deployments, over Socket.IO or SSE: checked (the project
// exists and the caller may read it), then fed every status change of its deployments.
@Injectable()
export class ProjectSubscriptions {
  constructor(
    private readonly bus: Bus,
    private readonly events: ProjectEvents,
  ) {}

  async subscribe(raw: unknown, mayRead: (projectId: string) => Promise<boolean>, send: (p: StatusPayload) => void): Promise<ProjectSubscribeOutcome> {
    const parsed = SubscribeProjectRequest.safeParse(raw);
    if (!parsed.success) {
      const { message, fields } = describeIssues(parsed.error);
      return { ok: false, error: { code: ErrorCode.InvalidInput, message, details: { fields } } };
    }
    const { projectId } = parsed.data;
    const notFound: ErrorBody = { code: ErrorCode.ProjectNotFound, message: `project ${projectId} not found` };
    if (!(await mayRead(projectId))) return { ok: false, error: notFound };
    const project = await this.bus.request(getProject, { projectId });
    if (!project.ok) return { ok: false, error: project.error };
    try {
      const stop = await this.events.listen(projectId, ({ deployment, transition }) => send({ deployment, transition }));
      return { ok: true, stop };
    } catch {
      return { ok: false, error: { code: ErrorCode.ServiceUnavailable, message: 'the live feed is unavailable, try again' } };
    }
  }
}
