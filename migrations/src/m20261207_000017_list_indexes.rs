use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Activity {
    Table,
    TenantId,
    UserId,
    Kind,
    Id,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    TenantId,
    Id,
}

/// Issue 31: the indexes the administration lists page by. A provider's activity is read newest
/// first by id, whole or for one person or one kind, so each of those is an index ending in the
/// id (the old (tenant, user, at) served none of them in id order, and an export re-scanned the
/// provider for every page). Invitations page newest first by id. Users page by the existing
/// unique (tenant_id, login_name_key).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("activity_tenant_user_at").table(Activity::Table).to_owned()).await?;
        let activity = [
            ("activity_tenant_id", vec![Activity::TenantId, Activity::Id]),
            ("activity_tenant_user_id", vec![Activity::TenantId, Activity::UserId, Activity::Id]),
            ("activity_tenant_kind_id", vec![Activity::TenantId, Activity::Kind, Activity::Id]),
        ];
        for (name, cols) in activity {
            let mut index = Index::create().name(name).table(Activity::Table).to_owned();
            for col in cols {
                index.col(col);
            }
            m.create_index(index).await?;
        }
        m.drop_index(Index::drop().name("idx_invitations_tenant").table(Invitations::Table).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("idx_invitations_tenant_id")
                .table(Invitations::Table)
                .col(Invitations::TenantId)
                .col(Invitations::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in ["activity_tenant_id", "activity_tenant_user_id", "activity_tenant_kind_id"] {
            m.drop_index(Index::drop().name(name).table(Activity::Table).to_owned()).await?;
        }
        m.create_index(
            Index::create()
                .name("activity_tenant_user_at")
                .table(Activity::Table)
                .col(Activity::TenantId)
                .col(Activity::UserId)
                .col(Alias::new("at"))
                .to_owned(),
        )
        .await?;
        m.drop_index(Index::drop().name("idx_invitations_tenant_id").table(Invitations::Table).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("idx_invitations_tenant")
                .table(Invitations::Table)
                .col(Invitations::TenantId)
                .to_owned(),
        )
        .await
    }
}
