import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ApiFailure } from './api';
import { accessCommands } from './commands/access.command';
import { deployCommand } from './commands/deploy.command';
import { deploymentCommands } from './commands/deployments.command';
import { loginCommands } from './commands/login.command';
import { projectCommands } from './commands/projects.command';
import { protectionCommands } from './commands/protection.command';
import { varsCommand } from './commands/vars.command';
import { CliError, Context, type Io } from './context';
import { ExitCode, exitCodeOfError, exitCodesHelp } from './exit-codes';
import { Output } from './output';

/** a command's action: its exit code (Success when it returns nothing) */
export type Action = (ctx: Context, args: string[], opts: Record<string, unknown>) => Promise<ExitCode | void>;

export interface Registrar {
  /** the action of `cmd`, with the context and the exit code handled */
  action(cmd: Command, fn: Action): Command;
}

const version = () => {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
};

const wantsJson = (argv: string[]) => {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
};

// `flightdeck <command>`: parses argv, runs the command, answers its exit code (never exits itself).
export async function run(argv: string[], io: Io): Promise<ExitCode> {
  const json = wantsJson(argv);
  let code: ExitCode = ExitCode.Success;
  let current: Command | undefined;
  const ctx = Context.of(io, json, () => current!);
  const program = new Command('flightdeck')
    .description('Flightdeck from the command line: projects, variables, deployments followed live, tokens and members.')
    .version(version(), '-V, --version')
    .option('--json', 'print one JSON document (JSON lines for a followed log) instead of text')
    .option('--url <url>', 'the gateway (default: FLIGHTDECK_URL, else the last login, else http://127.0.0.1:3000)')
    .showHelpAfterError('(flightdeck --help lists the commands)')
    .configureOutput({ writeOut: (s) => io.streams.stdout.write(s), writeErr: (s) => io.streams.stderr.write(s) })
    .exitOverride()
    .addHelpText('after', exitCodesHelp());
  const registrar: Registrar = {
    action: (cmd, fn) =>
      cmd.action(async (...params: unknown[]) => {
        current = params[params.length - 1] as Command;
        const args = current.args;
        code = (await fn(ctx, args, current.opts())) ?? ExitCode.Success;
      }),
  };
  loginCommands(program, registrar);
  projectCommands(program, registrar);
  varsCommand(program, registrar);
  deployCommand(program, registrar);
  deploymentCommands(program, registrar);
  accessCommands(program, registrar);
  protectionCommands(program, registrar);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    return failure(e, ctx.out);
  }
}

function failure(e: unknown, out: Output): ExitCode {
  if (e instanceof CommanderError) {
    // commander printed it already; help and --version are not failures
    return e.exitCode === 0 ? ExitCode.Success : ExitCode.Usage;
  }
  if (e instanceof ApiFailure) {
    if (out.json) out.doc({ error: e.error });
    out.error(`error ${e.error.code}: ${e.error.message}`);
    for (const line of detailLines(e.error.details)) out.error(`  ${line}`);
    return exitCodeOfError(e.error);
  }
  const message = e instanceof Error ? e.message : String(e);
  const exitCode = e instanceof CliError ? e.exitCode : ExitCode.Error;
  if (out.json) out.doc({ error: { code: 'cli/error', message, exitCode } });
  out.error(`error: ${message}`);
  if (!(e instanceof CliError) && process.env.FLIGHTDECK_DEBUG && e instanceof Error) out.error(e.stack ?? '');
  return exitCode;
}

// what an API error's details name, a line each: the fields of a refused body, an import's lines, a pre-flight's variables
function detailLines(details: unknown): string[] {
  if (typeof details !== 'object' || details === null) return [];
  const d = details as { fields?: { path: string; message: string }[]; lines?: { line: number; key?: string; outcome: string; message?: string }[]; problems?: { key: string; message: string }[] };
  return [
    ...(d.fields ?? []).map((f) => `${f.path}: ${f.message}`),
    ...(d.lines ?? []).filter((l) => l.message).map((l) => `line ${l.line}${l.key ? ` (${l.key})` : ''}: ${l.outcome}: ${l.message}`),
    ...(d.problems ?? []).map((p) => `${p.key}: ${p.message}`),
  ];
}
