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
    // Who sees them: the ministry all, a province its own, nobody else.
    use ttdz_domain::account::Role;
    let province = account("js-reminded", Role::Province, Some("320000"));
    let seen = ttdz_app::jobs::reminders_for(&next_day, &province).await.expect("a province's");
    assert_eq!(seen.iter().map(|t| t.zone.as_str()).collect::<Vec<_>>(), ["jiangsu-sunan"]);
    let ministry = account("most-reminded", Role::Ministry, None);
    assert_eq!(ttdz_app::jobs::reminders_for(&next_day, &ministry).await.expect("the ministry's").len(), 11);
    let expert = account("expert-reminded", Role::Expert, None);
    let refused = ttdz_app::jobs::reminders_for(&next_day, &expert).await;
    assert!(matches!(refused, Err(ttdz_app::AppError::Forbidden(_))), "{refused:?}");

    let autumn = at(store, "2028-10-15T02:00:00Z");
    assert_eq!(ttdz_app::jobs::run_due(&autumn).await.expect("job"), 11, "the term ends within 90 days");
    let terms: Vec<_> =
        store.store().todos(None).await.expect("todos").into_iter().filter(|t| t.kind == "term_end").collect();
    assert!(terms.iter().all(|t| t.due_on == "2028-12-31"), "{terms:?}");
    let trail = store.store().audit(&ttdz_domain::audit::AuditQuery { limit: 1000, ..Default::default() }).await;
    let trail = trail.expect("trail");
    for job in ["reminders ", "register_counts "] {
        let runs = trail.iter().filter(|e| e.action == "job.run" && e.subject.starts_with(job)).count();
        assert_eq!(runs, 4, "{job}: one claimed run a day: 20 November, 5 and 6 December, 15 October");
    }
}

/// A public search, asked again until `done` holds (or two seconds passed): the index follows the change log, which
/// on PostgreSQL shows a commit once every older transaction on the server (other tests' too) has ended.
async fn search_until(
    ctx: &Context,
    kind: ttdz_domain::achievement::RecordKind,
    params: &ttdz_app::information::SearchParams,
    done: impl Fn(&ttdz_app::information::SearchView) -> bool,
) -> ttdz_app::information::SearchView {
    let mut found = ttdz_app::information::search(ctx, &ttdz_app::Viewer::Public, kind, params).await.expect("search");
    for _ in 0..100 {
        if done(&found) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        found = ttdz_app::information::search(ctx, &ttdz_app::Viewer::Public, kind, params).await.expect("search");
    }
    found
}

fn account(name: &str, role: ttdz_domain::account::Role, province: Option<&str>) -> ttdz_app::Viewer {
    let username = ttdz_domain::account::Username::parse(name).expect("username");
    let province = province.map(|p| ttdz_domain::DivisionCode::parse(p).expect("code"));
    let account = ttdz_domain::account::Account::new(username, role, province, None, None).expect("account");
    ttdz_app::Viewer::Account(account)
}

/// Stores accounts, each `(name, role, province, division)`, and answers them as viewers in the same order.
async fn stored_accounts<const N: usize>(
    store: &TestStore,
    specs: [(&str, ttdz_domain::account::Role, Option<&str>, Option<&str>); N],
) -> [ttdz_app::Viewer; N] {
    use ttdz_domain::account::{Account, Username};
    let audit =
        ttdz_domain::audit::AuditContext { actor: "test".into(), origin: "test".into(), zone: None, province: None };
    let code = |c: Option<&str>| c.map(|c| ttdz_domain::DivisionCode::parse(c).expect("code"));
    let accounts = specs.map(|(name, role, province, division)| {
        Account::new(Username::parse(name).expect("name"), role, code(province), code(division), None).expect("account")
    });
    for a in &accounts {
        store.store().add_account(a, "hash", &audit).await.expect("account");
    }
    accounts.map(ttdz_app::Viewer::Account)
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

/// A province's values upload: refused whole with a bad row (naming line and field), refused when it reports for
/// another province, and stored under a batch name of its own.
async fn province_values_uploads(store: &TestStore) {
    use ttdz_app::AppError;
    use ttdz_app::imports;
    use ttdz_domain::account::Role;
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let jiangsu = account("js-data", Role::Province, Some("320000"));
    let bad = "division_code,year,element,value\n320100,2023,tech_brokers,120\n320100,2023,tech_brokers,abc\n";
    let refused = imports::parse_values(&ctx, "data.csv", bad.as_bytes(), false).await;
    let Err(AppError::InvalidFile(problems)) = refused else { panic!("a bad row refuses the file: {refused:?}") };
    assert_eq!((problems.bad_lines, problems.listed[0].line, problems.listed[0].field), (1, 3, Some("value")));

    let elsewhere = "division_code,year,element,value\n330100,2023,tech_brokers,80\n";
    let parsed = imports::parse_values(&ctx, "data.csv", elsewhere.as_bytes(), false).await.expect("a valid file");
    let denied = imports::store_values(&ctx, &jiangsu, "test", ("data.csv", None), parsed).await;
    assert!(matches!(&denied, Err(AppError::Forbidden(m)) if m.contains("330100")), "{denied:?}");

    let own = "division_code,year,element,value\n320100,2023,tech_brokers,120\n320200,2023,tech_brokers,95\n";
    let parsed = imports::parse_values(&ctx, "data.csv", own.as_bytes(), false).await.expect("a valid file");
    let stored = imports::store_values(&ctx, &jiangsu, "test", ("data.csv", None), parsed).await.expect("stored");
    assert_eq!(
        (stored.batch.as_str(), stored.values, stored.report.outcome()),
        ("values:320000/data.csv", 2, "stored")
    );
    let again = imports::parse_values(&ctx, "data.csv", own.as_bytes(), false).await.expect("a valid file");
    let stored = imports::store_values(&ctx, &jiangsu, "test", ("data.csv", None), again).await.expect("stored");
    assert_eq!(stored.report.outcome(), "unchanged", "the same file again changes nothing");
}

/// Logins: a wrong password and an unknown user are the same `Unauthorized`; after five failures from one address
/// the next try there waits, while the same user logs in from another address; a session ends at logout.
async fn logins_are_throttled_per_address(store: &TestStore) {
    use ttdz_app::{AppError, accounts};
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let viewer = account("js-login", ttdz_domain::account::Role::Province, Some("320000"));
    let ttdz_app::Viewer::Account(acct) = &viewer else { unreachable!("an account") };
    let hash = accounts::hash_password("correct horse").expect("hash");
    let audit =
        ttdz_domain::audit::AuditContext { actor: "test".into(), origin: "test".into(), zone: None, province: None };
    store.store().add_account(acct, &hash, &audit).await.expect("account");
    let unknown = accounts::log_in(&ctx, "10.0.0.1", "nobody", "correct horse").await;
    assert!(matches!(&unknown, Err(AppError::Unauthorized(m)) if m == "wrong username or password"), "{unknown:?}");
    for _ in 0..5 {
        let wrong = accounts::log_in(&ctx, "10.0.0.1", "js-login", "wrong").await;
        assert!(matches!(&wrong, Err(AppError::Unauthorized(m)) if m == "wrong username or password"), "{wrong:?}");
    }
    let held = accounts::log_in(&ctx, "10.0.0.1", "js-login", "correct horse").await;
    assert!(matches!(held, Err(AppError::TooManyRequests { wait: 1, .. })), "{held:?}");
    let session = accounts::log_in(&ctx, "10.0.0.2", "js-login", "correct horse").await.expect("another address");
    let digest = accounts::token_digest(&session.token);
    let (found, csrf) = accounts::session(&ctx, &digest).await.expect("session").expect("a live session");
    assert_eq!((found.username.as_str(), csrf.as_str()), ("js-login", session.csrf_token.as_str()));
    accounts::log_out(&ctx, &viewer, "10.0.0.2", &digest).await.expect("logout");
    assert!(accounts::session(&ctx, &digest).await.expect("session").is_none(), "ended at logout");
}

/// Runs each case (an `async fn(&TestStore)` above) on SQLite and, where TTDZ_TEST_PG_URL names a server, on
/// PostgreSQL.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(&super::backends::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(store) = super::backends::postgres().await else { return };
                    super::$case(&store).await;
                    store.cleanup().await;
                }
            )*
        }
    };
}

/// Accounts are the ministry's to administer, whoever calls: a province cannot, a short password or an unknown
/// division or zone is refused by name, and disabling an account that does not exist says so.
async fn accounts_are_administered_by_the_ministry(store: &TestStore) {
    use ttdz_app::{AppError, accounts};
    use ttdz_domain::account::{Account, Role, Username};
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let ministry = account("most-admin", Role::Ministry, None);
    let province = account("js-admin", Role::Province, Some("320000"));
    let new = |name: &str, province: Option<&str>, zone: Option<&str>| {
        let province = province.map(|p| ttdz_domain::DivisionCode::parse(p).expect("code"));
        let zone = zone.map(|z| ttdz_domain::ZoneKey::parse(z).expect("key"));
        let role = if zone.is_some() { Role::Expert } else { Role::Province };
        Account::new(Username::parse(name).expect("name"), role, province, None, zone).expect("account")
    };
    let official = new("zj-new", Some("330000"), None);
    let refused = accounts::create(&ctx, &province, "test", &official, "long enough password").await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))), "{refused:?}");
    let short = accounts::create(&ctx, &ministry, "test", &official, "short").await;
    assert!(matches!(&short, Err(AppError::Invalid(m)) if m.contains("10 characters")), "{short:?}");
    let nowhere = new("xx-new", Some("990000"), None);
    let nowhere = accounts::create(&ctx, &ministry, "test", &nowhere, "long enough password").await;
    assert!(matches!(&nowhere, Err(AppError::Invalid(m)) if m.contains("990000")), "{nowhere:?}");
    let no_zone = new("expert-new", None, Some("atlantis"));
    let no_zone = accounts::create(&ctx, &ministry, "test", &no_zone, "long enough password").await;
    assert!(matches!(&no_zone, Err(AppError::Invalid(m)) if m.contains("atlantis")), "{no_zone:?}");
    accounts::create(&ctx, &ministry, "test", &official, "long enough password").await.expect("created");
    let listed = accounts::list(&ctx, &ministry).await.expect("list");
    assert!(listed.iter().any(|a| a.username.as_str() == "zj-new" && !a.disabled));
    assert!(matches!(accounts::list(&ctx, &province).await, Err(AppError::Forbidden(_))));
    accounts::disable(&ctx, &ministry, "test", "zj-new").await.expect("disabled");
    let listed = accounts::list(&ctx, &ministry).await.expect("list");
    assert!(listed.iter().any(|a| a.username.as_str() == "zj-new" && a.disabled));
    let missing = accounts::disable(&ctx, &ministry, "test", "nobody-here").await;
    assert!(matches!(missing, Err(AppError::NotFound(_))), "{missing:?}");
    let logged = ttdz_app::accounts::log_in(&ctx, "127.0.0.1", "zj-new", "long enough password").await;
    assert!(logged.is_err(), "a disabled account cannot log in");
}

