import { type V1Deployment, Watch } from '@kubernetes/client-node';
import type { ProviderCallContext } from '../deployment-provider';
import { ProviderError } from '../provider-error';
import type { KubeClient } from './kube-client';
import { KUBERNETES } from './kubernetes-settings';

// A Deployment's rollout followed to its end, as `kubectl rollout status` judges it: the new
// generation observed, every replica updated, no old ones left, all available; the Progressing
// condition's ProgressDeadlineExceeded ends it as failed. Followed with a watch from the applied
// resourceVersion (re-opened from the last one seen when the server closes it; read again on 410).

export interface RolloutState {
  done: boolean;
  /** why it cannot complete (ProgressDeadlineExceeded) */
  failed?: string;
  ready: number;
  desired: number;
  revision?: string;
}

type DeploymentLike = Pick<V1Deployment, 'metadata' | 'spec' | 'status'>;

export function rolloutState(d: DeploymentLike): RolloutState {
  const desired = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  const revision = d.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  const updated = s.updatedReplicas ?? 0;
  const replicas = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  // the new pods that are available: all available ones less the old ones (counted available while they last)
  const ready = Math.max(0, Math.min(updated, available - (replicas - updated)));
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return { done: false, ready: 0, desired, revision };
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') return { done: false, failed: `deployment "${d.metadata?.name}" exceeded its progress deadline (${progressing.message ?? ''})`, ready, desired, revision };
  return { done: updated >= desired && replicas <= updated && available >= updated, ready, desired, revision };
}

export interface WaitOptions {
  namespace: string;
  name: string;
  /** the applied object's resourceVersion: events after it */
  resourceVersion?: string;
  timeoutMs: number;
  /** each watch request's timeoutSeconds: the server ends it cleanly before the client's 30 s idle socket timeout would */
  watchTimeoutSeconds?: number;
  ctx: ProviderCallContext;
}

export class RolloutTimeout extends Error {}

/** resolves with the finished rollout's state; rejects with a ProviderError (failed), RolloutTimeout, or the API's error */
export function waitForRollout(client: KubeClient, o: WaitOptions): Promise<RolloutState> {
  const { ctx } = o;
  const watch = new Watch(client.config);
  const path = `/apis/apps/v1/namespaces/${o.namespace}/deployments`;
  return new Promise<RolloutState>((resolve, reject) => {
    let rv = o.resourceVersion;
    let lastLine = '';
    let request: { abort(): void } | undefined;
    let ended = false;
    let reopenFailures = 0;
    const end = (fn: () => void) => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      request?.abort();
      fn();
    };
    const timer = setTimeout(() => end(() => reject(new RolloutTimeout(`did not complete within ${Math.round(o.timeoutMs / 1000)}s`))), o.timeoutMs);
    const onAbort = () => end(() => reject(new ProviderError(KUBERNETES, 'canceled while the rollout was under way')));
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    const judge = (d: DeploymentLike) => {
      const state = rolloutState(d);
      const line = `${state.ready}/${state.desired} pods ready`;
      if (line !== lastLine && (d.status?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0)) {
        lastLine = line;
        ctx.log(line);
      }
      if (state.failed) end(() => reject(new ProviderError(KUBERNETES, state.failed!)));
      else if (state.done) end(() => resolve(state));
    };

    const open = async () => {
      if (ended) return;
      try {
        const req = await watch.watch(
          path,
          { fieldSelector: `metadata.name=${o.name}`, ...(rv ? { resourceVersion: rv } : {}), allowWatchBookmarks: true, timeoutSeconds: o.watchTimeoutSeconds ?? 25 },
          (type: string, obj: DeploymentLike & { code?: number }) => {
            if (type === 'ERROR') {
              // 410 Gone: the resourceVersion is too old; read the object again and watch from there
              rv = undefined;
              return;
            }
            rv = obj.metadata?.resourceVersion ?? rv;
            reopenFailures = 0;
            if (type !== 'BOOKMARK') judge(obj);
          },
          (err: (Error & { statusCode?: number }) | null) => {
            if (ended) return;
            if (err?.statusCode === 410) rv = undefined;
            if (err && ++reopenFailures > 5) return end(() => reject(client.error(err, `watch the rollout of ${o.namespace}/${o.name}`)));
            setTimeout(() => void reread(), err ? Math.min(200 * 2 ** reopenFailures, 5000) : 0);
          },
        );
        request = req as { abort(): void };
        if (ended) request.abort();
      } catch (e) {
        end(() => reject(client.error(e, `watch the rollout of ${o.namespace}/${o.name}`)));
      }
    };
    // the state now (a watch from a resourceVersion sends only what changes after it), then the watch
    const reread = async () => {
      if (ended) return;
      if (!rv) {
        try {
          const d = await client.call(`read Deployment ${o.namespace}/${o.name}`, () => client.apps.readNamespacedDeployment(o.name, o.namespace), ctx);
          rv = d.metadata?.resourceVersion;
          judge(d);
        } catch (e) {
          return end(() => reject(e));
        }
      }
      void open();
    };
    void (rv ? open() : reread());
  });
}
