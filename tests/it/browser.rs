//! Real-browser tests: `lanyard demo` as a newcomer starts it, driven by Debian's Chromium
//! through playwright-core. They skip loudly when node, the npm packages or Chromium are missing,
//! except under CI, which installs them (`.ci/run`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn available(test: &str) -> bool {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let ok = Path::new(&chromium).exists()
        && browser_dir().join("node_modules/playwright-core").exists()
        && Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "CI must run {test}: install chromium, node and `npm ci` in tests/browser"
        );
        eprintln!("SKIPPED {test}: needs /usr/bin/chromium, node, and `npm ci` in tests/browser");
    }
    ok
}

struct Demo {
    child: Child,
    base: String,
    /// Care Records and Care Connect, the demo's two applications.
    apps: (String, String),
    _dir: tempfile::TempDir,
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the README's first command on free ports with a fresh data directory. A port found
/// free can be taken by a parallel test before the demo binds it: then the demo exits at once,
/// and it is started again on other ports.
async fn start_demo() -> Demo {
    for _ in 0..5 {
        if let Some(demo) = try_start_demo().await {
            return demo;
        }
    }
    panic!("lanyard demo did not become ready");
}

async fn try_start_demo() -> Option<Demo> {
    let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (port, a, b) = (free(), free(), free());
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_lanyard"))
        .arg("demo")
        .args(["--care-records-port", &a.to_string(), "--care-connect-port", &b.to_string()])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("LANYARD_LISTEN", format!("127.0.0.1:{port}"))
        .env("LANYARD_DATA_DIR", dir.path())
        .env("LANYARD_LOG_LEVEL", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://localhost:{port}");
    let apps = (format!("http://localhost:{a}"), format!("http://localhost:{b}"));
    let mut demo = Demo { child, base, apps, _dir: dir };
    for _ in 0..300 {
        if let Ok(res) = reqwest::get(format!("{}/readyz", demo.base)).await
            && res.status().is_success()
        {
            return Some(demo);
        }
        if demo.child.try_wait().unwrap().is_some() {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("lanyard demo did not become ready within 30 s");
}

fn run_script(script: &str, demo: &Demo) {
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = Command::new("node")
        .arg(script)
        .arg(&demo.base)
        .arg(&shots)
        .current_dir(browser_dir())
        // The scripts use the CLI against the demo's own database, as an operator would.
        .env("LANYARD_BIN", env!("CARGO_BIN_EXE_lanyard"))
        .env("LANYARD_DATA_DIR", demo._dir.path())
        // The same issuer as the running demo, as an operator's shared configuration would say.
        .env("LANYARD_ISSUER", &demo.base)
        .env("LANYARD_LOG_LEVEL", "warn")
        .env("CARE_RECORDS", &demo.apps.0)
        .env("CARE_CONNECT", &demo.apps.1)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs one script against a fresh `lanyard demo`.
async fn demo_script(test: &str, script: &'static str) {
    if !available(test) {
        return;
    }
    let demo = start_demo().await;
    let demo = tokio::task::spawn_blocking(move || {
        run_script(script, &demo);
        demo
    })
    .await
    .unwrap();
    drop(demo);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_g1_spanish_sign_in_lock_forced_change_switcher_and_es_mx() {
    demo_script("browser_g1_spanish_sign_in_lock_forced_change_switcher_and_es_mx", "languages.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_g1_pseudo_language_fits_360_px_and_leaves_no_english() {
    demo_script("browser_g1_pseudo_language_fits_360_px_and_leaves_no_english", "pseudo.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_demo_sign_in() {
    demo_script("browser_demo_sign_in", "demo_sign_in.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_oidc_code_flow() {
    demo_script("browser_oidc_code_flow", "code_flow.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_lockout_unlock_and_forced_change() {
    demo_script("browser_lockout_unlock_and_forced_change", "lockout_and_forced_change.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_self_reset_enrolment_and_reset() {
    demo_script("browser_self_reset_enrolment_and_reset", "self_reset.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_second_factor_enrol_sign_in_recovery_code_and_admin_reset() {
    demo_script("browser_second_factor_enrol_sign_in_recovery_code_and_admin_reset", "second_factor.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_unified_login_between_the_demo_applications() {
    demo_script("browser_unified_login_between_the_demo_applications", "unified_login.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_unified_login_asks_b_only_for_the_second_factor() {
    demo_script("browser_unified_login_asks_b_only_for_the_second_factor", "unified_second_factor.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_passkey_added_used_as_second_factor_and_removed() {
    demo_script("browser_passkey_added_used_as_second_factor_and_removed", "passkeys.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_passkey_sign_in_without_password_usb_key_relay_refused_and_reset() {
    demo_script("browser_passkey_sign_in_without_password_usb_key_relay_refused_and_reset", "passwordless.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_one_applications_sign_out_leaves_the_other_signed_in() {
    demo_script("browser_one_applications_sign_out_leaves_the_other_signed_in", "sign_out.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_console_provider_admin_unlocks_resets_switches_and_reads_activity() {
    demo_script(
        "browser_console_provider_admin_unlocks_resets_switches_and_reads_activity",
        "console_provider_admin.mjs",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_console_user_administrator_and_another_provider_see_only_theirs() {
    demo_script("browser_console_user_administrator_and_another_provider_see_only_theirs", "console_roles.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_console_operator_registers_an_application_and_approves_a2() {
    demo_script("browser_console_operator_registers_an_application_and_approves_a2", "console_operator.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_invitation_register_disable_enable_and_staff_reset_link() {
    demo_script("browser_invitation_register_disable_enable_and_staff_reset_link", "invitations.mjs").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_people_pages() {
    demo_script("browser_people_pages", "people_pages.mjs").await;
}
