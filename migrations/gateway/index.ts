import { CreateMessagingTables1763900000000 } from './1763900000000-create-messaging-tables';
import { CreatePublishers1764400000000 } from './1764400000000-create-publishers';

// Applied in this order at start-up and by `npm run migrate`.
export const migrations = [CreateMessagingTables1763900000000, CreatePublishers1764400000000];
