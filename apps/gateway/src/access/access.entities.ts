import { ApiTokenEntity } from './api-token.entity';
import { ProjectMemberEntity } from './project-member.entity';
import { UserEntity } from './user.entity';

/** the tables of users, tokens and memberships, for the service module's data source */
export const ACCESS_ENTITIES = [UserEntity, ApiTokenEntity, ProjectMemberEntity];
