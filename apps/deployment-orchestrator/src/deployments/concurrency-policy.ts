// What a new trigger does to an environment that already has a deployment in progress. Today the
// one policy is `reject` unless forced; `queue` and `cancel-in-progress` land here with the
// lifecycle issue.
export type TriggerDecision = 'create' | 'reject' | 'supersede';

export const decideTrigger = (hasActive: boolean, force: boolean): TriggerDecision =>
  !hasActive ? 'create' : force ? 'supersede' : 'reject';