/// The audit trail: the ministry reads all of it, a province its own entries, an expert or the public nothing; a
/// malformed `since` is refused by name. The change log is the ministry's.
async fn the_audit_trail_and_change_log_are_read_by_those_who_oversee(store: &TestStore) {
    use ttdz_app::catalog::{self, AuditFilter};
    use ttdz_app::{AppError, Viewer};
    use ttdz_domain::account::Role;
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let ministry = account("most-reader", Role::Ministry, None);
    let jiangsu = account("js-reader", Role::Province, Some("320000"));
    let file = b"division_code,year,element,value\n320100,2025,tech_brokers,125\n";
    let parsed = ttdz_app::imports::parse_values(&ctx, "js.csv", file, false).await.expect("parsed");
    ttdz_app::imports::store_values(&ctx, &jiangsu, "test", ("js.csv", None), parsed).await.expect("stored");
    let zhejiang = account("zj-reader", Role::Province, Some("330000"));
    let file = b"division_code,year,element,value\n330100,2025,tech_brokers,80\n";
    let parsed = ttdz_app::imports::parse_values(&ctx, "zj.csv", file, false).await.expect("parsed");
    ttdz_app::imports::store_values(&ctx, &zhejiang, "test", ("zj.csv", None), parsed).await.expect("stored");
    let all = catalog::audit_trail(&ctx, &ministry, AuditFilter::default()).await.expect("the ministry's");
    let own = catalog::audit_trail(&ctx, &jiangsu, AuditFilter::default()).await.expect("the province's");
    assert!(own.iter().any(|e| e.action == "import.batch"), "{own:?}");
    assert!(own.iter().all(|e| e.province.map(|p| p.to_string()).as_deref() == Some("320000")), "{own:?}");
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(all.len(), 2, "the ministry reads every province's: {all:?}");
    for nobody in [account("expert-reader", Role::Expert, None), Viewer::Public] {
        let refused = catalog::audit_trail(&ctx, &nobody, AuditFilter::default()).await;
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "{refused:?}");
    }
    let bad = AuditFilter { since: Some("yesterday".into()), ..AuditFilter::default() };
    let bad = catalog::audit_trail(&ctx, &ministry, bad).await;
    assert!(matches!(&bad, Err(AppError::Invalid(m)) if m.contains("yesterday")), "{bad:?}");
    // On PostgreSQL a change shows once every transaction older than it has ended (other tests' included).
    let mut changes = Vec::new();
    for _ in 0..100 {
        changes = catalog::changes(&ctx, &ministry, None, 1000).await.expect("changes");
        if changes.iter().any(|c| c.action == "import.batch") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(changes.iter().any(|c| c.action == "import.batch"), "{changes:?}");
    assert!(matches!(catalog::changes(&ctx, &jiangsu, None, 10).await, Err(AppError::Forbidden(_))));
}

