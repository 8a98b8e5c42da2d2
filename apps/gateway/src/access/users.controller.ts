import { Controller, Get, Post } from '@nestjs/common';
import { Caller as CallerView, CreateUserRequest, User, listOf } from '@flightdeck/contracts';
import { CurrentCaller } from '../auth/auth.decorators';
import { ValidBody } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { toTokenView } from './api-tokens.service';
import type { Caller } from './caller';
import { UsersService, toUser } from './users.service';

@Controller()
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post('users')
  @ApiRoute({
    summary: 'Create a user (platform admins); give them a token with POST /tokens {userId} and a role with PUT /projects/:id/members/:userId',
    access: 'platform-admin',
    body: { name: 'CreateUserRequest', schema: CreateUserRequest },
    responses: [{ status: 201, description: 'created', name: 'User', schema: User }],
    errors: [],
  })
  async create(@ValidBody(CreateUserRequest) body: CreateUserRequest) {
    return toUser(await this.users.create(body));
  }

  @Get('users')
  @ApiRoute({
    summary: 'List users (platform admins)',
    access: 'platform-admin',
    responses: [{ status: 200, description: 'the users', name: 'UserList', schema: listOf(User) }],
  })
  async list() {
    return { items: (await this.users.list()).map(toUser) };
  }

  @Get('me')
  @ApiRoute({
    summary: 'Who the token belongs to, and the token itself (never its secret)',
    access: 'any-caller',
    responses: [{ status: 200, description: 'the caller', name: 'Caller', schema: CallerView }],
  })
  me(@CurrentCaller() caller: Caller): CallerView {
    return caller.kind === 'admin-token' ? { kind: 'admin-token' } : { kind: 'user', user: toUser(caller.user), token: toTokenView(caller.token) };
  }
}
