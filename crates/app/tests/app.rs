//! The use cases over real stores (SQLite always, PostgreSQL where TTDZ_TEST_PG_URL names a server).

use ttdz_app::{Context, Settings};
use ttdz_conformance::backends::{self, TestStore};

fn at(store: &TestStore, iso: &str) -> Context {
    let instant: jiff::Timestamp = iso.parse().expect("an instant");
    let clock = ttdz_domain::Clock::fixed(instant, ttdz_domain::clock::DEFAULT_TIME_ZONE).expect("clock");
    Context::new(store.shared(), Settings { clock, ..Settings::default() })
}

/// Reminders come 30 days before a report is due and 90 before a term ends, once each, and the daily job runs
/// once a day whichever instance asks.
async fn reminders_come_before_deadlines_once(store: &TestStore) {
    // The shipped zones are under construction with an assumed term of 2026-01-01 to 2028-12-31 (stores are
    // migrated as of 2026).
    let november = at(store, "2026-11-20T02:00:00Z");
    assert_eq!(ttdz_app::jobs::run_due(&november).await.expect("job"), 0, "41 days before 31 December: nothing yet");
    let december = at(store, "2026-12-05T02:00:00Z");
    assert_eq!(ttdz_app::jobs::run_due(&december).await.expect("job"), 11, "a report reminder for each zone");
    assert_eq!(ttdz_app::jobs::run_due(&december).await.expect("job"), 0, "the day's run is claimed");
    let another_instance = at(store, "2026-12-05T09:00:00Z");
    assert_eq!(ttdz_app::jobs::run_due(&another_instance).await.expect("job"), 0, "by any instance");
    let next_day = at(store, "2026-12-06T02:00:00Z");
    assert_eq!(ttdz_app::jobs::run_due(&next_day).await.expect("job"), 0, "the reminders are there already");
    let jiangsu = ttdz_domain::DivisionCode::parse("320000").expect("code");
    let todos = store.store().todos(Some(&jiangsu)).await.expect("todos");
    assert_eq!(todos.len(), 1, "江苏·苏南's own: {todos:?}");
    assert_eq!(
        (todos[0].kind.as_str(), todos[0].subject.as_str(), todos[0].due_on.as_str()),
        ("report_due", "2026", "2026-12-31")
    );
    assert_eq!(store.store().todos(None).await.expect("todos").len(), 11);

    let autumn = at(store, "2028-10-15T02:00:00Z");
    assert_eq!(ttdz_app::jobs::run_due(&autumn).await.expect("job"), 11, "the term ends within 90 days");
    let terms: Vec<_> =
        store.store().todos(None).await.expect("todos").into_iter().filter(|t| t.kind == "term_end").collect();
    assert!(terms.iter().all(|t| t.due_on == "2028-12-31"), "{terms:?}");
    let trail = store.store().audit(&ttdz_domain::audit::AuditQuery { limit: 1000, ..Default::default() }).await;
    let runs = trail.expect("trail").iter().filter(|e| e.action == "job.run").count();
    assert_eq!(runs, 4, "one claimed run a day: 20 November, 5 and 6 December, 15 October");
}

#[tokio::test]
async fn reminders_on_sqlite() {
    reminders_come_before_deadlines_once(&backends::sqlite().await).await;
}

#[tokio::test]
async fn reminders_on_postgres() {
    let Some(store) = backends::postgres().await else { return };
    reminders_come_before_deadlines_once(&store).await;
    store.cleanup().await;
}

fn account(name: &str, role: ttdz_domain::account::Role, province: Option<&str>) -> ttdz_app::Viewer {
    let username = ttdz_domain::account::Username::parse(name).expect("username");
    let province = province.map(|p| ttdz_domain::DivisionCode::parse(p).expect("code"));
    let account = ttdz_domain::account::Account::new(username, role, province, None, None).expect("account");
    ttdz_app::Viewer::Account(account)
}

/// The experience library's rules hold in the use case itself, whichever adapter calls it: the province proposes
/// on policies registered for its zone, only the ministry publishes and only once, and the public sees published
/// entries only.
async fn experience_library_rules(store: &TestStore) {
    use ttdz_app::AppError;
    use ttdz_app::policies::{self, NewExperience, NewPolicy};
    use ttdz_domain::account::Role;
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let jiangsu = account("js-official", Role::Province, Some("320000"));
    let zhejiang = account("zj-official", Role::Province, Some("330000"));
    let ministry = account("most-official", Role::Ministry, None);
    let zone = "jiangsu-sunan";
    let new_policy = || NewPolicy {
        level: "local".into(),
        issuer: "江苏省人民政府".into(),
        number: "苏政发〔2018〕1号".into(),
        issued: "2018-01".into(),
        title: "关于促进科技成果转化的若干政策".into(),
        provisions: "高校院所科技成果转化收益不低于70%奖励研发团队。".into(),
    };
    let denied = policies::add(&ctx, &zhejiang, "test", zone, new_policy()).await;
    assert!(matches!(denied, Err(AppError::Forbidden(_))), "another province: {denied:?}");
    let policy = policies::add(&ctx, &jiangsu, "test", zone, new_policy()).await.expect("its province registers");

    let proposal = |policies: Vec<i64>| NewExperience {
        title: "职务科技成果赋权改革".into(),
        summary: "赋予科研人员职务科技成果所有权或长期使用权。".into(),
        policies,
    };
    let stray = policies::propose(&ctx, &jiangsu, "test", zone, proposal(vec![policy.id + 1000])).await;
    assert!(matches!(&stray, Err(AppError::Rejected(m)) if m.starts_with("policies:")), "{stray:?}");
    let proposed = policies::propose(&ctx, &jiangsu, "test", zone, proposal(vec![policy.id])).await.expect("propose");
    assert_eq!(proposed.published_on, None);
    let public = policies::experiences(&ctx, &ttdz_app::Viewer::Public).await.expect("library");
    assert!(public.iter().all(|e| e.id != proposed.id), "a proposal is not public");
    let own = policies::experiences(&ctx, &jiangsu).await.expect("library");
    assert!(own.iter().any(|e| e.id == proposed.id), "the proposing province sees its proposal");

    let by_province = policies::publish(&ctx, &jiangsu, "test", proposed.id).await;
    assert!(matches!(by_province, Err(AppError::Forbidden(_))), "{by_province:?}");
    let published = policies::publish(&ctx, &ministry, "test", proposed.id).await.expect("publish");
    assert_eq!(published.published_on.as_deref(), Some("2026-12-05"), "dated on China's calendar day");
    let twice = policies::publish(&ctx, &ministry, "test", proposed.id).await;
    assert!(matches!(twice, Err(AppError::Conflict(_))), "{twice:?}");
    let public = policies::experiences(&ctx, &ttdz_app::Viewer::Public).await.expect("library");
    assert!(public.iter().any(|e| e.id == proposed.id), "published for everyone");
}

#[tokio::test]
async fn experience_library_on_sqlite() {
    experience_library_rules(&backends::sqlite().await).await;
}

#[tokio::test]
async fn experience_library_on_postgres() {
    let Some(store) = backends::postgres().await else { return };
    experience_library_rules(&store).await;
    store.cleanup().await;
}
