use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    TenantId,
    Name,
    Email,
    Status,
    UserId,
    LinkDigest,
    SentAt,
    ExpiresAt,
    Sends,
    CreatedAt,
    CreatedBy,
}

/// P1–P2: invitations to create a portal account. The link is stored only as its keyed digest,
/// which a resend replaces and registration clears: one live link per invitation at most.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .if_not_exists()
                .col(pk_auto(Invitations::Id))
                .col(integer(Invitations::TenantId))
                .col(string(Invitations::Name))
                .col(string(Invitations::Email))
                .col(string(Invitations::Status))
                .col(integer_null(Invitations::UserId))
                .col(string_null(Invitations::LinkDigest))
                .col(big_integer(Invitations::SentAt))
                .col(big_integer(Invitations::ExpiresAt))
                .col(integer(Invitations::Sends).default(1))
                .col(big_integer(Invitations::CreatedAt))
                .col(string(Invitations::CreatedBy).default(""))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_invitations_link_digest")
                .table(Invitations::Table)
                .col(Invitations::LinkDigest)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_invitations_tenant")
                .table(Invitations::Table)
                .col(Invitations::TenantId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Invitations::Table).to_owned()).await
    }
}
