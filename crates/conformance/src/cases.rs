//! The behaviour every store must show. Each case gets a freshly migrated store.

use std::str::FromStr;

use rust_decimal::Decimal;
use ttdz_domain::achievement::RecordStatus;
use ttdz_domain::measure::{Area, SourceKind};
use ttdz_domain::reference::{DemoData, TextFile, parse_divisions};
use ttdz_domain::{Division, DivisionCode, DivisionSet, DivisionTree, ElementCode, IndicatorCode, Vintage, ZoneKey};
use ttdz_store::{Batch, DivisionValue, RESIDENT_POPULATION, Store, StoreError, ZoneValue};

use crate::backends::reference;

fn code(s: &str) -> DivisionCode {
    DivisionCode::parse(s).expect("a valid code")
}

pub async fn ping_answers(store: &dyn Store) {
    store.ping().await.expect("ping");
}

pub async fn migrate_loads_the_shipped_reference_data(store: &dyn Store) {
    let shipped = reference();
    let vintages = store.vintages().await.expect("vintages");
    assert_eq!(vintages.len(), 1);
    assert_eq!(vintages[0].vintage, shipped.divisions.vintage());
    assert_eq!(vintages[0].divisions, 31 + 333 + 2975);
    assert_eq!(vintages[0].dataset, "divisions-2023");

    let stored = store.divisions(shipped.divisions.vintage()).await.expect("divisions").expect("vintage 2023");
    assert_eq!(stored, shipped.divisions);
    assert_eq!(store.indicators().await.expect("indicators"), shipped.indicators);

    let mut zones = store.zones().await.expect("zones");
    let mut expected = shipped.zones.clone();
    zones.sort_by(|a, b| a.key.cmp(&b.key));
    expected.sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(zones, expected);

    let datasets = store.datasets().await.expect("datasets");
    let names: Vec<&str> = datasets.iter().map(|d| d.dataset.name.as_str()).collect();
    assert_eq!(names, ["divisions-2023", "indicators", "population-2020-census", "zones"]);
    for d in
        [&shipped.divisions_dataset, &shipped.indicators_dataset, &shipped.zones_dataset, &shipped.population_dataset]
    {
        let record = datasets.iter().find(|r| r.dataset.name == d.name).expect("recorded");
        assert_eq!(&record.dataset, d, "dataset {} is recorded with its files, checksum and source", d.name);
        assert!(record.loaded_at.ends_with('Z') && record.loaded_at.len() == 20, "ISO 8601 UTC: {}", record.loaded_at);
    }
}

pub async fn migrate_twice_changes_nothing(store: &dyn Store) {
    let before = (store.datasets().await.expect("datasets"), store.zones().await.expect("zones"));
    let report = store.migrate(&reference(), crate::backends::TEST_YEAR).await.expect("second migrate");
    assert!(report.applied.is_empty() && report.datasets_loaded.is_empty(), "{report:?}");
    let after = (store.datasets().await.expect("datasets"), store.zones().await.expect("zones"));
    assert_eq!(before, after);
}

pub async fn population_is_stored_exactly_with_its_dataset(store: &dyn Store) {
    let element = ElementCode::parse(RESIDENT_POPULATION).expect("element code");
    let values = store.sourced_values(&element).await.expect("values");
    assert_eq!(values.len(), 31);
    assert!(
        values
            .iter()
            .all(|v| v.year == 2020 && v.source == "population-2020-census" && v.kind == SourceKind::Reference)
    );
    let total: Decimal = values.iter().map(|v| v.value).sum();
    assert_eq!(total, Decimal::from(1_409_778_724_u64));
    let guangdong = values.iter().find(|v| v.area == Area::Division(code("440000"))).expect("广东");
    assert_eq!(guangdong.value, Decimal::from(126_012_510_u64));
}

pub async fn indicator_factors_are_exact_decimals(store: &dyn Store) {
    let indicators = store.indicators().await.expect("indicators");
    let turnover = indicators
        .iter()
        .find(|i| i.code == IndicatorCode::parse("contract_turnover").expect("code"))
        .expect("contract_turnover");
    let factor = turnover.factor.expect("a factor");
    assert_eq!(factor, Decimal::from_str("0.00000001").expect("decimal"));
    assert_eq!(factor.to_string(), "0.00000001");
    // 1e8 yuan is exactly one 亿元: no binary float could promise that for every amount.
    assert_eq!(Decimal::from(123_456_789_012_u64) * factor, Decimal::from_str("1234.56789012").expect("decimal"));
    let seqs: Vec<u8> = indicators.iter().map(|i| i.seq).collect();
    assert_eq!(seqs, (1..=16).collect::<Vec<u8>>());
}

pub async fn zones_resolve_and_keep_member_order(store: &dyn Store) {
    let key = ZoneKey::parse("jiangsu-sunan").expect("key");
    let zone = store.zone(&key).await.expect("zone").expect("江苏·苏南 exists");
    assert_eq!(zone.name_zh, "江苏苏南国家科技成果转移转化示范区");
    assert_eq!(zone.members, ["320100", "320200", "320400", "320500", "321100"].map(code));
    assert!(store.zone(&ZoneKey::parse("atlantis").expect("key")).await.expect("zone").is_none());

    let zones = store.zones().await.expect("zones");
    let approved: Vec<String> = zones.iter().map_while(|z| z.approved.map(|d| d.to_string())).collect();
    assert_eq!(approved.first().map(String::as_str), Some("2016-10"));
    assert!(approved.windows(2).all(|w| w[0] <= w[1]), "approved zones come first, by date: {approved:?}");
    assert!(zones[approved.len()..].iter().all(|z| z.approved.is_none()));

    let tree = DivisionTree::new(
        store.divisions(Vintage::new(2023).expect("vintage")).await.expect("divisions").expect("2023"),
    );
    for z in &zones {
        for m in &z.members {
            assert!(tree.get(m).is_some(), "member {m} of {} resolves", z.key);
        }
    }
}

/// A small later list, in the NBS file shapes: 江苏 with 南京 and one renamed district.
fn vintage_2024() -> DivisionSet {
    parse_divisions(
        Vintage::new(2024).expect("vintage"),
        TextFile { name: "provinces.csv", text: "code,name\n32,\"江苏省\"\n" },
        TextFile { name: "cities.csv", text: "code,name,provinceCode\n3201,\"南京市\",32\n" },
        TextFile { name: "areas.csv", text: "code,name,cityCode,provinceCode\n320102,\"玄武新区\",3201,32\n" },
    )
    .expect("a valid list")
}

pub async fn a_new_vintage_is_added_beside_the_old(store: &dyn Store) {
    let set = vintage_2024();
    let dataset = ttdz_domain::Dataset {
        name: "divisions-2024".into(),
        files: vec!["provinces.csv".into(), "cities.csv".into(), "areas.csv".into()],
        sha256: "0".repeat(64),
        source: "test".into(),
    };
    store.add_division_vintage(&set, &dataset, &audit()).await.expect("add 2024");
    let years: Vec<i64> = store.vintages().await.expect("vintages").iter().map(|v| v.vintage.year()).collect();
    assert_eq!(years, [2023, 2024]);
    let stored = store.divisions(Vintage::new(2024).expect("vintage")).await.expect("divisions").expect("2024");
    assert_eq!(stored, set);
    let old = store.divisions(Vintage::new(2023).expect("vintage")).await.expect("divisions").expect("2023");
    let xuanwu = old.divisions().iter().find(|d: &&Division| d.code == code("320102")).expect("玄武区");
    assert_eq!(xuanwu.name_zh, "玄武区", "the 2023 list is not rewritten");

    let again = store.add_division_vintage(&set, &dataset, &audit()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.vintages().await.expect("vintages").len(), 2);
    assert!(store.divisions(Vintage::new(2025).expect("vintage")).await.expect("divisions").is_none());
}

pub async fn demo_figures_load_once_and_exactly(store: &dyn Store) {
    assert!(store.published_figures().await.expect("figures").is_empty(), "reference data holds no demo figures");
    let tree = DivisionTree::new(reference().divisions);
    let demo = DemoData::shipped(&tree).expect("demo data parses");
    let first = store.load_demo(&demo, &audit()).await.expect("load demo");
    assert!(first.changed);
    assert_eq!(first.figures, 138);
    let second = store.load_demo(&demo, &audit()).await.expect("load demo again");
    assert!(!second.changed);

    let stored = store.published_figures().await.expect("figures");
    assert_eq!(stored.len(), demo.figures.len());
    for f in &demo.figures {
        assert!(stored.contains(f), "figure {f:?} is stored exactly as published");
    }
    assert!(stored[0].division.is_none(), "national figures come first");
    let beijing_gdp = stored
        .iter()
        .find(|f| f.stat == "gdp" && f.division == Some(code("110000")) && f.year == 2021)
        .expect("北京 2021 GDP");
    assert_eq!(beijing_gdp.value.to_string(), "40269.6");
}

fn dataset(name: &str, sha: &str) -> ttdz_domain::Dataset {
    ttdz_domain::Dataset {
        name: name.into(),
        files: vec![format!("{name}.csv")],
        sha256: sha.repeat(64),
        source: "test".into(),
    }
}

fn element(code: &str) -> ElementCode {
    ElementCode::parse(code).expect("element code")
}

fn division_value(e: &str, division: &str, year: i32, value: &str) -> DivisionValue {
    DivisionValue {
        element: element(e),
        division: code(division),
        year,
        value: Decimal::from_str(value).expect("decimal"),
        note: Some(format!("{e} {division} {year}")),
    }
}

/// A 100-yuan service contract a 南京 seller (320102) sells to 320104 in 2026, under its own number if it brings one.
fn service_contract(contract_no: Option<&str>) -> ttdz_domain::registration::ContractFiling {
    ttdz_domain::registration::FilingInput {
        contract_no: contract_no.map(str::to_owned),
        contract_type: "技术服务".into(),
        seller_division: "320102".into(),
        buyer_division: "320104".into(),
        seller_kind: "企业".into(),
        field: "电子信息".into(),
        signed_on: "2026-01-05".into(),
        turnover_yuan: "100".into(),
        tech_amount_yuan: "100".into(),
        ..Default::default()
    }
    .parse()
    .expect("filing")
}

fn batch(name: &str, sha: &str, kind: SourceKind, values: Vec<DivisionValue>) -> Batch {
    Batch {
        dataset: dataset(name, sha),
        kind,
        recorded_by: "tester".into(),
        scope: None,
        rows: values.len() as u64,
        division_values: values,
        zone_values: Vec::new(),
        rollups: Vec::new(),
        flows: Vec::new(),
        contract_numbers: Default::default(),
    }
}

