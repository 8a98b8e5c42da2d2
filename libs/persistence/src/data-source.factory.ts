import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';

export interface ServiceDataSourceOptions {
  url: string;
  schema: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  poolSize?: number;
  applicationName?: string;
}

export const serviceDataSourceOptions = (o: ServiceDataSourceOptions): DataSourceOptions => ({
  type: 'postgres',
  url: o.url,
  schema: o.schema,
  entities: o.entities,
  migrations: o.migrations,
  migrationsTableName: 'migrations',
  migrationsTransactionMode: 'each',
  synchronize: false,
  migrationsRun: false,
  applicationName: o.applicationName,
  // keep the pool bounded: replicas multiply it
  extra: { max: o.poolSize ?? 10, connectionTimeoutMillis: 5_000 },
});

export const createServiceDataSource = (o: ServiceDataSourceOptions) => new DataSource(serviceDataSourceOptions(o));
