import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface NatsServer {
  port: number;
  url: string;
  storeDir: string;
  /** stop the process; the store is kept until `dispose` so `start` brings the same server back */
  stop(): Promise<void>;
  start(): Promise<void>;
  dispose(): Promise<void>;
}

export interface StartNatsOptions {
  /** persistent store dir; default: a temp dir removed by dispose */
  storeDir?: string;
  port?: number;
  onLog?: (line: string) => void;
}

export const natsServerBinary = (): string => {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv) return fromEnv;
  const found = spawnSync('sh', ['-c', 'command -v nats-server || ls /usr/sbin/nats-server 2>/dev/null'])
    .stdout.toString()
    .trim()
    .split('\n')[0];
  if (!found) throw new Error('nats-server not found: apt-get install -y nats-server (or set NATS_SERVER_BIN)');
  return found;
};

export async function startNats(opts: StartNatsOptions = {}): Promise<NatsServer> {
  const temp = !opts.storeDir;
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), 'fd-nats-'));
  mkdirSync(storeDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const binary = natsServerBinary();
  let child: ChildProcess | undefined;
  const killOnExit = () => child?.kill('SIGKILL');

  const start = async () => {
    child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (b: Buffer) => {
      if (output.length < 20_000) output += b.toString();
      opts.onLog?.(b.toString());
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    process.once('exit', killOnExit);
    await waitForPort(port, child, () => output);
  };

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };

  await start();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    stop,
    start,
    dispose: async () => {
      await stop();
      if (temp) rmSync(storeDir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nats-server exited with ${child.exitCode}: ${output()}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not start: ${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