pub async fn a_batch_replaces_its_own_earlier_contribution_and_the_newest_report_wins(store: &dyn Store) {
    let turnover = element("contract_turnover_yuan");
    let first = batch(
        "values:jiangsu",
        "a",
        SourceKind::Reported,
        vec![division_value("contract_turnover_yuan", "320102", 2023, "100.10")],
    );
    let report = store.replace_batch(&first, &audit()).await.expect("first import");
    assert!(report.changed && !report.replaced);
    assert!(
        !store.replace_batch(&first, &audit()).await.expect("same file again").changed,
        "the same file changes nothing"
    );

    let corrected = batch(
        "values:jiangsu",
        "b",
        SourceKind::Reported,
        vec![division_value("contract_turnover_yuan", "320102", 2023, "150")],
    );
    let report = store.replace_batch(&corrected, &audit()).await.expect("corrected file");
    assert!(report.changed && report.replaced);
    let values = store.sourced_values(&turnover).await.expect("values");
    assert_eq!(values.len(), 1, "the batch's earlier value is gone: {values:?}");
    assert_eq!(values[0].value, Decimal::from(150));

    let later = batch(
        "values:nanjing",
        "c",
        SourceKind::Reported,
        vec![division_value("contract_turnover_yuan", "320102", 2023, "12345678901234567.89")],
    );
    store.replace_batch(&later, &audit()).await.expect("another batch");
    let reported = store.reported(&turnover).await.expect("reported");
    let (value, source) = &reported.divisions[&(code("320102"), 2023)];
    assert_eq!(value.to_string(), "12345678901234567.89", "stored exactly");
    assert_eq!(source, "values:nanjing", "the newest report wins");
    let notes: Vec<Option<String>> =
        store.sourced_values(&turnover).await.expect("values").into_iter().map(|v| v.note).collect();
    assert!(notes.iter().all(|n| n.as_deref() == Some("contract_turnover_yuan 320102 2023")), "notes kept: {notes:?}");

    let records = store.datasets().await.expect("datasets");
    let record = records.iter().find(|r| r.dataset.name == "values:jiangsu").expect("batch recorded");
    assert_eq!(
        (record.kind, record.rows, record.recorded_by.as_deref()),
        (SourceKind::Reported, Some(1), Some("tester"))
    );
    let newest = records.iter().find(|r| r.dataset.name == "values:nanjing").expect("batch recorded");
    assert!(newest.revision > record.revision);
}

pub async fn registry_batches_add_up_and_keep_their_roll_ups_by_type(store: &dyn Store) {
    use ttdz_domain::contract::{ContractRollup, ContractType, Side};
    let rollup = |division: &str, t: ContractType, n: u64, amount: &str| ContractRollup {
        side: Side::Seller,
        division: code(division),
        year: 2023,
        contract_type: t,
        contracts: n,
        turnover: Decimal::from_str(amount).expect("decimal"),
        tech_amount: Decimal::from_str(amount).expect("decimal") / Decimal::from(2),
    };
    let mut q1 = batch(
        "contracts:q1",
        "1",
        SourceKind::Registry,
        vec![division_value("contract_turnover_yuan", "320102", 2023, "10.01")],
    );
    q1.rollups = vec![rollup("320102", ContractType::Development, 2, "10.01")];
    let mut q2 = batch(
        "contracts:q2",
        "2",
        SourceKind::Registry,
        vec![division_value("contract_turnover_yuan", "320102", 2023, "5.99")],
    );
    q2.rollups =
        vec![rollup("320102", ContractType::Development, 1, "5.99"), rollup("320104", ContractType::Service, 3, "7")];
    store.replace_batch(&q1, &audit()).await.expect("q1");
    store.replace_batch(&q2, &audit()).await.expect("q2");
    let reported = store.reported(&element("contract_turnover_yuan")).await.expect("reported");
    assert_eq!(reported.divisions[&(code("320102"), 2023)].0, Decimal::from(16));

    let rollups = store.contract_rollups(Side::Seller, "3201").await.expect("roll-ups");
    assert_eq!(rollups.len(), 2);
    assert_eq!(
        (rollups[0].division, rollups[0].contracts, rollups[0].turnover),
        (code("320102"), 3, Decimal::from(16))
    );
    assert_eq!(rollups[1].contract_type, ContractType::Service);
    assert!(store.contract_rollups(Side::Buyer, "32").await.expect("roll-ups").is_empty());

    // Each batch keeps its own flows; a corrected batch replaces its own.
    use ttdz_domain::contract::ContractFlow;
    let flow = |seller: &str, buyer: &str, year: i32, contracts: u64, amount: &str| ContractFlow {
        seller: code(seller),
        buyer: code(buyer),
        year,
        contracts,
        turnover: Decimal::from_str(amount).expect("decimal"),
    };
    q1.flows = vec![flow("320102", "330106", 2023, 2, "10.01"), flow("320102", "320102", 2022, 1, "1")];
    q2.flows = vec![flow("320102", "330106", 2023, 1, "5.99"), flow("330106", "320102", 2023, 3, "7")];
    q1.dataset.sha256 = "1b".into();
    q2.dataset.sha256 = "2b".into();
    store.replace_batch(&q1, &audit()).await.expect("q1 with flows");
    store.replace_batch(&q2, &audit()).await.expect("q2 with flows");
    let by_batch = |batch: &str, f: ContractFlow| (batch.to_owned(), f);
    assert_eq!(
        store.contract_flows(2023).await.expect("flows"),
        [
            by_batch("contracts:q1", flow("320102", "330106", 2023, 2, "10.01")),
            by_batch("contracts:q2", flow("320102", "330106", 2023, 1, "5.99")),
            by_batch("contracts:q2", flow("330106", "320102", 2023, 3, "7")),
        ]
    );
    assert_eq!(store.contract_flow_years().await.expect("years"), [2022, 2023]);
    q2.flows.clear();
    q2.dataset.sha256 = "2c".into();
    store.replace_batch(&q2, &audit()).await.expect("q2 without flows");
    assert_eq!(
        store.contract_flows(2023).await.expect("flows"),
        [by_batch("contracts:q1", flow("320102", "330106", 2023, 2, "10.01"))]
    );
}

pub async fn a_failed_batch_leaves_nothing_behind(store: &dyn Store) {
    let mut bad = batch("values:bad", "d", SourceKind::Reported, vec![division_value("gdp_yuan", "320100", 2023, "1")]);
    bad.zone_values = vec![ZoneValue {
        element: element("transfer_special_funds_yuan"),
        zone: ZoneKey::parse("no-such-zone").expect("key"),
        year: 2023,
        value: Decimal::ONE,
        note: None,
    }];
    assert!(store.replace_batch(&bad, &audit()).await.is_err(), "a zone value for an unknown zone is refused");
    assert!(store.sourced_values(&element("gdp_yuan")).await.expect("values").is_empty(), "no value half-written");
    assert!(!store.datasets().await.expect("datasets").iter().any(|d| d.dataset.name == "values:bad"));

    bad.zone_values[0].zone = ZoneKey::parse("ningbo").expect("key");
    store.replace_batch(&bad, &audit()).await.expect("with a real zone");
    let reported = store.reported(&element("transfer_special_funds_yuan")).await.expect("reported");
    assert_eq!(reported.zones[&(ZoneKey::parse("ningbo").expect("key"), 2023)].0, Decimal::ONE);
}

pub async fn accounts_sessions_and_login_failures(store: &dyn Store) {
    use ttdz_domain::account::{Account, Role, Username};
    let jiangsu =
        Account::new(Username::parse("jiangsu").expect("name"), Role::Province, Some(code("320000")), None, None)
            .expect("account");
    store.add_account(&jiangsu, "hash-1", &audit()).await.expect("add");
    let again = store.add_account(&jiangsu, "hash-2", &audit()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let ministry =
        Account::new(Username::parse("most").expect("name"), Role::Ministry, None, None, None).expect("account");
    store.add_account(&ministry, "hash-3", &audit()).await.expect("add");
    assert_eq!(store.accounts().await.expect("accounts"), [jiangsu.clone(), ministry.clone()]);
    assert_eq!(
        store.account_credentials("jiangsu").await.expect("credentials"),
        Some((jiangsu.clone(), "hash-1".into()))
    );
    assert_eq!(store.account_credentials("nobody").await.expect("credentials"), None);

    store.create_session("t1", "jiangsu", "c1", 1000, &audit()).await.expect("session");
    assert_eq!(store.session("t1", 999).await.expect("session"), Some((jiangsu.clone(), "c1".into())));
    assert_eq!(store.session("t1", 1000).await.expect("session"), None, "expired");
    assert_eq!(store.session("t2", 999).await.expect("session"), None);
    assert!(store.set_account_disabled("jiangsu", true, &audit()).await.expect("disable"));
    assert_eq!(store.session("t1", 999).await.expect("session"), None, "a disabled account's sessions stop at once");
    assert!(store.accounts().await.expect("accounts")[0].disabled);
    assert!(store.set_account_disabled("jiangsu", false, &audit()).await.expect("enable"));
    assert!(store.session("t1", 999).await.expect("session").is_some());
    store.delete_session("t1", &audit()).await.expect("logout");
    assert_eq!(store.session("t1", 999).await.expect("session"), None);
    assert!(!store.set_account_disabled("nobody", true, &audit()).await.expect("no such account"));
    store.create_session("t3", "jiangsu", "c3", 1000, &audit()).await.expect("session");
    assert!(store.set_password("jiangsu", "hash-4", &audit()).await.expect("set password"));
    assert_eq!(
        store.account_credentials("jiangsu").await.expect("credentials"),
        Some((jiangsu.clone(), "hash-4".into()))
    );
    assert_eq!(store.session("t3", 999).await.expect("session"), None, "a new password ends the sessions");
    assert!(!store.set_password("nobody", "hash-5", &audit()).await.expect("no such account"));

    for at in [100, 110, 120] {
        store.record_login_failure("10.0.0.1 jiangsu", "jiangsu", at, &audit()).await.expect("failure");
    }
    assert_eq!(store.login_failure_times("10.0.0.1 jiangsu", 105).await.expect("times"), [110, 120]);
    assert!(store.login_failure_times("10.0.0.2 jiangsu", 0).await.expect("times").is_empty(), "per address");
    store.record_login_failure("10.0.0.1 jiangsu", "jiangsu", 5000, &audit()).await.expect("failure");
    assert_eq!(
        store.login_failure_times("10.0.0.1 jiangsu", 0).await.expect("times"),
        [5000],
        "failures older than an hour are forgotten"
    );
}

fn audit() -> ttdz_domain::audit::AuditContext {
    ttdz_domain::audit::AuditContext { actor: "test".into(), origin: "test".into(), zone: None, province: None }
}

pub async fn writes_leave_an_audit_trail(store: &dyn Store) {
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::audit::{AuditContext, AuditQuery};
    let jiangsu = AuditContext {
        actor: "user:jiangsu".into(),
        origin: "127.0.0.1".into(),
        zone: Some(ZoneKey::parse("jiangsu-sunan").expect("key")),
        province: Some(code("320000")),
    };
    let first = batch("values:sunan", "a", SourceKind::Reported, vec![division_value("gdp_yuan", "320100", 2023, "1")]);
    store.replace_batch(&first, &jiangsu).await.expect("first");
    store.replace_batch(&first, &jiangsu).await.expect("same file: no write, no entry");
    let second =
        batch("values:sunan", "b", SourceKind::Reported, vec![division_value("gdp_yuan", "320100", 2023, "2")]);
    store.replace_batch(&second, &jiangsu).await.expect("second");
    let account =
        Account::new(Username::parse("zhejiang").expect("name"), Role::Province, Some(code("330000")), None, None)
            .expect("account");
    store.add_account(&account, "hash", &audit()).await.expect("account");
    store.set_account_disabled("zhejiang", true, &audit()).await.expect("disable");

    let all = store.audit(&AuditQuery { limit: 100, ..AuditQuery::default() }).await.expect("trail");
    let actions: Vec<&str> = all.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["import.batch", "import.batch", "account.add", "account.disable"]);
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    assert_eq!(
        (all[0].actor.as_str(), all[0].origin.as_str(), all[0].subject.as_str()),
        ("user:jiangsu", "127.0.0.1", "values:sunan")
    );
    assert!(all[0].before.is_none() && all[0].after.as_deref().is_some_and(|a| a.contains("\"division_values\":1")));
    assert!(
        all[1].before.as_deref().is_some_and(|b| b.contains(&"a".repeat(64))),
        "the replaced batch is the before state"
    );
    assert!(all[1].after.as_deref().is_some_and(|a| a.contains(&"b".repeat(64))));
    assert_eq!(all[3].before.as_deref(), Some("{\"disabled\":false}"));
    assert_eq!(all[3].after.as_deref(), Some("{\"disabled\":true}"));
    assert!(all[0].at.ends_with('Z') && all[0].at.len() == 20, "{}", all[0].at);

    let by_zone =
        AuditQuery { zone: Some(ZoneKey::parse("jiangsu-sunan").expect("key")), limit: 100, ..AuditQuery::default() };
    assert_eq!(store.audit(&by_zone).await.expect("trail").len(), 2);
    let by_actor = AuditQuery { actor: Some("test".into()), limit: 100, ..AuditQuery::default() };
    assert_eq!(store.audit(&by_actor).await.expect("trail").len(), 2);
    let province = AuditQuery { province: Some(code("320000")), limit: 100, ..AuditQuery::default() };
    assert_eq!(store.audit(&province).await.expect("trail").len(), 2);
    let later = AuditQuery { since: Some("2999-01-01T00:00:00Z".into()), limit: 100, ..AuditQuery::default() };
    assert!(store.audit(&later).await.expect("trail").is_empty());
    let earlier = AuditQuery { since: Some("2000-01-01T00:00:00Z".into()), limit: 3, ..AuditQuery::default() };
    assert_eq!(store.audit(&earlier).await.expect("trail").len(), 3, "the limit holds");
}