/// The workbench's agenda: a province owes this year's report for each of its zones and sees the ministry's
/// return comment; the ministry sees a submitted report to decide; an expert and the public have no zones to act
/// on.
async fn each_role_sees_what_it_has_to_do(store: &TestStore) {
    use ttdz_app::reports::{self, ReportInput};
    use ttdz_app::workbench::{Task, agenda};
    use ttdz_domain::account::Role;
    use ttdz_domain::report::ReportAction;
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let jiangsu = account("js-agenda", Role::Province, Some("320000"));
    let ministry = account("most-agenda", Role::Ministry, None);
    let tasks = agenda(&ctx, &jiangsu).await.expect("agenda").items;
    let submit: Vec<_> = tasks
        .iter()
        .filter_map(|i| match &i.task {
            Task::SubmitReport { year, due } => Some((i.zone.key.as_str(), *year, due.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(submit, [("jiangsu-sunan", 2026, "2026-12-31")], "{tasks:?}");
    let zone = ("jiangsu-sunan", 2026);
    let saved = reports::edit(
        &ctx,
        &jiangsu,
        "test",
        zone,
        0,
        ReportInput { values: Vec::new(), text: Some("进展".into()), progress: None },
    );
    let saved = saved.await.expect("saved");
    let sent = reports::decide(&ctx, &jiangsu, "test", zone, saved.version, ReportAction::Submit, None).await;
    let sent = sent.expect("submitted");
    let for_ministry = agenda(&ctx, &ministry).await.expect("the ministry's agenda");
    assert!(
        for_ministry
            .items
            .iter()
            .any(|i| i.zone.key.as_str() == "jiangsu-sunan" && matches!(i.task, Task::DecideReport { year: 2026 })),
        "{:?}",
        for_ministry.items
    );
    assert_eq!(for_ministry.zones.len(), 11, "the ministry oversees every zone");
    let returned =
        reports::decide(&ctx, &ministry, "test", zone, sent.version, ReportAction::Return, Some("补充数据".into()));
    returned.await.expect("returned");
    let tasks = agenda(&ctx, &jiangsu).await.expect("agenda").items;
    assert!(
        tasks.iter().any(|i| matches!(&i.task, Task::ReportReturned { year: 2026, comment } if comment == "补充数据")),
        "{tasks:?}"
    );
    let own = agenda(&ctx, &jiangsu).await.expect("agenda").zones;
    assert_eq!(own.iter().map(|z| z.zone.key.as_str()).collect::<Vec<_>>(), ["jiangsu-sunan"]);
    let expert = agenda(&ctx, &account("expert-agenda", Role::Expert, None)).await.expect("agenda");
    assert!(expert.items.is_empty() && expert.zones.is_empty() && expert.reviews.is_empty());
    assert!(matches!(agenda(&ctx, &ttdz_app::Viewer::Public).await, Err(ttdz_app::AppError::Unauthorized(_))));
}

/// A city or county team (a province account scoped to one division) enters its own division's figures into the
/// zone's draft: another division's figures and the written report are refused by name and the rest of the draft
/// stays; the province reviews and submits, the team cannot.
async fn city_and_county_teams_enter_their_own_figures(store: &TestStore) {
    use ttdz_app::reports::{self, ReportInput, ValueInput};
    use ttdz_app::workbench::{Task, agenda};
    use ttdz_app::{AppError, Viewer};
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::report::ReportAction;
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let code = |c: &str| ttdz_domain::DivisionCode::parse(c).expect("code");
    let team = Account::new(
        Username::parse("nanjing-team").expect("name"),
        Role::Province,
        Some(code("320000")),
        Some(code("320100")),
        None,
    )
    .expect("a city team");
    let team = Viewer::Account(team);
    let jiangsu = account("js-review", Role::Province, Some("320000"));
    let zone = ("jiangsu-sunan", 2026);
    let value = |division: &str, v: &str| ValueInput {
        element: "contract_count".into(),
        division_code: Some(division.into()),
        value: serde_json::Value::String(v.into()),
    };
    let tasks = agenda(&ctx, &team).await.expect("agenda").items;
    assert!(
        tasks
            .iter()
            .any(|i| i.zone.key.as_str() == "jiangsu-sunan" && matches!(i.task, Task::EnterFigures { year: 2026, .. })),
        "{tasks:?}"
    );
    let own = reports::edit(
        &ctx,
        &team,
        "test",
        zone,
        0,
        ReportInput { values: vec![value("320100", "5")], text: None, progress: None },
    );
    assert_eq!(own.await.expect("its own figures").version, 1);
    let other = reports::edit(
        &ctx,
        &team,
        "test",
        zone,
        1,
        ReportInput { values: vec![value("320200", "9")], text: None, progress: None },
    );
    assert!(matches!(other.await, Err(AppError::Forbidden(m)) if m.starts_with("values[0]: 320200")));
    let text = reports::edit(
        &ctx,
        &team,
        "test",
        zone,
        1,
        ReportInput { values: vec![], text: Some("x".into()), progress: None },
    );
    assert!(matches!(text.await, Err(AppError::Rejected(m)) if m.starts_with("text:")));
    let both = ReportInput {
        values: vec![value("320100", "5"), value("320200", "7")],
        text: Some("报告".into()),
        progress: None,
    };
    let province = reports::edit(&ctx, &jiangsu, "test", zone, 1, both).await.expect("the province's");
    let again = reports::edit(
        &ctx,
        &team,
        "test",
        zone,
        province.version,
        ReportInput { values: vec![value("320100", "6")], text: None, progress: None },
    );
    let merged = again.await.expect("merged");
    let mut drafted: Vec<(Option<String>, String)> =
        merged.values.iter().map(|v| (v.division_code.clone(), v.value.clone())).collect();
    drafted.sort();
    assert_eq!(drafted, [(Some("320100".into()), "6".into()), (Some("320200".into()), "7".into())]);
    assert_eq!(merged.text, "报告", "the province's text stays");
    let submit = reports::decide(&ctx, &team, "test", zone, merged.version, ReportAction::Submit, None).await;
    assert!(matches!(submit, Err(AppError::Forbidden(_))), "{submit:?}");
    let editor = reports::editor(&ctx, &team, "jiangsu-sunan", 2026).await.expect("the team's editor");
    assert_eq!(editor.actions, [ReportAction::Edit]);
    let rows: Vec<_> = editor.sections.iter().flat_map(|s| &s.rows).collect();
    assert!(rows.iter().filter(|r| r.editable).all(|r| r.division == Some(code("320100"))));
    assert!(rows.iter().any(|r| r.editable) && rows.iter().any(|r| !r.editable));
    let submitted = reports::decide(&ctx, &jiangsu, "test", zone, merged.version, ReportAction::Submit, None).await;
    assert_eq!(submitted.expect("the province submits").status, "submitted");
}

/// The ministry's own experts: appointed by the ministry on a term under way (not by the province), they see the
/// zone as those who oversee it do and give one opinion each, declaring no conflict of interest; an expert not
/// appointed cannot.
async fn the_ministry_consults_experts_of_its_own(store: &TestStore) {
    use ttdz_app::{AppError, lifecycle};
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::lifecycle::Action;
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let ministry = account("most-consults", Role::Ministry, None);
    let jiangsu = account("js-consults", Role::Province, Some("320000"));
    for name in ["prof-zhao", "prof-qian"] {
        let expert =
            Account::new(Username::parse(name).expect("name"), Role::Expert, None, None, None).expect("expert");
        let audit = ttdz_domain::audit::AuditContext {
            actor: "test".into(),
            origin: "test".into(),
            zone: None,
            province: None,
        };
        store.store().add_account(&expert, "hash", &audit).await.expect("expert");
    }
    let (zhao, qian) = (account("prof-zhao", Role::Expert, None), account("prof-qian", Role::Expert, None));
    let key = "jiangsu-sunan";
    let state = lifecycle::get(&ctx, &ministry, key).await.expect("state");
    let experts = serde_json::json!({"experts": ["prof-zhao"]});
    let by_province =
        lifecycle::take_step(&ctx, &jiangsu, "test", key, (Action::AppointExperts, state.version), &experts).await;
    assert!(matches!(by_province, Err(AppError::Forbidden(_))), "{by_province:?}");
    let state =
        lifecycle::take_step(&ctx, &ministry, "test", key, (Action::AppointExperts, state.version), &experts).await;
    let state = state.expect("appointed");
    assert_eq!(state.consultants.len(), 1);
    let agenda = ttdz_app::workbench::agenda(&ctx, &zhao).await.expect("agenda");
    assert_eq!(agenda.consultations.iter().map(|c| c.zone.key.as_str()).collect::<Vec<_>>(), [key]);
    let seen = lifecycle::get(&ctx, &zhao, key).await.expect("the expert's view");
    assert!(seen.allowed_actions.iter().any(|a| a.action == "give_opinion"), "{:?}", seen.allowed_actions);
    assert!(ttdz_app::verdict::get(&ctx, &zhao, key, None).await.is_ok(), "an appointed expert sees the verdict");
    let opinion = serde_json::json!({"opinion": "建设进展符合方案", "conflict_of_interest": false});
    let stranger = lifecycle::take_step(&ctx, &qian, "test", key, (Action::GiveOpinion, state.version), &opinion).await;
    assert!(matches!(stranger, Err(AppError::Forbidden(_))), "{stranger:?}");
    let conflicted = serde_json::json!({"opinion": "x", "conflict_of_interest": true});
    let refused =
        lifecycle::take_step(&ctx, &zhao, "test", key, (Action::GiveOpinion, state.version), &conflicted).await;
    assert!(matches!(refused, Err(AppError::Forbidden(m)) if m.contains("conflict_of_interest")));
    let done = lifecycle::take_step(&ctx, &zhao, "test", key, (Action::GiveOpinion, state.version), &opinion).await;
    let done = done.expect("the opinion");
    assert!(done.consultants.iter().all(|c| c.reviewed), "given once");
    assert_eq!(done.stage, "under_construction", "an opinion moves no stage");
    assert!(ttdz_app::workbench::agenda(&ctx, &zhao).await.expect("agenda").consultations.is_empty());
}

/// Rows 13-15: the experts assigned to a zone grade them on each row's rubric, and the row's value for the zone
/// and year is the mean grade; a score off the scale, a grade without reasons, a policy of another zone, a year not
/// yet begun and an expert not assigned are refused by name.
async fn experts_grade_the_policy_rows_and_the_mean_is_the_rows_value(store: &TestStore) {
    use ttdz_app::policies::{self, NewGrade};
    use ttdz_app::{AppError, lifecycle};
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::lifecycle::Action;
    use ttdz_domain::measure::Area;
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let audit =
        ttdz_domain::audit::AuditContext { actor: "test".into(), origin: "test".into(), zone: None, province: None };
    for name in ["prof-sun", "prof-li", "prof-zhou"] {
        let expert =
            Account::new(Username::parse(name).expect("name"), Role::Expert, None, None, None).expect("expert");
        store.store().add_account(&expert, "hash", &audit).await.expect("expert");
    }
    let ministry = account("most-grades", Role::Ministry, None);
    let key = "jiangsu-sunan";
    let state = lifecycle::get(&ctx, &ministry, key).await.expect("state");
    let appoint = serde_json::json!({"experts": ["prof-sun", "prof-li"]});
    lifecycle::take_step(&ctx, &ministry, "test", key, (Action::AppointExperts, state.version), &appoint)
        .await
        .expect("appointed");
    let grade = |row: u8, score: u8| NewGrade {
        year: 2025,
        annex_row: row,
        score,
        reasons: "高校院所收益分配政策已落实".into(),
        evidence: "调研座谈与政策文件".into(),
        policies: Vec::new(),
    };
    let (sun, li, zhou) = (
        account("prof-sun", Role::Expert, None),
        account("prof-li", Role::Expert, None),
        account("prof-zhou", Role::Expert, None),
    );
    policies::grade(&ctx, &sun, "test", key, grade(13, 4)).await.expect("graded");
    policies::grade(&ctx, &li, "test", key, grade(13, 5)).await.expect("graded");
    let refused = |r: Result<policies::GradeView, AppError>, field: &str| {
        assert!(matches!(&r, Err(AppError::Rejected(m)) if m.starts_with(field)), "{field}: {r:?}");
    };
    refused(policies::grade(&ctx, &sun, "test", key, grade(13, 6)).await, "score");
    refused(policies::grade(&ctx, &sun, "test", key, grade(12, 3)).await, "annex_row");
    refused(
        policies::grade(&ctx, &sun, "test", key, NewGrade { reasons: " ".into(), ..grade(14, 3) }).await,
        "reasons",
    );
    refused(
        policies::grade(&ctx, &sun, "test", key, NewGrade { policies: vec![999], ..grade(14, 3) }).await,
        "policies",
    );
    refused(policies::grade(&ctx, &sun, "test", key, NewGrade { year: 2027, ..grade(14, 3) }).await, "year");
    let stranger = policies::grade(&ctx, &zhou, "test", key, grade(13, 1)).await;
    assert!(matches!(stranger, Err(AppError::Forbidden(_))), "{stranger:?}");
    let view = ttdz_app::indicators::area_indicators(
        &ctx,
        &ttdz_app::Viewer::Public,
        Area::Zone(ttdz_domain::ZoneKey::parse(key).expect("key")),
        "江苏·苏南".into(),
        Some(2025),
    )
    .await
    .expect("indicators");
    let row = |seq: u8| view.indicators.iter().find(|i| i.seq == seq).and_then(|i| i.value.clone());
    assert_eq!(row(13).as_deref(), Some("4.5"), "the mean of the two grades");
    assert_eq!(row(14), None, "no grade, no value");
    assert_eq!(policies::grades(&ctx, &sun, key).await.expect("grades").len(), 2);

    // In the comparative evaluation the graded row is a column like any other.
    let state = lifecycle::get(&ctx, &ministry, "ningbo").await.expect("state");
    let appoint = serde_json::json!({"experts": ["prof-zhou"]});
    lifecycle::take_step(&ctx, &ministry, "test", "ningbo", (Action::AppointExperts, state.version), &appoint)
        .await
        .expect("appointed");
    policies::grade(&ctx, &zhou, "test", "ningbo", grade(13, 2)).await.expect("graded");
    let evaluation = ttdz_app::evaluation::evaluate_zones(&ctx, Some(2025)).await.expect("evaluation");
    let row13 = |zone: &str| {
        let z = evaluation.zones.iter().find(|z| z.key == zone).expect("zone");
        z.indicators.iter().find(|i| i.code == "institution_policy_implementation").map(|i| (i.value.clone(), i.score))
    };
    let (sunan, ningbo) = (row13(key).expect("row 13"), row13("ningbo").expect("row 13"));
    assert_eq!((sunan.0.as_deref(), ningbo.0.as_deref()), (Some("4.5"), Some("2")));
    assert!(sunan.1 > ningbo.1, "the better grade scores higher: {sunan:?} {ningbo:?}");
    assert!(matches!(policies::grades(&ctx, &ttdz_app::Viewer::Public, key).await, Err(AppError::Forbidden(_))));
}

/// The plan's key tasks: written into the plan (a task without its owner is refused by name), stated in each
/// year's report (a task the approved plan does not have, or a status it cannot take, is refused by name and
/// nothing is stored), shown in the editor, and weighed by the proposed verdict.
async fn plan_tasks_are_reported_year_by_year_and_weigh_in_the_verdict(store: &TestStore) {
    use ttdz_app::reports::{self, ReportInput, TaskProgress};
    use ttdz_app::{AppError, lifecycle};
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::lifecycle::Action;
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let audit =
        ttdz_domain::audit::AuditContext { actor: "test".into(), origin: "test".into(), zone: None, province: None };
    let expert =
        Account::new(Username::parse("prof-task").expect("name"), Role::Expert, None, None, None).expect("expert");
    store.store().add_account(&expert, "hash", &audit).await.expect("expert");
    let (js, mi, ex) = (
        account("js-tasks", Role::Province, Some("320000")),
        account("most-tasks", Role::Ministry, None),
        account("prof-task", Role::Expert, None),
    );
    let key = "jiangsu-suzhong";
    let step = |who: &ttdz_app::Viewer, action: Action, version: i64, doc: serde_json::Value| {
        let (ctx, who) = (&ctx, who.clone());
        async move { lifecycle::take_step(ctx, &who, "test", key, (action, version), &doc).await }
    };
    let demand = serde_json::json!({"name": "江苏苏中示范区", "short_name": "江苏·苏中", "members": ["321000"],
        "demand": "需求", "idea": "思路", "consent": true});
    step(&js, Action::ProposeDemand, 0, demand).await.expect("proposed");
    let sections = serde_json::json!({
        "建设基础和重要意义": "a", "总体要求": {"指导思想": "a", "建设原则": "a", "总体布局": "a", "建设目标与指标": "a"},
        "特色定位": "a", "示范任务": "a", "组织实施": "a", "重点任务分解与进度安排": "a", "建设目标与指标": "a"
    });
    let task = |title: &str| serde_json::json!({"title": title, "owner": "扬州市科技局", "deadline": "2027-12", "output": "平台运行"});
    let targets = serde_json::json!([{"indicator": "contract_turnover", "year": 2027, "value": "100"}]);
    let mut ownerless = task("建设技术交易平台");
    ownerless.as_object_mut().expect("object").remove("owner");
    let refused = step(
        &js,
        Action::DraftPlan,
        1,
        serde_json::json!({"sections": sections, "targets": targets, "tasks": [ownerless]}),
    )
    .await;
    assert!(matches!(&refused, Err(AppError::Rejected(m)) if m.contains("tasks[0].owner")), "{refused:?}");
    let tasks = serde_json::json!([task("建设技术交易平台"), task("培育技术经纪人"), task("设立转化基金")]);
    let featured = |numerator: &str, denominator: &str, code: &str| {
        serde_json::json!({"code": code, "name": "每百家新注册企业技术经纪人数", "unit": "人", "direction": "+",
            "numerator": numerator, "denominator": denominator, "factor": "100", "targets": [{"year": 2026, "value": "6"}]})
    };
    let unknown = serde_json::json!({"sections": sections, "targets": targets, "tasks": tasks,
        "featured": [featured("brokers", "new_registered_enterprises", "brokers_per_100_firms")]});
    let refused = step(&js, Action::DraftPlan, 1, unknown).await;
    assert!(matches!(&refused, Err(AppError::Rejected(m)) if m.contains("featured[0].numerator")), "{refused:?}");
    let plan = serde_json::json!({"sections": sections, "targets": targets, "tasks": tasks, "featured": [
        featured("tech_brokers", "new_registered_enterprises", "brokers_per_100_firms"),
        featured("tech_brokers", "maker_spaces", "brokers_per_space"),
    ]});
    step(&js, Action::DraftPlan, 1, plan).await.expect("drafted");
    step(&js, Action::AssignExperts, 2, serde_json::json!({"experts": ["prof-task"]})).await.expect("assigned");
    step(
        &ex,
        Action::ReviewPlan,
        3,
        serde_json::json!({"score": 90, "comment": "可行", "conflict_of_interest": false}),
    )
    .await
    .expect("reviewed");
    step(&js, Action::SubmitPlan, 4, serde_json::json!({})).await.expect("submitted");
    step(
        &mi,
        Action::ApprovePlan,
        5,
        serde_json::json!({"approval_number": "国科发创〔2026〕9号", "approved_on": "2026-03-01"}),
    )
    .await
    .expect("approved");
    step(&mi, Action::StartConstruction, 6, serde_json::json!({"term_start": "2026-01-01", "term_end": "2028-12-31"}))
        .await
        .expect("started");

    let progress =
        |task: u32, status: &str| TaskProgress { task, status: status.into(), evidence: "年度总结".into() };
    let edit = |list: Vec<TaskProgress>| ReportInput { values: Vec::new(), text: None, progress: Some(list) };
    let zone = (key, 2026);
    let unknown = reports::edit(&ctx, &js, "test", zone, 0, edit(vec![progress(4, "done")])).await;
    assert!(matches!(&unknown, Err(AppError::Rejected(m)) if m.starts_with("progress[0].task: 4")), "{unknown:?}");
    let bad = reports::edit(&ctx, &js, "test", zone, 0, edit(vec![progress(1, "finished")])).await;
    assert!(matches!(&bad, Err(AppError::Rejected(m)) if m.starts_with("progress[0].status")), "{bad:?}");
    let stated = vec![progress(1, "done"), progress(2, "late"), progress(3, "late")];
    let saved = reports::edit(&ctx, &js, "test", zone, 0, edit(stated.clone())).await.expect("stated");
    assert_eq!((saved.version, saved.progress.clone()), (1, stated));
    let editor = reports::editor(&ctx, &js, key, 2026).await.expect("editor");
    assert_eq!(editor.tasks.len(), 3);
    assert_eq!(editor.tasks[1].2.as_ref().map(|p| p.status.as_str()), Some("late"));
    // Row 16: the featured indicators the plan defined, computed from the zone's values, beside their targets.
    let file = b"division_code,year,element,value\n321000,2026,tech_brokers,50\n321000,2026,new_registered_enterprises,1000\n321000,2026,maker_spaces,0\n";
    let parsed = ttdz_app::imports::parse_values(&ctx, "yz.csv", file, false).await.expect("parsed");
    ttdz_app::imports::store_values(&ctx, &js, "test", ("yz.csv", None), parsed).await.expect("stored");
    let view = ttdz_app::indicators::area_indicators(
        &ctx,
        &ttdz_app::Viewer::Public,
        ttdz_domain::measure::Area::Zone(ttdz_domain::ZoneKey::parse(key).expect("key")),
        "江苏·苏中".into(),
        Some(2026),
    )
    .await
    .expect("indicators");
    let shown: Vec<(&str, Option<&str>, Option<&str>)> =
        view.featured.iter().map(|f| (f.code.as_str(), f.value.as_deref(), f.target.as_deref())).collect();
    assert_eq!(shown, [("brokers_per_100_firms", Some("5"), Some("6")), ("brokers_per_space", None, Some("6"))]);
    let verdict = ttdz_app::verdict::get(&ctx, &mi, key, Some(2026)).await.expect("verdict");
    assert!(
        verdict.reasons.iter().any(|r| r.towards == "rectify" && r.text == "2 of the plan's 3 key tasks are late"),
        "{:?}",
        verdict.reasons
    );
}

/// A zone approved before TTDZ records its approved plan (a zone whose plan was drafted in TTDZ cannot); a featured
/// indicator the plan has the report state is entered in the annual report for the zone as a whole (for a division,
/// or under a code the plan lacks, refused by name), becomes the row-16 value on acceptance with the report as its
/// source, and its target's attainment counts in the evaluation.
async fn featured_values_are_stated_in_the_report_of_a_recorded_plan(store: &TestStore) {
    use ttdz_app::reports::{self, ReportInput, ValueInput};
    use ttdz_app::{AppError, lifecycle};
    use ttdz_domain::account::Role;
    use ttdz_domain::lifecycle::Action;
    use ttdz_domain::report::ReportAction;
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let (js, mi) = (account("js-record", Role::Province, Some("320000")), account("most-record", Role::Ministry, None));
    let key = "jiangsu-sunan";
    let sections = serde_json::json!({
        "建设基础和重要意义": "a", "总体要求": {"指导思想": "a", "建设原则": "a", "总体布局": "a", "建设目标与指标": "a"},
        "特色定位": "a", "示范任务": "a", "组织实施": "a", "重点任务分解与进度安排": "a", "建设目标与指标": "a"
    });
    let plan = |featured: serde_json::Value| {
        serde_json::json!({"approval_number": "国科发创〔2018〕1号", "sections": sections,
            "targets": [{"indicator": "contract_turnover", "year": 2027, "value": "30"}], "featured": [featured]})
    };
    let reported = |code: &str| {
        serde_json::json!({"code": code, "name": "新型研发机构数量", "unit": "家", "direction": "+",
            "measure": "reported", "targets": [{"year": 2026, "value": "40"}]})
    };
    let version = lifecycle::get(&ctx, &js, key).await.expect("procedure").version;
    let record = |doc: serde_json::Value| {
        let (ctx, js) = (&ctx, js.clone());
        async move { lifecycle::take_step(ctx, &js, "test", key, (Action::RecordPlan, version), &doc).await }
    };
    let mut formula = reported("new_rd_institutions");
    formula["numerator"] = "tech_brokers".into();
    let refused = record(plan(formula)).await;
    assert!(matches!(&refused, Err(AppError::Rejected(m)) if m.contains("featured[0].numerator")), "{refused:?}");
    let refused = record(plan(reported("tech_brokers"))).await;
    assert!(matches!(&refused, Err(AppError::Rejected(m)) if m.contains("featured[0].code")), "{refused:?}");
    let recorded = record(plan(reported("new_rd_institutions"))).await.expect("recorded");
    assert!(recorded.allowed_actions.iter().any(|a| a.action == "record_plan"), "a recorded plan may be corrected");

    let value = |element: &str, division: Option<&str>| ValueInput {
        element: element.into(),
        division_code: division.map(str::to_owned),
        value: serde_json::json!("38"),
    };
    let edit = |values: Vec<ValueInput>| ReportInput { values, text: None, progress: None };
    let year = (key, 2026);
    let per_division =
        reports::edit(&ctx, &js, "test", year, 0, edit(vec![value("new_rd_institutions", Some("320500"))]));
    let per_division = per_division.await;
    assert!(
        matches!(&per_division, Err(AppError::Rejected(m)) if m.starts_with("values[0]: new_rd_institutions is reported for the zone")),
        "{per_division:?}"
    );
    let unknown = reports::edit(&ctx, &js, "test", year, 0, edit(vec![value("new_labs", None)])).await;
    assert!(matches!(&unknown, Err(AppError::Rejected(m)) if m.contains("unknown element 'new_labs'")), "{unknown:?}");
    let saved = reports::edit(&ctx, &js, "test", year, 0, edit(vec![value("new_rd_institutions", None)])).await;
    let saved = saved.expect("the featured value stated");
    let editor = reports::editor(&ctx, &js, key, 2026).await.expect("editor");
    let inputs: Vec<_> =
        editor.featured.iter().map(|(f, input, v)| (f.code.as_str(), input.as_str(), v.as_deref())).collect();
    assert_eq!(inputs, [("new_rd_institutions", "new_rd_institutions@zone", Some("38"))]);
    let submitted = reports::decide(&ctx, &js, "test", year, saved.version, ReportAction::Submit, None).await;
    let submitted = submitted.expect("submitted");
    reports::decide(&ctx, &mi, "test", year, submitted.version, ReportAction::Accept, None).await.expect("accepted");

    let zone = ttdz_domain::measure::Area::Zone(ttdz_domain::ZoneKey::parse(key).expect("key"));
    let view =
        ttdz_app::indicators::area_indicators(&ctx, &ttdz_app::Viewer::Public, zone, "江苏·苏南".into(), Some(2026));
    let view = view.await.expect("indicators");
    let shown: Vec<_> = view
        .featured
        .iter()
        .map(|f| (f.code.as_str(), f.formula.as_str(), f.value.as_deref(), f.target.as_deref(), f.sources.clone()))
        .collect();
    assert_eq!(
        shown,
        [("new_rd_institutions", "reported", Some("38"), Some("40"), vec!["report:jiangsu-sunan-2026".to_owned()])]
    );
    // Zones are compared where an indicator tells them apart.
    let file = b"division_code,year,element,value\n320500,2026,contract_turnover_yuan,3000000000\n330200,2026,contract_turnover_yuan,1000000000\n";
    let parsed = ttdz_app::imports::parse_values(&ctx, "turnover.csv", file, false).await.expect("parsed");
    ttdz_app::imports::store_values(&ctx, &mi, "test", ("turnover.csv", None), parsed).await.expect("stored");
    let compared = ttdz_app::evaluation::evaluate_zones(&ctx, Some(2026)).await.expect("evaluation");
    let sunan = compared.zones.iter().find(|z| z.key == key).expect("compared");
    let attained: Vec<_> = sunan.featured.iter().map(|f| (f.code.as_str(), f.attainment.as_deref())).collect();
    assert_eq!(attained, [("new_rd_institutions", Some("95"))]);
    assert_eq!(sunan.target_attainment.as_deref(), Some("95"), "the only target with a value for the year");

    // A zone whose plan was drafted in TTDZ has no plan to record.
    let demand = serde_json::json!({"name": "江苏苏中示范区", "short_name": "江苏·苏中", "members": ["321000"],
        "demand": "需求", "idea": "思路", "consent": true});
    lifecycle::take_step(&ctx, &js, "test", "jiangsu-suzhong", (Action::ProposeDemand, 0), &demand)
        .await
        .expect("proposed");
    let drafted = serde_json::json!({"sections": sections, "targets": [{"indicator": "contract_turnover", "year": 2027, "value": "1"}]});
    let suzhong = lifecycle::take_step(&ctx, &js, "test", "jiangsu-suzhong", (Action::DraftPlan, 1), &drafted).await;
    assert!(!suzhong.expect("drafted").allowed_actions.iter().any(|a| a.action == "record_plan"));
}

/// The demo shows the procedure's parts on 江苏·苏南 for its last complete year: rows 13-15 graded, a featured
/// indicator of each kind with its value and target, the plan's tasks with their stated progress; loading it again
/// changes nothing.
async fn the_demo_shows_the_procedure_on_its_showcase_zone(store: &TestStore) {
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let operator = ttdz_app::Viewer::Operator("test".into());
    ttdz_app::demo::load(&ctx, &operator, "test").await.expect("demo");
    let key = ttdz_app::demo::SHOWCASE_ZONE;
    let zone = ttdz_domain::measure::Area::Zone(ttdz_domain::ZoneKey::parse(key).expect("key"));
    let public = ttdz_app::Viewer::Public;
    let view = ttdz_app::indicators::area_indicators(&ctx, &public, zone, "江苏·苏南".into(), None).await;
    let view = view.expect("indicators");
    assert_eq!(view.year, Some(ttdz_app::demo::LAST_DEMO_YEAR), "the last complete year of the demo is shown");
    let graded: Vec<_> =
        view.indicators.iter().filter(|i| (13..=15).contains(&i.seq)).map(|i| i.value.as_deref()).collect();
    assert!(graded.iter().all(Option::is_some) && graded.len() == 3, "rows 13-15 have values: {graded:?}");
    assert!(view.featured.len() >= 2, "{:?}", view.featured);
    for featured in &view.featured {
        assert!(featured.value.is_some() && featured.target.is_some(), "{featured:?}");
    }
    assert!(view.featured.iter().any(|f| f.formula == "reported"), "one the annual report states");
    let report = ttdz_app::reports::get(&ctx, &public, key, ttdz_app::demo::LAST_DEMO_YEAR).await.expect("accepted");
    assert_eq!(report.progress.len(), 3, "every key task's progress is stated");
    // The information service has the demo's own records, its demands matched with its achievements.
    use ttdz_domain::achievement::RecordKind;
    let params = ttdz_app::information::SearchParams { q: "正极材料".into(), ..Default::default() };
    let found = search_until(&ctx, RecordKind::Achievement, &params, |f| f.total > 0).await;
    assert_eq!(found.hits.first().map(|h| h.external_id.as_str()), Some("demo-a-001"));
    let demands = ttdz_app::information::SearchParams { q: "风电 叶片".into(), ..Default::default() };
    let demand = search_until(&ctx, RecordKind::Demand, &demands, |f| f.total > 0).await;
    let wind = demand.hits.first().expect("the wind demand").id;
    let matched =
        ttdz_app::information::matches(&ctx, &public, (RecordKind::Demand, wind), None).await.expect("matches");
    assert_eq!(matched.matches.first().map(|m| m.external_id.as_str()), Some("demo-a-002"));

    // The showcase's steps are on the zone's trail: none is taken again.
    let zone_key = ttdz_domain::ZoneKey::parse(key).expect("key");
    let query = ttdz_domain::audit::AuditQuery { zone: Some(zone_key), limit: 100_000, ..Default::default() };
    let before = store.store().audit(&query).await.expect("trail").len();
    let revision = store.store().data_revision().await.expect("revision");
    ttdz_app::demo::load(&ctx, &operator, "test").await.expect("demo again");
    assert_eq!(store.store().audit(&query).await.expect("trail").len(), before, "loading again changes nothing");
    assert_eq!(store.store().data_revision().await.expect("revision"), revision, "nor anything else");
}

/// The patents corpus of ../shared (3,720 real Chinese patent abstracts) imports whole, titles made from abstracts
/// where the source has none, and a search finds a patent by its own words, answered with its external id and
/// highlighted passages; importing it again updates, never duplicates.
async fn the_patents_corpus_imports_and_is_found_by_its_words(store: &TestStore) {
    use ttdz_app::information;
    use ttdz_domain::achievement::RecordKind;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/reference/patents-zh/patents.jsonl");
    let Ok(bytes) = std::fs::read(&path) else {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but {} is not there", path.display());
        eprintln!("SKIPPED: {} is not there, so the patents corpus was not imported", path.display());
        return;
    };
    eprintln!("RAN: the patents corpus from {}", path.display());
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let operator = ttdz_app::Viewer::Operator("test".into());
    let imported =
        information::import(&ctx, &operator, "test", RecordKind::Achievement, ("patents.jsonl", &bytes), false);
    let imported = imported.await.expect("imported");
    assert_eq!((imported.added, imported.titles_derived), (3720, 3027), "{imported:?}");
    let params =
        information::SearchParams {
            q: "井道层站门锁定系统 电梯轿厢".into(), limit: Some(5), ..Default::default()
        };
    let found = search_until(&ctx, RecordKind::Achievement, &params, |f| f.total > 0).await;
    assert_eq!(
        found.hits[0].external_id,
        "p0002",
        "{:?}",
        found.hits.iter().map(|h| &h.external_id).collect::<Vec<_>>()
    );
    assert!(found.hits[0].snippet_html.contains("<b>"), "{}", found.hits[0].snippet_html);
    let again = information::import(&ctx, &operator, "test", RecordKind::Achievement, ("patents.jsonl", &bytes), false);
    let again = again.await.expect("again");
    assert_eq!((again.added, again.updated), (0, 3720));
    let all = information::SearchParams { limit: Some(1), ..Default::default() };
    let total = search_until(&ctx, RecordKind::Achievement, &all, |f| f.total == 3720).await.total;
    assert_eq!(total, 3720);
}

/// A registry's workbook imports like its CSV: the first sheet's header names the fields, a bad row refuses the
/// whole file naming its sheet row.
async fn a_registry_workbook_imports_whole_or_not_at_all(store: &TestStore) {
    use ttdz_app::{AppError, information};
    use ttdz_domain::achievement::RecordKind;
    let workbook = |rows: &[[&str; 4]]| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, header) in ["id", "title", "abstract", "maturity"].iter().enumerate() {
            sheet.write_string(0, c as u16, *header).expect("header");
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell.parse::<f64>() {
                    Ok(n) if c == 3 => sheet.write_number(r as u32 + 1, c as u16, n),
                    _ => sheet.write_string(r as u32 + 1, c as u16, *cell),
                }
                .expect("cell");
            }
        }
        book.save_to_buffer().expect("xlsx")
    };
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let operator = ttdz_app::Viewer::Operator("test".into());
    let bad = workbook(&[["w1", "储能电池", "液冷电池包", "6"], ["w2", "", "", "5"], ["w3", "光伏", "逆变器", "12"]]);
    let refused =
        information::import(&ctx, &operator, "test", RecordKind::Achievement, ("registry.xlsx", &bad), false).await;
    let Err(AppError::InvalidFile(problems)) = refused else { panic!("refused whole: {refused:?}") };
    let lines: Vec<u64> = problems.listed.iter().map(|p| p.line).collect();
    assert_eq!(lines, [3, 4], "the sheet's rows: {problems}");
    let good = workbook(&[["w1", "储能电池", "液冷电池包", "6"], ["w3", "光伏", "逆变器", "7"]]);
    let imported =
        information::import(&ctx, &operator, "test", RecordKind::Achievement, ("registry.xlsx", &good), false);
    assert_eq!(imported.await.expect("imported").added, 2);
}

/// The technology flow between zones equals an independent sum over the contracts file: each zone's outflow (sold
/// to buyers outside it), inflow and contracts within, and every cell of the matrix; between the provinces too.
async fn the_flow_between_zones_is_the_sum_of_the_contracts_between_them(store: &TestStore) {
    use rust_decimal::Decimal;
    use std::collections::BTreeMap;
    use std::str::FromStr;
    use ttdz_app::flows::{FlowLevel, flows};
    let ctx = at(store, "2026-12-05T02:00:00Z");
    let operator = ttdz_app::Viewer::Operator("test".into());
    let tree = ctx.tree(None).await.expect("tree");
    // Sellers and buyers in 江苏·苏南, in 宁波 (in two zones: 宁波 and 浙江), in 上海闵行 (a district) and in 江西
    // (no zone): flows within, between and out of the zones.
    let units: Vec<ttdz_domain::DivisionCode> = ["320100", "320500", "330200", "310000", "360100"]
        .iter()
        .flat_map(|p| tree.leaves_under(&ttdz_domain::DivisionCode::parse(p).expect("code")))
        .collect();
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("contracts.csv");
    let mut bytes = Vec::new();
    ttdz_ingest::contracts::write_synthetic(&mut bytes, 3_000, 11, &units, 2023..=2024).expect("generated");
    std::fs::write(&path, &bytes).expect("written");
    let basic = ttdz_ingest::contracts::BasicUnits::of(&tree);
    let file = ttdz_ingest::contracts::read(&path, &basic, &Default::default(), &|_| {}, None).expect("read");
    ttdz_app::imports::store_contracts(&ctx, &operator, "test", ("contracts.csv", None), file).await.expect("stored");

    let zones_of = |code: &str| match (&code[..4], code) {
        ("3201" | "3205", _) => vec!["jiangsu-sunan"],
        ("3302", _) => vec!["ningbo", "zhejiang"],
        (_, "310112") => vec!["shanghai-minhang"],
        _ => vec![ttdz_app::flows::ELSEWHERE],
    };
    let mut cells: BTreeMap<(String, String), (u64, Decimal)> = BTreeMap::new();
    let mut outflow: BTreeMap<String, Decimal> = BTreeMap::new();
    for line in String::from_utf8(bytes).expect("utf-8").lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        if !f[1].starts_with("2024") {
            continue;
        }
        let (from, to) = (zones_of(f[3]), zones_of(f[4]));
        let amount = Decimal::from_str(f[7]).expect("amount");
        for s in &from {
            for b in &to {
                let cell = cells.entry(((*s).to_owned(), (*b).to_owned())).or_default();
                cell.0 += 1;
                cell.1 += amount;
            }
            if !to.contains(s) {
                *outflow.entry((*s).to_owned()).or_default() += amount;
            }
        }
    }
    let view = flows(&ctx, &operator, FlowLevel::Zone, Some(2024)).await.expect("flows");
    assert_eq!(view.years, [2023, 2024]);
    let got: BTreeMap<(String, String), (u64, Decimal)> = view
        .cells
        .iter()
        .map(|c| ((c.from.clone(), c.to.clone()), (c.contracts, Decimal::from_str(&c.turnover_yuan).expect("decimal"))))
        .collect();
    assert_eq!(got, cells);
    for place in &view.places {
        let expected = outflow.get(&place.key).copied().unwrap_or_default();
        assert_eq!(Decimal::from_str(&place.outflow_yuan).expect("decimal"), expected, "{}", place.key);
    }
    assert_eq!(view.sources, ["contracts:contracts.csv"]);
    assert!(!view.synthetic, "a registry batch");
    // Between provinces: what leaves each arrives in another.
    let provinces = flows(&ctx, &operator, FlowLevel::Province, Some(2024)).await.expect("flows");
    let keys: Vec<&str> = provinces.places.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["310000", "320000", "330000", "360000"]);
    let sum = |f: fn(&ttdz_app::flows::FlowPlace) -> &str| -> Decimal {
        provinces.places.iter().map(|p| Decimal::from_str(f(p)).expect("decimal")).sum()
    };
    assert_eq!(sum(|p| &p.outflow_yuan), sum(|p| &p.inflow_yuan));
}

