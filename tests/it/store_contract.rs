//! One contract for every ephemeral backend (SQL on SQLite, SQL on PostgreSQL, Redis), run
//! against each, so a flow written against one behaves the same on the others.

use std::sync::Arc;

use lanyard::app::AppState;
use lanyard::clock::{Clock, ManualClock};
use lanyard::store::{Ephemeral, Follow, Followed, Store};

use crate::backend_tests;
use crate::support::{Backend, Scratch, T0};

async fn each_backend(backend: Backend, check: impl AsyncFn(Ephemeral, ManualClock)) {
    let scratch = Scratch::new(&backend).await;
    let (clock, hand) = Clock::manual(T0);
    let config = scratch.config(&[]);
    let store = Store::connect(config.database_url.expose(), 8).await.unwrap();
    store.migrate().await.unwrap();
    // The configured backend: SQL on SQLite, or Redis.
    let configured = match &config.redis_url {
        Some(url) => Ephemeral::redis(url.expose(), &config.redis_prefix, clock.clone()).await.unwrap(),
        None => Ephemeral::sql(store.clone(), clock.clone()),
    };
    check(configured, hand.clone()).await;
    if matches!(backend, Backend::PostgresRedis { .. }) {
        hand.set(T0);
        check(Ephemeral::sql(store.clone(), clock), hand).await;
    }
    store.close().await.unwrap();
    scratch.cleanup().await;
}

async fn put_get_take_delete(backend: Backend) {
    each_backend(backend, async |eph: Ephemeral, _| {
        assert_eq!(eph.get("k").await.unwrap(), None);
        eph.put("k", "v1", 60).await.unwrap();
        assert_eq!(eph.get("k").await.unwrap().as_deref(), Some("v1"));
        eph.put("k", "v|2", 60).await.unwrap();
        assert_eq!(eph.get("k").await.unwrap().as_deref(), Some("v|2"), "put replaces; values may hold the separator");
        assert_eq!(eph.take("k").await.unwrap().as_deref(), Some("v|2"));
        assert_eq!(eph.take("k").await.unwrap(), None, "take is single use");
        eph.put("m1", "one", 60).await.unwrap();
        eph.put("m2", "two", 60).await.unwrap();
        let many = eph.get_many(&["m2".into(), "absent".into(), "m1".into()]).await.unwrap();
        assert_eq!(many, vec![Some("two".into()), None, Some("one".into())], "get_many keeps the order");
        eph.put("cas", "old", 60).await.unwrap();
        eph.put("cas", "new", 60).await.unwrap();
        assert!(!eph.take_if("cas", "old").await.unwrap(), "a replaced value is not taken");
        assert!(eph.take_if("cas", "new").await.unwrap());
        assert!(!eph.take_if("cas", "new").await.unwrap(), "once");
        eph.put("d", "x", 60).await.unwrap();
        eph.delete("d").await.unwrap();
        assert_eq!(eph.get("d").await.unwrap(), None);
    })
    .await;
}

async fn expiry_follows_the_lanyard_clock(backend: Backend) {
    each_backend(backend, async |eph: Ephemeral, clock: ManualClock| {
        eph.put("e", "v", 30).await.unwrap();
        clock.advance(29);
        assert_eq!(eph.get("e").await.unwrap().as_deref(), Some("v"), "alive at 29 s");
        clock.advance(1);
        assert_eq!(eph.get("e").await.unwrap(), None, "gone at 30 s");
        assert_eq!(eph.take("e").await.unwrap(), None, "an expired value cannot be taken");

        assert_eq!(eph.incr("c", 10).await.unwrap(), 1);
        assert_eq!(eph.incr("c", 10).await.unwrap(), 2);
        assert_eq!(eph.count("c").await.unwrap(), 2);
        clock.advance(10);
        assert_eq!(eph.count("c").await.unwrap(), 0);
        assert_eq!(eph.incr("c", 10).await.unwrap(), 1, "a new window starts from one");

        eph.put("s", "v", 5).await.unwrap();
        clock.advance(6);
        let swept = eph.sweep().await.unwrap();
        assert!(eph.backend_name() == "redis" || swept >= 1);
        // More than one chunk of the SQL sweep, and the live rows stay.
        for i in 0..2500 {
            eph.put(&format!("old-{i}"), "v", 5).await.unwrap();
        }
        eph.put("live", "v", 60).await.unwrap();
        clock.advance(6);
        let swept = eph.sweep().await.unwrap();
        assert!(eph.backend_name() == "redis" || swept >= 2500, "swept {swept}");
        assert_eq!(eph.get("live").await.unwrap().as_deref(), Some("v"));
    })
    .await;
}

/// A record and the keys its fields name, in one read: what a token's life is judged by.
async fn get_following_reads_the_keys_a_value_names(backend: Backend) {
    let sqlite = matches!(backend, Backend::Sqlite);
    each_backend(backend, follows).await;
    if sqlite {
        // The same statement through sqlx, as when the inline reader cannot read (an in-memory
        // database has none).
        let (clock, hand) = Clock::manual(T0);
        let store = Store::connect("sqlite::memory:", 1).await.unwrap();
        store.migrate().await.unwrap();
        follows(Ephemeral::sql(store.clone(), clock), hand).await;
        store.close().await.unwrap();
    }
}