pub async fn zones_move_through_the_procedure_one_version_at_a_time(store: &dyn Store) {
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::lifecycle::{Action, Stage};
    use ttdz_store::LifecycleStep;
    let sunan =
        store.lifecycle(&ZoneKey::parse("jiangsu-sunan").expect("key")).await.expect("lifecycle").expect("seeded");
    assert_eq!(sunan.stage, Stage::UnderConstruction);
    let (start, end, assumed) = sunan.term.clone().expect("a term");
    assert!(assumed && start.ends_with("-01-01") && end.ends_with("-12-31"), "{start} {end}");
    assert_eq!(
        sunan.history.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
        ["approve_plan", "start_construction"]
    );
    let zhejiang =
        store.lifecycle(&ZoneKey::parse("zhejiang").expect("key")).await.expect("lifecycle").expect("seeded");
    assert!(zhejiang.history[0].document.contains("2016-12-20"));
    assert!(store.lifecycle(&ZoneKey::parse("atlantis").expect("key")).await.expect("lifecycle").is_none());

    let key = ZoneKey::parse("jiangsu-suzhong").expect("key");
    let zone = ttdz_domain::Zone {
        key: key.clone(),
        name_zh: "江苏苏中国家科技成果转移转化示范区".into(),
        short_name_zh: "江苏·苏中".into(),
        province: code("320000"),
        members: vec![code("321000"), code("321200")],
        approved: None,
        approval_note: String::new(),
        approval_note_zh: String::new(),
        source_zh: String::new(),
        source: "proposed".into(),
    };
    let step = |based_on: i64, action: Action, from: Option<Stage>, to: Stage| LifecycleStep {
        zone: key.clone(),
        based_on,
        new_zone: None,
        action,
        from,
        to,
        document: "{}".into(),
        term: None,
        assign_experts: Vec::new(),
        reviewed_by: None,
        appoint_consultants: Vec::new(),
        consulted_by: None,
    };
    let propose =
        LifecycleStep { new_zone: Some(zone.clone()), ..step(0, Action::ProposeDemand, None, Stage::DemandProposed) };
    assert_eq!(store.apply_lifecycle(&propose, &audit()).await.expect("propose"), 1);
    assert_eq!(store.zone(&key).await.expect("zone"), Some(zone), "the proposal created the zone");
    assert!(matches!(store.apply_lifecycle(&propose, &audit()).await, Err(StoreError::Conflict(_))), "proposed twice");
    let draft = step(1, Action::DraftPlan, Some(Stage::DemandProposed), Stage::PlanDrafted);
    assert_eq!(store.apply_lifecycle(&draft, &audit()).await.expect("draft"), 2);
    let stale = store.apply_lifecycle(&draft, &audit()).await;
    assert!(matches!(&stale, Err(StoreError::Conflict(m)) if m.contains("version 2")), "{stale:?}");

    let expert =
        Account::new(Username::parse("prof-wang").expect("name"), Role::Expert, None, None, None).expect("expert");
    store.add_account(&expert, "hash", &audit()).await.expect("expert");
    let assign = LifecycleStep {
        assign_experts: vec!["prof-wang".into()],
        ..step(2, Action::AssignExperts, Some(Stage::PlanDrafted), Stage::PlanDrafted)
    };
    store.apply_lifecycle(&assign, &audit()).await.expect("assign");
    let review = LifecycleStep {
        reviewed_by: Some("prof-wang".into()),
        ..step(3, Action::ReviewPlan, Some(Stage::PlanDrafted), Stage::PlanReviewed)
    };
    store.apply_lifecycle(&review, &audit()).await.expect("review");
    let term = LifecycleStep {
        term: Some(("2027-01-01".into(), "2030-12-31".into())),
        ..step(4, Action::StartConstruction, Some(Stage::PlanReviewed), Stage::UnderConstruction)
    };
    store.apply_lifecycle(&term, &audit()).await.expect("term");
    let consultant =
        Account::new(Username::parse("prof-li").expect("name"), Role::Expert, None, None, None).expect("expert");
    store.add_account(&consultant, "hash", &audit()).await.expect("expert");
    let appoint = LifecycleStep {
        appoint_consultants: vec!["prof-li".into()],
        ..step(5, Action::AppointExperts, Some(Stage::UnderConstruction), Stage::UnderConstruction)
    };
    store.apply_lifecycle(&appoint, &audit()).await.expect("appoint");
    let pending = store.lifecycle(&key).await.expect("lifecycle").expect("exists");
    assert_eq!(pending.consultants, [("prof-li".to_owned(), false)], "the ministry's expert, apart from the plan's");
    let opinion = LifecycleStep {
        consulted_by: Some("prof-li".into()),
        ..step(6, Action::GiveOpinion, Some(Stage::UnderConstruction), Stage::UnderConstruction)
    };
    store.apply_lifecycle(&opinion, &audit()).await.expect("opinion");

    let state = store.lifecycle(&key).await.expect("lifecycle").expect("exists");
    assert_eq!((state.stage, state.version), (Stage::UnderConstruction, 7));
    assert_eq!(state.term, Some(("2027-01-01".into(), "2030-12-31".into(), false)));
    assert_eq!(state.experts, [("prof-wang".to_owned(), true)]);
    assert_eq!(state.consultants, [("prof-li".to_owned(), true)]);
    assert_eq!(state.history.len(), 7);
    assert_eq!(state.history[1].from.as_deref(), Some("demand_proposed"));
    let trail = store.audit(&ttdz_domain::audit::AuditQuery { limit: 100, ..Default::default() }).await.expect("trail");
    assert_eq!(trail.iter().filter(|e| e.action.starts_with("lifecycle.")).count(), 7);
}

pub async fn annual_reports_keep_their_values_and_versions(store: &dyn Store) {
    use ttdz_domain::report::ReportStatus;
    use ttdz_store::AnnualReport;
    let zone = ZoneKey::parse("jiangsu-sunan").expect("key");
    assert!(store.annual_report(&zone, 2026).await.expect("report").is_none());
    let draft = AnnualReport {
        zone: zone.clone(),
        year: 2026,
        status: ReportStatus::Draft,
        version: 0,
        text: "年度建设情况".into(),
        values_json: "[{\"element\":\"gdp_yuan\",\"division_code\":\"320100\",\"value\":\"5\"}]".into(),
        snapshot: None,
        returned_snapshot: Some("[]".into()),
        progress_json: "[{\"task\":1,\"status\":\"on_track\",\"evidence\":\"进度报告\"}]".into(),
        submitted_at: None,
        late: false,
        comment: None,
    };
    assert_eq!(store.save_annual_report(&draft, 0, None, "edit", &audit()).await.expect("draft"), 1);
    assert!(matches!(store.save_annual_report(&draft, 0, None, "edit", &audit()).await, Err(StoreError::Conflict(_))));
    let submitted = AnnualReport {
        status: ReportStatus::Submitted,
        snapshot: Some(draft.values_json.clone()),
        submitted_at: Some("2026-12-20".into()),
        ..draft.clone()
    };
    assert_eq!(store.save_annual_report(&submitted, 1, None, "submit", &audit()).await.expect("submit"), 2);
    let stored = store.annual_report(&zone, 2026).await.expect("report").expect("exists");
    assert_eq!(stored, AnnualReport { version: 2, ..submitted.clone() });
    let reported = store.reported(&element("gdp_yuan")).await.expect("values");
    assert!(!reported.divisions.contains_key(&(code("320100"), 2026)), "a submitted report's values are not figures");
    let accepted = AnnualReport { status: ReportStatus::Accepted, ..submitted };
    let published = accepted.accepted_batch("苏南", "user:most".into(), Some(code("320000"))).expect("batch");
    assert_eq!(store.save_annual_report(&accepted, 2, Some(&published), "accept", &audit()).await.expect("accept"), 3);
    let reported = store.reported(&element("gdp_yuan")).await.expect("values");
    assert_eq!(
        reported.divisions[&(code("320100"), 2026)],
        (Decimal::from(5), "report:jiangsu-sunan-2026".to_owned()),
        "from acceptance on, indicators read the report's values"
    );
    let corrupt = AnnualReport { values_json: "{not json".into(), ..accepted };
    assert!(matches!(corrupt.drafted(), Err(StoreError::Corrupt(_))), "stored JSON that does not parse is corrupt");
    let trail = store.audit(&ttdz_domain::audit::AuditQuery { limit: 100, ..Default::default() }).await.expect("trail");
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["report.edit", "report.submit", "import.batch", "report.accept"]);
}

