//! Issue 31: an export of the activity record spans many pages of the store's reading — one
//! streamed query on PostgreSQL, pages of the index on SQLite — and holds every matching entry
//! of the provider exactly once, newest first, whatever the format, filter or starting cursor.

use lanyard::domain::activity::{ActivityKind, NewActivity, Origin};
use lanyard::domain::application::AdminGrant;
use lanyard::store::Store;
use reqwest::StatusCode;

use crate::backend_tests;
use crate::support::{AsLanyard, Backend, TestApp, token_for};

const API: &str = "/admin/api/v1";

/// `n` entries of `code`'s record, every third a failed sign-in, in chunks written together.
async fn seed(app: &TestApp, store: &Store, code: &str, n: usize) {
    let tenant = app.state.accounts.lanyard().tenant(code).await.unwrap();
    for chunk in (0..n).collect::<Vec<_>>().chunks(50) {
        let writes = chunk.iter().map(|i| {
            let entry = NewActivity {
                tenant_id: Some(tenant.id),
                user_id: None,
                login_name: format!("{code}-person{i:05}"),
                kind: if i % 3 == 0 { ActivityKind::SignInFailed } else { ActivityKind::SignIn },
                detail: format!("entry {i}, with \"quotes\", commas"),
                login_type: "password".into(),
                client_id: None,
                origin: Origin { ip: "192.0.2.1".into(), user_agent: "bench".into() },
                actor: String::new(),
            };
            async move { store.record_activity(&entry, app.clock.now()).await.unwrap() }
        });
        futures_util::future::join_all(writes).await;
    }
}

async fn export(app: &TestApp, token: &str, query: &str) -> String {
    let res = reqwest::Client::new()
        .get(app.url(&format!("{API}/providers/ACME/{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.text().await.unwrap()
}

/// The ids of a CSV export, in its order.
fn csv_ids(csv: &str) -> Vec<i64> {
    csv.lines().skip(1).map(|l| l.split(',').next().unwrap().parse().unwrap()).collect()
}

async fn exports_span_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    app.tenant("OTHER").await;
    let store = Store::connect(app.scratch.config(&[]).database_url.expose(), 4).await.unwrap();
    seed(&app, &store, "ACME", 2_345).await;
    seed(&app, &store, "OTHER", 300).await;
    let token = token_for(&app, "auditor", Some(AdminGrant::ProviderAdmin { provider: "ACME".into() })).await;

    let csv = export(&app, &token, "activity.csv").await;
    let ids = csv_ids(&csv);
    // Other entries of ACME's record (the tenant's creation, the token's client…) come too.
    let seeded = csv.lines().filter(|l| l.contains("ACME-person")).count();
    assert_eq!(seeded, 2_345, "every seeded entry, once");
    assert!(!csv.contains("OTHER-person"), "another provider's record never");
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first, no entry twice");
    assert!(csv.contains(r#""entry 7, with ""quotes"", commas""#), "RFC 4180 quoting");

    let jsonl = export(&app, &token, "activity.jsonl").await;
    let json_ids: Vec<i64> =
        jsonl.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_i64().unwrap()).collect();
    assert_eq!(json_ids, ids, "the same entries in both formats");

    // A filter and a starting cursor hold across pages too.
    let failed = export(&app, &token, "activity.csv?kind=sign_in_failed").await;
    let failed_rows = failed.lines().skip(1).filter(|l| l.contains("ACME-person")).count();
    assert_eq!(failed_rows, 782, "every third of 2,345");
    assert!(failed.lines().skip(1).all(|l| l.contains("sign_in_failed")));
    let start = ids[1_500];
    let rest = csv_ids(&export(&app, &token, &format!("activity.csv?cursor={start}")).await);
    assert_eq!(rest, ids[1_501..].to_vec(), "from the cursor on, exactly");
    app.stop().await;
}

backend_tests! {
    issue31_activity_export_spans_pages => exports_span_pages,
}