/// A contract filed by an institution and registered by the registrar of its locality raises the seller's
/// 技术合同成交额 for the year by exactly its amount; revoking it takes it back; refusing one leaves the figure
/// alone; a registrar outside the seller's locality, a number registered twice, amounts that do not add up are
/// refused by name; every step is in the audit trail.
async fn registered_contracts_count_at_once_and_revoked_ones_leave(store: &TestStore) {
    use rust_decimal::Decimal;
    use std::str::FromStr;
    use ttdz_app::AppError;
    use ttdz_app::registration::{DecisionInput, decide, file};
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::registration::FilingInput;
    let ctx = at(store, "2026-06-10T02:00:00Z");
    let make = |name: &str, role: Role, province: Option<&str>, division: Option<&str>| {
        let code = |c: Option<&str>| c.map(|c| ttdz_domain::DivisionCode::parse(c).expect("code"));
        Account::new(Username::parse(name).expect("name"), role, code(province), code(division), None).expect("account")
    };
    let seller = make("nju-tto", Role::Institution, None, Some("320106"));
    let nanjing = make("reg-nanjing", Role::Registrar, None, Some("320100"));
    let hangzhou = make("reg-hangzhou", Role::Registrar, None, Some("330100"));
    let audit =
        ttdz_domain::audit::AuditContext { actor: "test".into(), origin: "test".into(), zone: None, province: None };
    for a in [&seller, &nanjing, &hangzhou] {
        store.store().add_account(a, "hash", &audit).await.expect("account");
    }
    let (seller, nanjing, hangzhou) =
        (ttdz_app::Viewer::Account(seller), ttdz_app::Viewer::Account(nanjing), ttdz_app::Viewer::Account(hangzhou));
    let turnover = || async {
        let reported = store
            .store()
            .reported(&ttdz_domain::ElementCode::parse("contract_turnover_yuan").expect("code"))
            .await
            .expect("reported");
        reported.divisions.get(&(ttdz_domain::DivisionCode::parse("320106").expect("code"), 2026)).map(|(v, _)| *v)
    };
    let filing = |turnover: &str, tech: &str| FilingInput {
        contract_type: "技术转让".into(),
        seller_name: Some("南京大学".into()),
        buyer_name: Some("杭州某科技有限公司".into()),
        seller_division: "320106".into(),
        buyer_division: "330106".into(),
        seller_kind: "高校".into(),
        field: "新材料".into(),
        signed_on: "2026-05-20".into(),
        turnover_yuan: turnover.into(),
        tech_amount_yuan: tech.into(),
        ..FilingInput::default()
    };
    let refused = file(&ctx, &seller, "test", filing("100", "200")).await;
    assert!(matches!(&refused, Err(AppError::Rejected(m)) if m.starts_with("tech_amount_yuan")), "{refused:?}");
    let early = FilingInput { signed_on: "2026-07-01".into(), ..filing("100", "50") };
    let refused = file(&ctx, &seller, "test", early).await;
    assert!(matches!(&refused, Err(AppError::Rejected(m)) if m.starts_with("signed_on")), "{refused:?}");

    let before = turnover().await;
    let first = file(&ctx, &seller, "test", filing("1234567.89", "1000000")).await.expect("filed");
    assert_eq!((first.status, first.contract_no.as_deref()), ("filed", None));
    let register = DecisionInput { tech_amount_yuan: Some("900000".into()), ..DecisionInput::default() };
    let outside = decide(&ctx, &hangzhou, "test", (first.id, "register", None), &register).await;
    assert!(matches!(&outside, Err(AppError::NotFound(_) | AppError::Forbidden(_))), "{outside:?}");
    let registered = decide(&ctx, &nanjing, "test", (first.id, "register", None), &register).await.expect("registered");
    assert_eq!(registered.status, "registered");
    assert_eq!(registered.contract_no.as_deref(), Some("2026320100000001"), "year, locality, sequence");
    assert_eq!(registered.tech_amount_yuan, "900000.00", "the registrar's correction");
    let raised = turnover().await.unwrap_or_default() - before.unwrap_or_default();
    assert_eq!(raised, Decimal::from_str("1234567.89").expect("decimal"), "raised by exactly its amount");

    let second = file(&ctx, &seller, "test", filing("500", "500")).await.expect("filed");
    let no_reason = decide(&ctx, &nanjing, "test", (second.id, "refuse", None), &DecisionInput::default()).await;
    assert!(matches!(&no_reason, Err(AppError::Rejected(m)) if m.starts_with("reason")), "{no_reason:?}");
    let why = DecisionInput { reason: Some("不属于技术合同".into()), ..DecisionInput::default() };
    decide(&ctx, &nanjing, "test", (second.id, "refuse", None), &why).await.expect("refused");
    assert_eq!(
        turnover().await.unwrap_or_default() - before.unwrap_or_default(),
        Decimal::from_str("1234567.89").expect("decimal")
    );

    let again = FilingInput { contract_no: Some("2026320100000001".into()), ..filing("10", "10") };
    let twice = file(&ctx, &seller, "test", again).await.expect("filed");
    let conflict = decide(&ctx, &nanjing, "test", (twice.id, "register", None), &DecisionInput::default()).await;
    let message = conflict.as_ref().err().map(ToString::to_string).unwrap_or_default();
    assert!(message.contains("2026320100000001 is registered already"), "{conflict:?}");

    // Filed before the registry's file arrived, under a number the file holds.
    let elsewhere = FilingInput { contract_no: Some("2026320100099999".into()), ..filing("1000", "1000") };
    let elsewhere = file(&ctx, &seller, "test", elsewhere).await.expect("filed");

    // The national registry's file holds the contract registered here and one registered elsewhere: only the
    // other one is added.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("registry-2026.csv");
    let rows = [
        "2026320100000001,2026-06-10,技术转让,320106,330106,高校,新材料,1234567.89,900000",
        "2026320100099999,2026-06-11,技术服务,320106,330106,高校,新材料,1000,1000",
    ];
    std::fs::write(&path, format!("{}\n{}\n", ttdz_ingest::contracts::HEADER, rows.join("\n"))).expect("written");
    let options = ttdz_ingest::contracts::Options {
        registered: ttdz_app::imports::registered_contract_numbers(&ctx).await.expect("numbers"),
        ..Default::default()
    };
    let basic = ttdz_ingest::contracts::BasicUnits::of(&ctx.tree(None).await.expect("tree"));
    let registry = ttdz_ingest::contracts::read(&path, &basic, &options, &|_| {}, None).expect("read");
    assert_eq!((registry.rows, registry.accepted, registry.registered_in_ttdz), (2, 1, 1));
    let operator = ttdz_app::Viewer::Operator("test".into());
    ttdz_app::imports::store_contracts(&ctx, &operator, "test", ("registry-2026.csv", None), registry)
        .await
        .expect("stored");
    assert_eq!(
        turnover().await.unwrap_or_default() - before.unwrap_or_default(),
        Decimal::from_str("1235567.89").expect("decimal"),
        "the contract registered in TTDZ counts once"
    );
    let source = store.store().datasets().await.expect("datasets");
    let source =
        source.iter().find(|d| d.dataset.name == "contracts:registry-2026.csv").map(|d| d.dataset.source.clone());
    assert!(source.is_some_and(|s| s.contains("1 rows left out")), "the dataset says what it left out");
    // The contract registered elsewhere is counted by the file: TTDZ neither files nor registers it again.
    let counted = decide(&ctx, &nanjing, "test", (elsewhere.id, "register", None), &DecisionInput::default()).await;
    assert!(
        counted.as_ref().is_err_and(|e| e
            .to_string()
            .contains("2026320100099999 is counted already by the registry file of batch contracts:registry-2026.csv")),
        "{counted:?}"
    );
    let refiled = FilingInput { contract_no: Some("2026320100099999".into()), ..filing("1000", "1000") };
    let refiled = file(&ctx, &seller, "test", refiled).await;
    assert!(matches!(&refiled, Err(AppError::Rejected(m)) if m.starts_with("contract_no: ")), "{refiled:?}");
    let imported = Decimal::from(1000);

    let stale = decide(&ctx, &nanjing, "test", (first.id, "revoke", Some(1)), &why).await;
    assert!(stale.as_ref().err().is_some_and(|e| e.to_string().contains("not 1")), "{stale:?}");
    decide(&ctx, &nanjing, "test", (first.id, "revoke", None), &why).await.expect("revoked");
    assert_eq!(turnover().await.unwrap_or_default(), before.unwrap_or_default() + imported, "revoking takes it back");

    let trail =
        store.store().audit(&ttdz_domain::audit::AuditQuery { limit: 100, ..Default::default() }).await.expect("audit");
    for step in ["contract.file", "contract.register", "contract.refuse", "contract.revoke"] {
        assert!(trail.iter().any(|e| e.action == step), "{step} is audited");
    }
}

