// The NATS users of the platform as a nats-server `authorization` block: one user per service with
// the permissions derived from libs/contracts (BusAccess), and `admin` with every permission.
//
//   npm run nats-config -- --compose > deploy/nats/auth.conf
//       the block docker-compose's nats includes: each password is a config variable
//       ($FLIGHTDECK_NATS_PASSWORD_<USER>) that nats-server reads from its environment (the .env file)
//   npm run nats-config -- [--env-file .env] --out /etc/nats/auth.conf
//       for a nats-server of your own: bcrypt hashes of the FLIGHTDECK_NATS_PASSWORD_<USER> values
//       found in the environment or the env file (the file is written with mode 0600)
//   npm run -s nats-config -- --helm-values > deploy/kubernetes/nats/values.yaml
//       values for the official NATS Helm chart: 3 nodes, JetStream, these users (scripts/nats-helm-values.ts)
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { SERVICE_NAMES } from '@flightdeck/contracts';
import {
  NATS_ADMIN_USER,
  type NatsPasswords,
  natsPasswordVariable,
  platformNatsUsers,
  platformNatsUsersFromEnv,
  renderNatsAuthorization,
} from '@flightdeck/messaging';
import { natsHelmValues } from './nats-helm-values';

const parseEnvFile = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(l))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => [m[1], m[2].replace(/^(['"])(.*)\1$/, '$2')]),
  );

export function natsAuthConfig(args: string[], env: NodeJS.ProcessEnv): string {
  if (args.includes('--helm-values')) return natsHelmValues();
  if (args.includes('--compose')) return renderNatsAuthorization(platformNatsUsersFromEnv());
  const i = args.indexOf('--env-file');
  const vars = { ...env, ...(i >= 0 ? parseEnvFile(readFileSync(args[i + 1], 'utf8')) : {}) };
  const passwords = {} as NatsPasswords;
  const missing: string[] = [];
  for (const user of [...SERVICE_NAMES, NATS_ADMIN_USER] as const) {
    const v = vars[natsPasswordVariable(user)];
    if (v) passwords[user] = v;
    else missing.push(natsPasswordVariable(user));
  }
  if (missing.length) throw new Error(`missing: ${missing.join(', ')} (deploy/compose-env.sh writes them)`);
  return renderNatsAuthorization(platformNatsUsers(passwords));
}

if (require.main === module) {
  try {
    const args = process.argv.slice(2);
    const conf = natsAuthConfig(args, process.env);
    const o = args.indexOf('--out');
    if (o >= 0) {
      writeFileSync(args[o + 1], conf, { mode: 0o600 });
      chmodSync(args[o + 1], 0o600);
    } else process.stdout.write(conf);
  } catch (e) {
    console.error(`nats-config: ${(e as Error).message}`);
    process.exit(1);
  }
}
