//! Sign-in measurements with production argon2 parameters (m = 19 MiB, t = 2, p = 1):
//! - L2: the median time of 200 wrong-password attempts on an existing account against 200 on a
//!   login name that does not exist (goal: a gap under 5 ms);
//! - the argon2 bound (cores / one verify) and the full-login throughput against it;
//! - L3's race: 100 concurrent wrong passwords, how many were counted and verified.
//!
//! Run: `cargo bench --bench sign_in`. Prints numbers; asserts nothing about time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::disallowed_methods)]

use std::time::{Duration, Instant};

use lanyard::accounts::admin::Actor;
use lanyard::app::{self, AppState};
use lanyard::clock::Clock;
use lanyard::domain::tenant::TenantChanges;
use lanyard::domain::user::UserType;
use lanyard::secret::Secret;

const PASSWORD: &str = "Correct-Horse9";

fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    html[start..].split('"').next().unwrap().to_string()
}

async fn attempt(client: &reqwest::Client, base: &str, csrf: &str, login: &str, password: &str) -> Duration {
    let started = Instant::now();
    let res = client
        .post(format!("{base}/login"))
        .form(&[("csrf", csrf), ("login_name", login), ("password", password), ("provider_code", "ACME")])
        .send()
        .await
        .unwrap();
    let _ = res.bytes().await.unwrap();
    started.elapsed()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let env = [
        ("LANYARD_DATA_DIR", dir.path().display().to_string()),
        ("LANYARD_ISSUER", format!("http://localhost:{}", addr.port())),
        ("LANYARD_SIGNIN_LIMIT_PER_IP", "1000000".to_string()),
        ("LANYARD_SIGNIN_LIMIT_PER_ACCOUNT", "1000000".to_string()),
        ("LANYARD_LOG_LEVEL", "error".to_string()),
    ];
    let config =
        lanyard::config::load(None, false, &|k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())).unwrap();
    let cores = config.hash_workers;
    let state = AppState::build(config, Clock::system()).await.unwrap();
    let accounts = state.accounts.clone();
    accounts.admin(Actor::operator()).create_tenant("ACME", "Acme").await.unwrap();
    accounts.admin(Actor::operator()).set_lockout_limit_unchecked("ACME", 1_000_000).await.unwrap();
    accounts
        .admin(Actor::operator())
        .create_user("ACME", "alice", UserType::Regular, &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    for i in 0..32 {
        accounts
            .admin(Actor::operator())
            .create_user("ACME", &format!("user{i}"), UserType::Regular, &Secret::new(PASSWORD), false)
            .await
            .unwrap();
    }
    tokio::spawn(app::serve(listener, state.clone(), std::future::pending()));
    let base = format!("http://{addr}");
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let page = client.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_of(&page);

    // One verify, measured directly: the unit of the argon2 bound.
    let hash = accounts.operations().hasher().hash(&Secret::new(PASSWORD)).await.unwrap();
    let mut verifies = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        accounts.operations().hasher().verify(&Secret::new(PASSWORD), Some(&hash)).await.unwrap();
        verifies.push(t.elapsed());
    }
    verifies.sort();
    let verify = percentile(&verifies, 0.5);
    println!("argon2id verify (m=19 MiB, t=2, p=1): median {:.1} ms", ms(verify));

    // L2: alternate so machine noise hits both sides alike.
    for _ in 0..10 {
        attempt(&client, &base, &csrf, "alice", "Wrong-Guess-1!").await;
    }
    let (mut existing, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..200 {
        existing.push(attempt(&client, &base, &csrf, "alice", "Wrong-Guess-1!").await);
        unknown.push(attempt(&client, &base, &csrf, &format!("nobody-{i}"), "Wrong-Guess-1!").await);
    }
    existing.sort();
    unknown.sort();
    let (e, u) = (percentile(&existing, 0.5), percentile(&unknown, 0.5));
    println!(
        "L2 timing, 200 attempts each: existing account median {:.2} ms (p90 {:.2}), unknown login median {:.2} ms (p90 {:.2}); gap {:.2} ms",
        ms(e),
        ms(percentile(&existing, 0.9)),
        ms(u),
        ms(percentile(&unknown, 0.9)),
        (ms(e) - ms(u)).abs()
    );

    // Full logins: concurrent correct sign-ins for 10 s against the argon2 bound.
    let bound = cores as f64 / verify.as_secs_f64();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut tasks = Vec::new();
    for i in 0..(cores * 4) {
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
            let page = client.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
            let csrf = csrf_of(&page);
            let mut n = 0u64;
            while Instant::now() < deadline {
                attempt(&client, &base, &csrf, &format!("user{}", i % 32), PASSWORD).await;
                n += 1;
            }
            n
        }));
    }
    let mut logins = 0;
    for t in tasks {
        logins += t.await.unwrap();
    }
    let rate = logins as f64 / 10.0;
    println!(
        "full logins: {rate:.1}/s with {cores} hash workers; argon2 bound {bound:.1}/s; {:.0} % of the bound",
        100.0 * rate / bound
    );

    // S3: the failing causes of Forgot Password? must not differ in time either.
    accounts
        .admin(Actor::operator())
        .update_tenant("ACME", &TenantChanges { self_reset_enabled: Some(true), ..Default::default() })
        .await
        .unwrap();
    accounts.admin(Actor::operator()).set_user_self_reset("ACME", "alice", true).await.unwrap();
    let (_, alice) = accounts.admin(Actor::operator()).user("ACME", "alice").await.unwrap();
    accounts.admin(Actor::operator()).set_verified_email_unchecked(&alice, "alice@example.org").await.unwrap();
    let forgot = |login: String, email: &'static str| {
        let (client, base, csrf) = (client.clone(), base.clone(), csrf.clone());
        async move {
            let started = Instant::now();
            let form = [("csrf", csrf.as_str()), ("login_name", &login), ("provider_code", "ACME"), ("email", email)];
            client.post(format!("{base}/password/forgot")).form(&form).send().await.unwrap().bytes().await.unwrap();
            started.elapsed()
        }
    };
    let (mut wrong_email, mut unknown_login) = (Vec::new(), Vec::new());
    for i in 0..200 {
        wrong_email.push(forgot("alice".into(), "someone@else.org").await);
        unknown_login.push(forgot(format!("nobody-{i}"), "alice@example.org").await);
    }
    wrong_email.sort();
    unknown_login.sort();
    let (w, u) = (percentile(&wrong_email, 0.5), percentile(&unknown_login, 0.5));
    println!(
        "S3 timing, 200 requests each: wrong email for a real account median {:.3} ms, unknown login median {:.3} ms; gap {:.3} ms",
        ms(w),
        ms(u),
        (ms(w) - ms(u)).abs()
    );

    // L3 race: 100 concurrent wrong passwords at a limit of 3.
    accounts.admin(Actor::operator()).create_tenant("RACE", "Race").await.unwrap();
    accounts
        .admin(Actor::operator())
        .create_user("RACE", "target", UserType::Regular, &Secret::new(PASSWORD), false)
        .await
        .unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..100 {
        let (client, base, csrf) = (client.clone(), base.clone(), csrf.clone());
        tasks.push(tokio::spawn(async move {
            client
                .post(format!("{base}/login"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("login_name", "target"),
                    ("password", &format!("Wrong-{i}!a")),
                    ("provider_code", "RACE"),
                ])
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let (tenant, user) = accounts.admin(Actor::operator()).user("RACE", "target").await.unwrap();
    let verified = accounts
        .admin(Actor::operator())
        .activity(&tenant, Some(&user), None, 1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.detail == "wrong password")
        .count();
    println!(
        "L3 race: 100 concurrent wrong passwords in {:.0} ms -> status {}, failures counted {}, passwords verified {}",
        ms(started.elapsed()),
        user.status.as_str(),
        user.failed_attempts,
        verified
    );
}