async fn follows(eph: Ephemeral, clock: ManualClock) {
    let follow = [
        Follow { prefix: "revoked:", field: "grant" },
        Follow { prefix: "epoch:", field: "subject.user" },
        Follow { prefix: "nothing:", field: "absent.deeper" },
    ];
    assert_eq!(eph.get_following("rec", &follow).await.unwrap(), None, "absent");
    let record = r#"{"grant":"g1","subject":{"user":42},"n":null}"#;
    eph.put("rec", record, 30).await.unwrap();
    eph.put("epoch:42", "e-42", 30).await.unwrap();
    let found = eph.get_following("rec", &follow).await.unwrap();
    let expected = Followed { value: record.into(), values: vec![None, Some("e-42".into()), None] };
    assert_eq!(found.as_ref(), Some(&expected), "a number names its key as written, a missing key is None");
    eph.put("revoked:g1", "1", 10).await.unwrap();
    let found = eph.get_following("rec", &follow).await.unwrap().unwrap();
    assert_eq!(found.values, vec![Some("1".into()), Some("e-42".into()), None]);
    // A large id prints as an integer too.
    eph.put("big", r#"{"subject":{"user":2147483647}}"#, 30).await.unwrap();
    eph.put("epoch:2147483647", "e-max", 30).await.unwrap();
    let found = eph.get_following("big", &follow).await.unwrap().unwrap();
    assert_eq!(found.values, vec![None, Some("e-max".into()), None]);
    // Null, a table, a boolean or no JSON at all names nothing; the value is still returned.
    let odd =
        [r#"{"grant":null,"subject":null}"#, r#"{"grant":{"x":1},"subject":[1]}"#, r#"{"grant":true}"#, "not json"];
    for odd in odd {
        eph.put("odd", odd, 30).await.unwrap();
        let found = eph.get_following("odd", &follow).await.unwrap().unwrap();
        assert_eq!(found, Followed { value: odd.into(), values: vec![None, None, None] }, "{odd}");
    }
    // Expired named keys read as absent; an expired value reads as nothing at all.
    clock.advance(10);
    let found = eph.get_following("rec", &follow).await.unwrap().unwrap();
    assert_eq!(found.values, vec![None, Some("e-42".into()), None], "the revocation expired at 10 s");
    clock.advance(20);
    assert_eq!(eph.get_following("rec", &follow).await.unwrap(), None, "the record expired at 30 s");
}

async fn take_under_50_concurrent_callers_has_one_winner(backend: Backend) {
    each_backend(backend, async |eph: Ephemeral, _| {
        for round in 0..3 {
            let key = format!("once-{round}");
            eph.put(&key, "prize", 60).await.unwrap();
            let eph = Arc::new(eph.clone());
            let tasks: Vec<_> = (0..50)
                .map(|_| {
                    let eph = eph.clone();
                    let key = key.clone();
                    tokio::spawn(async move { eph.take(&key).await.unwrap() })
                })
                .collect();
            let mut winners = 0;
            for t in tasks {
                if t.await.unwrap().is_some() {
                    winners += 1;
                }
            }
            assert_eq!(winners, 1, "round {round} on {}", eph.backend_name());
        }
    })
    .await;
}

async fn incr_under_100_concurrent_callers_counts_exactly(backend: Backend) {
    each_backend(backend, async |eph: Ephemeral, _| {
        let eph = Arc::new(eph);
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let eph = eph.clone();
                tokio::spawn(async move { eph.incr("hits", 60).await.unwrap() })
            })
            .collect();
        let mut seen = Vec::new();
        for t in tasks {
            seen.push(t.await.unwrap());
        }
        seen.sort_unstable();
        assert_eq!(
            seen,
            (1..=100).collect::<Vec<i64>>(),
            "every caller sees a distinct count on {}",
            eph.backend_name()
        );
        assert_eq!(eph.count("hits").await.unwrap(), 100);
    })
    .await;
}

async fn migrations_apply_once_and_rerun_cleanly(backend: Backend) {
    let scratch = Scratch::new(&backend).await;
    let (clock, _) = Clock::manual(T0);
    let state = AppState::build(scratch.config(&[]), clock.clone()).await.unwrap();
    state.accounts.operations().migrate().await.unwrap();
    let applied = state.accounts.operations().applied_migrations().await.unwrap();
    let expected_migrations = [
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
        "m20261207_000018_filter_indexes",
    ];
    assert_eq!(applied, expected_migrations.map(String::from).to_vec());
    let expected = if matches!(backend, Backend::Sqlite) { "sqlite" } else { "postgresql" };
    assert_eq!(state.accounts.operations().backends().0, expected);
    state.accounts.operations().close().await.unwrap();
    scratch.cleanup().await;
}

backend_tests! {
    store_put_get_take_delete => put_get_take_delete,
    store_expiry_follows_the_lanyard_clock => expiry_follows_the_lanyard_clock,
    store_take_has_exactly_one_winner => take_under_50_concurrent_callers_has_one_winner,
    store_get_following => get_following_reads_the_keys_a_value_names,
    store_incr_counts_exactly => incr_under_100_concurrent_callers_counts_exactly,
    store_migrations => migrations_apply_once_and_rerun_cleanly,
}
