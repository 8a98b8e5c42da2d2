export * from './service-database';
export * from './data-source.factory';
export * from './migration-runner';
export * from './messaging-tables.migration';
export * from './service-database.module';
export * from './service-schemas';
