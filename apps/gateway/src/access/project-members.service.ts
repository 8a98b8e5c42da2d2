import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { ErrorCode, type ProjectMember, type ProjectRole } from '@flightdeck/contracts';
import { ApiException } from '../http/api.exception';
import { ProjectMemberEntity } from './project-member.entity';
import { UserEntity } from './user.entity';

const toMember = (m: ProjectMemberEntity, userName: string): ProjectMember => ({
  projectId: m.projectId,
  userId: m.userId,
  userName,
  role: m.role,
  createdAt: m.createdAt.toISOString(),
  updatedAt: m.updatedAt.toISOString(),
});

// Who may do what on a project. Changes take the project's advisory lock, so that two admins
// demoting the last two owners at once cannot leave a project without one.
@Injectable()
export class ProjectMembersService {
  private readonly logger = new Logger(ProjectMembersService.name);

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async roleOf(projectId: string, userId: string): Promise<ProjectRole | undefined> {
    const m = await this.ds.getRepository(ProjectMemberEntity).findOneBy({ projectId, userId });
    return m?.role;
  }

  /** the projects a user is a member of */
  async projectsOf(userId: string): Promise<Set<string>> {
    const rows = await this.ds.getRepository(ProjectMemberEntity).find({ where: { userId }, select: { projectId: true } });
    return new Set(rows.map((r) => r.projectId));
  }

  async list(projectId: string): Promise<ProjectMember[]> {
    const rows: (ProjectMemberEntity & { userName: string })[] = await this.ds.query(
      `select m.project_id as "projectId", m.user_id as "userId", m.role, m.created_at as "createdAt", m.updated_at as "updatedAt", u.name as "userName"
         from gateway.project_members m join gateway.users u on u.id = m.user_id
        where m.project_id = $1 order by u.name`,
      [projectId],
    );
    return rows.map((r) => toMember(r, r.userName));
  }

  /** adds or changes a membership; `callerIsOwner` decides whether owners may be made or unmade */
  async set(projectId: string, userId: string, role: ProjectRole, callerIsOwner: boolean): Promise<ProjectMember> {
    return this.ds.transaction(async (tx) => {
      await this.lock(tx, projectId);
      const user = await tx.getRepository(UserEntity).findOneBy({ id: userId });
      if (!user) throw new ApiException(ErrorCode.UserNotFound, `user ${userId} not found`);
      const current = await tx.getRepository(ProjectMemberEntity).findOneBy({ projectId, userId });
      if ((role === 'owner' || current?.role === 'owner') && !callerIsOwner) {
        throw new ApiException(ErrorCode.InsufficientPermissions, 'only an owner may make or unmake an owner');
      }
      if (current?.role === 'owner' && role !== 'owner') await this.keepAnOwner(tx, projectId, userId);
      const [now]: { now: Date }[] = await tx.query('select now() as now');
      const row: ProjectMemberEntity = { projectId, userId, role, createdAt: current?.createdAt ?? now.now, updatedAt: now.now };
      await tx.getRepository(ProjectMemberEntity).save(row);
      this.logger.log({ projectId, userId, role, was: current?.role }, 'project member set');
      return toMember(row, user.name);
    });
  }

  async remove(projectId: string, userId: string, callerIsOwner: boolean): Promise<ProjectMember> {
    return this.ds.transaction(async (tx) => {
      await this.lock(tx, projectId);
      const current = await tx.getRepository(ProjectMemberEntity).findOneBy({ projectId, userId });
      if (!current) throw new ApiException(ErrorCode.MemberNotFound, `user ${userId} is not a member of project ${projectId}`);
      if (current.role === 'owner') {
        if (!callerIsOwner) throw new ApiException(ErrorCode.InsufficientPermissions, 'only an owner may remove an owner');
        await this.keepAnOwner(tx, projectId, userId);
      }
      await tx.getRepository(ProjectMemberEntity).delete({ projectId, userId });
      const user = await tx.getRepository(UserEntity).findOneByOrFail({ id: userId });
      this.logger.log({ projectId, userId, role: current.role }, 'project member removed');
      return toMember(current, user.name);
    });
  }

  /** the creator of a project becomes its owner */
  async addOwner(projectId: string, userId: string): Promise<void> {
    await this.ds.query(
      `insert into gateway.project_members (project_id, user_id, role) values ($1, $2, 'owner')
       on conflict (project_id, user_id) do update set role = 'owner', updated_at = now()`,
      [projectId, userId],
    );
  }

  private async lock(tx: EntityManager, projectId: string) {
    await tx.query(`select pg_advisory_xact_lock(hashtextextended('gateway.project_members:' || $1, 0))`, [projectId]);
  }

  private async keepAnOwner(tx: EntityManager, projectId: string, leaving: string) {
    const [{ n }]: { n: number }[] = await tx.query(
      `select count(*)::int as n from gateway.project_members where project_id = $1 and role = 'owner' and user_id <> $2`,
      [projectId, leaving],
    );
    if (n === 0) throw new ApiException(ErrorCode.MemberLastOwner, `user ${leaving} is the project's last owner; make another member owner first`);
  }
}
