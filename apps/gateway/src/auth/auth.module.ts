import { type DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiTokensService } from '../access/api-tokens.service';
import { MembersController } from '../access/members.controller';
import { ProjectAccessService } from '../access/project-access.service';
import { ProjectMembersService } from '../access/project-members.service';
import { ResourceProjects } from '../access/resource-projects';
import { TokensController } from '../access/tokens.controller';
import { UsersController } from '../access/users.controller';
import { UsersService } from '../access/users.service';
import { BearerAuthGuard } from './bearer-auth.guard';
import { ADMIN_TOKEN, TokenVerifier } from './token-verifier';

// Global: the REST guard and the Socket.IO handshake verify tokens and rights the same way.
@Global()
@Module({})
export class AuthModule {
  static forRoot(adminToken: string): DynamicModule {
    return {
      module: AuthModule,
      controllers: [UsersController, TokensController, MembersController],
      providers: [
        { provide: ADMIN_TOKEN, useValue: adminToken },
        TokenVerifier,
        ApiTokensService,
        UsersService,
        ProjectMembersService,
        ResourceProjects,
        ProjectAccessService,
        { provide: APP_GUARD, useClass: BearerAuthGuard },
      ],
      exports: [ADMIN_TOKEN, TokenVerifier, ProjectAccessService, ProjectMembersService, ResourceProjects],
    };
  }
}
