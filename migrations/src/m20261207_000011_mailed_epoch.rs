use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    MailedEpoch,
}

/// Issue 25, S7: every mailed credential of an account (the S3 token, the P3 link, the A2 link,
/// the S2 code) carries the account's `mailed_epoch` from when it was mailed, and works only
/// while the row still has it. Setting the password, changing the address, an admin lock,
/// deactivation and deletion add one to it in the same statement, so none of them can miss a
/// credential mailed a moment before.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(ColumnDef::new(Users::MailedEpoch).big_integer().not_null().default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Users::Table).drop_column(Users::MailedEpoch).to_owned()).await
    }
}
