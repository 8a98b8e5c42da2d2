import { MASKED_VALUE, type VariableView } from '@flightdeck/contracts';

// What every reader but the builder sees: a sensitive value is never decrypted for a view.
export const toVariableView = (v: {
  key: string;
  sensitive: boolean;
  target: VariableView['target'];
  valuePlain: string | null;
  updatedAt: Date;
}): VariableView => ({
  key: v.key,
  value: v.sensitive ? MASKED_VALUE : (v.valuePlain ?? ''),
  sensitive: v.sensitive,
  target: v.target,
  updatedAt: v.updatedAt.toISOString(),
});
