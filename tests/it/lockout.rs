//! L3: wrong passwords count against the account; at the limit it locks, atomically.

use lanyard::domain::activity::ActivityEntry;
use lanyard::domain::user::UserStatus;
use reqwest::StatusCode;

use crate::backend_tests;
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, alert_of, csrf_of, sign_in};

const LOCKED: &str = "Your account has been locked. Please contact your agency administrator.";

async fn alert(app: &TestApp, login: &str, password: &str) -> String {
    let res = sign_in(app, &app.browser(), login, password, "ACME").await;
    if res.status() == StatusCode::SEE_OTHER {
        return "signed in".into();
    }
    alert_of(&res.text().await.unwrap()).unwrap_or_default()
}

async fn activity(app: &TestApp, login: &str) -> Vec<ActivityEntry> {
    let (tenant, user) = app.state.accounts.lanyard().user("ACME", login).await.unwrap();
    app.state.accounts.lanyard().activity(&tenant, Some(&user), None, 1000).await.unwrap()
}

async fn l3_third_wrong_password_locks_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    assert_eq!(alert(&app, "alice", "Wrong-1!aa").await, "Invalid Credentials");
    assert_eq!(alert(&app, "alice", "Wrong-2!aa").await, "Invalid Credentials");
    assert_eq!(alert(&app, "alice", "Wrong-3!aa").await, LOCKED);
    // Right password or not, the locked message (L3).
    assert_eq!(alert(&app, "alice", PASSWORD).await, LOCKED);
    let (_, user) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(user.status, UserStatus::PasswordLocked);
    assert!(activity(&app, "alice").await.iter().any(|e| e.kind == "locked"));

    // A1: an administrator unlocks; the count starts again.
    app.state
        .accounts
        .admin(crate::support::operator())
        .change_status("ACME", "alice", lanyard::accounts::admin::StatusChange::Unlock)
        .await
        .unwrap();
    assert_eq!(alert(&app, "alice", "Wrong-1!aa").await, "Invalid Credentials");
    assert_eq!(alert(&app, "alice", PASSWORD).await, "signed in");
    app.stop().await;
}

async fn l3_success_resets_the_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    for _ in 0..3 {
        assert_eq!(alert(&app, "alice", "Wrong-1!aa").await, "Invalid Credentials");
        assert_eq!(alert(&app, "alice", "Wrong-2!aa").await, "Invalid Credentials");
        assert_eq!(alert(&app, "alice", PASSWORD).await, "signed in");
    }
    app.stop().await;
}

async fn l3_unknown_names_lock_after_the_same_number_of_failures(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    assert_eq!(alert(&app, "ghost", "Wrong-1!aa").await, "Invalid Credentials");
    assert_eq!(alert(&app, "ghost", "Wrong-1!aa").await, "Invalid Credentials");
    assert_eq!(alert(&app, "GHOST", "Wrong-1!aa").await, LOCKED, "login names fold case here too");
    assert_eq!(alert(&app, "ghost", "Wrong-1!aa").await, LOCKED);
    app.stop().await;
}

async fn l3_admin_lock_shows_the_locked_message(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .change_status("ACME", "alice", lanyard::accounts::admin::StatusChange::AdminLock)
        .await
        .unwrap();
    assert_eq!(alert(&app, "alice", PASSWORD).await, LOCKED);
    app.stop().await;
}

