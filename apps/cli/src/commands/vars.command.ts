import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { VariableTarget, type VariableView } from '@flightdeck/contracts';
import { type FlightdeckApi, type VariableScope, must } from '../api';
import { CliError, type Context } from '../context';
import { ExitCode } from '../exit-codes';
import type { Registrar } from '../program';
import { findEnvironment, findProject } from './resolve';


const scoped = (cmd: Command) =>
  cmd
    .option('-p, --project <name|id>', 'the project')
    .option('-e, --env <name|id>', "the environment (default: the project's default)")
    .option('--project-level', "the project's shared variables, which every environment inherits");

async function scopeOf(ctx: Context, api: FlightdeckApi, opts: Record<string, unknown>): Promise<{ scope: VariableScope; where: string }> {
  const project = await findProject(api, opts.project as string | undefined, ctx.io.env);
  if (opts.projectLevel) {
    if (opts.env) throw new CliError('--project-level and --env name different levels: pass one', ExitCode.Usage);
    return { scope: { projectId: project.id }, where: `project ${project.name}` };
  }
  const env = await findEnvironment(api, project.id, opts.env as string | undefined);
  return { scope: { environmentId: env.id }, where: `${project.name}/${env.name}` };
}

const targetOf = (opts: Record<string, unknown>) => {
  if (opts.target === undefined) return undefined;
  const t = VariableTarget.safeParse(opts.target);
  if (!t.success) throw new CliError(`--target must be one of ${VariableTarget.options.join(', ')}`, ExitCode.Usage);
  return t.data;
};

/** KEY=VALUE, split at the first `=` (a value may hold more) */
export const parseAssignment = (s: string): { key: string; value: string } => {
  const i = s.indexOf('=');
  if (i <= 0) throw new CliError(`expected KEY=VALUE, got ${JSON.stringify(s)}`, ExitCode.Usage);
  return { key: s.slice(0, i), value: s.slice(i + 1) };
};

export function varsCommand(program: Command, r: Registrar) {
  const vars = program.command('vars').description("an environment's (or a project's) variables; sensitive values are never shown");

  r.action(scoped(vars.command('ls').alias('list').description('list the variables (sensitive values masked)')).option('--effective', 'with those inherited from the project'), async (ctx, _args, opts) => {
    const api = ctx.api();
    const { scope } = await scopeOf(ctx, api, opts);
    const page = await must(api.listVariables(scope, !!opts.effective));
    ctx.out.result(page, () => ctx.out.table(page.items.map(row), ['key', 'value', 'sensitive', 'target', 'level']));
  });

  r.action(
    scoped(vars.command('set <KEY=VALUE...>').description('set one or more variables'))
      .option('--sensitive', 'encrypt at rest and mask in every read and log')
      .option('--target <target>', 'build, runtime or both (default both)'),
    async (ctx, assignments, opts) => {
      const pairs = assignments.map(parseAssignment);
      const target = targetOf(opts);
      const api = ctx.api();
      const { scope, where } = await scopeOf(ctx, api, opts);
      const set: VariableView[] = [];
      for (const { key, value } of pairs) set.push(await must(api.setVariable(scope, key, { value, ...(opts.sensitive ? { sensitive: true } : {}), ...(target ? { target } : {}) })));
      ctx.out.result({ items: set }, () => {
        for (const v of set) ctx.out.line(`set ${v.key}=${v.sensitive ? '***' : v.value} in ${where}${v.sensitive ? ' (sensitive)' : ''}`);
      });
    },
  );

  r.action(
    scoped(vars.command('import <file>').description('import a .env file (`-`: stdin); nothing changes when a line is refused unless --partial'))
      .option('--partial', 'apply the good lines even when some are refused')
      .option('--sensitive', 'store every imported value as sensitive')
      .option('--target <target>', 'build, runtime or both'),
    async (ctx, [file], opts) => {
      const text = file === '-' ? await ctx.readStdin() : readFile(resolve(ctx.io.cwd, file));
      const target = targetOf(opts);
      const api = ctx.api();
      const { scope, where } = await scopeOf(ctx, api, opts);
      const report = await must(api.importVariables(scope, text, { partial: opts.partial ? true : undefined, sensitive: opts.sensitive ? true : undefined, target }));
      ctx.out.result(report, () => {
        ctx.out.line(`${where}: ${report.added} added, ${report.changed} changed, ${report.unchanged} unchanged, ${report.refused} refused, ${report.malformed} malformed${report.applied ? '' : ' (nothing applied)'}`);
        for (const l of report.lines.filter((x) => x.message)) ctx.out.line(`  line ${l.line}${l.key ? ` ${l.key}` : ''}: ${l.outcome}: ${l.message}`);
      });
    },
  );
}

const row = (v: VariableView) => ({ ...v, value: v.sensitive ? '***' : v.value, sensitive: v.sensitive ? 'yes' : '' });

const readFile = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ExitCode.Usage);
  }
};
