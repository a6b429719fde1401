//! Issue 31: on SQLite the person's row and their T4 status are read on the calling thread, on
//! PostgreSQL in one query (`store::users_inline`); what comes back is what the ordinary path
//! reads, every column of it, and a change is seen by the next read.

use lanyard::domain::user::{LoginName, UserType};
use lanyard::store::{NewUser, Store, UserUpdate};

use crate::backend_tests;
use crate::support::{AsLanyard, Backend, TestApp};

async fn inline_reads_answer_as_sqlx_does(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.tenant("ACME").await;
    let tenant = app.state.accounts.lanyard().tenant("ACME").await.unwrap();
    let store = Store::connect(app.scratch.config(&[]).database_url.expose(), 1).await.unwrap();
    let name = LoginName::parse("Émile").unwrap();
    let now = app.clock.now();
    let new = NewUser {
        tenant_id: tenant.id,
        subject: "sub-emile".into(),
        login_name: &name,
        user_type: UserType::ProviderAdmin,
        password_hash: "$argon2id$not-checked-here".into(),
        must_change_password: true,
    };
    let id = store.create_user(new, now).await.unwrap().id;
    let same = |a: &lanyard::domain::user::User, b: &lanyard::domain::user::User| {
        assert_eq!(serde_json::to_value(a).unwrap(), serde_json::to_value(b).unwrap());
        assert_eq!((&a.password_hash, a.mailed_epoch, &a.language), (&b.password_hash, b.mailed_epoch, &b.language));
    };
    let inline = store.user_by_id(id).await.unwrap().unwrap();
    same(&inline, &store.user_by_login(tenant.id, &name).await.unwrap().unwrap());
    assert!(inline.must_change_password && !inline.is_platform_operator && inline.email.is_none());

    // Every optional column filled in: still the same.
    let update = UserUpdate {
        email: Some("emile@example.com".into()),
        self_reset_enabled: Some(true),
        is_user_admin: Some(true),
        user_type: None,
        is_platform_operator: Some(true),
    };
    store.update_user(id, &update, now + 5).await.unwrap();
    store.set_user_language(id, "es-MX").await.unwrap();
    let inline = store.user_by_id(id).await.unwrap().unwrap();
    same(&inline, &store.user_by_login(tenant.id, &name).await.unwrap().unwrap());
    assert_eq!(inline.email.as_deref(), Some("emile@example.com"));
    assert!(inline.is_platform_operator && inline.is_user_admin && inline.self_reset_enabled);
    assert_eq!(inline.language.as_deref(), Some("es-MX"));
    assert!(store.user_by_id(id + 1000).await.unwrap().is_none());

    // T4: never set, set, changed.
    for id in ["records", "other"] {
        let meta = serde_json::json!({ "redirect_uris": ["https://app.example/cb"], "token_endpoint_auth_method": "client_secret_basic" });
        let meta: lanyard::domain::application::ClientMetadata = serde_json::from_value(meta).unwrap();
        let admin = app.state.accounts.admin(crate::support::operator());
        admin.create_client(Some(id), id, &meta, &["ACME".into()]).await.unwrap();
    }
    assert_eq!(store.app_access(id, "records").await.unwrap(), None);
    store.set_app_access(id, "records", "admin_locked").await.unwrap();
    assert_eq!(store.app_access(id, "records").await.unwrap().as_deref(), Some("admin_locked"));
    assert_eq!(store.app_access(id, "other").await.unwrap(), None);
    let (both, status) = store.user_and_app_access(id, "records").await.unwrap();
    same(&both.unwrap(), &inline);
    assert_eq!(status.as_deref(), Some("admin_locked"));
    assert_eq!(store.user_and_app_access(id, "other").await.unwrap().1, None);
    assert!(matches!(store.user_and_app_access(id + 1000, "records").await.unwrap(), (None, None)));
    store.set_app_access(id, "records", "active").await.unwrap();
    assert_eq!(store.app_access(id, "records").await.unwrap().as_deref(), Some("active"));
    app.stop().await;
}

backend_tests! {
    issue31_inline_person_reads => inline_reads_answer_as_sqlx_does,
}