/// The Zitadel race (GHSA-7h8m-vrxx-vr4m): 100 parallel wrong passwords must count exactly up
/// to the limit and verify no more passwords than the limit allows.
async fn l3_100_concurrent_wrong_passwords_count_exactly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let browser = app.browser();
    let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);
    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let browser = browser.clone();
            let csrf = csrf.clone();
            let url = app.url("/login");
            tokio::spawn(async move {
                let password = format!("Wrong-{i}!aa");
                let form = [
                    ("csrf", csrf.as_str()),
                    ("login_name", "alice"),
                    ("password", &password),
                    ("provider_code", "ACME"),
                ];
                let html = browser.post(url).form(&form).send().await.unwrap().text().await.unwrap();
                alert_of(&html).unwrap()
            })
        })
        .collect();
    let mut locked = 0;
    for t in tasks {
        let msg = t.await.unwrap();
        assert!(msg == "Invalid Credentials" || msg == LOCKED, "{msg}");
        if msg == LOCKED {
            locked += 1;
        }
    }
    let (_, user) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(user.status, UserStatus::PasswordLocked);
    assert_eq!(user.failed_attempts, 3, "exactly the limit was counted");
    let verified = activity(&app, "alice").await.iter().filter(|e| e.detail == "wrong password").count();
    assert_eq!(verified, 3, "no password was verified beyond the limit");
    assert_eq!(locked, 98);
    app.stop().await;
}

