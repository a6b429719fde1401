//! The `lanyard` binary as operators script it: `--json` round trips and one-line errors.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use crate::backend_tests;
use crate::support::{Backend, Scratch};

pub struct Cli<'a> {
    pub scratch: &'a Scratch,
}

impl Cli<'_> {
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        self.run_with(args, stdin, &[("LANYARD_LOG_LEVEL", "warn")])
    }

    /// As an operator types it: nothing in the environment but the scratch database.
    pub fn run_plain(&self, args: &[&str]) -> Output {
        self.run_with(args, None, &[])
    }

    fn run_with(&self, args: &[&str], stdin: Option<&str>, extra: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lanyard"));
        cmd.args(args).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        for (k, v) in &self.scratch.env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    pub fn json(&self, args: &[&str], stdin: Option<&str>) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all, stdin);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
    }

    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args, None);
        assert!(!out.status.success(), "{args:?} should fail");
        let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
        assert_eq!(err.lines().count(), 1, "one clear line: {err}");
        err
    }
}

async fn cli_round_trips_with_json(backend: Backend) {
    let scratch = Scratch::new(&backend).await;
    let cli = Cli { scratch: &scratch };
    let migrated = cli.json(&["migrate"], None);
    assert_eq!(
        migrated["applied"],
        serde_json::json!([
            "m20261124_000001_initial",
            "m20261124_000002_password_history",
            "m20261201_000003_attempts_in_flight",
            "m20261202_000004_activity_actor",
            "m20261202_000005_recovery_requests",
            "m20261202_000006_platform_operators",
            "m20261203_000007_last_sign_in",
            "m20261203_000008_invitations",
            "m20261204_000009_status_events",
            "m20261205_000010_help_contact",
            "m20261207_000011_mailed_epoch",
            "m20261207_000012_second_factors",
            "m20261207_000013_passkeys",
            "m20261207_000014_passkey_sign_in",
            "m20261207_000015_key_models",
            "m20261207_000016_languages",
            "m20261207_000017_list_indexes",
            "m20261207_000018_filter_indexes"
        ])
    );

    let t = cli.json(&["tenant", "create", "ACME", "--name", "Acme Agency"], None);
    assert_eq!(t["provider_code"], "ACME");
    assert_eq!(t["active"], true);
    assert_eq!(t["password_policy"]["max_failed_attempts"], 3);
    let t = cli.json(&["tenant", "set", "ACME", "--max-failed-attempts", "5", "--self-reset", "on"], None);
    assert_eq!(t["password_policy"]["max_failed_attempts"], 5);
    // Issue 25 (4): bounded here too.
    let err = cli.fails(&["tenant", "set", "ACME", "--max-failed-attempts", "4294967295"]);
    assert!(err.contains("max-failed-attempts: must be between 1 and 10"), "{err}");
    assert_eq!(t["self_reset_enabled"], true);
    assert_eq!(cli.json(&["tenant", "list"], None).as_array().unwrap().len(), 1);

    let u = cli.json(
        &["user", "create", "--tenant", "ACME", "Alice", "--password-stdin", "--permanent"],
        Some("Correct-Horse9\n"),
    );
    assert_eq!(u["login_name"], "Alice");
    assert_eq!(u["status"], "active");
    assert_eq!(u["must_change_password"], false);
    assert!(u.get("password_hash").is_none() && u.get("temporary_password").is_none(), "no secret is printed");

    let generated = cli.json(&["user", "create", "--tenant", "ACME", "bob", "--type", "provider-admin"], None);
    assert_eq!(generated["must_change_password"], true);
    assert_eq!(generated["user_type"], "provider_admin");
    assert!(generated["temporary_password"].as_str().unwrap().len() >= 16);

    assert_eq!(cli.json(&["user", "lock", "--tenant", "ACME", "alice"], None)["status"], "admin_locked");
    assert_eq!(cli.json(&["user", "unlock", "--tenant", "ACME", "ALICE"], None)["status"], "active");
    assert_eq!(cli.json(&["user", "deactivate", "--tenant", "ACME", "alice"], None)["status"], "deactivated");
    assert_eq!(cli.json(&["user", "reactivate", "--tenant", "ACME", "alice"], None)["status"], "active");
    let reset = cli.json(
        &["user", "set-password", "--tenant", "ACME", "alice", "--temporary", "--password-stdin"],
        Some("Temporary-Pass1\n"),
    );
    assert_eq!(reset["must_change_password"], true);
    assert_eq!(cli.json(&["user", "list", "--tenant", "ACME"], None).as_array().unwrap().len(), 2);
    let set = cli.json(
        &["user", "set", "--tenant", "ACME", "alice", "--email", "alice@example.org", "--self-reset", "on"],
        None,
    );
    assert_eq!(set["email"], "alice@example.org");
    assert_eq!(set["email_verified"], false, "an administrator's address is unverified (S2)");
    assert_eq!(set["self_reset_enabled"], true);
    assert!(
        cli.fails(&["user", "set", "--tenant", "ACME", "alice", "--email", "two@a.org,three@b.org"])
            .contains("not a single address")
    );

    let c = cli.json(
        &[
            "client",
            "create",
            "--name",
            "Care Records",
            "--id",
            "care-records",
            "--redirect-uri",
            "http://localhost:3001/callback",
            "--tenant",
            "ACME",
        ],
        None,
    );
    assert_eq!(c["client_id"], "care-records");
    let secret = c["client_secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 43);
    let shown = cli.json(&["client", "show", "care-records"], None);
    assert!(shown.get("client_secret").is_none(), "a secret is shown only once");
    assert_eq!(shown["redirect_uris"], serde_json::json!(["http://localhost:3001/callback"]));
    let rotated = cli.json(&["client", "rotate-secret", "care-records"], None);
    assert_ne!(rotated["client_secret"].as_str().unwrap(), secret);
    let public =
        cli.json(&["client", "create", "--name", "SPA", "--public", "--redirect-uri", "https://spa.example/cb"], None);
    let ops = cli.json(&["client", "create", "--name", "Ops", "--id", "ops", "--admin-role", "platform"], None);
    assert_eq!(ops["admin_role"]["role"], "platform_operator");
    assert_eq!(ops["grant_types"], serde_json::json!(["client_credentials"]));
    assert!(ops["scopes"].as_array().unwrap().iter().any(|s| s == "admin"));
    assert!(cli.fails(&["client", "create", "--name", "X", "--admin-role", "god"]).contains("--admin-role"));
    assert!(public.get("client_secret").is_none());
    // Three registered here, and the console Lanyard registers for itself.
    let listed = cli.json(&["client", "list"], None);
    assert_eq!(listed.as_array().unwrap().len(), 4);
    assert!(listed.as_array().unwrap().iter().any(|c| c["client_id"] == "lanyard-console"));
    assert!(cli.fails(&["client", "delete", "lanyard-console"]).contains("managed by Lanyard"));
    let updated = cli.json(&["client", "update", "ops", "--name", "Operations", "--disable"], None);
    assert_eq!((updated["name"].as_str(), updated["disabled"].as_bool()), (Some("Operations"), Some(true)));
    let enabled = cli.json(&["client", "update", "ops", "--enable"], None);
    assert_eq!(enabled["disabled"], false);
    assert_eq!(enabled["require_mfa"], false);
    let strict = cli.json(&["client", "update", "ops", "--require-mfa", "on"], None);
    assert_eq!(strict["require_mfa"], true, "F4: an application requires a second factor");
    cli.json(&["client", "delete", "ops"], None);
    assert!(cli.fails(&["client", "show", "ops"]).contains("does not exist"));

    // F11: the security-key models a provider accepts for its administrators.
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/api/attestation_ca.pem");
    let aaguid = "0FB9BCBC-A0D4-4042-BBB0-559BC1631E28";
    let set = ["tenant", "key-model", "set", "ACME", "--aaguid", aaguid, "--name", "YubiKey 5", "--ca-file", ca];
    assert_eq!(cli.json(&set, None)["aaguid"], aaguid.to_lowercase());
    let listed = cli.json(&["tenant", "key-model", "list", "ACME"], None);
    assert_eq!(listed[0]["name"], "YubiKey 5");
    let bad = ["tenant", "key-model", "set", "ACME", "--aaguid", aaguid, "--name", "X", "--ca-file", "Cargo.toml"];
    assert!(cli.fails(&bad).contains("attestation-ca"), "a file that is no certificate is refused");
    assert!(cli.run(&["tenant", "key-model", "remove", "ACME", "--aaguid", aaguid], None).status.success());
    assert_eq!(cli.json(&["tenant", "key-model", "list", "ACME"], None), serde_json::json!([]));

    let activity = cli.json(&["activity", "list", "--tenant", "ACME", "--user", "alice"], None);
    let kinds: Vec<&str> = activity.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"locked") && kinds.contains(&"unlocked"), "{kinds:?}");
    let page = cli.json(&["activity", "list", "--tenant", "ACME", "--limit", "2"], None);
    assert_eq!(page.as_array().unwrap().len(), 2);
    let last = page[1]["id"].as_i64().unwrap().to_string();
    let next = cli.json(&["activity", "list", "--tenant", "ACME", "--limit", "2", "--before", &last], None);
    assert!(next[0]["id"].as_i64().unwrap() < last.parse::<i64>().unwrap());
    let locks = cli.json(&["activity", "list", "--tenant", "ACME", "--kind", "unlocked"], None);
    let locks = locks.as_array().unwrap();
    assert!(!locks.is_empty() && locks.iter().all(|e| e["kind"] == "unlocked"));
    assert!(locks.iter().all(|e| e["actor"] == "cli"), "L7: the CLI's changes say who made them");
    let csv = cli.run(&["activity", "list", "--tenant", "ACME", "--limit", "3", "--csv"], None);
    let csv = String::from_utf8(csv.stdout).unwrap();
    assert!(csv.starts_with("id,at,login_name,") && csv.lines().count() == 4, "{csv}");

    // Errors: one line, non-zero exit.
    assert!(cli.fails(&["tenant", "create", "ACME", "--name", "Again"]).contains("already exists"));
    assert!(cli.fails(&["user", "show", "--tenant", "NOPE", "alice"]).contains("tenant NOPE does not exist"));
    let weak = cli.run(&["user", "create", "--tenant", "ACME", "carol", "--password-stdin"], Some("weak\n"));
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 8 characters"));
    assert!(
        cli.fails(&["client", "create", "--name", "Bad", "--redirect-uri", "http://evil.example/cb"])
            .contains("must be https")
    );
    scratch.cleanup().await;
}

