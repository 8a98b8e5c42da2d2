import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** MiB used under dir (blocks, not apparent size), on its own filesystem; undefined if du fails */
export async function diskUsageMb(dir: string): Promise<number | undefined> {
  try {
    const { stdout } = await run('du', ['-s', '-x', '-m', dir], { maxBuffer: 1024 * 1024 });
    return Number(stdout.split('\t')[0]);
  } catch (e) {
    // du also fails when a file vanished while it walked (a build deleting its cache): read its total
    const out = (e as { stdout?: string }).stdout;
    const mb = out ? Number(out.split('\t')[0]) : NaN;
    return Number.isFinite(mb) ? mb : undefined;
  }
}
