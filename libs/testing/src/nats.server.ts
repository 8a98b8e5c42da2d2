import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasExited, stopChild } from './child-exit';
import { freePort } from './free-port';

export interface NatsServer {
  port: number;
  url: string;
  storeDir: string;
  /** stop the process; the store is kept until `dispose` so `start` brings the same server back */
  stop(): Promise<void>;
  /** start it again after `stop`, on the same port with the same store (JetStream data survives) */
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
    if (child && !hasExited(child)) return;
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
    process.removeListener('exit', killOnExit);
    process.once('exit', killOnExit);
    try {
      await waitForPort(port, child, () => output);
    } catch (e) {
      await stopChild(child, 'SIGKILL', 5_000);
      throw e;
    }
  };

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (child) await stopChild(child, 'SIGTERM', 5_000);
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
    if (hasExited(child)) throw new Error(`nats-server exited with ${child.exitCode ?? child.signalCode}: ${output()}`);
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
