import type { ServiceName } from '@flightdeck/contracts';

// Which Postgres schema each service owns. The role of the same name (flightdeck_<schema>) has
// rights on that schema only.
export const SERVICE_SCHEMAS: Record<ServiceName, string> = {
  gateway: 'gateway',
  'environment-manager': 'environments',
  'deployment-orchestrator': 'orchestrator',
  builder: 'builder',
  'log-ingest': 'logs',
};

export const serviceRole = (schema: string) => `flightdeck_${schema}`;
