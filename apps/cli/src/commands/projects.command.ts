import { resolve } from 'node:path';
import { EnvironmentType } from '@flightdeck/contracts';
import type { Command } from 'commander';
import { CliError } from '../context';
import { ExitCode } from '../exit-codes';
import { must } from '../api';
import type { Registrar } from '../program';
import { findProject } from './resolve';

export function projectCommands(program: Command, r: Registrar) {
  const projects = program.command('projects').description('list and create projects');
  r.action(projects.command('ls').alias('list').description('the projects this token can see'), async (ctx) => {
    const page = await must(ctx.api().listProjects());
    ctx.out.result(page, () => ctx.out.table(page.items, ['name', 'id', 'defaultBranch', 'repositoryUrl']));
  });
  r.action(
    projects
      .command('create <name>')
      .description('create a project (it gets a production environment)')
      .requiredOption('--repo <url or path>', 'its git repository: a URL, or a local path on the gateway machine')
      .option('--branch <branch>', 'its default branch'),
    async (ctx, [name], opts) => {
      const repo = String(opts.repo);
      const repositoryUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) || /^[^/]+@[^:]+:/.test(repo) ? repo : resolve(ctx.io.cwd, repo);
      const project = await must(ctx.api().createProject({ name, repositoryUrl, ...(opts.branch ? { defaultBranch: String(opts.branch) } : {}) }));
      ctx.out.result(project, () => ctx.out.line(`created project ${project.name} (${project.id})`));
    },
  );

  const envs = program.command('envs').description("list and create a project's environments");
  r.action(envs.command('ls').alias('list').description("the project's environments").option('-p, --project <name|id>', 'the project'), async (ctx, _args, opts) => {
    const api = ctx.api();
    const project = await findProject(api, opts.project as string | undefined, ctx.io.env);
    const page = await must(api.listEnvironments(project.id));
    ctx.out.result(page, () =>
      ctx.out.table(
        page.items.map((e) => ({ ...e, default: e.isDefault ? 'yes' : '' })),
        ['name', 'id', 'type', 'default'],
      ),
    );
  });
  r.action(
    envs
      .command('create <name>')
      .description('create an environment')
      .option('-p, --project <name|id>', 'the project')
      .option('--type <type>', 'production, staging, preview or development', 'staging')
      .option('--default', "make it the project's default"),
    async (ctx, [name], opts) => {
      const type = EnvironmentType.safeParse(opts.type);
      if (!type.success) throw new CliError(`--type must be one of ${EnvironmentType.options.join(', ')}`, ExitCode.Usage);
      const api = ctx.api();
      const project = await findProject(api, opts.project as string | undefined, ctx.io.env);
      const env = await must(api.createEnvironment(project.id, { name, type: type.data, ...(opts.default ? { isDefault: true } : {}) }));
      ctx.out.result(env, () => ctx.out.line(`created environment ${env.name} (${env.id}) in ${project.name}`));
    },
  );
}