pub async fn policies_checks_and_experience_round_trip(store: &dyn Store) {
    use ttdz_domain::policy::{Experience, Finding, Policy, PolicyCheck, PolicyLevel};
    let zone = ZoneKey::parse("jiangsu-sunan").expect("key");
    let policy = Policy {
        id: 0,
        zone: zone.clone(),
        level: PolicyLevel::Local,
        issuer: "江苏省人民政府".into(),
        number: "苏政发〔2018〕1号".into(),
        issued: "2018-03".parse().expect("date"),
        title: "关于加快科技成果转化的若干政策".into(),
        provisions: "科研人员转化收益不低于70%".into(),
    };
    let id = store.add_policy(&policy, &audit()).await.expect("add");
    let stored = store.policy(id).await.expect("read").expect("exists");
    assert_eq!(stored, Policy { id, ..policy.clone() });
    assert!(store.policy(id + 1000).await.expect("read").is_none());
    let check = PolicyCheck {
        policy: id,
        checked_on: "2026-06-30".parse().expect("date"),
        checked_by: "user:expert".into(),
        finding: Finding::Partial,
        evidence: "收益分配已执行，配套细则未出台".into(),
        annex_row: Some(14),
    };
    store.add_policy_check(&check, &audit()).await.expect("check");
    let other = ZoneKey::parse("zhejiang").expect("key");
    let listed = store.policies(&zone).await.expect("list");
    assert_eq!(listed, vec![(Policy { id, ..policy }, vec![check])]);
    assert!(store.policies(&other).await.expect("list").is_empty(), "policies belong to their zone");

    let experience = Experience {
        id: 0,
        zone: zone.clone(),
        title: "成果转化收益分配改革".into(),
        summary: "职务成果赋权".into(),
        policies: vec![id],
        published_on: None,
    };
    let eid = store.add_experience(&experience, &audit()).await.expect("propose");
    assert!(store.publish_experience(eid, "2026-11-01", &audit()).await.expect("publish"));
    assert!(!store.publish_experience(eid, "2026-11-02", &audit()).await.expect("again"), "published once");
    assert!(!store.publish_experience(eid + 1000, "2026-11-02", &audit()).await.expect("none"));
    let library = store.experiences().await.expect("library");
    assert_eq!(library, vec![Experience { id: eid, published_on: Some("2026-11-01".into()), ..experience }]);
    let trail = store.audit(&ttdz_domain::audit::AuditQuery { limit: 100, ..Default::default() }).await.expect("trail");
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["policy.add", "policy.check", "experience.propose", "experience.publish"]);
}

/// A batch belongs to the province it was recorded for: another province cannot replace it under the same name;
/// the same province and national writers (the ministry, the command line) can.
pub async fn a_batch_is_replaced_only_by_its_province_or_a_national_writer(store: &dyn Store) {
    let jiangsu_batch = |sha: &str, value: &str| Batch {
        scope: Some(code("320000")),
        ..batch("values:data.csv", sha, SourceKind::Reported, vec![division_value("gdp_yuan", "320100", 2023, value)])
    };
    store.replace_batch(&jiangsu_batch("a", "1"), &audit()).await.expect("jiangsu stores");
    let zhejiang = Batch {
        scope: Some(code("330000")),
        ..batch("values:data.csv", "z", SourceKind::Reported, vec![division_value("gdp_yuan", "330100", 2023, "9")])
    };
    let refused = store.replace_batch(&zhejiang, &audit()).await;
    assert!(matches!(&refused, Err(StoreError::Conflict(m)) if m.contains("province 320000")), "{refused:?}");
    let reported = store.reported(&element("gdp_yuan")).await.expect("values");
    assert_eq!(reported.divisions[&(code("320100"), 2023)].0, Decimal::from(1), "jiangsu's value is untouched");
    assert!(!reported.divisions.contains_key(&(code("330100"), 2023)));
    let own = store.replace_batch(&jiangsu_batch("b", "2"), &audit()).await.expect("jiangsu replaces its own");
    assert_eq!(own.outcome(), "replaced");
    let ministry = Batch { scope: None, ..jiangsu_batch("c", "3") };
    assert_eq!(store.replace_batch(&ministry, &audit()).await.expect("the ministry may").outcome(), "replaced");
    let back = store.replace_batch(&jiangsu_batch("d", "4"), &audit()).await;
    assert!(matches!(&back, Err(StoreError::Conflict(m)) if m.contains("ministry")), "{back:?}");
    let records = store.datasets().await.expect("datasets");
    let record = records.iter().find(|d| d.dataset.name == "values:data.csv").expect("stored");
    assert_eq!(record.scope, None, "the ministry's version is national");
}

/// A migrated store has nothing pending; asking changes nothing.
pub async fn a_migrated_store_has_no_pending_migrations(store: &dyn Store) {
    assert!(store.pending_migrations().await.expect("pending").is_empty());
    let before = store.datasets().await.expect("datasets");
    assert!(store.pending_migrations().await.expect("pending").is_empty());
    assert_eq!(store.datasets().await.expect("datasets"), before);
}

