use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PasswordHistory {
    Table,
    Id,
    UserId,
    Hash,
    ChangedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // L5: a provider may refuse a user's last N passwords; only argon2id hashes are kept.
        m.create_table(
            Table::create()
                .table(PasswordHistory::Table)
                .col(pk_auto(PasswordHistory::Id))
                .col(integer(PasswordHistory::UserId))
                .col(text(PasswordHistory::Hash))
                .col(big_integer(PasswordHistory::ChangedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PasswordHistory::Table, PasswordHistory::UserId)
                        .to(Users::Table, Users::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("password_history_user")
                .table(PasswordHistory::Table)
                .col(PasswordHistory::UserId)
                .col(PasswordHistory::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PasswordHistory::Table).to_owned()).await
    }
}
