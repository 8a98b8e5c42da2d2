import type { Command } from 'commander';
import { FlightdeckApi, must } from '../api';
import { CliError, type Context } from '../context';
import { normalizeUrl } from '../credentials';
import { ExitCode } from '../exit-codes';
import type { Registrar } from '../program';

export function loginCommands(program: Command, r: Registrar) {
  r.action(
    program
      .command('login')
      .description('check a token against the gateway and store it for that URL (credentials.json, mode 0600)')
      .option('--token <token>', 'the token (fdt_… or the admin token)')
      .option('--with-token', 'read the token from stdin')
      .addHelpText('after', '\nWithout --token or --with-token, login asks for the token on a terminal; when stdin is not a terminal it fails (exit 2) instead of waiting.'),
    async (ctx, _args, opts) => {
      const url = ctx.target().url;
      const token = (await tokenFrom(ctx, opts)).trim();
      if (!token) throw new CliError('the token is empty', ExitCode.Usage);
      const caller = await must(new FlightdeckApi(url, token).me());
      ctx.store.save(url, token);
      const who = caller.kind === 'admin-token' ? 'the admin token' : (caller.user?.name ?? 'a user');
      ctx.out.result({ url: normalizeUrl(url), caller, credentials: ctx.store.path }, () => ctx.out.line(`logged in to ${normalizeUrl(url)} as ${who} (saved in ${ctx.store.path})`));
    },
  );

  r.action(program.command('logout').description('forget the stored token of the gateway'), async (ctx) => {
    const url = ctx.target().url;
    const removed = ctx.store.remove(url);
    ctx.out.result({ url, removed }, () => ctx.out.line(removed ? `logged out of ${url}` : `no token stored for ${url}`));
  });

  r.action(program.command('whoami').description('who the current token belongs to'), async (ctx) => {
    const api = ctx.api();
    const caller = await must(api.me());
    ctx.out.result({ url: api.baseUrl, ...caller }, () =>
      ctx.out.line(`${caller.kind === 'admin-token' ? 'the admin token' : `${caller.user?.name} (${caller.user?.id})`} at ${api.baseUrl}${caller.token ? `, token ${caller.token.name} [${caller.token.scopes.join(',')}]` : ''}`),
    );
  });
}

async function tokenFrom(ctx: Context, opts: Record<string, unknown>): Promise<string> {
  if (typeof opts.token === 'string') return opts.token;
  if (opts.withToken) return ctx.readStdin();
  // netlify/cli#1251: a prompt nobody can answer hangs CI; say what to pass instead
  if (!ctx.stdinIsTty) throw new CliError('no token given and stdin is not a terminal, so flightdeck will not prompt: pass --token <token>, or pipe it with --with-token', ExitCode.Usage);
  return promptHidden(ctx, `token for ${ctx.target().url}: `);
}

// reads a line from the terminal without echoing it
function promptHidden(ctx: Context, question: string): Promise<string> {
  const stdin = ctx.io.streams.stdin as NodeJS.ReadStream;
  ctx.io.streams.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    stdin.setRawMode?.(true);
    stdin.resume();
    const onData = (b: Buffer) => {
      for (const ch of b.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(() => resolve(value));
        if (ch === '\u0003') return finish(() => reject(new CliError('interrupted', ExitCode.Usage)));
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const finish = (then: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      ctx.io.streams.stderr.write('\n');
      then();
    };
    stdin.on('data', onData);
  });
}
