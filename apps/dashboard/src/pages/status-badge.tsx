import type { DeploymentStatus } from '@flightdeck/contracts';
import { statusTone } from '../view-model';

// the status in words as well as colour
export const StatusBadge = ({ status }: { status: DeploymentStatus }) => (
  <span className={`status status-${statusTone(status)}`} data-status={status}>
    {status}
  </span>
);
