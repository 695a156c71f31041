//! The behaviour every store must show. Each case gets a freshly migrated store.

use std::str::FromStr;

use rust_decimal::Decimal;
use ttdz_domain::reference::{DemoData, TextFile, parse_divisions};
use ttdz_domain::{Division, DivisionCode, DivisionSet, DivisionTree, ElementCode, IndicatorCode, Vintage, ZoneKey};
use ttdz_store::{RESIDENT_POPULATION, Store, StoreError};

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
    let report = store.migrate(&reference()).await.expect("second migrate");
    assert!(report.applied.is_empty() && report.datasets_loaded.is_empty(), "{report:?}");
    let after = (store.datasets().await.expect("datasets"), store.zones().await.expect("zones"));
    assert_eq!(before, after);
}

pub async fn population_is_stored_exactly_with_its_dataset(store: &dyn Store) {
    let element = ElementCode::parse(RESIDENT_POPULATION).expect("element code");
    let values = store.element_values(&element).await.expect("values");
    assert_eq!(values.len(), 31);
    assert!(values.iter().all(|v| v.year == 2020 && v.dataset == "population-2020-census"));
    let total: Decimal = values.iter().map(|v| v.value).sum();
    assert_eq!(total, Decimal::from(1_409_778_724_u64));
    let guangdong = values.iter().find(|v| v.division == code("440000")).expect("广东");
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
    store.add_division_vintage(&set, &dataset).await.expect("add 2024");
    let years: Vec<i64> = store.vintages().await.expect("vintages").iter().map(|v| v.vintage.year()).collect();
    assert_eq!(years, [2023, 2024]);
    let stored = store.divisions(Vintage::new(2024).expect("vintage")).await.expect("divisions").expect("2024");
    assert_eq!(stored, set);
    let old = store.divisions(Vintage::new(2023).expect("vintage")).await.expect("divisions").expect("2023");
    let xuanwu = old.divisions().iter().find(|d: &&Division| d.code == code("320102")).expect("玄武区");
    assert_eq!(xuanwu.name_zh, "玄武区", "the 2023 list is not rewritten");

    let again = store.add_division_vintage(&set, &dataset).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.vintages().await.expect("vintages").len(), 2);
    assert!(store.divisions(Vintage::new(2025).expect("vintage")).await.expect("divisions").is_none());
}

pub async fn demo_figures_load_once_and_exactly(store: &dyn Store) {
    assert!(store.published_figures().await.expect("figures").is_empty(), "reference data holds no demo figures");
    let tree = DivisionTree::new(reference().divisions);
    let demo = DemoData::shipped(&tree).expect("demo data parses");
    let first = store.load_demo(&demo).await.expect("load demo");
    assert!(first.changed);
    assert_eq!(first.figures, 138);
    let second = store.load_demo(&demo).await.expect("load demo again");
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
