//! G1: what languages cost a page. CPU only, per call: choosing the language from a browser's
//! `Accept-Language` and cookie, formatting one message, and rendering the whole sign-in page
//! (base layout, 12 messages, the switcher) in English, in Spanish and in the pseudo-language.
//!
//! Run: `cargo bench --bench languages`. Prints numbers; asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::disallowed_methods)]

use axum::http::{HeaderMap, HeaderValue, header};
use lanyard::http::{language, templates};
use lanyard::i18n::{Lang, Msg};
use minijinja::context;

fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let start = lanyard::clock::monotonic_now();
    for _ in 0..n {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(n) / 1000.0
}

fn main() {
    let n = 20_000;
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("es-MX,es;q=0.9,en-US;q=0.8,en;q=0.7"));
    headers.insert(header::COOKIE, HeaderValue::from_static("__Host-lanyard_csrf=abc; lanyard_session=def"));
    let choose = per_call(n, || {
        std::hint::black_box(language::of_browser(std::hint::black_box(&headers)));
    });
    let es = Lang::from_tag("es").unwrap();
    let invalid = lanyard::web::login::INVALID_CREDENTIALS;
    let short = Msg::new("password-too-short").with("min", 12u32);
    let one = per_call(n, || {
        std::hint::black_box(es.text(&invalid));
    });
    let with_arg = per_call(n, || {
        std::hint::black_box(es.text(&short));
    });
    let page = |lang: Lang| {
        move || {
            let ctx = context! {
                lang => lang.tag(), csrf => "c".repeat(43), login_name => "alice", provider_code => "ACME",
                error => lang.text(&lanyard::web::login::INVALID_CREDENTIALS), passkeys => true,
            };
            std::hint::black_box(templates::render("login.html", ctx).unwrap());
        }
    };
    // Warm the catalogues and templates (parsed once, on first use).
    page(Lang::ENGLISH)();
    let en_page = per_call(n, page(Lang::ENGLISH));
    let es_page = per_call(n, page(es));
    let pseudo_page = per_call(n, page(Lang::from_tag("en-XA").unwrap()));
    println!("G1, CPU per call ({n} calls each):");
    println!("  choose the language (cookie + Accept-Language)  {choose:8.2} µs");
    println!("  one message, Spanish                            {one:8.2} µs");
    println!("  one message with a number, Spanish              {with_arg:8.2} µs");
    println!("  sign-in page, English (12 messages + switcher)  {en_page:8.2} µs");
    println!("  sign-in page, Spanish                           {es_page:8.2} µs");
    println!("  sign-in page, pseudo-language                   {pseudo_page:8.2} µs");
}
