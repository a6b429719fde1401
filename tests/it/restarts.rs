//! Real restarts (issue 16): a PostgreSQL cluster and a Redis server of the test's own, on free
//! ports, restarted under load as an operator restarts them (`pg_ctl restart -m fast`: clients
//! get SQLSTATE 57P01; Redis killed and started again empty, as without persistence). The shared
//! servers other tests use are never touched. Lanyard answers success or 503 throughout (never a
//! 500, never a hang), recovers by itself, and loses no acknowledged durable write; a Redis that
//! came back empty forgot the tokens issued before it (people sign in again), nothing more.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;

use crate::faults::{machine, ready, recovers};
use crate::load::{Load, active, users_all_there};
use crate::support::{Backend, Scratch, TestApp};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Tools this test needs besides the shared servers; missing ones skip loudly, except under CI.
fn tool(path: Option<PathBuf>, what: &str) -> Option<PathBuf> {
    if path.is_none() {
        assert!(std::env::var("CI").is_err(), "CI must run the restart test: {what} is missing");
        eprintln!("SKIPPED restarts: {what} is missing");
    }
    path
}

struct OwnPostgres {
    bin: PathBuf,
    /// PostgreSQL refuses to run as root: then the cluster belongs to the postgres user.
    as_root: bool,
    dir: tempfile::TempDir,
    port: u16,
}

impl OwnPostgres {
    fn start() -> Option<OwnPostgres> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|d| d.filter_map(Result::ok).map(|e| e.path().join("bin")).find(|b| b.join("initdb").exists()));
        let bin = tool(bin, "PostgreSQL's initdb and pg_ctl (/usr/lib/postgresql/*/bin)")?;
        let dir = tempfile::tempdir().unwrap();
        let as_root = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"));
        if as_root {
            assert!(Command::new("chown").args(["-R", "postgres"]).arg(dir.path()).status().unwrap().success());
        }
        let pg = OwnPostgres { bin, as_root, dir, port: free_port() };
        pg.run("initdb", &["-D", &pg.data(), "-A", "trust", "-U", "postgres", "--no-sync"]);
        pg.ctl(&["start"]);
        Some(pg)
    }

    fn data(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    /// One of PostgreSQL's programs, as the cluster's owner.
    fn command(&self, tool: &str) -> Command {
        if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(tool));
            c
        } else {
            Command::new(self.bin.join(tool))
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let out = self.command(tool).args(args).stdin(Stdio::null()).output().unwrap();
        assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `pg_ctl` with this cluster's port, socket directory and log.
    fn ctl(&self, action: &[&str]) {
        let options = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.path().display());
        let log = self.dir.path().join("log").display().to_string();
        let data = self.data();
        let mut args = vec!["-D", &data, "-w", "-l", &log, "-o", &options];
        args.extend_from_slice(action);
        self.run("pg_ctl", &args);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let stop = self.command("pg_ctl").args(["-D", &self.data(), "-m", "immediate", "stop"]).output();
        drop(stop);
    }
}

struct OwnRedis {
    port: u16,
    child: Child,
}

impl OwnRedis {
    fn start() -> Option<OwnRedis> {
        let found = Command::new("redis-server").arg("--version").output().is_ok_and(|o| o.status.success());
        tool(found.then(|| PathBuf::from("redis-server")), "redis-server")?;
        let port = free_port();
        Some(OwnRedis { port, child: Self::spawn(port) })
    }

    fn spawn(port: u16) -> Child {
        let port = port.to_string();
        let args = ["--port", &port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
        Command::new("redis-server").args(args).stdout(Stdio::null()).spawn().unwrap()
    }

    /// Killed and started again on the same port: it comes back empty.
    async fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        tokio::time::sleep(Duration::from_secs(1)).await;
        self.child = Self::spawn(self.port);
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn until_up(what: &str, url: String) {
    for _ in 0..100 {
        let up = if url.starts_with("redis") {
            let client = redis::Client::open(url.as_str()).unwrap();
            client.get_multiplexed_async_connection().await.is_ok()
        } else {
            lanyard::store::Store::connect(&url, 1).await.is_ok()
        };
        if up {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_then_redis_restarted_under_load() {
    if Backend::postgres_redis("postgres_then_redis_restarted_under_load").is_none() {
        return;
    }
    let Some(pg) = tokio::task::spawn_blocking(OwnPostgres::start).await.unwrap() else { return };
    let Some(mut redis) = OwnRedis::start() else { return };
    until_up("the test's PostgreSQL", pg.url()).await;
    until_up("the test's Redis", redis.url()).await;
    let backend = Backend::PostgresRedis { database_url: pg.url(), redis_url: redis.url() };
    let app = TestApp::spawn_on(Scratch::new(&backend).await, &[]).await;
    app.tenant("ACME").await;
    let secret = machine(&app).await;
    let load = Load::start(&app, &secret).await;

    tokio::time::sleep(Duration::from_millis(700)).await;
    let pg = tokio::task::spawn_blocking(move || {
        pg.ctl(&["-m", "fast", "restart"]);
        pg
    })
    .await
    .unwrap();
    recovers("/readyz after PostgreSQL's restart", || async { ready(&app).await.0 == StatusCode::OK }).await;
    load.writes_resume().await;

    tokio::time::sleep(Duration::from_millis(700)).await;
    let before_redis = load.counts().1;
    redis.restart().await;
    recovers("/readyz after Redis' restart", || async { ready(&app).await.0 == StatusCode::OK }).await;
    let back = load.counts().1;
    load.writes_resume().await;
    let ledger = load.stop().await;

    assert!(ledger.unexpected.is_empty(), "only successes and 503s: {:?}", ledger.unexpected);
    users_all_there(&app, &ledger).await;
    // Issued after Redis came back: all there. Before its restart: forgotten (documented).
    for token in &ledger.tokens[back..] {
        assert!(active(&app, &secret, token).await, "a token issued after the restart was lost");
    }
    for token in &ledger.tokens[..before_redis] {
        assert!(!active(&app, &secret, token).await, "an empty Redis revives nothing");
    }
    eprintln!(
        "restarts: {} users acknowledged, all there; {} tokens before Redis' restart (forgotten), {} after (kept)",
        ledger.users.len(),
        before_redis,
        ledger.tokens.len() - back
    );
    app.stop().await;
    drop(pg);
}
