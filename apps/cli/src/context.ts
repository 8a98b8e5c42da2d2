import type { Command } from 'commander';
import { FlightdeckApi } from './api';
import { CredentialStore, type Env, type Target, credentialsPath, resolveTarget } from './credentials';
import { ExitCode } from './exit-codes';
import { Output, type Streams } from './output';

/** a failure of the CLI itself (usage, missing credentials): printed as `error: <message>` */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export interface GlobalOptions {
  json?: boolean;
  url?: string;
}

export interface Io {
  streams: Streams;
  env: Env;
  cwd: string;
}

// What every command gets: the output (human or --json), the credential store, the gateway.
export class Context {
  readonly store: CredentialStore;

  constructor(
    readonly io: Io,
    readonly out: Output,
    private readonly globals: () => GlobalOptions,
  ) {
    this.store = new CredentialStore(credentialsPath(io.env));
  }

  static of(io: Io, json: boolean, cmd: () => Command) {
    return new Context(io, new Output(io.streams, json, io.env), () => cmd().optsWithGlobals<GlobalOptions>());
  }

  target(): Target {
    return resolveTarget({ url: this.globals().url }, this.io.env, this.store, this.io.cwd);
  }

  api(): FlightdeckApi {
    const t = this.target();
    if (!t.token) throw new CliError(`not logged in to ${t.url}: run \`flightdeck login --url ${t.url} --token <token>\` or set FLIGHTDECK_TOKEN`, ExitCode.Auth);
    return new FlightdeckApi(t.url, t.token);
  }

  get stdinIsTty() {
    return !!this.io.streams.stdin.isTTY;
  }

  async readStdin(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of this.io.streams.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    return Buffer.concat(chunks).toString('utf8');
  }
}
