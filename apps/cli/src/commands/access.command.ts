import { ProjectRole, TokenScope } from '@flightdeck/contracts';
import type { Command } from 'commander';
import { type FlightdeckApi, must } from '../api';
import { CliError } from '../context';
import { ExitCode } from '../exit-codes';
import type { Registrar } from '../program';
import { findProject, parseIntOption } from './resolve';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** a user by id, or by name (listing users needs a platform admin) */
async function userIdOf(api: FlightdeckApi, user: string): Promise<string> {
  if (UUID.test(user)) return user;
  const { items } = await must(api.listUsers());
  const found = items.find((u) => u.name === user);
  if (!found) throw new CliError(`no user named ${user}`, ExitCode.Error);
  return found.id;
}

export const parseScopes = (s: string) => {
  const scopes = s.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = scopes.filter((x) => !TokenScope.safeParse(x).success);
  if (!scopes.length || bad.length) throw new CliError(`--scopes takes ${TokenScope.options.join(',')} (comma-separated)${bad.length ? `, not ${bad.join(',')}` : ''}`, ExitCode.Usage);
  return scopes as TokenScope[];
};

const role = (v: unknown) => {
  if (!ProjectRole.safeParse(v).success) throw new CliError(`--role must be one of ${ProjectRole.options.join(', ')}`, ExitCode.Usage);
  return v as ProjectRole;
};

export function accessCommands(program: Command, r: Registrar) {
  const tokens = program.command('tokens').description('API tokens: list, create (shown once), revoke');
  r.action(tokens.command('ls').alias('list').description("the caller's tokens (never their secret)").option('--user <id>', "another user's (platform admins)"), async (ctx, _args, opts) => {
    const page = await must(ctx.api().listTokens(opts.user as string | undefined));
    ctx.out.result(page, () => ctx.out.table(page.items, ['id', 'name', 'prefix', 'scopes', 'expiresAt', 'lastUsedAt', 'revokedAt']));
  });
  r.action(
    tokens
      .command('create <name>')
      .description('a new token; its secret is printed once')
      .requiredOption('--scopes <scopes>', `comma-separated: ${TokenScope.options.join(', ')}`, parseScopes)
      .option('--expires-in-days <n>', 'expires after n days', parseIntOption('--expires-in-days'))
      .option('--user <id>', 'for another user (platform admins; the admin token must name one)'),
    async (ctx, [name], opts) => {
      const created = await must(
        ctx.api().createToken({
          name,
          scopes: opts.scopes as TokenScope[],
          ...(opts.expiresInDays !== undefined ? { expiresInDays: opts.expiresInDays as number } : {}),
          ...(opts.user ? { userId: String(opts.user) } : {}),
        }),
      );
      ctx.out.result(created, () => {
        ctx.out.line(`created token ${created.name} (${created.id}) [${created.scopes.join(',')}]`);
        ctx.out.line(`token (shown only now): ${created.token}`);
      });
    },
  );
  r.action(tokens.command('revoke <id>').description('revoke a token: it stops working at once'), async (ctx, [id]) => {
    const t = await must(ctx.api().revokeToken(id));
    ctx.out.result(t, () => ctx.out.line(`revoked token ${t.name} (${t.id})`));
  });

  const members = program.command('members').description("a project's members and roles (viewer < deployer < admin < owner)");
  r.action(members.command('ls').alias('list').description('members and roles').option('-p, --project <name|id>', 'the project'), async (ctx, _args, opts) => {
    const api = ctx.api();
    const project = await findProject(api, opts.project as string | undefined, ctx.io.env);
    const page = await must(api.listMembers(project.id));
    ctx.out.result(page, () => ctx.out.table(page.items, ['userName', 'userId', 'role', 'updatedAt']));
  });
  r.action(
    members
      .command('add <user>')
      .description("add a member, or change a member's role (user: id or name)")
      .option('-p, --project <name|id>', 'the project')
      .requiredOption('--role <role>', ProjectRole.options.join(', '), role),
    async (ctx, [user], opts) => {
      const api = ctx.api();
      const project = await findProject(api, opts.project as string | undefined, ctx.io.env);
      const m = await must(api.setMember(project.id, await userIdOf(api, user), opts.role as ProjectRole));
      ctx.out.result(m, () => ctx.out.line(`${user} is ${opts.role} of ${project.name}`));
    },
  );
  r.action(members.command('remove <user>').alias('rm').description('remove a member (user: id or name)').option('-p, --project <name|id>', 'the project'), async (ctx, [user], opts) => {
    const api = ctx.api();
    const project = await findProject(api, opts.project as string | undefined, ctx.io.env);
    const removed = await must(api.removeMember(project.id, await userIdOf(api, user)));
    ctx.out.result(removed ?? { removed: true }, () => ctx.out.line(`${user} is no longer a member of ${project.name}`));
  });
}
