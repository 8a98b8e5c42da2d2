import type { Command } from 'commander';
import type { Deployment } from '@flightdeck/contracts';
import { must } from '../api';
import type { Context } from '../context';
import type { Registrar } from '../program';
import { phaseOf } from './follow';
import { findEnvironment, findProject } from './resolve';

// Protection rules (issue 23): approving or rejecting a deployment held for approval, and an
// environment's pause after a rollback (shown, resumed).
export function protectionCommands(program: Command, r: Registrar) {
  const decided = (ctx: Context, d: Deployment) =>
    ctx.out.result(d, () => {
      const waiting = (d.metadata.protection as { waitingFor?: string } | undefined)?.waitingFor;
      ctx.out.line(`deployment ${d.id}: ${phaseOf(d)}${d.status === 'queued' && waiting ? ` (waiting for ${waiting})` : ''}${d.errorMessage ? ` (${d.errorMessage})` : ''}`);
    });

  r.action(
    program.command('approve <id>').description('approve a deployment awaiting approval (the environment says how many approvals, from which role)').option('-m, --comment <text>', 'why'),
    async (ctx, [id], opts) => decided(ctx, await must(ctx.api().approveDeployment(id, opts.comment as string | undefined))),
  );

  r.action(
    program.command('reject <id>').description('reject a deployment awaiting approval: it ends canceled, the comment as its reason').option('-m, --comment <text>', 'why'),
    async (ctx, [id], opts) => decided(ctx, await must(ctx.api().rejectDeployment(id, opts.comment as string | undefined))),
  );

  const environmentOptions = (cmd: Command) =>
    cmd.option('-p, --project <name|id>', 'the project').option('-e, --env <name|id>', "the environment (default: the project's default)");
  const target = async (ctx: Context, opts: Record<string, unknown>) => {
    const api = ctx.api();
    const project = await findProject(api, opts.project as string | undefined, ctx.io.env);
    const env = await findEnvironment(api, project.id, opts.env as string | undefined);
    return { api, project, env };
  };

  r.action(environmentOptions(program.command('pause').description("whether a rollback paused the environment's automatic deploys (push webhooks, schedules)")), async (ctx, _args, opts) => {
    const { api, project, env } = await target(ctx, opts);
    const pause = await must(api.getEnvironmentPause(project.id, env.id));
    ctx.out.result(pause, () =>
      ctx.out.line(
        pause.paused
          ? `${project.name}/${env.name} paused since ${pause.since} by rollback ${pause.rollbackDeploymentId} (${pause.pausedBy}): pushes and schedules do not deploy; flightdeck resume ends it, deploy --force deploys anyway`
          : `${project.name}/${env.name} is not paused`,
      ),
    );
  });

  r.action(environmentOptions(program.command('resume').description('end the pause a rollback put on the environment (admin)')), async (ctx, _args, opts) => {
    const { api, project, env } = await target(ctx, opts);
    const resumed = await must(api.resumeEnvironment(project.id, env.id));
    ctx.out.result(resumed, () =>
      ctx.out.line(resumed.ended ? `${project.name}/${env.name} resumed (paused since ${resumed.ended.since} by rollback ${resumed.ended.rollbackDeploymentId})` : `${project.name}/${env.name} was not paused`),
    );
  });
}
