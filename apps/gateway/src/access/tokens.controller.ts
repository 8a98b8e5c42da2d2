import { Controller, Delete, Get, Post } from '@nestjs/common';
import type { z } from 'zod';
import { ApiTokenView, CreateTokenRequest, CreatedToken, ErrorCode, Id, TokenListQuery, listOf } from '@flightdeck/contracts';
import { CurrentCaller } from '../auth/auth.decorators';
import { ApiException } from '../http/api.exception';
import { ValidBody, ValidParam, ValidQuery } from '../http/zod-validation.pipe';
import { ApiRoute } from '../openapi/api-route.decorator';
import { ApiTokensService, toTokenView } from './api-tokens.service';
import { scopesAllow } from './access-rules';
import { type Caller, isPlatformAdmin } from './caller';
import { UsersService } from './users.service';

// Tokens are the caller's own; a platform admin also manages other users' (and must name the
// user when calling with the bootstrap token, which belongs to nobody).
@Controller('tokens')
export class TokensController {
  constructor(
    private readonly tokens: ApiTokensService,
    private readonly users: UsersService,
  ) {}

  @Post()
  @ApiRoute({
    summary: 'Issue an API token (shown once, in this answer): scopes read, deploy, admin; optional expiry in days',
    access: 'any-caller-admin-scope',
    body: { name: 'CreateTokenRequest', schema: CreateTokenRequest },
    responses: [{ status: 201, description: 'the token, with its secret this once', name: 'CreatedToken', schema: CreatedToken }],
    errors: [ErrorCode.UserNotFound],
  })
  async create(@ValidBody(CreateTokenRequest) body: CreateTokenRequest, @CurrentCaller() caller: Caller) {
    const user = await this.users.get(this.ownerOf(caller, body.userId));
    // a token never holds more than the one that made it (a platform admin's admin token makes any)
    if (caller.kind === 'user' && !body.scopes.every((s) => scopesAllow(caller.token.scopes, s))) {
      throw new ApiException(ErrorCode.InsufficientPermissions, 'a token cannot be given scopes the calling token does not have');
    }
    return this.tokens.issue(user, body);
  }

  @Get()
  @ApiRoute({
    summary: "List the caller's tokens (?userId: another user's, for platform admins); secrets are never shown",
    access: 'any-caller',
    query: TokenListQuery,
    responses: [{ status: 200, description: 'the tokens', name: 'ApiTokenList', schema: listOf(ApiTokenView) }],
  })
  async list(@ValidQuery(TokenListQuery) query: z.infer<typeof TokenListQuery>, @CurrentCaller() caller: Caller) {
    return { items: (await this.tokens.list(this.ownerOf(caller, query.userId))).map(toTokenView) };
  }

  @Delete(':tokenId')
  @ApiRoute({
    summary: 'Revoke a token: it stops working at once',
    access: 'any-caller',
    params: [{ name: 'tokenId', schema: Id }],
    responses: [{ status: 200, description: 'the revoked token', name: 'ApiToken', schema: ApiTokenView }],
    errors: [ErrorCode.TokenNotFound],
  })
  async revoke(@ValidParam('tokenId', Id) tokenId: string, @CurrentCaller() caller: Caller) {
    return toTokenView(await this.tokens.revoke(tokenId, isPlatformAdmin(caller) ? undefined : this.ownerOf(caller, undefined)));
  }

  private ownerOf(caller: Caller, userId: string | undefined): string {
    if (caller.kind === 'user' && (!userId || userId === caller.user.id)) return caller.user.id;
    if (!isPlatformAdmin(caller)) throw new ApiException(ErrorCode.UserNotFound, `user ${userId} not found`);
    if (!userId) throw new ApiException(ErrorCode.InvalidInput, 'userId: the bootstrap admin token belongs to no user: name one', { fields: [{ path: 'userId', message: 'required' }] });
    return userId;
  }
}
