import { MASKED_VALUE, type VariableView } from '@flightdeck/contracts';
import type { VariableEntity } from './variable.entity';

// What every reader but the builder sees: a sensitive value is never decrypted for a view.
export const toVariableView = (v: VariableEntity): VariableView => ({
  key: v.key,
  value: v.sensitive ? MASKED_VALUE : (v.valuePlain ?? ''),
  sensitive: v.sensitive,
  updatedAt: v.updatedAt.toISOString(),
});
