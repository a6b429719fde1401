//! HTML pages: templates compiled into the binary and parsed once; a test renders every one.

use std::sync::LazyLock;

use minijinja::Environment;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("login_passkey.html", include_str!("../../templates/login_passkey.html")),
    ("account.html", include_str!("../../templates/account.html")),
    ("change_password.html", include_str!("../../templates/change_password.html")),
    ("message.html", include_str!("../../templates/message.html")),
    ("form_post.html", include_str!("../../templates/form_post.html")),
    ("confirm_logout.html", include_str!("../../templates/confirm_logout.html")),
    ("forgot.html", include_str!("../../templates/forgot.html")),
    ("reset.html", include_str!("../../templates/reset.html")),
    ("settings.html", include_str!("../../templates/settings.html")),
    ("authenticator.html", include_str!("../../templates/authenticator.html")),
    ("passkeys.html", include_str!("../../templates/passkeys.html")),
    ("key_setup.html", include_str!("../../templates/key_setup.html")),
    ("second_factor.html", include_str!("../../templates/second_factor.html")),
    ("login_help.html", include_str!("../../templates/login_help.html")),
    ("help.html", include_str!("../../templates/help.html")),
    ("recover.html", include_str!("../../templates/recover.html")),
    ("register.html", include_str!("../../templates/register.html")),
    ("maintenance.html", include_str!("../../templates/maintenance.html")),
    ("status.html", include_str!("../../templates/status.html")),
    ("console/base.html", include_str!("../../templates/console/base.html")),
    ("console/message.html", include_str!("../../templates/console/message.html")),
    ("console/confirm.html", include_str!("../../templates/console/confirm.html")),
    ("console/signed_out.html", include_str!("../../templates/console/signed_out.html")),
    ("console/providers.html", include_str!("../../templates/console/providers.html")),
    ("console/users.html", include_str!("../../templates/console/users.html")),
    ("console/user.html", include_str!("../../templates/console/user.html")),
    ("console/_activity_table.html", include_str!("../../templates/console/_activity_table.html")),
    ("console/temporary_password.html", include_str!("../../templates/console/temporary_password.html")),
    ("console/secret.html", include_str!("../../templates/console/secret.html")),
    ("console/settings.html", include_str!("../../templates/console/settings.html")),
    ("console/activity.html", include_str!("../../templates/console/activity.html")),
    ("console/applications.html", include_str!("../../templates/console/applications.html")),
    ("console/_uris.html", include_str!("../../templates/console/_uris.html")),
    ("console/_pager.html", include_str!("../../templates/console/_pager.html")),
    ("console/application.html", include_str!("../../templates/console/application.html")),
    ("console/requests.html", include_str!("../../templates/console/requests.html")),
    ("console/invitations.html", include_str!("../../templates/console/invitations.html")),
];

pub const STYLESHEET: &str = include_str!("../../templates/lanyard.css");
pub const FORM_POST_SCRIPT: &str = include_str!("../../templates/form_post.js");
pub const CAPS_LOCK_SCRIPT: &str = include_str!("../../templates/caps_lock.js");
pub const WEBAUTHN_SCRIPT: &str = include_str!("../../templates/webauthn.js");

static ENV: LazyLock<Result<Environment<'static>, minijinja::Error>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.add_filter("seg", |v: String| path_segment(&v));
    // Issue 25 (7): administrators see what a login name holds beyond ASCII.
    env.add_filter("reveal", |v: String| crate::domain::user::LoginName::reveal(&v).unwrap_or_default());
    env.add_filter("when", |v: Option<i64>| v.map(utc_minute).unwrap_or_default());
    crate::i18n::install(&mut env);
    env.add_global("languages", minijinja::Value::from_serialize(crate::i18n::Languages::published()));
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
});

/// One path segment, percent-encoded so that a login name with `/`, `?` or `%` stays one
/// segment of a link.
pub fn path_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Unix seconds as `2026-12-02 14:03 UTC` (civil date from days, Howard Hinnant's algorithm).
pub fn utc_minute(secs: i64) -> String {
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02} UTC", rem / 3600, rem % 3600 / 60)
}

pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// Days since 1970-01-01 of a civil date (the inverse of `civil_from_days`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Renders `name` with `ctx` (autoescaped: the names end in `.html`).
pub fn render(name: &str, ctx: minijinja::Value) -> Result<String, minijinja::Error> {
    match &*ENV {
        Ok(env) => env.get_template(name)?.render(ctx),
        Err(e) => Err(minijinja::Error::new(e.kind(), e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::context;

    #[test]
    fn every_template_renders() {
        // `_name.html` are parts, rendered by the pages that include them.
        for (name, _) in TEMPLATES.iter().filter(|(name, _)| !name.contains("/_")) {
            let html = render(name, context! { title => "t", message => "m", csrf => "c", reason => "r" }).unwrap();
            assert!(html.contains("Lanyard"), "{name}");
        }
    }

    #[test]
    fn dates_and_segments() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_minute(1_796_169_780), "2026-12-02 00:03 UTC");
        for days in [-1000, 0, 59, 60, 20_000, 20_789] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(path_segment("a/b c%"), "a%2Fb%20c%25");
    }

    #[test]
    fn values_are_escaped() {
        let html = render("message.html", context! { title => "x", message => "<script>alert(1)</script>" }).unwrap();
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("&lt;script&gt;"));
    }

    #[test]
    fn l1_sign_in_page_has_the_three_fields_and_forgot_link() {
        let html = render("login.html", context! { csrf => "c" }).unwrap();
        for label in [">Login Name</label>", ">Password</label>", ">Provider Code</label>", ">Forgot Password?</a>"] {
            assert!(html.contains(label), "{label}");
        }
    }
}
