//! L3: wrong passwords count against the account; at the limit it locks, atomically.

use lanyard::domain::activity::ActivityEntry;
use lanyard::domain::user::UserStatus;
use reqwest::StatusCode;

use crate::backend_tests;
use crate::support::{Backend, PASSWORD, TestApp, alert_of, csrf_of, sign_in};

const LOCKED: &str = "Your account has been locked. Please contact your agency administrator.";

async fn alert(app: &TestApp, login: &str, password: &str) -> String {
    let res = sign_in(app, &app.browser(), login, password, "ACME").await;
    if res.status() == StatusCode::SEE_OTHER {
        return "signed in".into();
    }
    alert_of(&res.text().await.unwrap()).unwrap_or_default()
}

async fn activity(app: &TestApp, login: &str) -> Vec<ActivityEntry> {
    let (tenant, user) = app.state.accounts.user("ACME", login).await.unwrap();
    app.state.accounts.activity(&tenant, Some(&user), None, 1000).await.unwrap()
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
    let (_, user) = app.state.accounts.user("ACME", "alice").await.unwrap();
    assert_eq!(user.status, UserStatus::PasswordLocked);
    assert!(activity(&app, "alice").await.iter().any(|e| e.kind == "locked"));

    // A1: an administrator unlocks; the count starts again.
    app.state.accounts.change_status("ACME", "alice", lanyard::accounts::admin::StatusChange::Unlock).await.unwrap();
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
    app.state.accounts.change_status("ACME", "alice", lanyard::accounts::admin::StatusChange::AdminLock).await.unwrap();
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
    let (_, user) = app.state.accounts.user("ACME", "alice").await.unwrap();
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
    let (_, user) = app.state.accounts.user("ACME", "alice").await.unwrap();
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
    let (_, user) = app.state.accounts.user("ACME", "alice").await.unwrap();
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
        let (_, user) = app.state.accounts.user("ACME", "alice").await.unwrap();
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
    app.state.accounts.update_tenant("ACME", &lower).await.unwrap();
    assert_eq!(alert(&app, "alice", PASSWORD).await, LOCKED);
    let (_, user) = app.state.accounts.user("ACME", "alice").await.unwrap();
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
    let (_, user) = first.state.accounts.user("ACME", "alice").await.unwrap();
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
    let user = app.state.accounts.set_password("ACME", "alice", &temporary, true).await.unwrap();
    assert_eq!((user.status, user.failed_attempts), (UserStatus::Active, 0));
    let res = sign_in(&app, &app.browser(), "alice", "Temporary-Pass1", "ACME").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/password/change", "L4: a new password first");
    assert!(
        activity(&app, "alice").await.iter().any(|e| e.detail.contains("password lock lifted")),
        "the reset is in the activity record (L7)"
    );

    // An administrator's lock is lifted only on purpose, not by a reset.
    app.state.accounts.change_status("ACME", "alice", lanyard::accounts::admin::StatusChange::AdminLock).await.unwrap();
    let user = app.state.accounts.set_password("ACME", "alice", &temporary, true).await.unwrap();
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

async fn per_tenant_limit_spans_addresses(backend: Backend) {
    let scratch = crate::support::Scratch::new(&backend).await;
    let app = TestApp::spawn_on(scratch, &[("LANYARD_SIGNIN_LIMIT_PER_TENANT", "2".into())]).await;
    app.tenant("ACME").await;
    app.clock.set(crate::support::T0 - crate::support::T0 % 60);
    assert_eq!(alert(&app, "x", "Wrong-1!aa").await, "Invalid Credentials");
    assert_eq!(alert(&app, "y", "Wrong-1!aa").await, "Invalid Credentials");
    let res = sign_in(&app, &app.browser(), "z", "Wrong-1!aa", "ACME").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

async fn l3_tenant_limit_applies_to_unknown_names_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.state
        .accounts
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
    throttle_per_tenant => per_tenant_limit_spans_addresses,
    l3_virtual_lock_uses_tenant_limit => l3_tenant_limit_applies_to_unknown_names_too,
}
