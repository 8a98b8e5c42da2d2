import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SandboxUser {
  name: string;
  uid: number;
  gid: number;
}

// One unprivileged system user per project (created on demand when the builder runs as root):
// a project's builds and releases own its files and caches, cannot read another project's, and can
// be found and killed by uid. The name is derived from the project's name, which is unique and
// names its releases on disk.
export const sandboxUserName = (project: string) => `fdp-${createHash('sha256').update(project).digest('hex').slice(0, 12)}`;

export class SandboxUsers {
  private readonly known = new Map<string, Promise<SandboxUser>>();

  forProject(project: string): Promise<SandboxUser> {
    const name = sandboxUserName(project);
    let user = this.known.get(name);
    if (!user) {
      user = ensureUser(name);
      this.known.set(name, user);
      user.catch(() => this.known.delete(name));
    }
    return user;
  }
}

async function lookup(name: string): Promise<SandboxUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    return undefined;
  }
}

async function ensureUser(name: string): Promise<SandboxUser> {
  const found = await lookup(name);
  if (found) return found;
  try {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', name]);
  } catch (e) {
    // another builder replica on this host may have created it in between
    const raced = await lookup(name);
    if (raced) return raced;
    throw new Error(`could not create the sandbox user ${name}: ${(e as { stderr?: string }).stderr?.trim() || (e as Error).message}`);
  }
  const created = await lookup(name);
  if (!created) throw new Error(`the sandbox user ${name} was created but cannot be looked up`);
  return created;
}
