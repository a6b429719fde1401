//! F10: signing in with a passkey instead of the password, where the provider allows it, with
//! a software authenticator performing real ceremonies. A key that verifies its holder is both
//! factors (`amr` swk + user + mfa); one that does not is one, and the password completes it.
//! L2: every name that cannot sign in this way gets the same page, a decoy ceremony; L3: failed
//! assertions count, and a locked account hears L3's words.

use lanyard::domain::tenant::TenantChanges;
use lanyard::domain::user::UserStatus;
use reqwest::StatusCode;
use webauthn_rs::prelude::RequestChallengeResponse;

use crate::backend_tests;
use crate::oidc::rp::{at, callback, param, setup};
use crate::passkeys::{Authenticator, options_of, origin, registered_as};
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, alert_of, csrf_of};

const INVALID: &str = "Invalid Credentials";
const LOCKED: &str = "Your account has been locked. Please contact your agency administrator.";

async fn allow(app: &TestApp, code: &str, on: bool) {
    let changes = TenantChanges { passkey_sign_in: Some(on), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant(code, &changes).await.unwrap();
}

/// "Use a passkey instead" on the sign-in form: the page with the ceremony.
async fn start(app: &TestApp, browser: &reqwest::Client, login: &str, code: &str, auth: Option<&str>) -> String {
    let path = auth.map_or("/login".to_string(), |a| format!("/login?auth={a}"));
    let form = browser.get(at(app, &path)).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("Use a passkey instead"), "F10: offered on the sign-in form");
    let mut fields = vec![("csrf", csrf_of(&form)), ("login_name", login.into()), ("provider_code", code.into())];
    if let Some(a) = auth {
        fields.push(("auth", a.into()));
    }
    let res = browser.post(at(app, "/login/passkey")).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

fn ceremony_of(html: &str) -> String {
    let start = html.find("name=\"ceremony\" value=\"").expect("a ceremony") + 23;
    html[start..].split('"').next().unwrap().to_string()
}

/// The key's answer to the page's ceremony; `verify` asks the key to verify its holder (as a
/// platform authenticator with a PIN or fingerprint would).
fn answer(app: &TestApp, key: &mut Authenticator, html: &str, verify: bool) -> String {
    let mut raw = options_of(html);
    if verify {
        raw = raw.replace("\"userVerification\":\"preferred\"", "\"userVerification\":\"required\"");
    }
    let options: RequestChallengeResponse = serde_json::from_str(&format!("{{\"publicKey\":{raw}}}")).unwrap();
    serde_json::to_string(&key.do_authentication(origin(app), options).unwrap()).unwrap()
}

async fn finish(app: &TestApp, browser: &reqwest::Client, html: &str, answer: &str) -> reqwest::Response {
    let mut fields = vec![("csrf", csrf_of(html)), ("ceremony", ceremony_of(html)), ("assertion", answer.into())];
    if let Some(start) = html.find("name=\"auth\" value=\"") {
        fields.push(("auth", html[start + 19..].split('"').next().unwrap().into()));
    }
    browser.post(at(app, "/login/passkey/finish")).form(&fields).send().await.unwrap()
}

async fn f10_a_key_that_verifies_its_holder_signs_in_as_two_factors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let rp = setup(&app).await;
    let mut key = registered_as(&app, "ACME", "alice", true).await;
    allow(&app, "ACME", true).await;
    let browser = app.browser();
    let req = rp.request(&[]);
    let res = browser.get(req.url.as_str()).send().await.unwrap();
    let auth = res.headers()["location"].to_str().unwrap().split("auth=").nth(1).unwrap().to_string();
    let html = start(&app, &browser, "alice", "ACME", Some(&auth)).await;
    let res = finish(&app, &browser, &html, &answer(&app, &mut key, &html, true)).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", alert_of(&res.text().await.unwrap()));
    let next = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(next, format!("/authorize/resume?auth={auth}"), "F10: no password, no second step");
    let res = browser.get(at(&app, &next)).send().await.unwrap();
    let tokens = rp.exchange(param(&callback(&res), "code").unwrap(), req.verifier).await;
    let claims = crate::second_factors::payload(&tokens);
    assert_eq!(claims["amr"], serde_json::json!(["swk", "user", "mfa"]), "F10: a verified key is two factors");
    assert_eq!(claims["acr"], "urn:lanyard:acr:mfa");
    app.stop().await;
}