/// Two Lanyard processes sharing PostgreSQL + Redis count one account's failures together.
async fn l3_two_instances_count_together(backend: Backend) {
    if matches!(backend, Backend::Sqlite) {
        return; // Scale-out is the PostgreSQL + Redis mode.
    }
    let first = TestApp::spawn(backend).await;
    let second = TestApp::spawn_on(first.scratch.share(), &[]).await;
    first.tenant("ACME").await;
    first.user("ACME", "alice").await;
    assert_eq!(alert(&first, "alice", "Wrong-1!aa").await, "Invalid Credentials");
    assert_eq!(alert(&second, "alice", "Wrong-2!aa").await, "Invalid Credentials");
    assert_eq!(alert(&first, "alice", "Wrong-3!aa").await, LOCKED);
    assert_eq!(alert(&second, "alice", PASSWORD).await, LOCKED);
    // Unknown names share the virtual lock through Redis too.
    assert_eq!(alert(&first, "ghost", "x").await, "Invalid Credentials");
    assert_eq!(alert(&second, "ghost", "x").await, "Invalid Credentials");
    assert_eq!(alert(&first, "ghost", "x").await, LOCKED);
    // And a session started on one is honoured by the other.
    let browser = first.browser();
    first.user("ACME", "bob").await;
    sign_in(&first, &browser, "bob", PASSWORD, "ACME").await;
    let res = browser.get(second.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the session lives in Redis, not in one process");
    second.stop().await;
    first.stop().await;
}

/// `n` sign-ins for `login` with `password` started together, each from its own browser, spread
/// over `apps` (one Lanyard process, or two sharing PostgreSQL + Redis); their outcomes.
async fn burst(apps: &[&TestApp], login: &str, password: &str, n: usize) -> Vec<String> {
    burst_of(apps, login, &vec![password; n]).await
}

/// One sign-in per entry of `passwords`, all started together; outcomes in the same order.
async fn burst_of(apps: &[&TestApp], login: &str, passwords: &[&str]) -> Vec<String> {
    let n = passwords.len();
    let mut ready = Vec::new();
    for (i, password) in passwords.iter().enumerate() {
        let app = apps[i % apps.len()];
        let browser = app.browser();
        let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        ready.push((browser, csrf_of(&page), app.url("/login"), password.to_string()));
    }
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(n));
    let tasks: Vec<_> = ready
        .into_iter()
        .map(|(browser, csrf, url, password)| {
            let (barrier, login) = (barrier.clone(), login.to_string());
            tokio::spawn(async move {
                let form = [
                    ("csrf", csrf.as_str()),
                    ("login_name", login.as_str()),
                    ("password", password.as_str()),
                    ("provider_code", "ACME"),
                ];
                barrier.wait().await;
                let res = browser.post(url).form(&form).send().await.unwrap();
                if res.status() == StatusCode::SEE_OTHER {
                    return "signed in".to_string();
                }
                alert_of(&res.text().await.unwrap()).unwrap_or_default()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.push(t.await.unwrap());
    }
    outcomes
}

/// A server whose password checks take a few milliseconds, as real ones take tens: attempts on
/// one account then really are in flight together.
async fn slow(scratch: crate::support::Scratch) -> TestApp {
    let cost = [("LANYARD_ARGON2_MEMORY_KIB", "8192".to_string()), ("LANYARD_ARGON2_ITERATIONS", "2".to_string())];
    TestApp::spawn_on(scratch, &cost).await
}

/// Issue: sign-in under concurrency (L3). Right passwords sent together (tabs, parallel workers,
/// a double click) all sign in: an attempt still being verified is not a failure, and a right
/// password is never counted, refused or locked out.
async fn l3_concurrent_right_passwords_all_sign_in(backend: Backend) {
    let app = slow(crate::support::Scratch::new(&backend).await).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    for round in 0..5 {
        let outcomes = burst(&[&app], "alice", PASSWORD, 16).await;
        assert!(outcomes.iter().all(|o| o == "signed in"), "round {round}: {outcomes:?}");
    }
    let (_, user) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(user.status, UserStatus::Active);
    assert_eq!(user.failed_attempts, 0);
    assert!(!activity(&app, "alice").await.iter().any(|e| e.kind == "sign_in_failed"), "no failure recorded");
    app.stop().await;
}

/// N-1 wrong passwords, then a burst of right ones: no lock, and the count starts again.
async fn l3_wrong_then_a_burst_of_right_passwords(backend: Backend) {
    let app = slow(crate::support::Scratch::new(&backend).await).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    assert_eq!(alert(&app, "alice", "Wrong-1!aa").await, "Invalid Credentials");
    assert_eq!(alert(&app, "alice", "Wrong-2!aa").await, "Invalid Credentials");
    let outcomes = burst(&[&app], "alice", PASSWORD, 16).await;
    assert!(outcomes.iter().all(|o| o == "signed in"), "{outcomes:?}");
    let (_, user) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!((user.status, user.failed_attempts), (UserStatus::Active, 0), "counter reset");
    assert_eq!(alert(&app, "alice", "Wrong-1!aa").await, "Invalid Credentials");
    assert_eq!(alert(&app, "alice", "Wrong-2!aa").await, "Invalid Credentials", "a fresh count");
    app.stop().await;
}

/// A right password still being checked holds its slot without counting towards the lock: two
/// wrong passwords racing one right one never lock the account (limit 3), and the right one
/// signs in.
async fn l3_a_right_password_in_flight_never_counts_towards_the_lock(backend: Backend) {
    let app = slow(crate::support::Scratch::new(&backend).await).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    for round in 0..8 {
        let outcomes = burst_of(&[&app], "alice", &["Wrong-1!aa", PASSWORD, "Wrong-2!aa"]).await;
        assert_eq!(outcomes[1], "signed in", "round {round}: {outcomes:?}");
        assert!(!outcomes.iter().any(|o| o == LOCKED), "round {round}: {outcomes:?}");
        let (_, user) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
        assert_eq!(user.status, UserStatus::Active, "round {round}");
        // Start the next round from a clean count.
        assert_eq!(alert(&app, "alice", PASSWORD).await, "signed in");
    }
    app.stop().await;
}

/// Failures already at a provider's lowered limit lock the account at the next attempt, which
/// is answered at once (not left waiting for a slot that never comes).
async fn l3_a_lowered_limit_locks_at_the_next_attempt(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    assert_eq!(alert(&app, "alice", "Wrong-1!aa").await, "Invalid Credentials");
    assert_eq!(alert(&app, "alice", "Wrong-2!aa").await, "Invalid Credentials");
    let lower = lanyard::domain::tenant::TenantChanges { max_failed_attempts: Some(2), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &lower).await.unwrap();
    assert_eq!(alert(&app, "alice", PASSWORD).await, LOCKED);
    let (_, user) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(user.status, UserStatus::PasswordLocked);
    app.stop().await;
}

/// The same through two Lanyard processes sharing PostgreSQL + Redis: right passwords on both at
/// once all sign in; wrong ones on both still lock at exactly the limit.
async fn l3_two_instances_concurrent_passwords(backend: Backend) {
    if matches!(backend, Backend::Sqlite) {
        return; // Scale-out is the PostgreSQL + Redis mode.
    }
    let first = slow(crate::support::Scratch::new(&backend).await).await;
    let second = slow(first.scratch.share()).await;
    first.tenant("ACME").await;
    first.user("ACME", "alice").await;
    for round in 0..3 {
        let outcomes = burst(&[&first, &second], "alice", PASSWORD, 16).await;
        assert!(outcomes.iter().all(|o| o == "signed in"), "round {round}: {outcomes:?}");
    }
    let outcomes = burst(&[&first, &second], "alice", "Wrong-1!aa", 20).await;
    assert_eq!(outcomes.iter().filter(|o| *o == "Invalid Credentials").count(), 2, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| *o == LOCKED).count(), 18, "{outcomes:?}");
    let (_, user) = first.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!((user.status, user.failed_attempts), (UserStatus::PasswordLocked, 3));
    second.stop().await;
    first.stop().await;
}

/// A1 (issue: an admin reset that works on a locked account): the reset to a temporary password
/// lifts a password lock and starts the count afresh; the person signs in with it and must
/// choose a new one (L4). An admin lock stays.
async fn a1_admin_reset_lifts_a_password_lock(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    for wrong in ["Wrong-1!aa", "Wrong-2!aa", "Wrong-3!aa"] {
        alert(&app, "alice", wrong).await;
    }
    assert_eq!(alert(&app, "alice", PASSWORD).await, LOCKED);
    let temporary = lanyard::secret::Secret::new("Temporary-Pass1");
    let user = app
        .state
        .accounts
        .admin(crate::support::operator())
        .set_password("ACME", "alice", &temporary, true)
        .await
        .unwrap();
    assert_eq!((user.status, user.failed_attempts), (UserStatus::Active, 0));
    let res = sign_in(&app, &app.browser(), "alice", "Temporary-Pass1", "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/password/change", "L4: a new password first");
    assert!(
        activity(&app, "alice").await.iter().any(|e| e.detail.contains("password lock lifted")),
        "the reset is in the activity record (L7)"
    );

    // An administrator's lock is lifted only on purpose, not by a reset.
    app.state
        .accounts
        .admin(crate::support::operator())
        .change_status("ACME", "alice", lanyard::accounts::admin::StatusChange::AdminLock)
        .await
        .unwrap();
    let user = app
        .state
        .accounts
        .admin(crate::support::operator())
        .set_password("ACME", "alice", &temporary, true)
        .await
        .unwrap();
    assert_eq!(user.status, UserStatus::AdminLocked);
    assert_eq!(alert(&app, "alice", "Temporary-Pass1").await, LOCKED);
    app.stop().await;
}

backend_tests! {
    l3_concurrent_right_passwords => l3_concurrent_right_passwords_all_sign_in,
    l3_wrong_then_right_burst => l3_wrong_then_a_burst_of_right_passwords,
    l3_two_instances_concurrent => l3_two_instances_concurrent_passwords,
    l3_right_in_flight_never_counts => l3_a_right_password_in_flight_never_counts_towards_the_lock,
    l3_lowered_limit => l3_a_lowered_limit_locks_at_the_next_attempt,
    a1_reset_lifts_password_lock => a1_admin_reset_lifts_a_password_lock,
}

backend_tests! {
    l3_lock_at_limit => l3_third_wrong_password_locks_account,
    l3_success_resets => l3_success_resets_the_count,
    l3_virtual_lock => l3_unknown_names_lock_after_the_same_number_of_failures,
    l3_admin_lock => l3_admin_lock_shows_the_locked_message,
    l3_concurrent_lockout => l3_100_concurrent_wrong_passwords_count_exactly,
    l3_two_instances => l3_two_instances_count_together,
}

/// Throttling beyond the account: one address gets 429 + Retry-After past its limit, for any
/// login name, and may try again in the next window.
async fn per_ip_limit_answers_429_with_retry_after(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(scratch, &[("LANYARD_SIGNIN_LIMIT_PER_IP", "3".into())]).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    app.clock.set(crate::support::T0 - crate::support::T0 % 60);
    for login in ["a", "b", "c"] {
        assert_eq!(alert(&app, login, "Wrong-1!aa").await, "Invalid Credentials");
    }
    let res = sign_in(&app, &app.browser(), "alice", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(res.headers()["retry-after"], "60");
    let html = res.text().await.unwrap();
    assert_eq!(alert_of(&html).as_deref(), Some("Too many sign-in attempts. Please wait a minute and try again."));
    app.clock.advance(60);
    assert_eq!(alert(&app, "alice", PASSWORD).await, "signed in");
    app.stop().await;
}

/// Lets ACME's accounts fail `n` times before L3 locks them, so a test can reach other limits.
async fn l3_limit(app: &TestApp, n: u32) {
    let changes = lanyard::domain::tenant::TenantChanges { max_failed_attempts: Some(n), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
}

/// A browser whose requests arrive through a proxy that says they come from `client`.
fn via_proxy(_app: &TestApp, forwarded: &[&str]) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    for line in forwarded {
        headers.append("x-forwarded-for", line.parse().unwrap());
    }
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn alert_via(app: &TestApp, forwarded: &[&str], login: &str, password: &str) -> (StatusCode, String) {
    let res = sign_in(app, &via_proxy(app, forwarded), login, password, "ACME").await;
    let status = res.status();
    (status, alert_of(&res.text().await.unwrap()).unwrap_or_default())
}

/// Issue 11 (4): one address hammering a provider code answers 429 to that address only; the
/// agency's staff elsewhere still sign in (the old per-provider limit refused them all).
async fn per_address_limit_spares_the_providers_other_staff(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(
        scratch,
        &[("LANYARD_SIGNIN_LIMIT_PER_IP", "3".into()), ("LANYARD_TRUSTED_PROXIES", "127.0.0.1".into())],
    )
    .await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    app.clock.set(crate::support::T0 - crate::support::T0 % 60);
    for login in ["a", "b", "c"] {
        assert_eq!(alert_via(&app, &["198.51.100.66"], login, "Wrong-1!aa").await.1, "Invalid Credentials");
    }
    let (status, _) = alert_via(&app, &["198.51.100.66"], "d", "Wrong-1!aa").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let res = sign_in(&app, &via_proxy(&app, &["203.0.113.10"]), "alice", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "another address of the same provider signs in");
    app.stop().await;
}

/// Issue 11 (4): one account's attempts are limited wherever they come from.
async fn per_account_limit_spans_addresses(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(
        scratch,
        &[("LANYARD_SIGNIN_LIMIT_PER_ACCOUNT", "2".into()), ("LANYARD_TRUSTED_PROXIES", "127.0.0.1".into())],
    )
    .await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    app.user("ACME", "bob").await;
    l3_limit(&app, 10).await;
    app.clock.set(crate::support::T0 - crate::support::T0 % 60);
    assert_eq!(alert_via(&app, &["192.0.2.1"], "alice", "Wrong-1!aa").await.1, "Invalid Credentials");
    assert_eq!(alert_via(&app, &["192.0.2.2"], " ALICE", "Wrong-1!aa").await.1, "Invalid Credentials");
    let (status, _) = alert_via(&app, &["192.0.2.3"], "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the third attempt at alice, from a third address");
    let res = sign_in(&app, &via_proxy(&app, &["192.0.2.3"]), "bob", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "other accounts are not affected");
    app.clock.advance(60);
    let res = sign_in(&app, &via_proxy(&app, &["192.0.2.3"]), "alice", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the next window lets alice in");
    app.stop().await;
}

/// Issue 11 (2): without trusted proxies, X-Forwarded-For is the client's own words and
/// ignored — a new address per attempt does not escape the limit, nor reach the activity record.
async fn forwarded_for_from_an_untrusted_peer_is_ignored(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(scratch, &[("LANYARD_SIGNIN_LIMIT_PER_IP", "2".into())]).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    l3_limit(&app, 10).await;
    app.clock.set(crate::support::T0 - crate::support::T0 % 60);
    assert_eq!(alert_via(&app, &["1.1.1.1"], "alice", "Wrong-1!aa").await.1, "Invalid Credentials");
    assert_eq!(alert_via(&app, &["1.1.1.2"], "alice", "Wrong-1!aa").await.1, "Invalid Credentials");
    let (status, _) = alert_via(&app, &["1.1.1.3"], "alice", "Wrong-1!aa").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Entries the operator's CLI wrote say "cli"; every sign-in says where it really came from.
    let ips: Vec<String> = activity(&app, "alice").await.into_iter().map(|e| e.ip).filter(|ip| ip != "cli").collect();
    assert!(ips.len() == 2 && ips.iter().all(|ip| ip == "127.0.0.1"), "{ips:?}");
    app.stop().await;
}

/// Issue 11 (2): behind a trusted proxy the client is the right-most untrusted entry across all
/// header lines; what the client wrote itself, in its own line or left of the proxy's, never wins.
async fn forwarded_for_from_a_trusted_proxy_names_the_client(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(
        scratch,
        &[("LANYARD_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8".into()), ("LANYARD_SIGNIN_LIMIT_PER_IP", "2".into())],
    )
    .await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    l3_limit(&app, 10).await;
    app.clock.set(crate::support::T0 - crate::support::T0 % 60);
    // Client-written "6.6.6.x" first, then what our proxies appended.
    for forged in ["6.6.6.1", "6.6.6.2"] {
        let lines = [forged, "203.0.113.7, 10.1.2.3"];
        assert_eq!(alert_via(&app, &lines, "alice", "Wrong-1!aa").await.1, "Invalid Credentials");
    }
    let (status, _) = alert_via(&app, &["6.6.6.3", "203.0.113.7, 10.1.2.3"], "alice", "Wrong-1!aa").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "forged entries do not make a new address");
    // A garbage entry ends the walk at the proxy that passed it on.
    let (_, text) = alert_via(&app, &["203.0.113.99, not-an-ip"], "alice", "Wrong-1!aa").await;
    assert_eq!(text, "Invalid Credentials");
    let ips: Vec<String> = activity(&app, "alice").await.into_iter().map(|e| e.ip).collect();
    assert!(ips.iter().filter(|ip| *ip == "203.0.113.7").count() == 2, "{ips:?}");
    assert!(ips.iter().any(|ip| ip == "127.0.0.1"), "{ips:?}");
    assert!(!ips.iter().any(|ip| ip.starts_with("6.6.6") || ip == "203.0.113.99"), "{ips:?}");
    app.stop().await;
}

/// Issue 11 (4): when every hash worker is busy and the queue is full, sign-in answers 503 with
/// Retry-After at once and counts nothing against the account (a right answer is never a wrong one).
async fn a_full_hash_queue_answers_503_and_counts_nothing(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app =
        TestApp::spawn_on(scratch, &[("LANYARD_HASH_WORKERS", "1".into()), ("LANYARD_HASH_QUEUE", "0".into())]).await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    let held = app.state.accounts.operations().hasher().admit().unwrap();
    for (login, password) in [("alice", PASSWORD), ("alice", "Wrong-1!aa"), ("nobody", "Wrong-1!aa")] {
        let res = sign_in(&app, &app.browser(), login, password, "ACME").await;
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE, "{login}");
        assert!(res.headers().contains_key("retry-after"));
    }
    let (_, user) = app.state.accounts.lanyard().user("ACME", "alice").await.unwrap();
    assert_eq!(user.failed_attempts, 0);
    drop(held);
    assert_eq!(alert(&app, "alice", PASSWORD).await, "signed in");
    app.stop().await;
}

async fn l3_tenant_limit_applies_to_unknown_names_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.state
        .accounts
        .admin(crate::support::operator())
        .update_tenant(
            "ACME",
            &lanyard::domain::tenant::TenantChanges { max_failed_attempts: Some(5), ..Default::default() },
        )
        .await
        .unwrap();
    for _ in 0..4 {
        assert_eq!(alert(&app, "ghost", "Wrong-1!aa").await, "Invalid Credentials");
    }
    assert_eq!(alert(&app, "ghost", "Wrong-1!aa").await, LOCKED);
    app.stop().await;
}

backend_tests! {
    throttle_per_ip => per_ip_limit_answers_429_with_retry_after,
    throttle_per_address => per_address_limit_spares_the_providers_other_staff,
    throttle_per_account => per_account_limit_spans_addresses,
    xff_untrusted_ignored => forwarded_for_from_an_untrusted_peer_is_ignored,
    xff_trusted_proxy => forwarded_for_from_a_trusted_proxy_names_the_client,
    hash_queue_full => a_full_hash_queue_answers_503_and_counts_nothing,
    l3_virtual_lock_uses_tenant_limit => l3_tenant_limit_applies_to_unknown_names_too,
}

async fn ask(app: &TestApp, client_id: &str, from: &str) -> reqwest::Response {
    via_proxy(app, &[from])
        .get(app.url("/authorize"))
        .query(&[
            ("client_id", client_id),
            ("redirect_uri", crate::oidc::rp::REDIRECT),
            ("response_type", "code"),
            ("scope", "openid"),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap()
}

/// Issue 11 (1): authorization requests waiting for a sign-in are storage anyone can create;
/// one address gets a budget of them, others are unaffected, and the budget comes back.
async fn pending_authorizations_have_a_budget_per_address(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(
        scratch,
        &[("LANYARD_PENDING_AUTHORIZATIONS_PER_IP", "3".into()), ("LANYARD_TRUSTED_PROXIES", "127.0.0.1".into())],
    )
    .await;
    let rp = crate::oidc::rp::setup(&app).await;
    app.clock.set(crate::support::T0 - crate::support::T0 % 600);
    for _ in 0..3 {
        assert_eq!(ask(&app, &rp.client_id, "198.51.100.1").await.status(), StatusCode::SEE_OTHER);
    }
    let over = ask(&app, &rp.client_id, "198.51.100.1").await;
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(over.headers().get("location").is_none(), "nothing stored, nothing redirected");
    assert_eq!(
        ask(&app, &rp.client_id, "198.51.100.2").await.status(),
        StatusCode::SEE_OTHER,
        "another address is unaffected"
    );
    app.clock.advance(600);
    assert_eq!(ask(&app, &rp.client_id, "198.51.100.1").await.status(), StatusCode::SEE_OTHER, "the budget comes back");
    app.stop().await;
}

/// One IPv6 subscriber holds a whole /64: its addresses share one sign-in allowance.
async fn ipv6_addresses_of_one_64_share_a_limit(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(
        scratch,
        &[("LANYARD_SIGNIN_LIMIT_PER_IP", "2".into()), ("LANYARD_TRUSTED_PROXIES", "127.0.0.1".into())],
    )
    .await;
    app.tenant("ACME").await;
    app.user("ACME", "alice").await;
    l3_limit(&app, 10).await;
    app.clock.set(crate::support::T0 - crate::support::T0 % 60);
    for from in ["2001:db8:5:6::1", "2001:db8:5:6::2"] {
        assert_eq!(alert_via(&app, &[from], "alice", "Wrong-1!aa").await.1, "Invalid Credentials");
    }
    let (status, _) = alert_via(&app, &["2001:db8:5:6:ffff::3"], "alice", "Wrong-1!aa").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a third address of the same /64");
    let res = sign_in(&app, &via_proxy(&app, &["2001:db8:5:7::1"]), "alice", PASSWORD, "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "another /64 is another subscriber");
    app.stop().await;
}

backend_tests! {
    pending_budget => pending_authorizations_have_a_budget_per_address,
    ipv6_per_64 => ipv6_addresses_of_one_64_share_a_limit,
}
