use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    AttemptsInFlight,
    AttemptsInFlightSince,
}

/// L3: password checks still running are counted apart from settled failures, so a right
/// password in flight never counts towards the lock. SQLite takes one column per ALTER.
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter().table(Users::Table).add_column(integer(Users::AttemptsInFlight).default(0)).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Users::Table)
                .add_column(big_integer(Users::AttemptsInFlightSince).default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Users::Table).drop_column(Users::AttemptsInFlightSince).to_owned()).await?;
        m.alter_table(Table::alter().table(Users::Table).drop_column(Users::AttemptsInFlight).to_owned()).await
    }
}
