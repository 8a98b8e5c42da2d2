import { CreateMessagingTables1763900000000 } from './1763900000000-create-messaging-tables';
import { CreateLogLines1764100000000 } from './1764100000000-create-log-lines';
import { PartitionLogLinesByDay1764600000000 } from './1764600000000-partition-log-lines-by-day';
import { RecordDeploymentProjects1764700000000 } from './1764700000000-record-deployment-projects';
import { CountLogVolume1764700000001 } from './1764700000001-count-log-volume';
import { KeepLogLines1764700000002 } from './1764700000002-keep-log-lines';
import { PinDeploymentLogs1764700000003 } from './1764700000003-pin-deployment-logs';
import { AppendLogVolume1764700000004 } from './1764700000004-append-log-volume';

// Applied in this order at start-up and by `npm run migrate`.
export const migrations = [CreateMessagingTables1763900000000, CreateLogLines1764100000000, PartitionLogLinesByDay1764600000000, RecordDeploymentProjects1764700000000, CountLogVolume1764700000001, KeepLogLines1764700000002, PinDeploymentLogs1764700000003, AppendLogVolume1764700000004];