/// The registers are the figures of their rows where they cover a place: a province keeps its brokers, the
/// ministry the national demonstration institutions; each change moves the year-end count at once; a number the
/// province reported for the same element and year is shown beside the count as a discrepancy, never preferred;
/// an entry that ended stops counting from its year; every change is audited.
async fn registers_are_the_figures_and_a_differing_report_stays_beside_them(store: &TestStore) {
    use ttdz_app::AppError;
    use ttdz_app::registers::{add, list, remove, replace};
    use ttdz_domain::account::Role;
    use ttdz_domain::measure::{Area, SourceKind};
    use ttdz_domain::register::EntryInput;
    let ctx = at(store, "2026-06-10T02:00:00Z");
    let jiangsu = account("js-kjt", Role::Province, Some("320000"));
    let zhejiang = account("zj-kjt", Role::Province, Some("330000"));
    let ministry = account("most", Role::Ministry, None);
    let broker = |name: &str, from: &str| EntryInput {
        name: name.into(),
        division: "320102".into(),
        from: from.into(),
        level: Some("中级".into()),
        ..EntryInput::default()
    };
    let outside = add(&ctx, &zhejiang, "test", "tech_brokers", broker("王敏", "2025-03-01")).await;
    assert!(matches!(&outside, Err(AppError::Forbidden(_))), "{outside:?}");
    let city = add(
        &ctx,
        &jiangsu,
        "test",
        "tech_brokers",
        EntryInput { division: "320100".into(), ..broker("王敏", "2025-03-01") },
    )
    .await;
    assert!(matches!(&city, Err(AppError::Rejected(m)) if m.starts_with("division")), "a basic unit: {city:?}");
    let no_level =
        add(&ctx, &jiangsu, "test", "tech_brokers", EntryInput { level: None, ..broker("王敏", "2025-03-01") }).await;
    assert!(matches!(&no_level, Err(AppError::Rejected(m)) if m.starts_with("level")), "{no_level:?}");
    let first = add(&ctx, &jiangsu, "test", "tech_brokers", broker("王敏", "2025-03-01")).await.expect("added");
    add(&ctx, &jiangsu, "test", "tech_brokers", broker("李强", "2025-09-01")).await.expect("added");
    let national = EntryInput {
        name: "江苏省技术产权交易所".into(),
        division: "320102".into(),
        from: "2024-11-01".into(),
        batch: Some("7".into()),
        ..EntryInput::default()
    };
    let by_province = add(&ctx, &jiangsu, "test", "national_tt_institutions", national.clone()).await;
    assert!(matches!(&by_province, Err(AppError::Forbidden(_))), "the ministry keeps it: {by_province:?}");
    add(&ctx, &ministry, "test", "national_tt_institutions", national).await.expect("added");

    // Jiangsu reports 7 brokers for 2025; the register holds 2.
    let report = ttdz_store::Batch {
        dataset: ttdz_domain::Dataset {
            name: "values:js-2025".into(),
            files: vec!["js-2025.xlsx".into()],
            sha256: "1".repeat(64),
            source: "江苏省科技厅".into(),
        },
        kind: SourceKind::Reported,
        recorded_by: "js-kjt".into(),
        scope: None,
        rows: 1,
        division_values: vec![ttdz_store::DivisionValue {
            element: ttdz_domain::ElementCode::parse("tech_brokers").expect("code"),
            division: ttdz_domain::DivisionCode::parse("320000").expect("code"),
            year: 2025,
            value: 7.into(),
            note: None,
        }],
        zone_values: Vec::new(),
        rollups: Vec::new(),
        flows: Vec::new(),
        contract_numbers: Default::default(),
    };
    let audit =
        ttdz_domain::audit::AuditContext { actor: "test".into(), origin: "test".into(), zone: None, province: None };
    store.store().replace_batch(&report, &audit).await.expect("report");
    let row = |code: &'static str, year: i32| {
        let ctx = &ctx;
        async move {
            let area = Area::Division(ttdz_domain::DivisionCode::parse("320000").expect("code"));
            let view = ttdz_app::indicators::area_indicators(
                ctx,
                &ttdz_app::Viewer::Public,
                area,
                "江苏省".into(),
                Some(year),
            )
            .await
            .expect("indicators");
            view.indicators.into_iter().find(|i| i.code == code).expect("the row")
        }
    };
    let brokers = row("tech_brokers", 2025).await;
    assert_eq!(brokers.value.as_deref(), Some("2"), "the register's count, not the report's 7");
    let numerator = brokers.numerator.expect("a figure");
    assert_eq!(
        (numerator.basis, numerator.sources.as_slice()),
        ("register", ["register:tech_brokers".to_owned()].as_slice())
    );
    assert!(
        brokers.warnings.iter().any(|w| w.contains("the register counts 2") && w.contains("reported 7")),
        "{:?}",
        brokers.warnings
    );
    let institutions = row("national_tt_institutions", 2025).await;
    assert_eq!(institutions.value.as_deref(), Some("1"));
    let zhejiang_institutions = ttdz_app::indicators::area_indicators(
        &ctx,
        &ttdz_app::Viewer::Public,
        Area::Division(ttdz_domain::DivisionCode::parse("330000").expect("code")),
        "浙江省".into(),
        Some(2025),
    )
    .await
    .expect("indicators");
    let none = zhejiang_institutions.indicators.iter().find(|i| i.code == "national_tt_institutions").expect("row");
    assert_eq!(none.value.as_deref(), Some("0"), "the ministry's register covers every province: none there is 0");

    // 王敏 left in June 2025: counted at the end of 2025 no more.
    let ended = EntryInput { until: Some("2025-06-30".into()), ..broker("王敏", "2025-03-01") };
    let stale = replace(&ctx, &jiangsu, "test", ("tech_brokers", first.id, Some(0)), ended.clone()).await;
    assert!(stale.as_ref().err().is_some_and(|e| e.to_string().contains("not 0: reload it")), "{stale:?}");
    let by_zhejiang = replace(&ctx, &zhejiang, "test", ("tech_brokers", first.id, None), ended.clone()).await;
    assert!(matches!(&by_zhejiang, Err(AppError::Forbidden(_))), "{by_zhejiang:?}");
    replace(&ctx, &jiangsu, "test", ("tech_brokers", first.id, None), ended).await.expect("ended");
    assert_eq!(row("tech_brokers", 2025).await.value.as_deref(), Some("1"));
    let listing =
        list(&ctx, &ttdz_app::Viewer::Public, "tech_brokers", Some("320100"), Some(2025)).await.expect("list");
    assert_eq!(listing.in_force_at_year_end, Some(1));
    assert_eq!(listing.entries.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["李强"]);
    assert!(!listing.may_add && listing.entries.iter().all(|e| !e.editable), "the public reads only");
    let unknown = list(&ctx, &ttdz_app::Viewer::Public, "unicorns", None, None).await;
    assert!(matches!(&unknown, Err(AppError::NotFound(_))), "{unknown:?}");
    remove(&ctx, &jiangsu, "test", ("tech_brokers", first.id, None)).await.expect("removed");
    assert_eq!(list(&ctx, &jiangsu, "tech_brokers", None, None).await.expect("list").entries.len(), 1);

    // A new year's count begins with the daily jobs' recount, before anybody changes the register.
    let counted_2027 = || async {
        let reported = store.store().reported(&ttdz_domain::ElementCode::parse("tech_brokers").expect("code")).await;
        reported
            .expect("values")
            .registered
            .get(&(ttdz_domain::DivisionCode::parse("320000").expect("code"), 2027))
            .map(|(v, _)| *v)
    };
    assert_eq!(counted_2027().await, None);
    let next_year = at(store, "2027-01-02T02:00:00Z");
    assert_eq!(ttdz_app::registers::recount(&next_year, &audit).await.expect("recount"), 2, "brokers, institutions");
    assert_eq!(counted_2027().await, Some(1.into()), "李强 is still in force");
    assert_eq!(ttdz_app::registers::recount(&next_year, &audit).await.expect("recount"), 0, "current: nothing to do");

    let trail =
        store.store().audit(&ttdz_domain::audit::AuditQuery { limit: 100, ..Default::default() }).await.expect("audit");
    for step in ["register.add", "register.change", "register.remove"] {
        assert!(trail.iter().any(|e| e.action == step && e.actor.contains("js-kjt")), "{step} is audited");
    }
}

