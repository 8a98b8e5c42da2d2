import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { VariableEntity } from './variable.entity';

// Raised instead of the driver's error, whose parameters and detail would carry the value into a log.
export class VariableWriteError extends Error {
  constructor(key: string, cause: unknown) {
    const code = (cause as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (cause as { code?: string }).code;
    super(`could not store variable ${key}${code ? ` (postgres ${code})` : ''}`);
  }
}

@Injectable()
export class VariablesRepository {
  constructor(private readonly ds: DataSource) {}

  list(environmentId: string): Promise<VariableEntity[]> {
    return this.ds.getRepository(VariableEntity).find({ where: { environmentId }, order: { key: 'ASC' } });
  }

  // One statement: concurrent writers of one key end with one of their values, never an error.
  async upsert(v: VariableEntity): Promise<void> {
    try {
      await this.ds
        .createQueryBuilder()
        .insert()
        .into(VariableEntity)
        .values(v)
        .orUpdate(['sensitive', 'value_plain', 'ciphertext', 'iv', 'auth_tag', 'updated_at'], ['environment_id', 'key'])
        .execute();
    } catch (e) {
      throw new VariableWriteError(v.key, e);
    }
  }

  async delete(environmentId: string, key: string): Promise<boolean> {
    const r = await this.ds.getRepository(VariableEntity).delete({ environmentId, key });
    return (r.affected ?? 0) > 0;
  }
}
