import type { Environment, Project } from '@flightdeck/contracts';
import { ApiFailure, type FlightdeckApi, must } from '../api';
import { CliError } from '../context';
import { ExitCode } from '../exit-codes';

/** a project by name or id; --project, else FLIGHTDECK_PROJECT */
export async function findProject(api: FlightdeckApi, ref: string | undefined, env: Record<string, string | undefined>): Promise<Project> {
  const want = ref ?? env.FLIGHTDECK_PROJECT;
  if (!want) throw new CliError('which project? pass --project <name or id> (or set FLIGHTDECK_PROJECT)', ExitCode.Usage);
  const { items } = await must(api.listProjects());
  const project = items.find((p) => p.id === want || p.name === want);
  if (!project) throw new ApiFailure({ code: 'project/not-found', message: `no project ${want} (flightdeck projects ls lists them)` });
  return project;
}

/** an environment of the project by name or id; the project's default when none is named */
export async function findEnvironment(api: FlightdeckApi, projectId: string, ref: string | undefined): Promise<Environment> {
  const { items } = await must(api.listEnvironments(projectId));
  const env = ref ? items.find((e) => e.id === ref || e.name === ref) : (items.find((e) => e.isDefault) ?? items[0]);
  if (!env) throw new ApiFailure({ code: 'deployment/environment-not-found', message: ref ? `no environment ${ref} in this project (flightdeck envs ls)` : 'the project has no environment' });
  return env;
}

export const parseIntOption = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${name} must be a whole number, got ${v}`, ExitCode.Usage);
  return n;
};