async fn f10_a_key_without_user_verification_asks_for_the_password_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let mut key = registered_as(&app, "ACME", "alice", false).await;
    allow(&app, "ACME", true).await;
    // One wrong password first: only the whole sign-in clears L3's count.
    let browser = app.browser();
    crate::support::sign_in(&app, &browser, "alice", "Wrong-Horse9", "ACME").await;
    let html = start(&app, &browser, "alice", "ACME", None).await;
    let res = finish(&app, &browser, &html, &answer(&app, &mut key, &html, false)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let form = res.text().await.unwrap();
    assert!(form.contains("enter your password as well"), "F10: one factor, so the password too: {form}");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.failed_attempts, 1, "L3: a key alone without UV clears nothing");
    let proof_at = form.find("name=\"key_proof\" value=\"").expect("the key's proof rides the form") + 24;
    let proof = form[proof_at..].split('"').next().unwrap().to_string();
    let post = |proof: String| {
        let fields = [
            ("csrf", csrf_of(&form)),
            ("login_name", "alice".into()),
            ("password", PASSWORD.into()),
            ("provider_code", "ACME".into()),
            ("key_proof", proof),
        ];
        browser.post(at(&app, "/login")).form(&fields).send()
    };
    let res = post(proof.clone()).await.unwrap();
    assert_eq!(res.headers()["location"], "/account", "the key and the password are the whole sign-in");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.failed_attempts, 0, "L3: the whole sign-in clears the count");
    // The proof was used: the same form again is a password sign-in, which asks for the key.
    let again = app.browser();
    let page = again.get(at(&app, "/login")).send().await.unwrap().text().await.unwrap();
    let fields = [
        ("csrf", csrf_of(&page)),
        ("login_name", "alice".to_string()),
        ("password", PASSWORD.into()),
        ("provider_code", "ACME".into()),
        ("key_proof", proof),
    ];
    let res = again.post(at(&app, "/login")).form(&fields).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/sign-in/second-factor", "a key's proof works once");
    app.stop().await;
}

/// The shape of a ceremony's options, and its credential ids.
fn shape(html: &str) -> (Vec<String>, Vec<String>, String) {
    let options: serde_json::Value = serde_json::from_str(&options_of(html)).unwrap();
    let mut keys: Vec<String> = options.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    let allowed = options["allowCredentials"].as_array().unwrap();
    let mut entry: Vec<String> = allowed[0].as_object().unwrap().keys().cloned().collect();
    entry.sort();
    keys.extend(entry.into_iter().map(|k| format!("allowCredentials.{k}")));
    keys.push(format!("challenge of {}", options["challenge"].as_str().unwrap().len()));
    keys.push(format!("userVerification {}", options["userVerification"]));
    let ids = allowed.iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
    (keys, ids, options["challenge"].as_str().unwrap().to_string())
}

