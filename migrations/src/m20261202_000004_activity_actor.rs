use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Activity {
    Table,
    Actor,
}

/// L7's "who": an administrative entry names the administrator or automation client that acted
/// (empty for a person's own sign-ins, resets and settings, where the person is the actor).
#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Activity::Table).add_column(string(Activity::Actor).default("")).to_owned())
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Activity::Table).drop_column(Activity::Actor).to_owned()).await
    }
}
