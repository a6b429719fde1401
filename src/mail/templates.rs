//! Mail bodies: a `.txt` and an `.html` template per message, compiled into the binary.

use std::sync::LazyLock;

use minijinja::Environment;

use super::Message;
use crate::i18n::{Lang, Msg};

const TEMPLATES: &[(&str, &str)] = &[
    ("email_code.txt", include_str!("../../templates/mail/email_code.txt")),
    ("email_code.html", include_str!("../../templates/mail/email_code.html")),
    ("reset_token.txt", include_str!("../../templates/mail/reset_token.txt")),
    ("reset_token.html", include_str!("../../templates/mail/reset_token.html")),
    ("password_changed.txt", include_str!("../../templates/mail/password_changed.txt")),
    ("password_changed.html", include_str!("../../templates/mail/password_changed.html")),
    ("recovery_link.txt", include_str!("../../templates/mail/recovery_link.txt")),
    ("recovery_link.html", include_str!("../../templates/mail/recovery_link.html")),
    ("invitation.txt", include_str!("../../templates/mail/invitation.txt")),
    ("invitation.html", include_str!("../../templates/mail/invitation.html")),
    ("reset_link.txt", include_str!("../../templates/mail/reset_link.txt")),
    ("reset_link.html", include_str!("../../templates/mail/reset_link.html")),
    ("second_factor_code.txt", include_str!("../../templates/mail/second_factor_code.txt")),
    ("second_factor_code.html", include_str!("../../templates/mail/second_factor_code.html")),
    ("account_changed.txt", include_str!("../../templates/mail/account_changed.txt")),
    ("account_changed.html", include_str!("../../templates/mail/account_changed.html")),
];

static ENV: LazyLock<Result<Environment<'static>, minijinja::Error>> = LazyLock::new(|| {
    let mut env = Environment::new();
    crate::i18n::install(&mut env);
    // `.html` names autoescape, `.txt` names do not (minijinja's default rule).
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
});

/// Renders `<name>.txt` and `<name>.html` into a message for `to`, in `lang` (G1).
pub fn message(
    lang: Lang,
    name: &str,
    to: &str,
    subject: &Msg,
    ctx: minijinja::Value,
) -> Result<Message, minijinja::Error> {
    let env = match &*ENV {
        Ok(env) => env,
        Err(e) => return Err(minijinja::Error::new(e.kind(), e.to_string())),
    };
    let ctx = minijinja::context! { lang => lang.tag(), ..ctx };
    Ok(Message {
        to: to.to_string(),
        subject: lang.text(subject),
        text: env.get_template(&format!("{name}.txt"))?.render(&ctx)?,
        html: env.get_template(&format!("{name}.html"))?.render(&ctx)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn every_mail_renders_both_parts_and_never_a_password() {
        for name in ["email_code", "reset_token", "password_changed", "recovery_link", "invitation", "reset_link"] {
            let m = message(
                Lang::ENGLISH,
                name,
                "a@example.org",
                &Msg::new("brand"),
                context! { code => "123456", token => "ABCD2345", minutes => 5, provider => "Acme <Agency>", link => "https://id.example/recover?token=x", hours => 48 },
            )
            .unwrap();
            assert!(!m.text.is_empty() && !m.html.is_empty(), "{name}");
            assert!(!m.text.to_lowercase().contains("password:"), "{name}");
            assert!(!m.html.contains("<Agency>"), "{name}: HTML is escaped");
        }
    }
}
