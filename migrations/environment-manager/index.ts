import { CreateMessagingTables1763900000000 } from './1763900000000-create-messaging-tables';

// Applied in this order at start-up and by `npm run migrate`.
export const migrations = [CreateMessagingTables1763900000000];
