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
