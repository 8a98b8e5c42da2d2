import { CreateMessagingTables1763900000000 } from './1763900000000-create-messaging-tables';
import { CreatePublishers1764400000000 } from './1764400000000-create-publishers';
import { CreateUsersTokensMembers1765100000000 } from './1765100000000-create-users-tokens-members';
import { CreateAuditLog1765100000001 } from './1765100000001-create-audit-log';
import { CreateWebhookDeliveries1765400000000 } from './1765400000000-create-webhook-deliveries';
import { WebhookDeliveryWork1765400000001 } from './1765400000001-webhook-delivery-work';
import { CreateHooks1765500000000 } from './1765500000000-create-hooks';

// Applied in this order at start-up and by `npm run migrate`.
export const migrations = [
  CreateMessagingTables1763900000000,
  CreatePublishers1764400000000,
  CreateUsersTokensMembers1765100000000,
  CreateAuditLog1765100000001,
  CreateWebhookDeliveries1765400000000,
  WebhookDeliveryWork1765400000001,
  CreateHooks1765500000000,
];