/// An auction takes bids inside its period, at or above the reserve and each above the highest; after the last day
/// the seller closes it at the highest bid and the deal is a contract filed for registration, which the registrar
/// registers into 技术合同成交额; a listing without bids closes unsold by the daily job; a seller may withdraw with
/// a reason; bidders' names are the seller's to see; every step is audited.
async fn an_auction_closes_at_the_highest_bid_and_the_deal_is_a_contract_to_register(store: &TestStore) {
    use rust_decimal::Decimal;
    use ttdz_app::AppError;
    use ttdz_app::listings::{BidInput, CloseInput, WithdrawInput, bid, close, get, open, withdraw};
    use ttdz_domain::account::Role;
    use ttdz_domain::listing::ListingInput;
    let [seller, hangzhou, shanghai, registrar] = stored_accounts(
        store,
        [
            ("nju-sell", Role::Institution, None, Some("320106")),
            ("hz-buy", Role::Institution, None, Some("330106")),
            ("sh-buy", Role::Institution, None, Some("310112")),
            ("reg-nj", Role::Registrar, None, Some("320100")),
        ],
    )
    .await;
    let june = |day: u8| at(store, &format!("2026-06-{day:02}T02:00:00Z"));
    let terms = |method: &str, closes: &str| ListingInput {
        title: "一种高导热石墨烯复合材料的制备方法".into(),
        notice: "专利 ZL202110000001.X 拟转让，起拍价 50 万元。".into(),
        method: method.into(),
        contract_type: "技术转让".into(),
        reserve_yuan: "500000".into(),
        seller_name: "南京大学".into(),
        seller_division: "320106".into(),
        seller_kind: "高校".into(),
        field: "新材料".into(),
        opens_on: "2026-06-01".into(),
        closes_on: closes.into(),
        ..ListingInput::default()
    };
    let short = open(&june(1), &seller, "test", terms("auction", "2026-06-06")).await;
    assert!(matches!(&short, Err(AppError::Rejected(m)) if m.starts_with("closes_on")), "{short:?}");
    let by_a_buyer = open(&june(1), &hangzhou, "test", terms("auction", "2026-06-07")).await;
    assert!(matches!(&by_a_buyer, Err(AppError::Rejected(m)) if m.starts_with("seller_division")), "{by_a_buyer:?}");
    let auction = open(&june(1), &seller, "test", terms("auction", "2026-06-07")).await.expect("opened");
    assert_eq!((auction.status, auction.method), ("open", "auction"));

    let offer = |name: &str, amount: &str| BidInput {
        buyer_name: name.into(),
        buyer_division: None,
        amount_yuan: amount.into(),
    };
    let own = bid(&june(3), &seller, "test", auction.id, offer("南京大学", "600000")).await;
    assert!(matches!(&own, Err(AppError::Forbidden(_))), "{own:?}");
    let under = bid(&june(3), &hangzhou, "test", auction.id, offer("杭州某材料公司", "499999.99")).await;
    assert!(matches!(&under, Err(AppError::Rejected(m)) if m.starts_with("amount_yuan")), "{under:?}");
    bid(&june(3), &hangzhou, "test", auction.id, offer("杭州某材料公司", "600000")).await.expect("a bid");
    let equal = bid(&june(4), &shanghai, "test", auction.id, offer("上海某新材料公司", "600000")).await;
    assert!(matches!(&equal, Err(AppError::Rejected(m)) if m.contains("highest")), "{equal:?}");
    let placed = bid(&june(4), &shanghai, "test", auction.id, offer("上海某新材料公司", "650000.50")).await;
    assert_eq!(placed.expect("a higher bid").highest_yuan.as_deref(), Some("650000.50"));
    // A transfer institution bids for a client of its own elsewhere (a broker's bid); a city is no buyer's place.
    let for_client = |division: &str| BidInput {
        buyer_division: Some(division.into()),
        ..offer("合肥某光电公司", "650000.60")
    };
    let city = bid(&june(4), &hangzhou, "test", auction.id, for_client("340100")).await;
    assert!(matches!(&city, Err(AppError::Rejected(m)) if m.starts_with("buyer_division")), "{city:?}");
    let brokered = bid(&june(4), &hangzhou, "test", auction.id, for_client("340104")).await.expect("for a client");
    let last = brokered.bids.last().expect("the bid");
    assert_eq!((last.buyer_division.as_deref(), last.bidder.as_deref()), (Some("340104"), Some("hz-buy")));
    let bidding = ttdz_app::listings::list(&june(4), &hangzhou, None, ttdz_app::listings::Whose::Bidding).await;
    assert_eq!(bidding.expect("its bids").iter().map(|l| l.id).collect::<Vec<_>>(), [auction.id]);
    let placed = bid(&june(4), &shanghai, "test", auction.id, offer("上海某新材料公司", "650000.70")).await;
    assert!(placed.is_ok(), "{placed:?}");

    let public = get(&june(5), &ttdz_app::Viewer::Public, auction.id).await.expect("public");
    assert_eq!(public.bids.len(), 4);
    assert!(public.bids.iter().all(|b| b.buyer_name.is_none()), "the public does not see who bid");
    let theirs = get(&june(5), &shanghai, auction.id).await.expect("a bidder");
    assert_eq!(theirs.bids.iter().filter(|b| b.buyer_name.is_some()).count(), 2, "a bidder sees its own");
    let early = close(&june(7), &seller, "test", (auction.id, None), CloseInput::default()).await;
    assert!(matches!(&early, Err(AppError::Rejected(m)) if m.starts_with("closes_on")), "{early:?}");
    let late = bid(&june(8), &hangzhou, "test", auction.id, offer("杭州某材料公司", "700000")).await;
    assert!(matches!(&late, Err(AppError::Rejected(m)) if m.starts_with("closes_on")), "{late:?}");
    let chosen = close(&june(8), &seller, "test", (auction.id, None), CloseInput { bid_id: Some(1) }).await;
    assert!(matches!(&chosen, Err(AppError::Rejected(m)) if m.starts_with("bid_id")), "only in an agreement");
    let not_theirs = close(&june(8), &hangzhou, "test", (auction.id, None), CloseInput::default()).await;
    assert!(matches!(&not_theirs, Err(AppError::Forbidden(_))), "{not_theirs:?}");

    let sold = close(&june(8), &seller, "test", (auction.id, None), CloseInput::default()).await.expect("closed");
    assert_eq!(sold.status, "sold");
    let won = sold.bids.iter().find(|b| Some(b.id) == sold.winning_bid).expect("the winner");
    assert_eq!((won.buyer_name.as_deref(), won.amount_yuan.as_str()), (Some("上海某新材料公司"), "650000.70"));
    let contract_id = sold.contract_id.expect("a contract drafted");
    let contract = ttdz_app::registration::get(&june(8), &seller, contract_id).await.expect("the seller's");
    assert_eq!(
        (contract.status, contract.buyer_division.as_str(), contract.turnover_yuan.as_str()),
        ("filed", "310112", "650000.70")
    );
    let turnover = || async {
        let element = ttdz_domain::ElementCode::parse("contract_turnover_yuan").expect("code");
        let reported = store.store().reported(&element).await.expect("reported");
        let seller = ttdz_domain::DivisionCode::parse("320106").expect("code");
        reported.divisions.get(&(seller, 2026)).map(|(v, _)| *v).unwrap_or_default()
    };
    let before = turnover().await;
    let decision = ttdz_app::registration::DecisionInput::default();
    ttdz_app::registration::decide(&june(9), &registrar, "test", (contract_id, "register", None), &decision)
        .await
        .expect("registered");
    assert_eq!(turnover().await - before, Decimal::new(65_000_070, 2), "the deal's price");

    // A listing nobody bids on closes unsold when the daily job runs after its last day; another is withdrawn.
    let quiet = open(
        &june(10),
        &seller,
        "test",
        ListingInput { opens_on: "2026-06-10".into(), ..terms("listing", "2026-06-24") },
    )
    .await
    .expect("opened");
    let taken_back = open(
        &june(10),
        &seller,
        "test",
        ListingInput { opens_on: "2026-06-10".into(), ..terms("agreement", "2026-06-30") },
    )
    .await
    .expect("opened");
    let no_reason =
        withdraw(&june(11), &seller, "test", (taken_back.id, None), &WithdrawInput { reason: " ".into() }).await;
    assert!(matches!(&no_reason, Err(AppError::Rejected(m)) if m.starts_with("reason")), "{no_reason:?}");
    let withdrawn =
        withdraw(&june(11), &seller, "test", (taken_back.id, None), &WithdrawInput { reason: "专利权属待确认".into() })
            .await;
    assert_eq!(withdrawn.expect("withdrawn").status, "withdrawn");
    ttdz_app::jobs::run_due(&june(25)).await.expect("jobs");
    let closed = get(&june(25), &seller, quiet.id).await.expect("listing");
    assert_eq!((closed.status, closed.contract_id), ("unsold", None));

    let trail =
        store.store().audit(&ttdz_domain::audit::AuditQuery { limit: 200, ..Default::default() }).await.expect("audit");
    for step in ["listing.open", "listing.bid", "listing.close", "listing.withdraw", "contract.file"] {
        assert!(trail.iter().any(|e| e.action == step), "{step} is audited");
    }
}

