//! HTML pages: templates compiled into the binary and parsed once; a test renders every one.

use std::sync::LazyLock;

use minijinja::Environment;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("account.html", include_str!("../../templates/account.html")),
    ("change_password.html", include_str!("../../templates/change_password.html")),
    ("message.html", include_str!("../../templates/message.html")),
    ("form_post.html", include_str!("../../templates/form_post.html")),
    ("confirm_logout.html", include_str!("../../templates/confirm_logout.html")),
    ("forgot.html", include_str!("../../templates/forgot.html")),
    ("reset.html", include_str!("../../templates/reset.html")),
    ("settings.html", include_str!("../../templates/settings.html")),
    ("login_help.html", include_str!("../../templates/login_help.html")),
    ("recover.html", include_str!("../../templates/recover.html")),
];

pub const STYLESHEET: &str = include_str!("../../templates/lanyard.css");
pub const FORM_POST_SCRIPT: &str = include_str!("../../templates/form_post.js");

static ENV: LazyLock<Result<Environment<'static>, minijinja::Error>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
});

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
        for (name, _) in TEMPLATES {
            let html = render(name, context! { title => "t", message => "m", csrf => "c", reason => "r" }).unwrap();
            assert!(html.contains("Lanyard"), "{name}");
        }
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