async fn f10_l2_every_name_that_cannot_sign_in_with_a_key_looks_the_same(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.tenant("OTHER").await;
    for (code, login) in [("ACME", "alice"), ("ACME", "bob"), ("ACME", "carol"), ("OTHER", "dave")] {
        app.user(code, login).await;
    }
    let mut key = registered_as(&app, "ACME", "alice", true).await;
    registered_as(&app, "ACME", "carol", true).await;
    registered_as(&app, "OTHER", "dave", true).await;
    allow(&app, "ACME", true).await;
    let operator = app.state.accounts.admin(crate::support::operator());
    operator.change_status("ACME", "carol", lanyard::accounts::admin::StatusChange::Deactivate).await.unwrap();
    let browser = app.browser();
    let real = start(&app, &browser, "alice", "ACME", None).await;
    let (real_shape, _, _) = shape(&real);
    let cases = [
        ("ghost", "ACME", "unknown login name"),
        ("alice", "NOPE", "wrong provider code"),
        ("bob", "ACME", "no passkey"),
        ("carol", "ACME", "deactivated"),
        ("dave", "OTHER", "provider does not allow it"),
    ];
    for (login, code, why) in cases {
        let html = start(&app, &browser, login, code, None).await;
        let (decoy_shape, ids, challenge) = shape(&html);
        assert_eq!(decoy_shape, real_shape, "L2 ({why}): the same options as a real person's");
        let again = start(&app, &browser, login, code, None).await;
        let (_, same_ids, other_challenge) = shape(&again);
        assert_eq!(ids, same_ids, "L2 ({why}): the same keys named each time, as real ones are");
        assert_ne!(challenge, other_challenge);
        // Any answer: the same words as a wrong one at a real account.
        let res = finish(&app, &browser, &html, &answer_for_any(&app, &mut key).await).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some(INVALID), "L2 ({why})");
    }
    let res = finish(&app, &browser, &real, &answer_for_any(&app, &mut key).await).await;
    assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some(INVALID), "a wrong answer at a real account");
    app.stop().await;
}

/// An answer of alice's key to a ceremony of its own (so wrong for any other).
async fn answer_for_any(app: &TestApp, key: &mut Authenticator) -> String {
    let html = start(app, &app.browser(), "alice", "ACME", None).await;
    answer(app, key, &html, true)
}

async fn f10_l3_failed_assertions_count_and_a_locked_account_hears_l3(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let mut key = registered_as(&app, "ACME", "alice", true).await;
    allow(&app, "ACME", true).await;
    let browser = app.browser();
    let mut last = String::new();
    for _ in 0..3 {
        let html = start(&app, &browser, "alice", "ACME", None).await;
        // Another ceremony's answer: the signature does not cover this challenge.
        let wrong = answer_for_any(&app, &mut key).await;
        last = finish(&app, &browser, &html, &wrong).await.text().await.unwrap();
    }
    assert_eq!(alert_of(&last).as_deref(), Some(LOCKED), "L3: the third failed assertion locks");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.status, UserStatus::PasswordLocked);
    // The right key at a locked account: L3's words, no session.
    let html = start(&app, &browser, "alice", "ACME", None).await;
    let res = finish(&app, &browser, &html, &answer(&app, &mut key, &html, true)).await;
    assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some(LOCKED));
    // Unknown names lock after as many (L2, L3).
    let mut last = String::new();
    for _ in 0..3 {
        let html = start(&app, &browser, "ghost", "ACME", None).await;
        last = finish(&app, &browser, &html, "{}").await.text().await.unwrap();
    }
    assert_eq!(alert_of(&last).as_deref(), Some(LOCKED), "L2: a name that cannot sign in looks locked too");
    app.stop().await;
}

async fn f10_a_ceremony_is_used_once_even_by_racing_answers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let mut key = registered_as(&app, "ACME", "alice", true).await;
    allow(&app, "ACME", true).await;
    let browser = app.browser();
    let html = start(&app, &browser, "alice", "ACME", None).await;
    let right = answer(&app, &mut key, &html, true);
    let racers = (0..4).map(|_| finish(&app, &browser, &html, &right));
    let results = futures_util::future::join_all(racers).await;
    let signed_in = results.iter().filter(|r| r.status() == StatusCode::SEE_OTHER).count();
    assert_eq!(signed_in, 1, "one ceremony, one sign-in");
    let (_, alice) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(alice.failed_attempts, 0, "a right answer racing itself is never counted as wrong");
    // Hostile input: a name longer than any login name gets a decoy; an oversized field or
    // answer is refused by the form reader, a clear 400, before anything is looked up.
    let html = start(&app, &browser, &"x".repeat(300), "ACME", None).await;
    let res = finish(&app, &browser, &html, &"{".repeat(5000)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = finish(&app, &browser, &html, "{}").await;
    assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some(INVALID), "its ceremony still answers once");
    let form = browser.get(at(&app, "/login")).send().await.unwrap().text().await.unwrap();
    let fields = [("csrf", csrf_of(&form)), ("login_name", "x".repeat(5000)), ("provider_code", "ACME".into())];
    let res = browser.post(at(&app, "/login/passkey")).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "an oversized name is refused");
    // Switched off meanwhile: a ceremony begun before is refused.
    let html = start(&app, &browser, "alice", "ACME", None).await;
    allow(&app, "ACME", false).await;
    let res = finish(&app, &browser, &html, &answer(&app, &mut key, &html, true)).await;
    assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some(INVALID), "the provider's switch holds");
    app.stop().await;
}

