import { randomUUID } from 'node:crypto';
import type { Msg, NatsConnection, Subscription } from 'nats';
import {
  type ConfigurationProblem,
  type Environment,
  ErrorCode,
  type Project,
  type Result,
  err,
  checkDeploymentConfiguration,
  getEnvironment,
  getProject,
  listEnvironments,
  ok,
} from '@flightdeck/contracts';
import { decodeEnvelope, encodeJson } from '@flightdeck/messaging';
import { aProject, anEnvironment } from '@flightdeck/testing';

// Answers environment-manager's queries on the real NATS, from an in-memory directory.
export class FakeEnvironmentManager {
  readonly projects = new Map<string, Project>();
  readonly environments = new Map<string, Environment>();
  /** what the pre-flight finds, by deployment id, else by environment id (nothing: every check passes) */
  readonly configurationProblems = new Map<string, ConfigurationProblem[]>();
  /** how long the pre-flight takes to answer (a slow repository) */
  preflightDelayMs = 0;
  private readonly subs: Subscription[] = [];

  constructor(private readonly nc: NatsConnection) {}

  start() {
    this.answer(getProject.subject, (r: { projectId: string }) => {
      const p = this.projects.get(r.projectId);
      return p ? ok(p) : err(ErrorCode.ProjectNotFound, `project ${r.projectId} not found`);
    });
    this.answer(listEnvironments.subject, (r: { projectId: string }) => {
      if (!this.projects.has(r.projectId)) return err(ErrorCode.ProjectNotFound, `project ${r.projectId} not found`);
      return ok({ items: [...this.environments.values()].filter((e) => e.projectId === r.projectId) });
    });
    this.answer(getEnvironment.subject, (r: { environmentId: string }) => {
      const e = this.environments.get(r.environmentId);
      return e ? ok({ ...e, project: this.projects.get(e.projectId)! }) : err(ErrorCode.EnvironmentNotFound, 'environment not found');
    });
    this.answer(checkDeploymentConfiguration.subject, (r: { environmentId: string; deploymentId: string }) => {
      const problems = this.configurationProblems.get(r.deploymentId) ?? this.configurationProblems.get(r.environmentId) ?? [];
      return ok({ valid: problems.length === 0, problems, warnings: [], commit: null, framework: null });
    }, () => this.preflightDelayMs);
  }

  stop() {
    this.subs.forEach((s) => s.unsubscribe());
  }

  addProject(name = `app-${randomUUID().slice(0, 8)}`): { project: Project; production: Environment } {
    const project = aProject({ name, repositoryUrl: `/tmp/${name}.git` });
    this.projects.set(project.id, project);
    return { project, production: this.addEnvironment(project, 'production', true) };
  }

  addEnvironment(project: Project, name: string, isDefault = false): Environment {
    const env = anEnvironment({ projectId: project.id, name, type: name === 'production' ? 'production' : 'preview', isDefault });
    this.environments.set(env.id, env);
    return env;
  }

  private answer(subject: string, fn: (req: never) => Result<unknown>, delayMs = () => 0) {
    const sub = this.nc.subscribe(subject, {
      queue: 'environment-manager',
      callback: (_e, msg: Msg) => {
        const decoded = decodeEnvelope(msg.data);
        const reply = decoded.ok ? fn(decoded.envelope.data as never) : err(ErrorCode.InvalidMessage, decoded.reason);
        const delay = delayMs();
        if (delay > 0) setTimeout(() => msg.respond(encodeJson(reply)), delay);
        else msg.respond(encodeJson(reply));
      },
    });
    this.subs.push(sub);
  }
}
