import { type ChildProcess, spawn } from 'node:child_process';

// Servers are started detached (a process group of their own, so a terminal's Ctrl-C reaches us
// first and we stop them cleanly). A parent killed with SIGKILL runs no exit handler, so without
// this they would outlive it: a small shell watches both pids and signals the server once the
// parent is gone. It ends with the server (polled each second, and killed when the server exits).
export function endWithParent(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid) return;
  const script = 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; kill -0 "$1" 2>/dev/null || kill -s "$3" "$2" 2>/dev/null';
  const watcher = spawn('/bin/sh', ['-c', script, 'end-with-parent', String(process.pid), String(child.pid), signal.replace(/^SIG/, '')], {
    detached: true,
    stdio: 'ignore',
  });
  watcher.on('error', () => undefined); // no /bin/sh: the exit handlers still stop the server in every other case
  watcher.unref();
  child.once('exit', () => {
    if (watcher.exitCode === null && watcher.signalCode === null) watcher.kill('SIGKILL');
  });
}