/// Every method of the store that writes appends to the audit trail, in its own transaction: called once each,
/// the trail grows by one entry per write (a test in `ttdz-store` checks that every writing method takes an
/// `AuditContext`, so a new one cannot skip this list silently).
pub async fn every_write_appends_to_the_audit_trail(store: &dyn Store) {
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::policy::{Experience, Finding, Policy, PolicyCheck, PolicyLevel};
    let count = || async {
        store.audit(&ttdz_domain::audit::AuditQuery { limit: 10_000, ..Default::default() }).await.expect("trail").len()
    };
    let mut expected = count().await;
    let mut wrote = |what: &str, n: usize, actual: usize| {
        expected += n;
        assert_eq!(actual, expected, "{what} appends {n} audit entries");
    };
    let dataset = ttdz_domain::Dataset {
        name: "divisions-2024".into(),
        files: vec!["provinces.csv".into()],
        sha256: "0".repeat(64),
        source: "test".into(),
    };
    store.add_division_vintage(&vintage_2024(), &dataset, &audit()).await.expect("vintage");
    wrote("add_division_vintage", 1, count().await);
    let tree = DivisionTree::new(reference().divisions);
    store.load_demo(&DemoData::shipped(&tree).expect("demo"), &audit()).await.expect("demo");
    wrote("load_demo", 1, count().await);
    let b = batch("values:x", "a", SourceKind::Reported, vec![division_value("gdp_yuan", "320100", 2023, "1")]);
    store.replace_batch(&b, &audit()).await.expect("batch");
    wrote("replace_batch", 1, count().await);
    let account =
        Account::new(Username::parse("auditee").expect("name"), Role::Ministry, None, None, None).expect("account");
    store.add_account(&account, "hash", &audit()).await.expect("account");
    wrote("add_account", 1, count().await);
    store.set_account_disabled("auditee", true, &audit()).await.expect("disable");
    wrote("set_account_disabled", 1, count().await);
    store.set_account_disabled("auditee", false, &audit()).await.expect("enable");
    wrote("set_account_disabled", 1, count().await);
    assert!(store.set_password("auditee", "another-hash", &audit()).await.expect("set password"));
    wrote("set_password", 1, count().await);
    store.create_session("t", "auditee", "c", i64::MAX, &audit()).await.expect("login");
    wrote("create_session", 1, count().await);
    store.delete_session("t", &audit()).await.expect("logout");
    wrote("delete_session", 1, count().await);
    store.record_login_failure("127.0.0.1 auditee", "auditee", 1, &audit()).await.expect("failure");
    wrote("record_login_failure", 1, count().await);
    let zone = ZoneKey::parse("jiangsu-sunan").expect("key");
    let report = ttdz_store::AnnualReport::blank(&zone, 2026);
    store.save_annual_report(&report, 0, None, "edit", &audit()).await.expect("report");
    wrote("save_annual_report", 1, count().await);
    let document = ttdz_store::NewDocument {
        zone: zone.clone(),
        year: Some(2026),
        kind: "signed_report".into(),
        file_name: "report.pdf".into(),
        media_type: "application/pdf".into(),
        content: b"%PDF-1.7 test".to_vec(),
    };
    store.add_document(&document, &audit()).await.expect("document");
    wrote("add_document", 1, count().await);
    store.save_grade(&grade("auditee", 13, 4), &audit()).await.expect("grade");
    wrote("save_grade", 1, count().await);
    let lifecycle = store.lifecycle(&zone).await.expect("lifecycle").expect("seeded");
    let step = ttdz_store::LifecycleStep {
        zone: zone.clone(),
        based_on: lifecycle.version,
        new_zone: None,
        action: ttdz_domain::lifecycle::Action::EvaluateTerm,
        from: Some(lifecycle.stage),
        to: ttdz_domain::lifecycle::Stage::Evaluated,
        document: "{}".into(),
        term: None,
        assign_experts: Vec::new(),
        reviewed_by: None,
        appoint_consultants: Vec::new(),
        consulted_by: None,
    };
    store.apply_lifecycle(&step, &audit()).await.expect("step");
    wrote("apply_lifecycle", 1, count().await);
    let policy = Policy {
        id: 0,
        zone: zone.clone(),
        level: PolicyLevel::Local,
        issuer: "江苏省人民政府".into(),
        number: "苏政发〔2017〕1号".into(),
        issued: "2017-01".parse().expect("date"),
        title: "t".into(),
        provisions: "p".into(),
    };
    let id = store.add_policy(&policy, &audit()).await.expect("policy");
    wrote("add_policy", 1, count().await);
    let check = PolicyCheck {
        policy: id,
        checked_on: "2026-06-01".parse().expect("date"),
        checked_by: "test".into(),
        finding: Finding::Implemented,
        evidence: "e".into(),
        annex_row: Some(13),
    };
    store.add_policy_check(&check, &audit()).await.expect("check");
    wrote("add_policy_check", 1, count().await);
    let experience =
        Experience { id: 0, zone, title: "t".into(), summary: "s".into(), policies: vec![id], published_on: None };
    let eid = store.add_experience(&experience, &audit()).await.expect("experience");
    wrote("add_experience", 1, count().await);
    store.publish_experience(eid, "2026-06-15", &audit()).await.expect("publish");
    wrote("publish_experience", 1, count().await);
    assert!(store.claim_job("reminders", "2026-06-15", &audit()).await.expect("claim"));
    wrote("claim_job", 1, count().await);
    assert!(!store.claim_job("reminders", "2026-06-15", &audit()).await.expect("claimed already"));
    wrote("claim_job (claimed already)", 0, count().await);
    let todo = ttdz_store::Todo {
        zone: ZoneKey::parse("jiangsu-sunan").expect("key"),
        province: code("320000"),
        kind: "report_due".into(),
        subject: "2026".into(),
        due_on: "2026-12-31".into(),
    };
    assert!(store.add_todo(&todo, &audit()).await.expect("todo"));
    wrote("add_todo", 1, count().await);
    assert!(!store.add_todo(&todo, &audit()).await.expect("the same todo"));
    wrote("add_todo (there already)", 0, count().await);
    let record = new_record("audit-1", RecordStatus::Draft);
    let id = store.add_record(&record, &audit()).await.expect("record");
    wrote("add_record", 1, count().await);
    store.update_record(id, 1, None, "{}", &audit()).await.expect("edit");
    wrote("update_record", 1, count().await);
    store.set_record_status(id, 2, RecordStatus::Review, None, "achievement.submit", &audit()).await.expect("submit");
    wrote("set_record_status", 1, count().await);
    let imported = [new_record("audit-2", RecordStatus::Published), new_record("audit-3", RecordStatus::Published)];
    store.import_records(&imported, "audit.jsonl", &audit()).await.expect("import");
    wrote("import_records (one entry for the file)", 1, count().await);
    let subscription = ttdz_store::Subscription {
        username: "auditee".into(),
        kind: ttdz_domain::achievement::RecordKind::Achievement,
        fields: vec!["new_energy".into()],
        areas: Vec::new(),
        read: None,
    };
    store.save_subscription(&subscription, &audit()).await.expect("subscribe");
    wrote("save_subscription", 1, count().await);
    let kind = ttdz_domain::achievement::RecordKind::Achievement;
    store.mark_read("auditee", kind, "2026-06-15T00:00:00Z", 1, &audit()).await.expect("read");
    wrote("mark_read", 1, count().await);
    store.add_assessment(id, "{}", &audit()).await.expect("assessment");
    wrote("add_assessment", 1, count().await);
    let seller = Account::new(
        Username::parse("auditee-tto").expect("name"),
        Role::Institution,
        None,
        Some(code("320102")),
        None,
    )
    .expect("account");
    store.add_account(&seller, "hash", &audit()).await.expect("account");
    wrote("add_account", 1, count().await);
    let filing = service_contract(None);
    let event = ttdz_store::ContractEvent {
        at: "2026-06-15T00:00:00Z".into(),
        by: "test".into(),
        action: "file".into(),
        reason: None,
    };
    let contract = store.add_contract("auditee-tto", &filing, &event, &audit()).await.expect("filed");
    wrote("add_contract", 1, count().await);
    let decision = ttdz_store::ContractDecision {
        status: ttdz_domain::registration::ContractStatus::Registered,
        event: ttdz_store::ContractEvent { action: "register".into(), ..event },
        registration: Some((code("320100"), 2026)),
        tech_amount: None,
        filing: None,
    };
    let registered = store.decide_contract(contract, 1, &decision, &audit()).await.expect("registered");
    assert_eq!(registered.filing.contract_no.as_deref(), Some("2026320100000001"));
    wrote("decide_contract (and the year's live batch)", 2, count().await);
    let broker = ttdz_domain::register::EntryInput {
        name: "王敏".into(),
        division: "320102".into(),
        from: "2025-03-01".into(),
        level: Some("初级".into()),
        ..Default::default()
    }
    .parse(ttdz_domain::register::Register::TechBrokers, "2026-12-01")
    .expect("entry");
    let tree = DivisionTree::new(reference().divisions);
    store
        .change_register(broker.register, &ttdz_store::RegisterChange::Add(broker.clone()), &audit(), &|entries| {
            ttdz_store::register_batch(broker.register, entries, &tree, 2026)
        })
        .await
        .expect("registered");
    wrote("change_register (and the register's batch)", 2, count().await);
    let listing = store.add_listing("auditee-tto", &listing_terms(), &audit()).await.expect("listed");
    wrote("add_listing", 1, count().await);
    store.add_bid(listing, 1, &bid("auditee-tto", "600000"), &audit()).await.expect("bid");
    wrote("add_bid", 1, count().await);
    let outcome = ttdz_store::ListingOutcome {
        status: ttdz_domain::listing::ListingStatus::Withdrawn,
        winning_bid: None,
        reason: Some("权属待确认".into()),
        contract: None,
    };
    store.end_listing(listing, 2, &outcome, &audit()).await.expect("withdrawn");
    wrote("end_listing", 1, count().await);
    let paid = ttdz_domain::reward::DistributionInput {
        achievement: "石墨烯导热膜".into(),
        mode: "transfer".into(),
        year: 2026,
        amount_yuan: "1000000.50".into(),
        lines: vec![ttdz_domain::reward::LineInput { name: "张三".into(), share: "1".into(), amount_yuan: None }],
        ..Default::default()
    }
    .parse(2026)
    .expect("distribution");
    let recorded = store.add_distribution("auditee-tto", &code("320102"), &paid, &audit()).await.expect("recorded");
    wrote("add_distribution", 1, count().await);
    let kept = store.distributions(Some("auditee-tto"), Some("3201")).await.expect("ledger");
    assert_eq!(kept, [recorded], "answered as it is kept");
    assert_eq!(kept[0].distribution, paid, "kept exactly");
    assert!(store.distributions(None, Some("33")).await.expect("ledger").is_empty());
}

fn listing_terms() -> ttdz_domain::listing::ListingTerms {
    ttdz_domain::listing::ListingInput {
        title: "一种高导热石墨烯复合材料的制备方法".into(),
        notice: "拟转让，起拍价 50 万元。".into(),
        method: "auction".into(),
        contract_type: "技术转让".into(),
        reserve_yuan: "500000".into(),
        seller_name: "南京大学".into(),
        seller_division: "320106".into(),
        seller_kind: "高校".into(),
        field: "新材料".into(),
        opens_on: "2026-06-01".into(),
        closes_on: "2026-06-07".into(),
        ..Default::default()
    }
    .parse("2026-06-01")
    .expect("terms")
}

fn bid(bidder: &str, yuan: &str) -> ttdz_domain::listing::Bid {
    ttdz_domain::listing::Bid {
        id: 0,
        bidder: bidder.into(),
        buyer_name: "上海某新材料公司".into(),
        buyer_division: code("310112"),
        amount_yuan: Decimal::from_str(yuan).expect("decimal"),
        at: "2026-06-03T02:00:00Z".into(),
    }
}

/// Bids on a listing are taken in turn (a bid based on a version another bid moved is refused, to be checked
/// again), amounts come back exactly, and a close that makes a deal files its contract in the same step.
pub async fn a_listing_takes_bids_in_turn_and_a_deal_files_its_contract(store: &dyn Store) {
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::listing::ListingStatus;
    for (name, division) in [("seller-tto", "320106"), ("buyer-co", "310112")] {
        let account =
            Account::new(Username::parse(name).expect("name"), Role::Institution, None, Some(code(division)), None);
        store.add_account(&account.expect("account"), "hash", &audit()).await.expect("account");
    }
    let id = store.add_listing("seller-tto", &listing_terms(), &audit()).await.expect("listed");
    let after_one = store.add_bid(id, 1, &bid("buyer-co", "650000.50"), &audit()).await.expect("bid");
    assert_eq!(after_one.version, 2);
    assert_eq!(after_one.bids[0].amount_yuan, Decimal::from_str("650000.50").expect("decimal"), "exact");
    let stale = store.add_bid(id, 1, &bid("buyer-co", "700000"), &audit()).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let due = ttdz_store::ListingFilter { closed_before: Some("2026-06-08".into()), ..Default::default() };
    assert_eq!(store.listings(&due).await.expect("due").len(), 1);
    let not_yet = ttdz_store::ListingFilter { closed_before: Some("2026-06-07".into()), ..Default::default() };
    assert!(store.listings(&not_yet).await.expect("due").is_empty(), "its last day is still open");

    let winner = after_one.bids[0].clone();
    let filing = ttdz_domain::registration::FilingInput {
        title: Some(listing_terms().title),
        contract_type: "技术转让".into(),
        seller_division: "320106".into(),
        buyer_division: "310112".into(),
        seller_kind: "高校".into(),
        field: "新材料".into(),
        signed_on: "2026-06-08".into(),
        turnover_yuan: "650000.50".into(),
        tech_amount_yuan: "650000.50".into(),
        ..Default::default()
    }
    .parse()
    .expect("filing");
    let event = ttdz_store::ContractEvent {
        at: "2026-06-08T02:00:00Z".into(),
        by: "test".into(),
        action: "file".into(),
        reason: None,
    };
    let outcome = ttdz_store::ListingOutcome {
        status: ListingStatus::Sold,
        winning_bid: Some(winner.id),
        reason: None,
        contract: Some((filing.clone(), event)),
    };
    let sold = store.end_listing(id, 2, &outcome, &audit()).await.expect("sold");
    assert_eq!((sold.status, sold.winning_bid, sold.version), (ListingStatus::Sold, Some(winner.id), 3));
    let contract = store.contract(sold.contract_id.expect("a contract")).await.expect("read").expect("filed");
    assert_eq!((contract.filed_by.as_str(), &contract.filing), ("seller-tto", &filing), "filed by the seller");
    let again = store.end_listing(id, 3, &outcome, &audit()).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "a listing ends once: {again:?}");
    let open = ttdz_store::ListingFilter { status: Some(ListingStatus::Open), ..Default::default() };
    assert!(store.listings(&open).await.expect("open").is_empty());
    let mine = ttdz_store::ListingFilter { owner: Some("seller-tto".into()), ..Default::default() };
    assert_eq!(store.listings(&mine).await.expect("own"), [sold]);
}

fn new_record(external_id: &str, status: RecordStatus) -> ttdz_store::NewRecord {
    ttdz_store::NewRecord {
        kind: ttdz_domain::achievement::RecordKind::Achievement,
        external_id: external_id.into(),
        status,
        owner: None,
        division: Some(code("320102")),
        body: format!("{{\"title\": \"{external_id}\"}}"),
    }
}

