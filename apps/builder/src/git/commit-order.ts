import { execFile } from 'node:child_process';

// Whether `sha` is an ancestor of `liveSha` in the checkout at `dir`: the commit being released is
// older than the one the environment serves. A live commit this repository does not know (another
// branch's history that was force-pushed away, a different repository) is not called newer.
export function isAncestor(dir: string, sha: string, liveSha: string, env: Record<string, string>): Promise<boolean> {
  if (!/^[0-9a-f]{7,64}$/i.test(liveSha)) return Promise.resolve(false);
  return new Promise((resolve) => {
    // the checkout belongs to the project's sandbox user: git must not refuse it as someone else's
    execFile('git', ['-c', 'safe.directory=*', 'merge-base', '--is-ancestor', sha, liveSha], { cwd: dir, env, timeout: 30_000 }, (e) =>
      resolve(!e),
    );
  });
}
