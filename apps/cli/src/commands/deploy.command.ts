import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Project } from '@flightdeck/contracts';
import type { Command } from 'commander';
import { type FlightdeckApi, must } from '../api';
import { CliError, type Context } from '../context';
import { ExitCode, exitCodesHelp } from '../exit-codes';
import type { Registrar } from '../program';
import { followDeployment } from './follow';
import { findEnvironment, findProject, parseIntOption } from './resolve';

export const isLocalPath = (s: string) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !/^[^/]+@[^:]+:/.test(s);

export const projectNameFor = (source: string) =>
  basename(source.replace(/\/+$/, ''))
    .replace(/\.git$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50) || 'app';

/** a local checkout's branch (none for a detached HEAD) */
export const currentBranch = (dir: string) => {
  try {
    const b = execFileSync('git', ['-C', dir, 'rev-parse', '--abbrev-ref', 'HEAD'], { stdio: 'pipe' }).toString().trim();
    return b && b !== 'HEAD' ? b : undefined;
  } catch {
    return undefined;
  }
};

export function deployCommand(program: Command, r: Registrar) {
  r.action(
    program
      .command('deploy [source]')
      .description(
        'deploy and follow the log live until it ends: [source] is a git URL or a local path (the project named after it is created when missing); without it, --project',
      )
      .option('-p, --project <name|id>', 'the project (created from [source] with this name when missing)')
      .option('--name <project>', 'same as --project (what `npm run deploy` took)')
      .option('-r, --ref <ref>', "branch, tag or commit (default: a local checkout's branch, else the project's default branch)")
      .option('-e, --env <name|id>', "the environment (default: the project's default)")
      .option('-m, --message <text>', 'a note kept with the deployment')
      .option('--force', 'cancel what is in progress in the environment')
      .option('--skip-validation', 'emergencies only: no pre-flight check of the variables (recorded)')
      .option('--no-follow', 'print the deployment and return at once (exit 0)')
      .option('--timeout <seconds>', 'stop following after this long (exit 12); the deployment goes on', parseIntOption('--timeout'))
      .addHelpText('after', exitCodesHelp()),
    async (ctx, [source], opts) => {
      const api = ctx.api();
      const { project, ref } = await projectFor(ctx, api, source, opts);
      const environment = opts.env ? await findEnvironment(api, project.id, String(opts.env)) : undefined;
      const body = {
        sourceRef: ref ?? project.defaultBranch,
        ...(environment ? { environmentId: environment.id } : {}),
        ...(opts.message ? { message: String(opts.message) } : {}),
        ...(opts.force ? { force: true } : {}),
        ...(opts.skipValidation ? { skipValidation: true } : {}),
      };
      const d = await must(api.triggerDeployment(project.id, body, randomUUID()));
      if (!opts.follow) {
        ctx.out.result(d, () => ctx.out.line(`deployment ${d.id} of ${project.name}@${d.sourceRef} (${d.status})`));
        return;
      }
      if (ctx.out.json) ctx.out.jsonLine({ type: 'deployment', deployment: d });
      else ctx.out.line(`deployment ${d.id} of ${project.name}@${d.sourceRef} (${d.status})`);
      return followDeployment(ctx, api, d, { timeoutS: opts.timeout as number | undefined });
    },
  );
}

async function projectFor(ctx: Context, api: FlightdeckApi, source: string | undefined, opts: Record<string, unknown>): Promise<{ project: Project; ref?: string }> {
  const named = (opts.project ?? opts.name) as string | undefined;
  let ref = opts.ref as string | undefined;
  if (!source) {
    if (!named && !ctx.io.env.FLIGHTDECK_PROJECT) throw new CliError('what to deploy? pass a git URL or a local path, or --project <name or id>', ExitCode.Usage);
    return { project: await findProject(api, named, ctx.io.env), ref };
  }
  let repositoryUrl = source;
  if (isLocalPath(source)) {
    repositoryUrl = resolve(ctx.io.cwd, source);
    if (!existsSync(repositoryUrl)) throw new CliError(`no such directory: ${repositoryUrl}`, ExitCode.Usage);
    ref ??= currentBranch(repositoryUrl);
  }
  const name = named ?? projectNameFor(repositoryUrl);
  const { items } = await must(api.listProjects());
  let project = items.find((p) => p.name === name || p.id === name);
  if (!project) {
    project = await must(api.createProject({ name, repositoryUrl, ...(ref ? { defaultBranch: ref } : {}) }));
    ctx.out.line(`created project ${project.name}`);
  }
  return { project, ref };
}
