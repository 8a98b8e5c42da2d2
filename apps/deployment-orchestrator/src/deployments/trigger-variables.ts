import { TriggerVariables } from '@flightdeck/contracts';

/** the variables a deployment was triggered with (metadata.triggerVariables), if any */
export const triggerVariablesOf = (metadata: Record<string, unknown> | null | undefined): TriggerVariables | undefined => {
  const parsed = TriggerVariables.safeParse(metadata?.triggerVariables);
  return parsed.success && Object.keys(parsed.data).length ? parsed.data : undefined;
};
