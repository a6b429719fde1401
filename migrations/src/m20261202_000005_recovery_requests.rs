use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RecoveryRequests {
    Table,
    Id,
    TenantId,
    UserId,
    Status,
    RequestedAt,
    DecidedAt,
    DecidedBy,
}

/// A2: a locked-out super admin's requests for help, waiting for a platform operator.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RecoveryRequests::Table)
                .if_not_exists()
                .col(pk_auto(RecoveryRequests::Id))
                .col(integer(RecoveryRequests::TenantId))
                .col(integer(RecoveryRequests::UserId))
                .col(string(RecoveryRequests::Status))
                .col(big_integer(RecoveryRequests::RequestedAt))
                .col(big_integer_null(RecoveryRequests::DecidedAt))
                .col(string(RecoveryRequests::DecidedBy).default(""))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_recovery_requests_user_status")
                .table(RecoveryRequests::Table)
                .col(RecoveryRequests::UserId)
                .col(RecoveryRequests::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RecoveryRequests::Table).to_owned()).await
    }
}
