import { randomBytes } from 'node:crypto';
import { hashSync } from 'bcryptjs';
import { SERVICE_NAMES, type ServiceName } from '@flightdeck/contracts';
import { type NatsPermissions, servicePermissions } from './nats-permissions';

// nats-server authorization for the platform: one user per service (user/password), whose
// permissions come from libs/contracts (see nats-permissions.ts), an `admin` user with every
// permission for operator tools and test harnesses, and any extra users a caller adds (external
// build-event publishers, later) with the permissions it gives them.

/** the user with every permission: operator tools, test harnesses; never given to a service */
export const NATS_ADMIN_USER = 'admin';

/** how a password appears in the server config */
export type NatsPasswordSpec =
  /** a bcrypt hash (`$2a$…`): the config holds no password, only what checks it */
  | { bcrypt: string }
  /** a nats-server config variable, resolved from the server's environment at start (`$NAME`) */
  | { env: string };

export interface NatsUserEntry {
  user: string;
  password: NatsPasswordSpec;
  /** omitted: every permission (the admin user) */
  permissions?: NatsPermissions;
}

export interface NatsServerConfigOptions {
  /** omitted: no authorization block, anyone who reaches the port may do anything */
  users?: NatsUserEntry[];
  host?: string;
  port?: number;
  /** monitoring port (health checks); omitted: none */
  httpPort?: number;
  jetstream?: { storeDir: string; syncInterval?: string; maxMemoryStore?: string; maxFileStore?: string };
  /**
   * instead of `users`: the authorization block includes this users file (a path relative to the
   * config file's directory: nats-server 2.9 resolves even absolute include paths against it)
   */
  usersInclude?: string;
  /** where nats-server writes its pid: whoever rewrites the users file sends SIGHUP to it */
  pidFile?: string;
  /** unique in a cluster (JetStream's RAFT groups know their peers by it) */
  serverName?: string;
  /** a node of a NATS cluster: listens for routes on host:port and dials the other nodes' routes */
  cluster?: { name: string; host: string; port: number; routes: string[] };
}

// Letters and digits only, starting with letters: nats-server re-reads a `$VAR` value as config
// syntax, and a value starting with `-` (base64url's alphabet) or looking like a number is refused.
export const generateNatsPassword = () => `fdn${randomBytes(24).toString('hex')}`;

// The lowest bcrypt cost, on purpose: every password here is 192 random bits (generateNatsPassword),
// which no hashing cost makes harder or easier to guess, while nats-server re-checks the password of
// every connected client on each reload (a publisher added or revoked). At cost 10 that held up the
// whole bus for seconds on a loaded machine (requests timed out in a fresh-clone CI run).
export const NATS_BCRYPT_COST = 4;

// nats-server accepts `$2a$` bcrypt hashes; bcryptjs writes `$2b$`, the same algorithm.
export const hashNatsPassword = (password: string, cost = NATS_BCRYPT_COST) =>
  hashSync(password, cost).replace(/^\$2b\$/, '$2a$');

/** each service's user name: its service name unless the operator chose another */
export type NatsUserNames = Partial<Record<ServiceName, string>>;

/** the service users, each with the permissions derived from its BusAccess declaration */
export function serviceNatsUsers(
  passwords: Record<ServiceName, NatsPasswordSpec>,
  names: NatsUserNames = {},
): NatsUserEntry[] {
  return SERVICE_NAMES.map((service) => ({
    user: names[service] ?? service,
    password: passwords[service],
    permissions: servicePermissions(service),
  }));
}

const str = (s: string) => JSON.stringify(s);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function renderPassword(p: NatsPasswordSpec): string {
  if ('env' in p) {
    if (!NAME.test(p.env)) throw new Error(`invalid variable name for a NATS password: ${p.env}`);
    return `$${p.env}`;
  }
  if (!/^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/.test(p.bcrypt)) throw new Error('not a bcrypt hash');
  return str(p.bcrypt);
}

const renderList = (xs: string[], indent: string) =>
  `[\n${xs.map((x) => `${indent}  ${str(x)}`).join('\n')}\n${indent}]`;

function renderUser(u: NatsUserEntry): string {
  const lines = [`    {`, `      user: ${str(u.user)}`, `      password: ${renderPassword(u.password)}`];
  if (u.permissions) {
    const p = u.permissions;
    lines.push(
      `      permissions: {`,
      `        publish: { allow: ${renderList(p.publish.allow, '        ')} }`,
      `        subscribe: { allow: ${renderList(p.subscribe.allow, '        ')} }`,
    );
    if (p.allow_responses) lines.push(`        allow_responses: true`);
    lines.push(`      }`);
  }
  lines.push(`    }`);
  return lines.join('\n');
}

