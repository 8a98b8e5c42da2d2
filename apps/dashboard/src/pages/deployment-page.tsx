import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { type Deployment, DeploymentPhase } from '@flightdeck/contracts';
import { useApi, useErrorText } from '../api-context';
import { allowedActions, formatDuration, heldBy, isFinished } from '../view-model';
import { DeploymentDetails } from './deployment-details';
import { LogView } from './log-view';
import { StatusBadge } from './status-badge';

// the phases a deployment goes through, in order; those it may be held in (the queue, a protection
// rule's hold) and 'failed' are not steps every deployment takes: named in the Phase line when current
const OFF_PATH: readonly string[] = ['waiting', 'awaiting_approval', 'waiting_timer', 'frozen', 'failed'];
const PHASES = DeploymentPhase.options.filter((p) => !OFF_PATH.includes(p));

export function DeploymentPage() {
  const { deploymentId = '' } = useParams();
  const { client } = useApi();
  const errorText = useErrorText();
  const navigate = useNavigate();
  const [deployment, setDeployment] = useState<Deployment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    let unsubscribe: (() => void) | undefined;
    setDeployment(null);
    setError(null);
    void client.subscribeToDeploymentStatus(deploymentId, (d) => live && setDeployment(d)).then((sub) => {
      if (!sub.ok) return live && setError(errorText(sub.error));
      if (live) unsubscribe = sub.data;
      else sub.data();
    });
    return () => {
      live = false;
      unsubscribe?.();
    };
  }, [client, deploymentId]);

  const [comment, setComment] = useState('');
  const act = async (what: 'cancel' | 'retry' | 'rollback' | 'approve' | 'reject' | 'promote' | 'abort') => {
    if (!deployment) return;
    setBusy(true);
    setError(null);
    const decision = comment.trim() ? { comment: comment.trim() } : {};
    const r =
      what === 'cancel'
        ? await client.cancelDeployment(deployment.id)
        : what === 'retry'
          ? await client.retryDeployment(deployment.id)
          : what === 'approve'
            ? await client.approveDeployment(deployment.id, decision)
            : what === 'reject'
              ? await client.rejectDeployment(deployment.id, decision)
              : what === 'promote'
                ? await client.promoteDeployment(deployment.id)
                : what === 'abort'
                  ? await client.abortDeployment(deployment.id)
                  : await client.rollback(deployment.id);
    if (r.ok && (what === 'approve' || what === 'reject')) setComment('');
    setBusy(false);
    if (!r.ok) return setError(errorText(r.error));
    if (r.data.id !== deployment.id) navigate(`/deployments/${r.data.id}`);
    else setDeployment(r.data);
  };

  if (!deployment) return error ? <p role="alert" className="error">{error}</p> : <p>Loading…</p>;
  const can = allowedActions(deployment);
  const held = heldBy(deployment);
  const current = PHASES.indexOf(deployment.phase as (typeof PHASES)[number]);

  return (
    <>
      <p className="crumbs">
        <Link to="/">Projects</Link> / <Link to={`/projects/${deployment.projectId}`}>project</Link> / deployment
      </p>
      <h1>
        Deployment <StatusBadge status={deployment.status} />
      </h1>
      <dl className="facts">
        <dt>Ref</dt>
        <dd className="mono">{deployment.sourceRef}{deployment.commitSha ? ` @ ${deployment.commitSha.slice(0, 12)}` : ''}</dd>
        {deployment.commitMessage && (<><dt>Commit</dt><dd>{deployment.commitMessage}</dd></>)}
        <dt>Trigger</dt>
        <dd>{deployment.trigger} by {deployment.triggeredBy}</dd>
        <dt>Phase</dt>
        <dd>{deployment.phase} ({deployment.progress} %)</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(deployment.durationMs) ?? '—'}</dd>
        {deployment.url && (<><dt>URL</dt><dd><a href={deployment.url} target="_blank" rel="noreferrer">{deployment.url}</a></dd></>)}
        {deployment.errorMessage && (<><dt>Error</dt><dd className="error">{deployment.errorMessage} ({deployment.errorCode})</dd></>)}
      </dl>
      <ol className="phases" aria-label="Phases">
        {PHASES.map((p, i) => (
          <li key={p} className={i < current || deployment.phase === 'active' ? 'done' : i === current ? 'current' : ''}
            aria-current={i === current ? 'step' : undefined}>
            {p.replace(/_/g, ' ')}
          </li>
        ))}
      </ol>
      {held && (
        <section className="panel held" aria-label="Held by a protection rule">
          <h2>{held.title}</h2>
          <p role="status">{held.waitingFor ?? held.title}</p>
          {deployment.phase === 'awaiting_approval' && (
            <>
              <label htmlFor="decision-comment">Comment (optional)</label>
              <textarea id="decision-comment" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={2000} />
              <div className="actions">
                <button type="button" disabled={busy} onClick={() => void act('approve')}>Approve</button>
                <button type="button" disabled={busy} className="danger" onClick={() => void act('reject')}>Reject</button>
              </div>
            </>
          )}
        </section>
      )}
      <div className="actions">
        <button type="button" disabled={busy || !can.cancel} onClick={() => void act('cancel')}>Cancel</button>
        <button type="button" disabled={busy || !can.retry} onClick={() => void act('retry')}>Retry</button>
        <button type="button" disabled={busy || !can.rollback} onClick={() => void act('rollback')}
          title="Release the deployment before this one again">Roll back</button>
        {/* a canary's steps run while its routes are updated; the gateway answers 409 when none runs */}
        {deployment.phase === 'updating_routes' && !isFinished(deployment.status) && (
          <>
            <button type="button" disabled={busy} onClick={() => void act('promote')} title="Send every client to the new release now">Promote canary</button>
            <button type="button" disabled={busy} onClick={() => void act('abort')} title="Send every client back to the previous release">Abort canary</button>
          </>
        )}
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      <DeploymentDetails deployment={deployment} />
      <LogView deploymentId={deployment.id} status={deployment.status} />
    </>
  );
}