/// Records of the information service: an external id once per kind, edits and status changes only from the
/// version they were based on, filters by status, owner and province, imports all or nothing and again as
/// updates, and each write's key in the change log (a record's id, an import's batch).
pub async fn information_records_are_versioned_filtered_and_followed(store: &dyn Store) {
    use ttdz_domain::achievement::RecordKind;
    use ttdz_store::RecordFilter;
    let id = store.add_record(&new_record("a-1", RecordStatus::Draft), &audit()).await.expect("added");
    let taken = store.add_record(&new_record("a-1", RecordStatus::Draft), &audit()).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    let mut demand = new_record("a-1", RecordStatus::Published);
    demand.kind = RecordKind::Demand;
    demand.division = Some(code("330102"));
    let demand_id = store.add_record(&demand, &audit()).await.expect("the same external id of another kind");

    let version = store.update_record(id, 1, Some(&code("320106")), "{\"title\": \"b\"}", &audit()).await;
    assert_eq!(version.expect("edited"), 2);
    let stale = store.update_record(id, 1, None, "{}", &audit()).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let stale = store.set_record_status(id, 1, RecordStatus::Review, None, "achievement.submit", &audit()).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    let comment = Some("缺少联系方式");
    let returned = store.set_record_status(id, 2, RecordStatus::Draft, comment, "achievement.return", &audit()).await;
    assert_eq!(returned.expect("returned"), 3);
    let stored = store.record(id).await.expect("read").expect("there");
    assert_eq!(
        (stored.status, stored.comment.as_deref(), stored.division, stored.body.as_str(), stored.version),
        (RecordStatus::Draft, Some("缺少联系方式"), Some(code("320106")), "{\"title\": \"b\"}", 3)
    );
    assert!(store.record(id + 1000).await.expect("read").is_none());

    let all = |status: Option<RecordStatus>, province: Option<&str>| RecordFilter {
        kind: RecordKind::Achievement,
        status,
        owner: None,
        province: province.map(code),
        after: None,
        limit: 100,
    };
    let ids = |records: Vec<ttdz_store::InformationRecord>| records.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(ids(store.records(&all(Some(RecordStatus::Draft), Some("320000"))).await.expect("list")), [id]);
    assert!(store.records(&all(None, Some("330000"))).await.expect("list").is_empty(), "the demand is another kind");
    let demands = RecordFilter { kind: RecordKind::Demand, ..all(None, Some("330000")) };
    assert_eq!(ids(store.records(&demands).await.expect("list")), [demand_id]);

    let cursor = store.changes(None, 100_000).await.expect("changes").last().map(|c| c.cursor.clone());
    let file = [new_record("a-1", RecordStatus::Published), new_record("a-2", RecordStatus::Published)];
    let report = store.import_records(&file, "registry.jsonl", &audit()).await.expect("imported");
    assert_eq!((report.added, report.updated), (1, 1), "a-1 is replaced, a-2 added");
    let batch = store.records_of_batch("batch:registry.jsonl").await.expect("batch");
    assert_eq!(batch.iter().map(|r| r.external_id.as_str()).collect::<Vec<_>>(), ["a-1", "a-2"]);
    assert!(batch.iter().all(|r| r.status == RecordStatus::Published && r.comment.is_none()));
    let published = store.records(&all(Some(RecordStatus::Published), None)).await.expect("list");
    assert_eq!(published.len(), 2);
    let page = RecordFilter { after: Some(published[0].id), limit: 1, ..all(None, None) };
    assert_eq!(ids(store.records(&page).await.expect("page")), [published[1].id]);

    // Published records in the order of publication, after a reading position; an account's subscription keeps
    // what it follows and how far it has read.
    let published = store.published_after(RecordKind::Achievement, None, 10).await.expect("published");
    assert_eq!(published.iter().map(|r| r.external_id.as_str()).collect::<Vec<_>>(), ["a-1", "a-2"]);
    let first = (published[0].published_at.clone().expect("published at"), published[0].id);
    let after = store.published_after(RecordKind::Achievement, Some((&first.0, first.1)), 10).await.expect("after");
    assert_eq!(after.iter().map(|r| r.external_id.as_str()).collect::<Vec<_>>(), ["a-2"]);
    assert!(
        store
            .records(&RecordFilter { status: Some(RecordStatus::Draft), ..all(None, None) })
            .await
            .expect("drafts")
            .iter()
            .all(|r| r.published_at.is_none()),
        "a draft was never published"
    );
    let account = ttdz_domain::account::Account::new(
        ttdz_domain::account::Username::parse("reader").expect("name"),
        ttdz_domain::account::Role::Institution,
        None,
        Some(code("320102")),
        None,
    )
    .expect("account");
    store.add_account(&account, "hash", &audit()).await.expect("account");
    assert!(store.subscription("reader", RecordKind::Achievement).await.expect("read").is_none());
    let unread = store.mark_read("reader", RecordKind::Achievement, &first.0, first.1, &audit()).await;
    assert!(matches!(unread, Err(StoreError::Malformed(_))), "nothing followed yet: {unread:?}");
    let follows = ttdz_store::Subscription {
        username: "reader".into(),
        kind: RecordKind::Achievement,
        fields: vec!["new_energy".into()],
        areas: vec!["jiangsu-sunan".into(), "330000".into()],
        read: None,
    };
    store.save_subscription(&follows, &audit()).await.expect("subscribed");
    store.mark_read("reader", RecordKind::Achievement, &first.0, first.1, &audit()).await.expect("read");
    let changed = ttdz_store::Subscription { fields: Vec::new(), ..follows.clone() };
    store.save_subscription(&changed, &audit()).await.expect("changed");
    let stored = store.subscription("reader", RecordKind::Achievement).await.expect("read").expect("there");
    assert_eq!(stored, ttdz_store::Subscription { read: Some(first.clone()), ..changed }, "the reading position stays");

    // Assessments are kept per record, by their assessor, oldest first.
    let first_assessment = store.add_assessment(id, "{\"conclusion\": \"a\"}", &audit()).await.expect("assessed");
    store.add_assessment(id, "{\"conclusion\": \"b\"}", &audit()).await.expect("again");
    let kept = store.assessments(id).await.expect("assessments");
    assert_eq!(
        kept.iter().map(|a| a.body.as_str()).collect::<Vec<_>>(),
        ["{\"conclusion\": \"a\"}", "{\"conclusion\": \"b\"}"]
    );
    assert_eq!((kept[0].id, kept[0].assessor.as_str()), (first_assessment, "test"));
    assert!(store.assessments(demand_id).await.expect("none").is_empty());
    assert!(matches!(store.add_assessment(id + 1000, "{}", &audit()).await, Err(StoreError::Malformed(_))));

    // What changed since the cursor names the import's batch; a reader polls, as a late commit may show later.
    let import = |c: &ttdz_store::Change| c.kind == "achievement" && c.key == "batch:registry.jsonl";
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = store.changes(cursor.as_deref(), 100).await.expect("changes");
        if seen.iter().any(import) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(seen.iter().any(import), "{seen:?}");
}

/// Every write of data leaves a change; a reader pages through them by cursor, oldest first, and a malformed cursor
/// is refused by name.
pub async fn the_change_log_follows_every_write(store: &dyn Store) {
    let start = store.data_revision().await.expect("revision");
    let all = store.changes(None, 10_000).await.expect("changes");
    assert!(all.iter().any(|c| c.kind == "reference" && c.key == "divisions-2023"), "reference loads are changes");
    let last = all.last().map(|c| c.cursor.clone());
    let b = batch("values:log", "a", SourceKind::Reported, vec![division_value("gdp_yuan", "320100", 2023, "1")]);
    store.replace_batch(&b, &audit()).await.expect("batch");
    store.replace_batch(&b, &audit()).await.expect("the same file: no write, no change");
    let account = ttdz_domain::account::Account::new(
        ttdz_domain::account::Username::parse("logged").expect("name"),
        ttdz_domain::account::Role::Ministry,
        None,
        None,
        None,
    )
    .expect("account");
    store.add_account(&account, "hash", &audit()).await.expect("account");
    store.create_session("t", "logged", "c", i64::MAX, &audit()).await.expect("a login changes no data");
    // On PostgreSQL a change shows once every older transaction (of any client of the server) has ended.
    let new = visible_after(store, last.as_deref(), 2).await;
    let seen: Vec<(&str, &str, &str)> =
        new.iter().map(|c| (c.kind.as_str(), c.key.as_str(), c.action.as_str())).collect();
    assert_eq!(seen, [("import", "values:log", "import.batch"), ("account", "logged", "account.add")]);
    assert!(new[0].at.ends_with('Z'));
    assert_eq!(store.data_revision().await.expect("revision"), start + 2);
    let one = store.changes(last.as_deref(), 1).await.expect("a page of one");
    assert_eq!(one[..], new[..1]);
    assert_eq!(one.len(), 1);
    let rest = store.changes(Some(&one[0].cursor), 100).await.expect("the rest");
    assert_eq!(rest, new[1..], "paging by cursor neither skips nor repeats");
    assert!(matches!(store.changes(Some("not-a-cursor"), 1).await, Err(StoreError::Malformed(_))));
}