function renderUserList(users: NatsUserEntry[], indent: string): string[] {
  const names = users.map((u) => u.user);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`NATS user ${dup} is declared twice`);
  return [`${indent}users = [`, ...users.map(renderUser), `${indent}]`];
}

/** the `authorization { users = [...] }` block */
export function renderNatsAuthorization(users: NatsUserEntry[]): string {
  return [
    '# Generated from libs/contracts (BusAccess) by libs/messaging: edit the declaration, not this block.',
    'authorization {',
    ...renderUserList(users, '  '),
    '}',
    '',
  ].join('\n');
}

/** `users = [...]` alone: the file an `authorization { include … }` block reads (see nats-auth-dir.ts) */
export function renderNatsUsersFile(users: NatsUserEntry[]): string {
  return [
    '# Generated by Flightdeck (platform users and the gateway\'s external publishers): rewritten, not edited.',
    ...renderUserList(users, ''),
    '',
  ].join('\n');
}

/** a whole nats-server config: listener, JetStream and the authorization block */
export function renderNatsServerConfig(o: NatsServerConfigOptions): string {
  const lines: string[] = [];
  if (o.host) lines.push(`host: ${str(o.host)}`);
  if (o.port) lines.push(`port: ${o.port}`);
  if (o.httpPort) lines.push(`http_port: ${o.httpPort}`);
  if (o.serverName) lines.push(`server_name: ${str(o.serverName)}`);
  if (o.cluster) {
    const c = o.cluster;
    lines.push(
      'cluster {',
      `  name: ${str(c.name)}`,
      `  listen: ${str(`${c.host}:${c.port}`)}`,
      `  routes: ${renderList(c.routes, '  ')}`,
      '}',
    );
  }
  if (o.jetstream) {
    const js = o.jetstream;
    lines.push('jetstream {', `  store_dir: ${str(js.storeDir)}`);
    if (js.syncInterval) lines.push(`  sync_interval: ${js.syncInterval}`);
    if (js.maxMemoryStore) lines.push(`  max_memory_store: ${js.maxMemoryStore}`);
    if (js.maxFileStore) lines.push(`  max_file_store: ${js.maxFileStore}`);
    lines.push('}');
  }
  if (o.pidFile) lines.push(`pid_file: ${str(o.pidFile)}`);
  if (o.users && o.usersInclude) throw new Error('either users or usersInclude, not both');
  if (o.usersInclude)
    lines.push('', 'authorization {', `  include ${str(o.usersInclude)}`, '}');
  return `${lines.join('\n')}\n${o.users ? `\n${renderNatsAuthorization(o.users)}` : ''}`;
}

/** plaintext passwords of the platform's NATS users: the services' and the admin's */
export type NatsPasswords = Record<ServiceName | typeof NATS_ADMIN_USER, string>;

/** fills in the passwords not given yet (existing ones are kept: services already use them) */
export function completeNatsPasswords(existing: Partial<NatsPasswords> = {}): NatsPasswords {
  const out = {} as NatsPasswords;
  for (const name of [...SERVICE_NAMES, NATS_ADMIN_USER] as const)
    out[name] = existing[name] ?? generateNatsPassword();
  return out;
}

/** the platform's users with bcrypt hashes of the given passwords, plus any extra users */
export function platformNatsUsers(
  passwords: NatsPasswords,
  opts: { names?: NatsUserNames; extraUsers?: NatsUserEntry[]; bcryptCost?: number } = {},
): NatsUserEntry[] {
  const hashed = (p: string) => ({ bcrypt: hashNatsPassword(p, opts.bcryptCost) });
  const servicePasswords = Object.fromEntries(SERVICE_NAMES.map((s) => [s, hashed(passwords[s])])) as Record<
    ServiceName,
    NatsPasswordSpec
  >;
  return [
    ...serviceNatsUsers(servicePasswords, opts.names),
    { user: NATS_ADMIN_USER, password: hashed(passwords[NATS_ADMIN_USER]) },
    ...(opts.extraUsers ?? []),
  ];
}

/** the variable a deployment keeps a NATS user's password in: FLIGHTDECK_NATS_PASSWORD_<USER> */
export const natsPasswordVariable = (user: ServiceName | typeof NATS_ADMIN_USER) =>
  `FLIGHTDECK_NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;

/** the platform's users with passwords left to nats-server's environment (docker-compose) */
export function platformNatsUsersFromEnv(opts: { extraUsers?: NatsUserEntry[] } = {}): NatsUserEntry[] {
  const passwords = Object.fromEntries(
    SERVICE_NAMES.map((s) => [s, { env: natsPasswordVariable(s) }]),
  ) as Record<ServiceName, NatsPasswordSpec>;
  return [
    ...serviceNatsUsers(passwords),
    { user: NATS_ADMIN_USER, password: { env: natsPasswordVariable(NATS_ADMIN_USER) } },
    ...(opts.extraUsers ?? []),
  ];
}
