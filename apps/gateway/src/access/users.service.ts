import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, QueryFailedError } from 'typeorm';
import { type CreateUserRequest, ErrorCode, type User } from '@flightdeck/contracts';
import { ApiException } from '../http/api.exception';
import { UserEntity } from './user.entity';

export const toUser = (u: UserEntity): User => ({ id: u.id, name: u.name, platformAdmin: u.platformAdmin, createdAt: u.createdAt.toISOString() });

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async create(req: CreateUserRequest): Promise<UserEntity> {
    const user: UserEntity = { id: randomUUID(), name: req.name, platformAdmin: req.platformAdmin, createdAt: new Date() };
    try {
      await this.ds.getRepository(UserEntity).insert(user);
    } catch (e) {
      if (e instanceof QueryFailedError && (e as QueryFailedError & { constraint?: string }).constraint === 'users_name_uq') {
        throw new ApiException(ErrorCode.UserNameTaken, `a user named ${req.name} already exists`, { field: 'name' });
      }
      throw e;
    }
    this.logger.log({ userId: user.id, name: user.name, platformAdmin: user.platformAdmin }, 'user created');
    return user;
  }

  list(): Promise<UserEntity[]> {
    return this.ds.getRepository(UserEntity).find({ order: { name: 'ASC' } });
  }

  async get(userId: string): Promise<UserEntity> {
    const user = await this.ds.getRepository(UserEntity).findOneBy({ id: userId });
    if (!user) throw new ApiException(ErrorCode.UserNotFound, `user ${userId} not found`);
    return user;
  }
}
