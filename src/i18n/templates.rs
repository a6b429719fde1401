//! `t("id", name=value)` in templates (pages and mails): the message in the language named by
//! the template's `lang` variable.

use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, State};

use super::Lang;
use super::msg::Arg;

pub fn install(env: &mut Environment<'_>) {
    env.add_function("t", translate);
}

fn translate(state: &State, id: &str, kwargs: Kwargs) -> Result<String, Error> {
    let lang = state.lookup("lang").and_then(|v| v.as_str().and_then(Lang::from_tag)).unwrap_or(Lang::ENGLISH);
    let mut args = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let arg = match i64::try_from(value.clone()) {
            Ok(n) if value.is_number() => Arg::Number(n),
            _ => Arg::Text(value.to_string().into()),
        };
        args.push((name, arg));
    }
    kwargs.assert_all_used()?;
    Ok(lang.format(id, &args))
}
