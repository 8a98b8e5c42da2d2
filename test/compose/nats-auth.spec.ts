import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVICE_NAMES } from '@flightdeck/contracts';
import { NATS_ADMIN_USER, natsPasswordVariable } from '@flightdeck/messaging';
import { natsServerBinary } from '@flightdeck/testing';
import { natsAuthConfig } from '../../scripts/nats-config';
import { environmentOf, loadComposeFile, parseEnvFile } from './compose-file';

const ROOT = resolve(__dirname, '../..');
const AUTH_CONF = join(ROOT, 'deploy/nats/auth.conf');
const COMPOSE_ENV = join(ROOT, 'deploy/compose-env.sh');

// docker-compose's NATS users: deploy/nats/auth.conf is generated from libs/contracts, its passwords
// come from the env file, and each service connects as its own user.
describe('docker-compose NATS users', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-compose-nats-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const generateEnv = (file: string) => {
    const run = spawnSync('bash', [COMPOSE_ENV, file], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`deploy/compose-env.sh failed: ${run.stderr}`);
    return parseEnvFile(readFileSync(file, 'utf8'));
  };

  it('deploy/nats/auth.conf is what `npm run nats-config -- --compose` renders from libs/contracts', () => {
    expect(readFileSync(AUTH_CONF, 'utf8')).toBe(natsAuthConfig(['--compose'], {}));
  });

  it('gives each service its own NATS user and password, and the nats container every password', () => {
    const env = generateEnv(join(dir, 'a.env'));
    const compose = loadComposeFile(join(ROOT, 'docker-compose.yml'), env);
    const nats = environmentOf(compose.services.nats);
    for (const user of [...SERVICE_NAMES, NATS_ADMIN_USER] as const) {
      expect(env[natsPasswordVariable(user)]).toMatch(/^[A-Za-z0-9_-]{24,}$/);
      expect(nats[natsPasswordVariable(user)]).toBe(env[natsPasswordVariable(user)]);
    }
    for (const name of SERVICE_NAMES) {
      const svc = environmentOf(compose.services[name]);
      expect(svc.NATS_USER).toBe(name);
      expect(svc.NATS_PASSWORD).toBe(env[natsPasswordVariable(name)]);
    }
    expect(compose.services.nats.volumes).toContain('./deploy/nats/auth.conf:/etc/nats/auth.conf:ro');
    expect(readFileSync(join(ROOT, 'deploy/nats/nats.conf'), 'utf8')).toMatch(/^include \.\/auth\.conf$/m);
  });

  it('adds the NATS passwords to an env file written before NATS had users, keeping the rest', () => {
    const file = join(dir, 'old.env');
    writeFileSync(file, 'POSTGRES_PASSWORD=keep-me\n', { mode: 0o644 });
    appendFileSync(file, `${natsPasswordVariable('builder')}=already-there\n`);
    const env = generateEnv(file);
    expect(env.POSTGRES_PASSWORD).toBe('keep-me');
    expect(env[natsPasswordVariable('builder')]).toBe('already-there');
    expect(env[natsPasswordVariable('gateway')]).toMatch(/^[A-Za-z0-9_-]{24,}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is a valid nats-server config with the passwords in its environment, refused without one', () => {
    const env = generateEnv(join(dir, 'b.env'));
    const conf = join(dir, 'nats.conf');
    // as in the container: nats.conf includes auth.conf from its own directory
    copyFileSync(AUTH_CONF, join(dir, 'auth.conf'));
    writeFileSync(conf, 'port: 4222\ninclude ./auth.conf\n');
    const check = (e: Record<string, string>) =>
      spawnSync(natsServerBinary(), ['-c', conf, '-t'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...e },
      });
    expect(check(env).status).toBe(0);
    const missing = { ...env };
    delete missing[natsPasswordVariable('log-ingest')];
    const refused = check(missing);
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toContain(natsPasswordVariable('log-ingest'));
  });

  it('renders bcrypt hashes, not the passwords, for a nats-server of your own', () => {
    const env = generateEnv(join(dir, 'c.env'));
    const conf = natsAuthConfig(['--env-file', join(dir, 'c.env')], {});
    for (const user of [...SERVICE_NAMES, NATS_ADMIN_USER] as const)
      expect(conf).not.toContain(env[natsPasswordVariable(user)]);
    expect(conf.match(/password: "\$2a\$04\$/g)).toHaveLength(SERVICE_NAMES.length + 1);
    expect(() => natsAuthConfig([], {})).toThrow(natsPasswordVariable('gateway'));
  });
});