/// Writers committing concurrently, in any order, while a reader follows the log: the reader sees every change
/// exactly once.
pub async fn concurrent_writers_never_make_a_reader_skip_or_repeat(store: &dyn Store) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use ttdz_domain::policy::{Policy, PolicyLevel};
    const WRITERS: usize = 4;
    const EACH: usize = 15;
    let zone = ZoneKey::parse("jiangsu-sunan").expect("key");
    // Start after every change made so far, once all of them are visible: on PostgreSQL a change shows once the
    // older transactions anywhere on the server have ended, and one showing late would look like a repeat.
    let made = usize::try_from(store.data_revision().await.expect("revision")).expect("a count");
    let mut existing = Vec::new();
    for _ in 0..10_000 {
        existing = store.changes(None, 100_000).await.expect("changes");
        if existing.len() >= made {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    assert_eq!(existing.len(), made, "every change made before the writers start is visible");
    let start = existing.last().map(|c| c.cursor.clone());
    let done = AtomicBool::new(false);
    let writer = |w: usize| {
        let zone = zone.clone();
        async move {
            for n in 0..EACH {
                let policy = Policy {
                    id: 0,
                    zone: zone.clone(),
                    level: PolicyLevel::Local,
                    issuer: format!("writer {w}"),
                    number: format!("{w}-{n}"),
                    issued: "2020-01".parse().expect("date"),
                    title: "t".into(),
                    provisions: "p".into(),
                };
                store.add_policy(&policy, &audit()).await.expect("policy");
                tokio::task::yield_now().await;
            }
        }
    };
    let writers = async {
        tokio::join!(writer(0), writer(1), writer(2), writer(3));
        done.store(true, Ordering::SeqCst);
    };
    let reader = async {
        let mut cursor = start.clone();
        let mut seen = Vec::new();
        // Until the writers are done and everything they wrote has been read (a bound keeps a lost change from
        // hanging the test; on PostgreSQL changes show once older transactions of any client have ended).
        for _ in 0..20_000 {
            let page = store.changes(cursor.as_deref(), 7).await.expect("changes");
            if let Some(last) = page.last() {
                cursor = Some(last.cursor.clone());
            }
            seen.extend(page.into_iter().map(|c| c.key));
            if done.load(Ordering::SeqCst) && seen.len() >= WRITERS * EACH {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        // One more read: nothing may follow the last change.
        seen.extend(store.changes(cursor.as_deref(), 7).await.expect("changes").into_iter().map(|c| c.key));
        seen
    };
    let ((), seen) = tokio::join!(writers, reader);
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no change read twice: {seen:?}");
    assert_eq!(seen.len(), WRITERS * EACH, "every change read once");
}

/// The first `n` changes after `cursor`, waiting (boundedly) for them to become visible.
async fn visible_after(store: &dyn Store, cursor: Option<&str>, n: usize) -> Vec<ttdz_store::Change> {
    for _ in 0..10_000 {
        let changes = store.changes(cursor, 100).await.expect("changes");
        if changes.len() >= n {
            return changes;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    store.changes(cursor, 100).await.expect("changes")
}

/// Documents are kept whole, with their SHA-256 and size, byte for byte (every byte value, including NUL), listed
/// per zone in the order they came.
pub async fn documents_are_kept_whole_with_their_checksums(store: &dyn Store) {
    use ttdz_store::NewDocument;
    let zone = ZoneKey::parse("jiangsu-sunan").expect("key");
    assert!(store.documents(&zone).await.expect("documents").is_empty());
    let content: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let letter = NewDocument {
        zone: zone.clone(),
        year: None,
        kind: "consent_letter".into(),
        file_name: "江苏省人民政府同意函.pdf".into(),
        media_type: "application/pdf".into(),
        content: content.clone(),
    };
    let first = store.add_document(&letter, &audit()).await.expect("add");
    let report = NewDocument { year: Some(2026), kind: "signed_report".into(), ..letter.clone() };
    let second = store.add_document(&report, &audit()).await.expect("add");
    assert!(second > first);
    let listed = store.documents(&zone).await.expect("documents");
    assert_eq!(listed.iter().map(|d| d.id).collect::<Vec<_>>(), [first, second]);
    let (record, stored) = store.document(first).await.expect("document").expect("exists");
    assert_eq!(stored, content, "byte for byte");
    assert_eq!(record.size, 70_000);
    assert_eq!(record.sha256, ttdz_domain::reference::sha256_hex(&content));
    assert_eq!(
        (record.kind.as_str(), record.year, record.file_name.as_str()),
        ("consent_letter", None, "江苏省人民政府同意函.pdf")
    );
    assert_eq!(record.uploaded_by, audit().actor);
    assert_eq!(record.uploaded_at.len(), 20, "ISO 8601 UTC: {}", record.uploaded_at);
    assert_eq!(store.document(second).await.expect("document").expect("exists").0.year, Some(2026));
    assert!(store.document(second + 100).await.expect("document").is_none());
    let elsewhere = ZoneKey::parse("ningbo").expect("key");
    assert!(store.documents(&elsewhere).await.expect("documents").is_empty());
}

fn grade(by: &str, row: u8, score: u8) -> ttdz_domain::policy::Grade {
    ttdz_domain::policy::Grade {
        zone: ZoneKey::parse("jiangsu-sunan").expect("key"),
        year: 2025,
        annex_row: row,
        graded_by: by.into(),
        score,
        reasons: "配套政策基本落实".into(),
        evidence: "实地调研".into(),
        policies: vec![1, 2],
        graded_at: String::new(),
    }
}

/// Grades of rows 13-15: one per expert, zone, year and row, grading again replaces it, kept with what it cites.
pub async fn grades_keep_one_per_expert_and_row(store: &dyn Store) {
    use ttdz_domain::account::{Account, Role, Username};
    for name in ["prof-a", "prof-b"] {
        let expert =
            Account::new(Username::parse(name).expect("name"), Role::Expert, None, None, None).expect("expert");
        store.add_account(&expert, "hash", &audit()).await.expect("expert");
    }
    assert!(store.grades().await.expect("grades").is_empty());
    store.save_grade(&grade("prof-b", 13, 3), &audit()).await.expect("grade");
    store.save_grade(&grade("prof-a", 13, 4), &audit()).await.expect("grade");
    store.save_grade(&grade("prof-a", 14, 5), &audit()).await.expect("grade");
    store.save_grade(&grade("prof-b", 13, 2), &audit()).await.expect("grade again");
    let grades = store.grades().await.expect("grades");
    let seen: Vec<(u8, &str, u8)> = grades.iter().map(|g| (g.annex_row, g.graded_by.as_str(), g.score)).collect();
    assert_eq!(seen, [(13, "prof-a", 4), (13, "prof-b", 2), (14, "prof-a", 5)]);
    assert_eq!(grades[0].policies, [1, 2]);
    assert_eq!(grades[0].graded_at.len(), 20, "ISO 8601 UTC: {}", grades[0].graded_at);
}

pub async fn a_register_change_rewrites_its_counts_at_once(store: &dyn Store) {
    use ttdz_domain::register::{EntryInput, Register};
    use ttdz_store::RegisterChange;
    let tree = DivisionTree::new(reference().divisions);
    let register = Register::TechBrokers;
    let make = |entries: &[ttdz_store::StoredEntry]| ttdz_store::register_batch(register, entries, &tree, 2026);
    let broker = |name: &str, from: &str, until: Option<&str>| {
        EntryInput {
            name: name.into(),
            division: "320102".into(),
            from: from.into(),
            until: until.map(str::to_owned),
            level: Some("中级".into()),
            institution: Some("江苏省技术产权交易所".into()),
            ..Default::default()
        }
        .parse(register, "2026-12-01")
        .expect("a valid entry")
    };
    let counted = || async {
        let element = register.element();
        let reported = store.reported(&element).await.expect("values");
        move |division: &str, year: i32| reported.registered.get(&(code(division), year)).map(|(v, _)| *v)
    };
    let a = store
        .change_register(register, &RegisterChange::Add(broker("王敏", "2024-03-01", None)), &audit(), &make)
        .await
        .expect("added");
    let b = store
        .change_register(register, &RegisterChange::Add(broker("李强", "2025-05-01", None)), &audit(), &make)
        .await
        .expect("added");
    let count = counted().await;
    assert_eq!(count("320102", 2024), Some(Decimal::ONE));
    assert_eq!(count("320100", 2025), Some(Decimal::TWO));
    assert_eq!(count("320000", 2026), Some(Decimal::TWO));
    assert_eq!(count("320000", 2023), None, "the register covers Jiangsu from its first entry's year");
    assert_eq!(count("330000", 2025), None, "a province's register covers only its province");

    // The first broker left in mid-2025: counted at the end of 2024, not of 2025.
    let ended =
        RegisterChange::Replace { id: a, based_on: 1, entry: broker("王敏", "2024-03-01", Some("2025-06-30")) };
    store.change_register(register, &ended, &audit(), &make).await.expect("ended");
    let stale = store.change_register(register, &ended, &audit(), &make).await;
    assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
    store
        .change_register(register, &RegisterChange::Remove { id: b, based_on: 1 }, &audit(), &make)
        .await
        .expect("gone");
    let count = counted().await;
    assert_eq!(count("320102", 2024), Some(Decimal::ONE));
    assert_eq!(count("320000", 2025), Some(Decimal::ZERO), "covered, and nobody in force: zero, not missing");
    assert_eq!(count("320102", 2025), None);

    let entries = store.register_entries(register, Some("3201")).await.expect("entries");
    assert_eq!(entries.iter().map(|e| (e.id, e.version)).collect::<Vec<_>>(), [(a, 2)]);
    assert_eq!(store.register_entry(a).await.expect("read").map(|e| e.entry.until), Some(Some("2025-06-30".into())));
    assert!(store.register_entries(register, Some("33")).await.expect("entries").is_empty());
    let elsewhere = store
        .change_register(Register::MakerSpaces, &RegisterChange::Remove { id: a, based_on: 2 }, &audit(), &make)
        .await;
    assert!(matches!(elsewhere, Err(StoreError::Malformed(_))), "an entry is changed only in its own register");
    let trail = store.audit(&ttdz_domain::audit::AuditQuery { limit: 100, ..Default::default() }).await.expect("trail");
    let actions: Vec<&str> =
        trail.iter().filter(|e| e.subject.starts_with("tech_brokers/")).map(|e| e.action.as_str()).collect();
    assert_eq!(actions.iter().filter(|a| **a == "register.add").count(), 2);
    assert!(actions.contains(&"register.change") && actions.contains(&"register.remove"), "{actions:?}");
}

/// The live batch moves by each step's contract, and after registrations, a revocation and amendments (a buyer
/// elsewhere, a new amount) it holds exactly what the year's registered contracts make, summed independently here:
/// flows, both sides' data elements, nothing left for a place no registered contract names.
pub async fn the_live_batch_is_what_the_registered_contracts_make(store: &dyn Store) {
    use std::collections::BTreeMap;
    use ttdz_domain::account::{Account, Role, Username};
    use ttdz_domain::registration::{ContractFiling, ContractStatus, FilingInput};
    use ttdz_store::{ContractDecision, ContractEvent};
    let seller =
        Account::new(Username::parse("live-tto").expect("name"), Role::Institution, None, Some(code("320102")), None);
    store.add_account(&seller.expect("account"), "hash", &audit()).await.expect("account");
    let terms = |kind: &str, (from, to): (&str, &str), yuan: &str| -> ContractFiling {
        FilingInput {
            contract_type: kind.into(),
            seller_division: from.into(),
            buyer_division: to.into(),
            seller_kind: "高校".into(),
            field: "电子信息".into(),
            signed_on: "2026-01-05".into(),
            turnover_yuan: yuan.into(),
            tech_amount_yuan: yuan.into(),
            ..Default::default()
        }
        .parse()
        .expect("filing")
    };
    let event = |action: &str| ContractEvent {
        at: "2026-06-15T00:00:00Z".into(),
        by: "test".into(),
        action: action.into(),
        reason: None,
    };
    let step = |status, action: &str, registration, filing| ContractDecision {
        status,
        event: event(action),
        registration,
        tech_amount: None,
        filing,
    };
    let mut ids = Vec::new();
    for filing in [
        terms("技术开发", ("320102", "330106"), "100.10"),
        terms("技术开发", ("320102", "330106"), "50"),
        terms("技术转让", ("320102", "310112"), "7"),
        terms("技术服务", ("320106", "320102"), "3"),
    ] {
        let id = store.add_contract("live-tto", &filing, &event("file"), &audit()).await.expect("filed");
        let register = step(ContractStatus::Registered, "register", Some((code("320100"), 2026)), None);
        store.decide_contract(id, 1, &register, &audit()).await.expect("registered");
        ids.push(id);
    }
    store
        .decide_contract(ids[1], 2, &step(ContractStatus::Revoked, "revoke", None, None), &audit())
        .await
        .expect("revoked");
    let moved = terms("技术转让", ("320102", "330106"), "9");
    let amend = step(ContractStatus::Registered, "amend", None, Some(moved));
    store.decide_contract(ids[2], 2, &amend, &audit()).await.expect("amended");
    let registered = [
        terms("技术开发", ("320102", "330106"), "100.10"),
        terms("技术转让", ("320102", "330106"), "9"),
        terms("技术服务", ("320106", "320102"), "3"),
    ];

    let live = "registry:live:2026";
    let mut flows: BTreeMap<(String, String), (u64, Decimal)> = BTreeMap::new();
    let mut elements: BTreeMap<(&str, String), Decimal> = BTreeMap::new();
    for f in &registered {
        let flow = flows.entry((f.seller_division.to_string(), f.buyer_division.to_string())).or_default();
        flow.0 += 1;
        flow.1 += f.turnover_yuan;
        for (element, division, value) in [
            ("contract_count", f.seller_division, Decimal::ONE),
            ("contract_turnover_yuan", f.seller_division, f.turnover_yuan),
            ("contract_tech_amount_yuan", f.seller_division, f.tech_amount_yuan),
            ("absorbed_contract_count", f.buyer_division, Decimal::ONE),
            ("absorbed_contract_turnover_yuan", f.buyer_division, f.turnover_yuan),
        ] {
            *elements.entry((element, division.to_string())).or_default() += value;
        }
    }
    let stored_flows: BTreeMap<(String, String), (u64, Decimal)> = store
        .contract_flows(2026)
        .await
        .expect("flows")
        .into_iter()
        .filter(|(dataset, _)| dataset == live)
        .map(|(_, f)| ((f.seller.to_string(), f.buyer.to_string()), (f.contracts, f.turnover)))
        .collect();
    assert_eq!(stored_flows, flows);
    for element in [
        "contract_count",
        "contract_turnover_yuan",
        "contract_tech_amount_yuan",
        "absorbed_contract_count",
        "absorbed_contract_turnover_yuan",
    ] {
        let stored: BTreeMap<(&str, String), Decimal> = store
            .sourced_values(&ElementCode::parse(element).expect("element"))
            .await
            .expect("values")
            .into_iter()
            .filter(|v| v.source == live && v.year == 2026)
            .filter_map(|v| match v.area {
                Area::Division(d) => Some(((element, d.to_string()), v.value)),
                _ => None,
            })
            .collect();
        let expected: BTreeMap<(&str, String), Decimal> =
            elements.iter().filter(|((e, _), _)| *e == element).map(|(k, v)| (k.clone(), *v)).collect();
        assert_eq!(stored, expected, "{element}: 310112 bought nothing once the amendment moved the buyer");
    }

    let rows = |datasets: Vec<ttdz_store::DatasetRecord>| {
        datasets.into_iter().find(|d| d.dataset.name == live).and_then(|d| d.rows)
    };
    assert_eq!(rows(store.datasets().await.expect("datasets")), Some(3), "the batch counts the registered contracts");
    for (id, version) in [(ids[0], 2), (ids[2], 3), (ids[3], 2)] {
        store
            .decide_contract(id, version, &step(ContractStatus::Cancelled, "cancel", None, None), &audit())
            .await
            .expect("cancelled");
    }
    assert_eq!(rows(store.datasets().await.expect("datasets")), Some(0));
    assert!(
        store.contract_flows(2026).await.expect("flows").iter().all(|(dataset, _)| dataset != live),
        "nothing left"
    );
    let turnover =
        store.sourced_values(&ElementCode::parse("contract_turnover_yuan").expect("element")).await.expect("values");
    assert!(turnover.iter().all(|v| v.source != live), "no value without a registered contract");
    let rollups = store.contract_rollups(ttdz_domain::contract::Side::Seller, "32").await.expect("rollups");
    assert!(rollups.iter().all(|r| r.contracts > 0), "no empty roll-up is kept: {rollups:?}");
}

/// Files a service contract by `seq-tto` (see [`add_sequence_seller`]), under its own number if it brings one, and
/// registers it in 南京 (320100) in 2026; answers the registered contract or why not.
async fn file_and_register(store: &dyn Store, own: Option<&str>) -> Result<ttdz_store::StoredContract, StoreError> {
    use ttdz_domain::registration::ContractStatus;
    use ttdz_store::{ContractDecision, ContractEvent};
    let event = |action: &str| ContractEvent {
        at: "2026-06-15T00:00:00Z".into(),
        by: "test".into(),
        action: action.into(),
        reason: None,
    };
    let id = store.add_contract("seq-tto", &service_contract(own), &event("file"), &audit()).await.expect("filed");
    let decision = ContractDecision {
        status: ContractStatus::Registered,
        event: event("register"),
        registration: Some((code("320100"), 2026)),
        tech_amount: None,
        filing: None,
    };
    store.decide_contract(id, 1, &decision, &audit()).await
}

async fn add_sequence_seller(store: &dyn Store) {
    use ttdz_domain::account::{Account, Role, Username};
    let seller =
        Account::new(Username::parse("seq-tto").expect("name"), Role::Institution, None, Some(code("320102")), None);
    store.add_account(&seller.expect("account"), "hash", &audit()).await.expect("account");
}

/// A registry file's batch counting `numbers`.
fn registry_file(name: &str, sha: &str, numbers: &[&str]) -> Batch {
    let mut file = batch(name, sha, SourceKind::Registry, Vec::new());
    file.contract_numbers = ttdz_domain::counted::CountedNumbers::of(numbers.iter().copied());
    file
}

/// TTDZ numbers a locality's registrations after every number already in use in its scheme: its own, those a
/// registry file brought (a locality that registered elsewhere before), those a filer brought; a number in
/// another shape changes nothing, and a number in use is never handed out again.
pub async fn registration_numbers_continue_after_every_number_in_use(store: &dyn Store) {
    add_sequence_seller(store).await;
    let register = |own: Option<&'static str>| async move {
        file_and_register(store, own).await.map(|c| c.filing.contract_no.unwrap_or_default())
    };
    assert_eq!(register(None).await.expect("registered"), "2026320100000001");
    let mut file =
        registry_file("contracts:before-ttdz.csv", "f", &["2026320100000041", "2025320100000900", "2026320100000007"]);
    store.replace_batch(&file, &audit()).await.expect("stored");
    assert_eq!(register(None).await.expect("registered"), "2026320100000042", "after the file's numbers");
    assert_eq!(register(Some("2026320100000050")).await.expect("registered"), "2026320100000050");
    assert_eq!(register(Some("JS-2026-17")).await.expect("registered"), "JS-2026-17");
    assert_eq!(register(None).await.expect("registered"), "2026320100000051", "after the filer's number");
    let again = register(Some("2026320100000042")).await.expect_err("a number in use");
    assert!(again.to_string().contains("contract_no 2026320100000042 is registered already"), "{again}");
    // A file with lower numbers does not send the sequence back.
    file.dataset.sha256 = "g".into();
    file = registry_file("contracts:before-ttdz.csv", "g", &["2026320100000003"]);
    store.replace_batch(&file, &audit()).await.expect("replaced");
    assert_eq!(register(None).await.expect("registered"), "2026320100000052");
}

/// A contract that a registry file counts was registered elsewhere: TTDZ refuses to register it again, whichever
/// came first, so it never counts twice; a file that no longer holds it lets it through.
pub async fn a_contract_a_registry_file_counts_is_not_registered_again(store: &dyn Store) {
    use ttdz_domain::registration::ContractStatus;
    add_sequence_seller(store).await;
    let file = registry_file("contracts:national-2026.csv", "a", &["2026110101000077", "JS-2026-17"]);
    store.replace_batch(&file, &audit()).await.expect("stored");
    assert_eq!(
        store.batch_counting("JS-2026-17").await.expect("looked up").as_deref(),
        Some("contracts:national-2026.csv")
    );
    assert_eq!(store.batch_counting("JS-2026-1").await.expect("looked up"), None);

    let refused = file_and_register(store, Some("JS-2026-17")).await.expect_err("counted by the file");
    assert!(matches!(refused, StoreError::Conflict(_)), "{refused:?}");
    assert!(refused.to_string().starts_with("contract_no: JS-2026-17 is counted already"), "{refused}");
    assert!(refused.to_string().contains("contracts:national-2026.csv"), "{refused}");
    let filed = store.contracts(&ttdz_store::ContractFilter::default()).await.expect("contracts");
    assert_eq!(filed.len(), 1);
    assert_eq!((filed[0].status, filed[0].version), (ContractStatus::Filed, 1), "nothing of the registration stored");
    let datasets = store.datasets().await.expect("datasets");
    assert!(datasets.iter().all(|d| d.dataset.name != "registry:live:2026"), "no figure moved");

    // The other way round: a contract registered here after the file was read, found in the file's numbers when
    // the batch is written. The whole batch is refused; the one stored stays.
    let registered = file_and_register(store, Some("R-5")).await.expect("registered");
    let read_before = registry_file("contracts:national-2026.csv", "b", &["2026110101000077", "R-5"]);
    let late = store.replace_batch(&read_before, &audit()).await.expect_err("R-5 was registered meanwhile");
    assert!(late.to_string().starts_with("contract_no R-5 of "), "{late}");
    assert!(late.to_string().contains("was registered in TTDZ while the file was read"), "{late}");
    assert_eq!(store.batch_counting("R-5").await.expect("looked up"), None);
    assert!(store.batch_counting("JS-2026-17").await.expect("looked up").is_some(), "the earlier file stands");

    // A corrected file without the contract lets TTDZ register it.
    let corrected = registry_file("contracts:national-2026.csv", "c", &["2026110101000077"]);
    store.replace_batch(&corrected, &audit()).await.expect("replaced");
    assert_eq!(store.batch_counting("JS-2026-17").await.expect("looked up"), None);
    let now = file_and_register(store, Some("JS-2026-17")).await.expect("registered once the file drops it");
    assert_eq!(now.status, ContractStatus::Registered);
    assert_eq!(registered.filing.contract_no.as_deref(), Some("R-5"));
}
