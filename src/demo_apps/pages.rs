//! The demo applications' pages: plain HTML, escaped, no script.

use minijinja::{Environment, context};

const PAGE: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ app }}</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; }
header { font-weight: 700; color: {{ colour }}; font-size: 1.3rem; }
.card { border: 1px solid #ccc; border-radius: 10px; padding: 1.2rem 1.5rem; margin-top: 1rem; }
button, .button { font: inherit; padding: .5rem 1rem; border-radius: 6px; border: 0; background: {{ colour }}; color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
.error { color: #b3261e; border-left: 3px solid #b3261e; padding-left: .7rem; }
form { display: inline; }
</style></head>
<body>
<header>{{ app }}</header>
<div class="card">
{% if error %}<p class="error" id="error">{{ error }}</p>{% endif %}
{% if user %}
  <p id="signed-in">Signed in as <strong id="user">{{ user.login }}</strong> ({{ user.user_type }}) at {{ user.provider }}</p>
  {% if user.initiated_from %}<p id="initiated">Opened from {{ user.initiated_from }}.</p>{% endif %}
  {% if peer and user.unified_login %}
  <form method="post" action="/open-peer" target="_blank"><button type="submit" id="open-peer">Open {{ peer }}</button></form>
  {% endif %}
  <form method="post" action="/logout"><button type="submit" id="sign-out">Sign out of {{ app }}</button></form>
  <form method="post" action="/logout-everywhere"><button type="submit" id="sign-out-everywhere">Sign out of {{ app }} and Lanyard</button></form>
{% else %}
  <p>You are not signed in to {{ app }}.</p>
  <a class="button" id="sign-in" href="/login">Sign in with Lanyard</a>
{% endif %}
</div>
</body></html>"#;

pub struct Shown<'a> {
    pub login: &'a str,
    pub user_type: &'a str,
    pub provider: &'a str,
    pub unified_login: bool,
    pub initiated_from: Option<&'a str>,
}

pub fn render(app: &str, colour: &str, peer: Option<&str>, user: Option<Shown<'_>>, error: Option<&str>) -> String {
    let mut env = Environment::new();
    let user = user.map(|u| {
        context! { login => u.login, user_type => u.user_type, provider => u.provider, unified_login => u.unified_login, initiated_from => u.initiated_from }
    });
    let ctx = context! { app, colour, peer, user, error };
    // `.html` turns on autoescaping for everything that came from the identity provider.
    match env.add_template("page.html", PAGE).and_then(|()| env.get_template("page.html")).and_then(|t| t.render(ctx)) {
        Ok(html) => html,
        Err(e) => format!("<!doctype html><title>{app}</title><p>page error: {e}</p>"),
    }
}
