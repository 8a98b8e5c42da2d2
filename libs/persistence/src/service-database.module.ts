import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type ServiceDataSourceOptions, serviceDataSourceOptions } from './data-source.factory';
import { initializeWithRetry, runMigrationsLocked } from './migration-runner';

// The service's DataSource: bound to its schema and role, waits for Postgres, and applies pending
// migrations under an advisory lock before anything else touches the database.
@Module({})
export class ServiceDatabaseModule {
  static forRoot(o: ServiceDataSourceOptions & { runMigrations?: boolean }): DynamicModule {
    const logger = new Logger('Database');
    return {
      module: ServiceDatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => serviceDataSourceOptions(o),
          dataSourceFactory: async (options) => {
            const ds = new DataSource(options!);
            await initializeWithRetry(ds, (msg, attempt, delayMs, error) =>
              logger.warn({ attempt, delayMs, err: error.message, schema: o.schema }, msg),
            );
            if (o.runMigrations !== false) {
              const ran = await runMigrationsLocked(ds, o.schema);
              if (ran.length) logger.log({ schema: o.schema, migrations: ran.map((m) => m.name) }, 'migrations applied');
            }
            return ds;
          },
        }),
      ],
    };
  }
}
