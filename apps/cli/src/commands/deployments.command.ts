import { DeploymentStatus, type LogLine, isTerminal } from '@flightdeck/contracts';
import type { Command } from 'commander';
import { must } from '../api';
import { CliError } from '../context';
import { ExitCode, exitCodeOf } from '../exit-codes';
import type { Registrar } from '../program';
import { followDeployment, followRuntime, formatLine, phaseOf, summary } from './follow';
import { findProject, parseIntOption } from './resolve';

const short = (sha: string | null) => (sha ? sha.slice(0, 7) : null);
const waitingFor = (m: Record<string, unknown>) => ((m.protection as { waitingFor?: string } | undefined)?.waitingFor ?? null);
const seconds = (ms: number | null) => (ms === null ? null : `${Math.round(ms / 100) / 10}s`);

export function deploymentCommands(program: Command, r: Registrar) {
  r.action(
    program
      .command('ls')
      .description("a project's deployments, newest first")
      .option('-p, --project <name|id>', 'the project')
      .option('--status <status>', `only these: ${DeploymentStatus.options.join(', ')}`)
      .option('--limit <n>', 'how many', parseIntOption('--limit'), 20),
    async (ctx, _args, opts) => {
      if (opts.status !== undefined && !DeploymentStatus.safeParse(opts.status).success) throw new CliError(`--status must be one of ${DeploymentStatus.options.join(', ')}`, ExitCode.Usage);
      const api = ctx.api();
      const project = await findProject(api, opts.project as string | undefined, ctx.io.env);
      const page = await must(api.listDeployments(project.id, { limit: opts.limit as number, status: opts.status as DeploymentStatus | undefined }));
      ctx.out.result(page, () =>
        ctx.out.table(
          page.items.map((d) => ({ ...d, phase: phaseOf(d), commit: short(d.commitSha), duration: seconds(d.durationMs) })),
          ['id', 'phase', 'sourceRef', 'commit', 'trigger', 'createdAt', 'duration'],
        ),
      );
    },
  );

  r.action(program.command('status <id>').description('one deployment: status, phase, URLs, error'), async (ctx, [id]) => {
    const d = await must(ctx.api().getDeployment(id));
    ctx.out.result(d, () => {
      ctx.out.line(`deployment ${d.id}`);
      for (const [k, v] of [
        ['status', phaseOf(d)],
        ['ref', `${d.sourceRef}${d.commitSha ? ` (${short(d.commitSha)} ${d.commitMessage ?? ''})` : ''}`],
        ['trigger', `${d.trigger} by ${d.triggeredBy}`],
        ['created', d.createdAt],
        ['duration', seconds(d.durationMs)],
        ['url', d.url],
        ['preview', d.previewUrl],
        ['error', d.errorCode ? `${d.errorCode}: ${d.errorMessage ?? ''}` : null],
        // held by a protection rule (awaiting_approval, waiting_timer, frozen): what for
        ['waiting', d.status === 'queued' ? waitingFor(d.metadata) : null],
      ] as const)
        if (v) ctx.out.line(`  ${k.padEnd(9)}${v}`);
    });
  });

  r.action(
    program
      .command('logs <id>')
      .description(
        "a deployment's log; -f follows it live until the deployment ends (exit code as for deploy); -f on one that has already succeeded goes on with its release's own output (runtime lines) until Ctrl-C",
      )
      .option('-f, --follow', 'follow live')
      .option('--runtime', "only its release's own output (source runtime); with -f: follow it after the deployment succeeds, until Ctrl-C")
      .option('--no-runtime', 'with -f: end with the deployment even when it has already succeeded')
      .option('--tail <n>', 'only the last n lines', parseIntOption('--tail')),
    async (ctx, [id], opts) => {
      const api = ctx.api();
      const d = await must(api.getDeployment(id));
      const lines: LogLine[] = [];
      let lastSeq = 0;
      // --runtime without -f: only the runtime lines; with -f the deploy's log first, then them
      const source = opts.runtime && !opts.follow ? ('runtime' as const) : undefined;
      if (opts.tail !== undefined) {
        const page = await must(api.getLogs(id, { tail: opts.tail as number, source }));
        lines.push(...page.items);
        lastSeq = page.lastSeq ?? page.items.at(-1)?.seq ?? 0;
      } else if (!opts.follow) {
        for (;;) {
          const page = await must(api.getLogs(id, { afterSeq: lastSeq, limit: 5000, source }));
          if (!page.items.length) break;
          lines.push(...page.items);
          lastSeq = page.items[page.items.length - 1].seq;
        }
      }
      if (!opts.follow) {
        ctx.out.result({ items: lines, lastSeq }, () => lines.forEach((l) => ctx.out.line(formatLine(l, ctx.out.red))));
        return;
      }
      for (const l of lines) {
        if (ctx.out.json) ctx.out.jsonLine({ type: 'log', ...l });
        else ctx.out.line(formatLine(l, ctx.out.red));
      }
      // the app's logs: a live release goes on printing after its deployment's log has ended
      const thenRuntime = opts.runtime ?? d.status === 'succeeded';
      const code = await followDeployment(ctx, api, d, { afterSeq: lastSeq });
      if (!thenRuntime || code !== ExitCode.Success) return code;
      return followRuntime(ctx, ctx.api(), id);
    },
  );

  r.action(program.command('promote <id>').description('a running canary takes every client now (the deployment then succeeds)'), async (ctx, [id]) => {
    const d = await must(ctx.api().promoteDeployment(id));
    ctx.out.result(d, () => ctx.out.line(`deployment ${d.id}: canary promoted; every client goes to its release (${phaseOf(d)})`));
  });

  r.action(program.command('abort <id>').description('a running canary is rolled back: the previous release serves every client, the deployment fails'), async (ctx, [id]) => {
    const d = await must(ctx.api().abortDeployment(id));
    ctx.out.result(d, () => ctx.out.line(`deployment ${d.id}: canary aborted; the previous release serves every client (${phaseOf(d)})`));
  });

  r.action(program.command('cancel <id>').description('cancel a deployment that has not ended'), async (ctx, [id]) => {
    const d = await must(ctx.api().cancelDeployment(id));
    ctx.out.result(d, () => ctx.out.line(`deployment ${d.id}: ${phaseOf(d)}${d.cancelRequestedAt ? ' (cancel requested, the builder is stopping it)' : ''}`));
  });

  r.action(
    program.command('retry <id>').description('the same commit to the same environment again, as a new deployment').option('--follow', 'follow its log until it ends (exit code as for deploy)'),
    async (ctx, [id], opts) => {
      const api = ctx.api();
      const d = await must(api.retryDeployment(id));
      if (!opts.follow) return void ctx.out.result(d, () => ctx.out.line(`deployment ${d.id} retries ${id} (${d.status})`));
      if (ctx.out.json) ctx.out.jsonLine({ type: 'deployment', deployment: d });
      else ctx.out.line(`deployment ${d.id} retries ${id} (${d.status})`);
      return followDeployment(ctx, api, d);
    },
  );

  r.action(
    program
      .command('rollback <id>')
      .description("serve an earlier release of <id>'s environment again, without building: the previous success, or --to")
      .option('--to <deploymentId>', 'the earlier deployment to serve')
      .option('--no-wait', 'return at once instead of waiting until it serves'),
    async (ctx, [id], opts) => {
      const api = ctx.api();
      const d = await must(api.rollback(id, opts.to as string | undefined));
      if (!opts.wait) return void ctx.out.result(d, () => ctx.out.line(`rollback ${d.id} (${d.status})`));
      // a rollback builds nothing: its end is a route switch away, asked for twice a second
      let end = d;
      while (!isTerminal(end.status)) {
        await new Promise((r) => setTimeout(r, 500));
        end = await must(api.getDeployment(d.id));
      }
      ctx.out.result(end, () => {
        ctx.out.line(`rollback ${end.id} to ${end.rollbackTargetId ?? '?'}`);
        summary(ctx, end);
      });
      return exitCodeOf(end);
    },
  );
}