/// The registry's statistics are sums of the registered contracts of the viewer's area, in the month asked and
/// through it, by type, field, seller kind and month, with the flows to and from other provinces; refused and
/// revoked contracts are not in them; the workbook carries the same figures in 万元.
async fn the_registry_statistics_sum_the_registered_contracts_of_the_area(store: &TestStore) {
    use ttdz_app::AppError;
    use ttdz_app::market_statistics::{statistics, workbook};
    use ttdz_app::registration::{DecisionInput, decide, file};
    use ttdz_domain::account::Role;
    use ttdz_domain::registration::FilingInput;
    let [nj, sz, hz, reg_nj, reg_sz, reg_hz, jiangsu, ministry] = stored_accounts(
        store,
        [
            ("nj-seller", Role::Institution, None, Some("320106")),
            ("sz-seller", Role::Institution, None, Some("320506")),
            ("hz-seller", Role::Institution, None, Some("330106")),
            ("reg-nj", Role::Registrar, None, Some("320100")),
            ("reg-sz", Role::Registrar, None, Some("320500")),
            ("reg-hz", Role::Registrar, None, Some("330100")),
            ("js-stats", Role::Province, Some("320000"), None),
            ("most-stats", Role::Ministry, None, None),
        ],
    )
    .await;
    let deal = |kind: &str, field: &str, seller_kind: &str, (from, to): (&str, &str), yuan: &str| FilingInput {
        contract_type: kind.into(),
        seller_division: from.into(),
        buyer_division: to.into(),
        seller_kind: seller_kind.into(),
        field: field.into(),
        signed_on: "2026-01-05".into(),
        turnover_yuan: yuan.into(),
        tech_amount_yuan: yuan.into(),
        ..FilingInput::default()
    };
    let register = |seller: &ttdz_app::Viewer, registrar: &ttdz_app::Viewer, on: &str, filing: FilingInput| {
        let (seller, registrar, on) = (seller.clone(), registrar.clone(), on.to_owned());
        async move {
            let ctx = at(store, &format!("{on}T02:00:00Z"));
            let filed = file(&ctx, &seller, "test", filing).await.expect("filed");
            decide(&ctx, &registrar, "test", (filed.id, "register", None), &DecisionInput::default())
                .await
                .expect("registered")
        }
    };
    register(&nj, &reg_nj, "2026-03-10", deal("技术转让", "新材料", "高校", ("320106", "330106"), "1000")).await;
    register(&nj, &reg_nj, "2026-05-02", deal("技术开发", "电子信息", "高校", ("320106", "320506"), "2000")).await;
    register(&sz, &reg_sz, "2026-05-20", deal("技术服务", "新材料", "企业", ("320506", "310112"), "500")).await;
    register(&hz, &reg_hz, "2026-04-01", deal("技术许可", "生物医药", "企业", ("330106", "320106"), "300")).await;
    let revoked =
        register(&nj, &reg_nj, "2026-05-03", deal("技术咨询", "新材料", "高校", ("320106", "330106"), "9")).await;
    let ctx = at(store, "2026-05-25T02:00:00Z");
    let why = DecisionInput { reason: Some("认定有误".into()), ..DecisionInput::default() };
    decide(&ctx, &reg_nj, "test", (revoked.id, "revoke", None), &why).await.expect("revoked");
    let refused = file(&ctx, &nj, "test", deal("技术咨询", "新材料", "高校", ("320106", "330106"), "7")).await;
    decide(&ctx, &reg_nj, "test", (refused.expect("filed").id, "refuse", None), &why).await.expect("refused");

    let summed = |t: &ttdz_app::market_statistics::Totals| (t.contracts, t.turnover_yuan.clone());
    let province = statistics(&ctx, &jiangsu, Some(2026), Some(5)).await.expect("statistics");
    assert_eq!((province.area.as_deref(), province.area_name.as_str()), (Some("320000"), "江苏省"));
    assert_eq!(summed(&province.total.through), (3, "3500.00".into()));
    assert_eq!(summed(&province.total.month), (2, "2500.00".into()), "May alone");
    let labels =
        |lines: &[ttdz_app::market_statistics::StatLine]| lines.iter().map(|l| l.label.clone()).collect::<Vec<_>>();
    assert_eq!(labels(&province.by_type), ["技术开发", "技术转让", "技术服务"]);
    let materials = province.by_field.iter().find(|l| l.label == "新材料").expect("新材料");
    assert_eq!(summed(&materials.through), (2, "1500.00".into()));
    let months: Vec<(String, u64, u64)> =
        province.by_month.iter().map(|l| (l.label.clone(), l.month.contracts, l.through.contracts)).collect();
    assert_eq!(months[2..], [("3月".into(), 1, 1), ("4月".into(), 0, 1), ("5月".into(), 2, 3)]);
    type Summed = (u64, String);
    let flows: Vec<(String, Summed, Summed)> =
        province.flows.iter().map(|f| (f.province.clone(), summed(&f.outflow), summed(&f.inflow))).collect();
    assert_eq!(
        flows,
        [
            ("310000".into(), (1, "500.00".into()), (0, "0.00".into())),
            ("330000".into(), (1, "1000.00".into()), (1, "300.00".into())),
        ],
        "within the province is no flow"
    );
    let city = statistics(&ctx, &reg_nj, Some(2026), Some(5)).await.expect("the registrar's locality");
    assert_eq!(summed(&city.total.through), (2, "3000.00".into()));
    assert!(city.flows.iter().any(|f| f.province == "320000" && f.outflow.contracts == 1), "苏州 is outside 南京");
    let nation = statistics(&ctx, &ministry, Some(2026), Some(5)).await.expect("national");
    assert_eq!(summed(&nation.total.through), (4, "3800.00".into()));
    let zhejiang = nation.flows.iter().find(|f| f.province == "330000").expect("浙江");
    assert_eq!((summed(&zhejiang.outflow), summed(&zhejiang.inflow)), ((1, "300.00".into()), (1, "1000.00".into())));

    let institution = statistics(&ctx, &nj, Some(2026), None).await;
    assert!(matches!(institution, Err(AppError::Forbidden(_))), "{institution:?}");
    let month = statistics(&ctx, &jiangsu, Some(2026), Some(13)).await;
    assert!(matches!(&month, Err(AppError::Invalid(m)) if m.starts_with("month")), "{month:?}");
    let book = workbook(&province).expect("workbook");
    let first = ttdz_xlsx::first_sheet_as_csv(&book).expect("readable");
    assert!(first.contains("技术转让") && first.contains("0.1"), "1000 yuan is 0.10 万元: {first}");
}

