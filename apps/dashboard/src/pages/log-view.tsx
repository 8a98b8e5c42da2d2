import { type KeyboardEvent, memo, useEffect, useMemo, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type DeploymentStatus, type LogLevel, type LogLine, LogSource } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { LOG_LEVELS, ansiPieces, filterLines, mergeBySeq, missingRanges, searchLines, splitOnMatches, stepMatch, stepsOf } from '../view-model';

// Lines arrive in bursts: they are gathered and shown at most every 100 ms, not one render per line.
const FLUSH_MS = 100;
// how long to wait for lines the end event counts but storage does not hold yet
const FILL_PATIENCE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** a message with its ANSI colours as classed spans and the search's matches marked: text only, never HTML */
const Message = memo(function Message({ message, query }: { message: string; query: string }) {
  return (
    <span className="msg">
      {ansiPieces(message).map((p, i) => {
        const text = splitOnMatches(p.text, query).map((t, j) => (t.hit ? <mark key={j}>{t.text}</mark> : t.text));
        return p.className || p.color ? (
          <span key={i} className={p.className || undefined} style={p.color ? { color: `rgb(${p.color})` } : undefined}>{text}</span>
        ) : (
          <span key={i}>{text}</span>
        );
      })}
    </span>
  );
});

export function LogView({ deploymentId, status }: { deploymentId: string; status?: DeploymentStatus }) {
  const { client } = useApi();
  const errorText = useErrorText();
  const [lines, setLines] = useState<LogLine[]>([]);
  const [state, setState] = useState<'following' | 'ended' | string>('following');
  const [level, setLevel] = useState<LogLevel>('debug');
  const [step, setStep] = useState('');
  const [source, setSource] = useState('');
  const [query, setQuery] = useState('');
  // the match in view: an index into `matches`, -1 before the first next/previous
  const [current, setCurrent] = useState(-1);
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
      setLines((old) => mergeBySeq(old, batch));
    };
    let live = true;
    const seqs: number[] = [];
    const take = (line: LogLine) => {
      seqs.push(line.seq);
      pending.push(line);
      timer ??= setTimeout(flush, FLUSH_MS);
    };
    // Adapter over libs/client: a gap (or the end) read from storage before log-ingest has written
    // those lines ends that read short, and the stream goes on without them. The page asks storage
    // again for every hole until it is filled (or a minute passes).
    const fillHoles = async (lastSeq: number): Promise<string | null> => {
      const deadline = Date.now() + FILL_PATIENCE_MS;
      for (const [from, to] of missingRanges(seqs, lastSeq)) {
        let after = from - 1;
        while (live && after < to) {
          const page = await client.getLogs(deploymentId, { afterSeq: after, limit: Math.min(5_000, to - after) });
          if (!page.ok) return errorText(page.error);
          const got = page.data.items.filter((l) => l.seq > after && l.seq <= to);
          if (!got.length) {
            if (Date.now() > deadline) return `lines ${after + 1}–${to} are not stored yet: reload later`;
            await sleep(500);
            continue;
          }
          got.forEach(take);
          after = got[got.length - 1].seq;
        }
      }
      return null;
    };
    void (async () => {
      for await (const line of stream) take(line);
      const done = await stream.done;
      const problem = done.ok ? await fillHoles(done.data.lastSeq) : errorText(done.error);
      if (!live) return;
      if (timer) clearTimeout(timer);
      flush();
      setState(problem ?? 'ended');
    })();
    return () => {
      live = false;
      if (timer) clearTimeout(timer);
      stream.close();
    };
  }, [client, deploymentId]);

  const shown = useMemo(() => filterLines(lines, { level, step, source }), [lines, level, step, source]);
  const steps = useMemo(() => stepsOf(lines), [lines]);
  const matches = useMemo(() => searchLines(shown, query), [shown, query]);
  const currentSeq = current >= 0 && current < matches.length ? shown[matches[current]].seq : null;
  // Only the lines in view (and a few around) are in the DOM: a 100,000-line log scrolls and
  // filters as fast as a short one. Wrapped lines are measured once drawn.
  const rows = useVirtualizer({
    count: shown.length,
    getScrollElement: () => box.current,
    estimateSize: () => 19,
    overscan: 30,
    getItemKey: (i) => shown[i].seq,
  });

  // stay at the bottom while the reader is there; leave them alone once they scroll up
  const atBottom = useRef(true);
  useEffect(() => {
    if (atBottom.current && shown.length && currentSeq === null) rows.scrollToIndex(shown.length - 1, { align: 'end' });
  }, [shown, rows]);
  useEffect(() => setCurrent(-1), [query, level, step, source]);
  const go = (dir: 1 | -1) => {
    const next = stepMatch(current, matches.length, dir);
    setCurrent(next);
    if (next >= 0) {
      atBottom.current = false;
      rows.scrollToIndex(matches[next], { align: 'center' });
    }
  };
  const onSearchKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    go(e.shiftKey ? -1 : 1);
  };
  const ended = state === 'ended';
  return (
    <section aria-label="Logs">
      <div className="log-head">
        <h2>Logs</h2>
        <label htmlFor="log-level">Level</label>
        <select id="log-level" value={level} onChange={(e) => setLevel(e.target.value as LogLevel)}>
          {LOG_LEVELS.map((l) => <option key={l} value={l}>{l === 'debug' ? 'all' : `${l} and above`}</option>)}
        </select>
        <label htmlFor="log-step">Step</label>
        <select id="log-step" value={step} onChange={(e) => setStep(e.target.value)}>
          <option value="">all</option>
          {steps.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <label htmlFor="log-source">Source</label>
        <select id="log-source" value={source} onChange={(e) => setSource(e.target.value)}>
          <option value="">all</option>
          {LogSource.options.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <span className="muted" aria-live="polite">
          {shown.length} of {lines.length} lines{state === 'following' ? ', following live' : state === 'ended' ? ', ended' : ''}
        </span>
      </div>
      <div className="log-search" role="search" aria-label="Search the log">
        <label htmlFor="log-search">Search</label>
        <input id="log-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} onKeyDown={onSearchKey}
          autoComplete="off" spellCheck={false} aria-describedby="log-search-count" />
        <button type="button" onClick={() => go(-1)} disabled={!matches.length}>Previous</button>
        <button type="button" onClick={() => go(1)} disabled={!matches.length}>Next</button>
        <span id="log-search-count" className="muted" aria-live="polite">
          {query.trim() ? (matches.length ? `${current >= 0 ? `${current + 1} of ` : ''}${matches.length} matching lines` : 'no match') : ''}
        </span>
      </div>
      {state !== 'following' && state !== 'ended' && <p role="alert" className="error">{state}</p>}
      <div className="log" role="log" ref={box} tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
        }}>
        <div className="log-rows" style={{ height: rows.getTotalSize() }}>
          {rows.getVirtualItems().map((row) => {
            const l = shown[row.index];
            return (
              <div key={row.key} ref={rows.measureElement} data-index={row.index}
                className={`line level-${l.level}${l.seq === currentSeq ? ' current-match' : ''}`} data-seq={l.seq} data-step={l.step} data-source={l.source}
                aria-current={l.seq === currentSeq ? 'true' : undefined} style={{ transform: `translateY(${row.start}px)` }}>
                <span className="seq">{l.seq}</span>
                <span className="step">{l.step}</span>
                <Message message={l.message} query={query} />
              </div>
            );
          })}
        </div>
        {ended && (
          <p className="log-end" data-testid="end-of-log">
            End of log: {lines.length} lines{status ? `, the deployment ${status}` : ''}.
          </p>
        )}
      </div>
    </section>
  );
}