async fn f10_l2_l3_a_decoy_counts_where_a_wrong_password_would(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "bob").await;
    allow(&app, "ACME", true).await;
    let changes = TenantChanges { max_failed_attempts: Some(5), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    let browser = app.browser();
    // bob has no key, ghost does not exist: two wrong passwords, then decoy answers. Each name
    // locks at the provider's limit (5), and at the same try, whichever way it failed.
    for login in ["bob", "ghost"] {
        for _ in 0..2 {
            crate::support::sign_in(&app, &browser, login, "Wrong-Horse9", "ACME").await;
        }
        for attempt in 3..=5 {
            let html = start(&app, &browser, login, "ACME", None).await;
            let res = finish(&app, &browser, &html, "{}").await;
            let expected = if attempt == 5 { LOCKED } else { INVALID };
            assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some(expected), "{login}, try {attempt}");
        }
    }
    let (_, bob) = app.state.accounts.lanyard().user("ACME", "bob").await.unwrap();
    assert_eq!(bob.status, UserStatus::PasswordLocked, "L3: counted on bob's account, as a password would be");
    // A locked account without a key hears L3's words too.
    let html = start(&app, &browser, "bob", "ACME", None).await;
    let res = finish(&app, &browser, &html, "{}").await;
    assert_eq!(alert_of(&res.text().await.unwrap()).as_deref(), Some(LOCKED));
    app.stop().await;
}

async fn f10_a_keys_proof_dies_with_the_accounts_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let mut key = registered_as(&app, "ACME", "alice", false).await;
    allow(&app, "ACME", true).await;
    let browser = app.browser();
    let html = start(&app, &browser, "alice", "ACME", None).await;
    let form = finish(&app, &browser, &html, &answer(&app, &mut key, &html, false)).await.text().await.unwrap();
    let proof_at = form.find("name=\"key_proof\" value=\"").unwrap() + 24;
    let proof = form[proof_at..].split('"').next().unwrap().to_string();
    // An administrator signs alice out everywhere meanwhile: the proof is of the old epoch.
    app.state.accounts.admin(crate::support::operator()).sign_out_everywhere("ACME", "alice").await.unwrap();
    let fields = [
        ("csrf", csrf_of(&form)),
        ("login_name", "alice".to_string()),
        ("password", PASSWORD.into()),
        ("provider_code", "ACME".into()),
        ("key_proof", proof),
    ];
    let res = browser.post(at(&app, "/login")).form(&fields).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/sign-in/second-factor", "the key is asked again");
    app.stop().await;
}

backend_tests! {
    f10_decoy_counts_like_a_password => f10_l2_l3_a_decoy_counts_where_a_wrong_password_would,
    f10_proof_dies_with_sessions => f10_a_keys_proof_dies_with_the_accounts_sessions,
    f10_verified_key_is_two_factors => f10_a_key_that_verifies_its_holder_signs_in_as_two_factors,
    f10_unverified_key_and_password => f10_a_key_without_user_verification_asks_for_the_password_too,
    f10_l2_decoys_look_the_same => f10_l2_every_name_that_cannot_sign_in_with_a_key_looks_the_same,
    f10_l3_counts_failed_assertions => f10_l3_failed_assertions_count_and_a_locked_account_hears_l3,
    f10_ceremony_once_and_hostile_input => f10_a_ceremony_is_used_once_even_by_racing_answers,
}
