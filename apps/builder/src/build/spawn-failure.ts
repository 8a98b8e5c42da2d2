import { basename } from 'node:path';

// What a command that could not be started means, in words a user can act on. The error's own
// text is for the builder's log only: it names paths on the builder's host (`spawn /srv/... ENOENT`)
// and, for a NUL byte, quotes the argument or variable that held it, a secret maybe.
const REASONS: Record<string, string> = {
  ENOENT: 'the command was not found',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  E2BIG: 'its arguments and environment are too large',
  ENOMEM: 'not enough memory',
  EAGAIN: 'the system would not start another process',
  ERR_INVALID_ARG_VALUE: 'its arguments or environment hold a NUL character',
};

const codeOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** what went wrong in a few words ("the command was not found"), or undefined when unknown */
export const spawnFailureReason = (error: unknown): string | undefined => REASONS[codeOf(error) ?? ''];

/** "could not start npm: the command was not found", naming the command by its file name only */
export function spawnFailureMessage(command: string, error: unknown): string {
  const reason = spawnFailureReason(error);
  return `could not start ${basename(command) || 'the command'}${reason ? `: ${reason}` : ''}`;
}

/** fields for the builder's own log: a system error's text, never a message that quotes a value */
export function spawnErrorForLog(error: unknown): { code?: string; syscall?: string; path?: string; message?: string } {
  const e = error as NodeJS.ErrnoException | null;
  const isSystemError = typeof e?.errno === 'number';
  return {
    code: codeOf(error),
    syscall: isSystemError ? e?.syscall : undefined,
    path: isSystemError ? e?.path : undefined,
    message: isSystemError ? e?.message : undefined,
  };
}
