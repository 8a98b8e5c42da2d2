import { type ConcurrencyPolicy, MAX_QUEUED } from '@flightdeck/contracts';

/** what the environment has in progress when a trigger arrives */
export interface EnvironmentLoad {
  running: boolean;
  waiting: number;
}

// What a new trigger does, decided under the environment's lock (EnvironmentQueue):
// - start: its job goes out now, after canceling what `cancel` names
// - wait: it joins the queue (the next start takes the oldest waiting one), after canceling `cancel`
// - reject / queue-full: refused, nothing changes
export type TriggerPlan =
  | { kind: 'start'; cancel: { running: boolean; waiting: boolean } }
  | { kind: 'wait'; cancel: { running: false; waiting: boolean } }
  | { kind: 'reject' }
  | { kind: 'queue-full' };

const nothing = { running: false, waiting: false } as const;

export function decideTrigger(policy: ConcurrencyPolicy, load: EnvironmentLoad, force: boolean): TriggerPlan {
  const busy = load.running || load.waiting > 0;
  if (!busy) return { kind: 'start', cancel: nothing };
  // a forced trigger wins under every policy
  if (force) return { kind: 'start', cancel: { running: load.running, waiting: load.waiting > 0 } };
  switch (policy) {
    case 'reject':
      return { kind: 'reject' };
    case 'queue':
      return load.waiting >= MAX_QUEUED ? { kind: 'queue-full' } : { kind: 'wait', cancel: nothing };
    case 'supersede':
      // one running, one waiting: the newest trigger takes the waiting place
      return { kind: 'wait', cancel: { running: false, waiting: load.waiting > 0 } };
    case 'cancel-in-progress':
      return { kind: 'start', cancel: { running: load.running, waiting: load.waiting > 0 } };
  }
}
