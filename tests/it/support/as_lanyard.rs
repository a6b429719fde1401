//! Tests read what they set up (a provider, a person, the activity record) as Lanyard itself:
//! administration's reads live behind `Accounts::admin`, and a test is no administrator.

use lanyard::accounts::Accounts;
use lanyard::accounts::admin::{Actor, Admin};

pub trait AsLanyard {
    fn lanyard(&self) -> Admin<'_>;
}

impl AsLanyard for Accounts {
    fn lanyard(&self) -> Admin<'_> {
        self.admin(Actor::lanyard())
    }
}