/// The reward ledger: an institution records what it paid for a registered contract's income and each year of an
/// implementation (five at most), parts that do not add up to the pool are refused by name, the ledger totals each
/// person and achievement, a province reads its institutions' and the audit trail has every record.
async fn the_reward_ledger_records_what_institutions_paid_and_totals_each_person(store: &TestStore) {
    use ttdz_app::AppError;
    use ttdz_app::rewards::{ledger, record};
    use ttdz_domain::account::Role;
    use ttdz_domain::reward::{DistributionInput, LineInput};
    let [nju, zju, jiangsu, zhejiang, expert] = stored_accounts(
        store,
        [
            ("nju-reward", Role::Institution, None, Some("320106")),
            ("zju-reward", Role::Institution, None, Some("330106")),
            ("js-reward", Role::Province, Some("320000"), None),
            ("zj-reward", Role::Province, Some("330000"), None),
            ("expert-reward", Role::Expert, None, None),
        ],
    )
    .await;
    let ctx = at(store, "2026-09-01T02:00:00Z");
    let line = |name: &str, share: &str, amount: Option<&str>| LineInput {
        name: name.into(),
        share: share.into(),
        amount_yuan: amount.map(str::to_owned),
    };
    let paid = |mode: &str, year: i32, amount: &str, lines: Vec<LineInput>| DistributionInput {
        achievement: "石墨烯导热膜".into(),
        mode: mode.into(),
        year,
        amount_yuan: amount.into(),
        lines,
        ..DistributionInput::default()
    };
    let transfer = record(
        &ctx,
        &nju,
        "test",
        paid("transfer", 2026, "1000000", vec![line("张三", "0.6", None), line("李四", "0.4", None)]),
    )
    .await
    .expect("recorded");
    assert_eq!((transfer.basis, transfer.pool.as_str()), ("statute", "500000.00"));
    let short = paid(
        "transfer",
        2026,
        "1000000",
        vec![line("张三", "0.6", Some("300000")), line("李四", "0.4", Some("100000"))],
    );
    let short = record(&ctx, &nju, "test", short).await;
    assert!(
        matches!(&short, Err(AppError::Rejected(m)) if m.starts_with("lines") && m.contains("not the pool")),
        "{short:?}"
    );
    let foreign =
        DistributionInput { contract_id: Some(999), ..paid("transfer", 2026, "1", vec![line("张三", "1", None)]) };
    let foreign = record(&ctx, &nju, "test", foreign).await;
    assert!(matches!(&foreign, Err(AppError::Rejected(m)) if m.starts_with("contract_id")), "{foreign:?}");
    for year in 2021..=2025 {
        let own_rule = DistributionInput {
            institution_ratio: Some("10%".into()),
            ..paid("implementation", year, "200000", vec![line("张三", "1", None)])
        };
        record(&ctx, &nju, "test", own_rule).await.expect("a year of implementation");
    }
    let sixth = record(&ctx, &nju, "test", paid("implementation", 2026, "200000", vec![line("张三", "1", None)])).await;
    assert!(matches!(&sixth, Err(AppError::Rejected(m)) if m.starts_with("year")), "{sixth:?}");
    record(&ctx, &zju, "test", paid("license", 2026, "80000", vec![line("王五", "1", None)])).await.expect("浙大's");
    let by_expert = record(&ctx, &expert, "test", paid("license", 2026, "1", vec![line("王五", "1", None)])).await;
    assert!(matches!(by_expert, Err(AppError::Forbidden(_))));

    let own = ledger(&ctx, &nju, None).await.expect("its own");
    assert_eq!(own.distributions.len(), 6);
    let totals: Vec<(String, String)> = own.people.iter().map(|p| (p.name.clone(), p.total.clone())).collect();
    assert_eq!(
        totals,
        [("张三".into(), "400000.00".into()), ("李四".into(), "200000.00".into())],
        "300000 + 5 × 20000"
    );
    assert_eq!(own.achievements, [("石墨烯导热膜".to_owned(), "600000.00".to_owned())]);
    assert!(own.may_record);
    let province = ledger(&ctx, &jiangsu, None).await.expect("the province's");
    assert_eq!((province.distributions.len(), province.may_record), (6, false));
    assert!(ledger(&ctx, &zhejiang, None).await.expect("浙江's").people.iter().all(|p| p.name == "王五"));
    assert!(matches!(ledger(&ctx, &expert, None).await, Err(AppError::Forbidden(_))));
    let trail =
        store.store().audit(&ttdz_domain::audit::AuditQuery { limit: 100, ..Default::default() }).await.expect("audit");
    assert_eq!(trail.iter().filter(|e| e.action == "reward.record").count(), 7);
}

/// Amendments (变更): the seller amends its filing before registration; once registered only the registrar of its
/// locality amends it, with a reason, the number kept and the seller kept inside the locality; the figure follows
/// the amended amount at once and the trail keeps the terms before and after.
async fn a_registered_contract_is_amended_with_a_trace_and_its_figure_follows(store: &TestStore) {
    use rust_decimal::Decimal;
    use ttdz_app::AppError;
    use ttdz_app::registration::{DecisionInput, decide, file};
    use ttdz_domain::account::Role;
    use ttdz_domain::registration::FilingInput;
    let [seller, registrar] = stored_accounts(
        store,
        [("seu-tto", Role::Institution, None, Some("320102")), ("reg-xw", Role::Registrar, None, Some("320102"))],
    )
    .await;
    let ctx = at(store, "2026-07-01T02:00:00Z");
    let terms = |turnover: &str| FilingInput {
        title: Some("智能电网调度软件许可".into()),
        contract_type: "技术许可".into(),
        seller_division: "320102".into(),
        buyer_division: "330106".into(),
        seller_kind: "高校".into(),
        field: "电子信息".into(),
        signed_on: "2026-06-20".into(),
        turnover_yuan: turnover.into(),
        tech_amount_yuan: turnover.into(),
        ..FilingInput::default()
    };
    let turnover = || async {
        let element = ttdz_domain::ElementCode::parse("contract_turnover_yuan").expect("code");
        let reported = store.store().reported(&element).await.expect("reported");
        let seller = ttdz_domain::DivisionCode::parse("320102").expect("code");
        reported.divisions.get(&(seller, 2026)).map(|(v, _)| *v).unwrap_or_default()
    };
    let amend = |terms: FilingInput, reason: Option<&str>| DecisionInput {
        reason: reason.map(str::to_owned),
        contract: Some(terms),
        ..DecisionInput::default()
    };
    let filed = file(&ctx, &seller, "test", terms("100000")).await.expect("filed");
    let own = decide(&ctx, &seller, "test", (filed.id, "amend", None), &amend(terms("120000"), Some("笔误"))).await;
    assert_eq!(own.expect("the seller amends its filing").turnover_yuan, "120000.00");
    let before = turnover().await;
    decide(&ctx, &registrar, "test", (filed.id, "register", None), &DecisionInput::default())
        .await
        .expect("registered");
    assert_eq!(turnover().await - before, Decimal::from(120_000));

    let late = decide(&ctx, &seller, "test", (filed.id, "amend", None), &amend(terms("1"), Some("再改"))).await;
    assert!(matches!(&late, Err(AppError::Forbidden(m)) if m.contains("registrar")), "{late:?}");
    let no_reason = decide(&ctx, &registrar, "test", (filed.id, "amend", None), &amend(terms("150000"), None)).await;
    assert!(matches!(&no_reason, Err(AppError::Rejected(m)) if m.starts_with("reason")), "{no_reason:?}");
    let renumbered = FilingInput { contract_no: Some("2026320102999999".into()), ..terms("150000") };
    let renumbered =
        decide(&ctx, &registrar, "test", (filed.id, "amend", None), &amend(renumbered, Some("改号"))).await;
    assert!(matches!(&renumbered, Err(AppError::Rejected(m)) if m.starts_with("contract_no")), "{renumbered:?}");
    let moved = FilingInput { seller_division: "320106".into(), ..terms("150000") };
    let moved = decide(&ctx, &registrar, "test", (filed.id, "amend", None), &amend(moved, Some("迁址"))).await;
    assert!(matches!(&moved, Err(AppError::Rejected(m)) if m.starts_with("seller_division")), "{moved:?}");
    let without_terms = DecisionInput { reason: Some("补充".into()), ..DecisionInput::default() };
    let without_terms = decide(&ctx, &registrar, "test", (filed.id, "amend", None), &without_terms).await;
    assert!(matches!(&without_terms, Err(AppError::Rejected(m)) if m.starts_with("contract")), "{without_terms:?}");

    let amended = decide(
        &ctx,
        &registrar,
        "test",
        (filed.id, "amend", None),
        &amend(terms("150000"), Some("合同变更，金额增加")),
    )
    .await
    .expect("amended");
    assert_eq!((amended.status, amended.contract_no.as_deref()), ("registered", Some("2026320102000001")));
    assert_eq!(turnover().await - before, Decimal::from(150_000), "the figure follows the amendment");
    let step = amended.history.last().expect("a step");
    assert_eq!((step.action.as_str(), step.reason.as_deref()), ("amend", Some("合同变更，金额增加")));
    let trail =
        store.store().audit(&ttdz_domain::audit::AuditQuery { limit: 100, ..Default::default() }).await.expect("audit");
    let entry = trail.iter().rfind(|e| e.action == "contract.amend").expect("audited");
    assert!(entry.before.as_deref().is_some_and(|b| b.contains("120000")), "{entry:?}");
    assert!(entry.after.as_deref().is_some_and(|a| a.contains("150000")), "{entry:?}");
}

on_both_backends!(
    a_registered_contract_is_amended_with_a_trace_and_its_figure_follows,
    the_reward_ledger_records_what_institutions_paid_and_totals_each_person,
    the_registry_statistics_sum_the_registered_contracts_of_the_area,
    an_auction_closes_at_the_highest_bid_and_the_deal_is_a_contract_to_register,
    registers_are_the_figures_and_a_differing_report_stays_beside_them,
    registered_contracts_count_at_once_and_revoked_ones_leave,
    the_flow_between_zones_is_the_sum_of_the_contracts_between_them,
    a_registry_workbook_imports_whole_or_not_at_all,
    the_patents_corpus_imports_and_is_found_by_its_words,
    the_demo_shows_the_procedure_on_its_showcase_zone,
    featured_values_are_stated_in_the_report_of_a_recorded_plan,
    reminders_come_before_deadlines_once,
    experience_library_rules,
    province_values_uploads,
    logins_are_throttled_per_address,
    accounts_are_administered_by_the_ministry,
    the_audit_trail_and_change_log_are_read_by_those_who_oversee,
    each_role_sees_what_it_has_to_do,
    city_and_county_teams_enter_their_own_figures,
    the_ministry_consults_experts_of_its_own,
    experts_grade_the_policy_rows_and_the_mean_is_the_rows_value,
    plan_tasks_are_reported_year_by_year_and_weigh_in_the_verdict,
);
