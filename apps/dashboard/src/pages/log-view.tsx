import { useEffect, useRef, useState } from 'react';
import type { LogLevel, LogLine } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { LOG_LEVELS, linesAtLeast } from '../view-model';

// Lines arrive in bursts: they are gathered and shown at most every 100 ms, not one render per line.
const FLUSH_MS = 100;

export function LogView({ deploymentId }: { deploymentId: string }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState<'following' | 'ended' | string>('following');
  const [level, setLevel] = useState<LogLevel>('debug');
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setLines([]);
    setState('following');
    // every line once, in seq order, live until the deployment ends (libs/client resumes after a reconnect)
    const stream = client.streamLogs(deploymentId, { follow: true });
    let pending: LogLine[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      timer = undefined;
      const batch = pending;
      pending = [];
      setLines((old) => old.concat(batch));
    };
    let live = true;
    void (async () => {
      for await (const line of stream) {
        pending.push(line);
        timer ??= setTimeout(flush, FLUSH_MS);
      }
      const done = await stream.done;
      if (!live) return;
      if (timer) clearTimeout(timer);
      flush();
      setState(done.ok ? 'ended' : errorText(done.error));
    })();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
      stream.close();
    };
  }, [client, deploymentId]);

  // stay at the bottom while the reader is there; leave them alone once they scroll up
  const atBottom = useRef(true);
  useEffect(() => {
    const el = box.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [lines, level]);

  const shown = linesAtLeast(lines, level);
  return (
    <section aria-label="Logs">
      <div className="log-head">
        <h2>Logs</h2>
        <label htmlFor="log-level">Level</label>
        <select id="log-level" value={level} onChange={(e) => setLevel(e.target.value as LogLevel)}>
          {LOG_LEVELS.map((l) => <option key={l} value={l}>{l === 'debug' ? 'all' : `${l} and above`}</option>)}
        </select>
        <span className="muted" aria-live="polite">
          {shown.length} of {lines.length} lines{state === 'following' ? ', following live' : state === 'ended' ? ', ended' : ''}
        </span>
      </div>
      {state !== 'following' && state !== 'ended' && <p role="alert" className="error">{state}</p>}
      <div className="log" role="log" ref={box} tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}>
        {shown.map((l) => (
          <div key={l.seq} className={`line level-${l.level}`} data-seq={l.seq}>
            <span className="seq">{l.seq}</span>
            <span className="step">{l.step}</span>
            <span className="msg">{l.message}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