async fn bad_configuration_names_the_key(backend: Backend) {
    let scratch = Scratch::new(&backend).await;
    let mut env = scratch.share();
    env.env.insert("LANYARD_LISTEN".into(), "not-an-address".into());
    let out = Cli { scratch: &env }.run(&["migrate"], None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "lanyard: invalid configuration: LANYARD_LISTEN: \"not-an-address\" is not host:port (e.g. 127.0.0.1:8080)"
    );

    let mut env = scratch.share();
    env.env.insert("LANYARD_DATABASE_URL".into(), "mysql://nope".into());
    let err = Cli { scratch: &env }.fails(&["migrate"]);
    assert!(err.contains("LANYARD_DATABASE_URL: expected a sqlite: or postgres:// URL"), "{err}");
    scratch.cleanup().await;
}

/// Issue 17: an administration command prints its result, and errors, on a fresh database too
/// (migrations applied, a development key generated): nothing else on stderr. `--verbose`
/// brings the log back.
async fn admin_commands_print_only_their_result(backend: Backend) {
    let scratch = Scratch::new(&backend).await;
    let cli = Cli { scratch: &scratch };
    for args in [&["tenant", "create", "ACME", "--name", "Acme"][..], &["tenant", "list"][..]] {
        let out = cli.run_plain(args);
        assert!(out.status.success(), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}: stderr must be empty");
        assert!(String::from_utf8_lossy(&out.stdout).contains("ACME"), "{args:?}");
    }
    let out = cli.run_plain(&["tenant", "show", "NOPE"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "the error, one line: {err}");
    let out = cli.run_plain(&["tenant", "list", "--verbose"]);
    assert!(out.status.success());
    assert!(!out.stderr.is_empty(), "--verbose shows the log");
    scratch.cleanup().await;
}

backend_tests! {
    cli_quiet => admin_commands_print_only_their_result,
    cli_round_trips => cli_round_trips_with_json,
    cli_bad_configuration => bad_configuration_names_the_key,
}
