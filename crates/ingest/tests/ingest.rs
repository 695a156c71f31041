//! Reading values and contracts files as users deliver them: good, bad, GBK, quoted, chunked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use ttdz_domain::contract::Side;
use ttdz_domain::{DivisionCode, DivisionTree, ReferenceData, ZoneKey};
use ttdz_ingest::contracts::{self, BasicUnits, HEADER, Options};
use ttdz_ingest::values::{Context, parse_csv};
use ttdz_ingest::{Encoding, IngestError};

fn tree() -> DivisionTree {
    DivisionTree::new(ReferenceData::shipped().expect("shipped data").divisions)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write the test file");
    path
}

fn read(path: &Path, units: &BasicUnits, options: &Options) -> Result<contracts::ContractsFile, IngestError> {
    contracts::read(path, units, options, &|_| {}, None)
}

/// Seller-side turnover per (county, year), summed independently of the importer: the csv crate and Decimal.
fn independent_sums(path: &Path) -> BTreeMap<(String, i32), Decimal> {
    let mut sums = BTreeMap::new();
    let mut reader = csv::Reader::from_path(path).expect("open");
    for r in reader.records() {
        let r = r.expect("row");
        let year: i32 = r[1][..4].parse().expect("year");
        let amount: Decimal = r[7].parse().expect("amount");
        *sums.entry((r[3].to_owned(), year)).or_default() += amount;
    }
    sums
}

/// Turnover and contracts per (seller, buyer, year), summed independently of the importer.
fn independent_flows(path: &Path) -> BTreeMap<(String, String, i32), (u64, Decimal)> {
    let mut sums: BTreeMap<(String, String, i32), (u64, Decimal)> = BTreeMap::new();
    let mut reader = csv::Reader::from_path(path).expect("open");
    for r in reader.records() {
        let r = r.expect("row");
        let year: i32 = r[1][..4].parse().expect("year");
        let amount: Decimal = r[7].parse().expect("amount");
        let flow = sums.entry((r[3].to_owned(), r[4].to_owned(), year)).or_default();
        flow.0 += 1;
        flow.1 += amount;
    }
    sums
}

fn flows_of(file: &contracts::ContractsFile) -> BTreeMap<(String, String, i32), (u64, Decimal)> {
    file.flows
        .iter()
        .map(|f| ((f.seller.to_string(), f.buyer.to_string(), f.year), (f.contracts, f.turnover)))
        .collect()
}

fn zone_units(tree: &DivisionTree) -> Vec<DivisionCode> {
    let zones = ReferenceData::shipped().expect("shipped").zones;
    tree.area_of(zones.iter().flat_map(|z| &z.members)).into_iter().collect()
}

#[test]
fn contracts_roll_up_to_the_same_yuan_as_an_independent_sum() {
    let dir = tempfile::tempdir().expect("temp dir");
    let tree = tree();
    let units = BasicUnits::of(&tree);
    let mut bytes = Vec::new();
    contracts::write_synthetic(&mut bytes, 20_000, 7, &zone_units(&tree), 2019..=2023).expect("generate");
    let path = write(dir.path(), "contracts.csv", &bytes);

    let file = read(&path, &units, &Options::default()).expect("a clean file imports");
    assert_eq!((file.rows, file.accepted, file.encoding), (20_000, 20_000, Encoding::Utf8));
    let mut mine: BTreeMap<(String, i32), Decimal> = BTreeMap::new();
    for r in file.rollups.iter().filter(|r| r.side == Side::Seller) {
        *mine.entry((r.division.to_string(), r.year)).or_default() += r.turnover;
    }
    assert_eq!(mine, independent_sums(&path));
    let contracts: u64 = file.rollups.iter().filter(|r| r.side == Side::Buyer).map(|r| r.contracts).sum();
    assert_eq!(contracts, 20_000, "every contract counts once on the buyer side too");
    assert_eq!(flows_of(&file), independent_flows(&path), "from each seller's place to each buyer's, by year");

    // Tiny chunks and one or four threads give the very same roll-up.
    for threads in [1, 4] {
        let small = Options { chunk_bytes: 97, threads, ..Options::default() };
        let chunked = read(&path, &units, &small).expect("chunked");
        assert_eq!((chunked.rollups, chunked.flows), (file.rollups.clone(), file.flows.clone()), "{threads} threads");
    }
    // And a GBK copy of the same file.
    let (gbk, _, _) = encoding_rs::GBK.encode(std::str::from_utf8(&bytes).expect("utf-8"));
    let gbk_path = write(dir.path(), "contracts-gbk.csv", &gbk);
    let from_gbk = read(&gbk_path, &units, &Options::default()).expect("GBK imports");
    assert_eq!(from_gbk.encoding, Encoding::Gbk);
    assert_eq!(from_gbk.rollups, file.rollups);
    assert_ne!(from_gbk.sha256, file.sha256, "the checksum is of the bytes as delivered");

    let values = file.element_values();
    let total: Decimal =
        values.iter().filter(|v| v.element.as_str() == "contract_turnover_yuan").map(|v| v.value).sum();
    assert_eq!(total, independent_sums(&path).values().copied().sum::<Decimal>());
}

const GOOD: &str = "C1,2023-05-01,技术开发,320102,330106,企业,电子信息,1000.50,800";
const PLANTED: [(&str, &str); 8] = [
    ("C2,2023-05-01,技术开发,999999,330106,企业,电子信息,10,5", "seller_division"),
    ("C3,2021-02-30,技术转让,320102,330106,高校,新材料,10,5", "registered_on"),
    ("C4,2023-05-01,技术许可,320102,330106,企业,新材料,-10,5", "turnover_yuan"),
    ("C5,2023-05-01,技术咨询,320102,330106,企业,新材料,ten,5", "turnover_yuan"),
    ("C6,2023-05-01,技术革新,320102,330106,企业,新材料,10,5", "contract_type"),
    ("C1,2023-06-01,技术服务,320102,330106,企业,新材料,10,5", "contract_no"),
    ("C7,2023-05-01,技术服务,320102,330106,企业,新材料,10,20", "tech_amount_yuan"),
    ("C8,2023-05-01,技术服务,320102", ""),
];

#[test]
fn planted_bad_rows_are_named_by_line_and_nothing_is_imported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let units = BasicUnits::of(&tree());
    let mut text = format!("{HEADER}\n{GOOD}\n");
    for (row, _) in PLANTED {
        text.push_str(row);
        text.push('\n');
    }
    text.push_str("C9,2023-07-01,技术服务,\"320102\",330106,企业,\"材料,化工\",10,5\n");
    let path = write(dir.path(), "bad.csv", text.as_bytes());

    let Err(IngestError::Invalid(problems)) = read(&path, &units, &Options::default()) else {
        panic!("a file with bad rows must be refused")
    };
    assert_eq!(problems.bad_lines, 8);
    let lines: Vec<(u64, Option<&str>)> = problems.listed.iter().map(|p| (p.line, p.field)).collect();
    let expected: Vec<(u64, Option<&str>)> = PLANTED
        .iter()
        .enumerate()
        .map(|(i, (_, field))| (i as u64 + 3, (!field.is_empty()).then_some(*field)))
        .collect();
    assert_eq!(lines, expected);
    let report = problems.to_string();
    assert!(report.contains("bad.csv:4: field registered_on: '2021-02-30': there is no day 30 in 2021-02"), "{report}");
    assert!(report.contains("bad.csv:8: field contract_no: duplicate contract_no 'C1' (first on line 2)"), "{report}");

    // --skip-invalid: the good rows (2 and the quoted one) go in, the bad ones to the error file.
    let mut rejects = Vec::new();
    let options = Options { skip_invalid: true, ..Options::default() };
    let file = contracts::read(&path, &units, &options, &|_| {}, Some(&mut rejects)).expect("skipping");
    assert_eq!((file.rows, file.accepted), (10, 2));
    let seller_2023: Decimal = file.rollups.iter().filter(|r| r.side == Side::Seller).map(|r| r.turnover).sum();
    assert_eq!(seller_2023, Decimal::new(101050, 2));
    let flows: Vec<(&str, &str, i32, u64, Decimal)> =
        file.flows.iter().map(|f| (f.seller.as_str(), f.buyer.as_str(), f.year, f.contracts, f.turnover)).collect();
    assert_eq!(flows, [("320102", "330106", 2023, 2, Decimal::new(101050, 2))], "the duplicate is taken back out");
    assert_eq!(file.numbers.len(), 2, "the counted rows' numbers, the duplicate's once");
    assert!(file.numbers.contains("C1"));
    let rejects = String::from_utf8(rejects).expect("utf-8");
    assert!(rejects.starts_with(&format!("{HEADER},line,reason\n")));
    assert_eq!(rejects.lines().count(), 9);
    assert!(rejects.contains("C6,2023-05-01,技术革新,320102,330106,企业,新材料,10,5,7,"), "{rejects}");
}

#[test]
fn a_wrong_header_or_an_empty_file_is_line_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let units = BasicUnits::of(&tree());
    for (name, text) in [("header.csv", "contract,date\nC1,2023-01-01\n"), ("empty.csv", "")] {
        let path = write(dir.path(), name, text.as_bytes());
        let Err(IngestError::Invalid(p)) = read(&path, &units, &Options::default()) else { panic!("{name} refused") };
        assert_eq!(p.listed[0].line, 1, "{name}");
    }
}

#[test]
fn values_files_are_checked_row_by_row() {
    let tree = tree();
    let zones = [ZoneKey::parse("ningbo").expect("key")];
    let ctx = Context { tree: &tree, zones: &zones };
    let good = "division_code,year,element,value,unit,source\n\
                320100,2023,gdp_yuan,17421.4,亿元,2023年南京市统计公报\n\
                320000,2020,resident_population,8474.8,万人,\n";
    let file = parse_csv("v.csv", good.as_bytes(), &ctx, false).expect("good values");
    assert_eq!(file.division_values.len(), 2);
    assert_eq!(file.division_values[0].value.to_string(), "1742140000000.0");
    assert_eq!(file.division_values[0].note.as_deref(), Some("2023年南京市统计公报"));
    assert_eq!(file.division_values[1].value, Decimal::from(84_748_000));

    let zone = "zone_key,year,element,value\nningbo,2023,transfer_special_funds_yuan,120000000\n";
    assert_eq!(parse_csv("z.csv", zone.as_bytes(), &ctx, false).expect("zone values").zone_values.len(), 1);

    let bad = "division_code,year,element,value\n\
               329999,2023,gdp_yuan,1\n\
               320100,2023,gdp_yuanx,1\n\
               320100,2023,gdp_yuan,-1\n\
               320100,23,gdp_yuan,1\n\
               320100,2023,transfer_special_funds_yuan,1\n\
               320100,2022,gdp_yuan,1\n\
               320100,2022,gdp_yuan,2\n";
    let Err(IngestError::Invalid(p)) = parse_csv("bad.csv", bad.as_bytes(), &ctx, false) else { panic!("refused") };
    let fields: Vec<(u64, Option<&str>)> = p.listed.iter().map(|p| (p.line, p.field)).collect();
    assert_eq!(
        fields,
        [
            (2, Some("division_code")),
            (3, Some("element")),
            (4, Some("value")),
            (5, Some("year")),
            (6, Some("element")),
            (8, None)
        ]
    );
    assert!(p.to_string().contains("bad.csv:8: 320100 gdp_yuan 2022 is given again (first on line 7)"));

    let skipped = parse_csv("bad.csv", bad.as_bytes(), &ctx, true).expect("skipping");
    assert_eq!((skipped.division_values.len(), skipped.rejected.len()), (1, 6));

    let Err(IngestError::Invalid(p)) = parse_csv("h.csv", b"code,year,element,value\n", &ctx, false) else { panic!() };
    assert_eq!(p.listed[0].line, 1);
    let (gbk, _, _) = encoding_rs::GBK.encode(good);
    assert_eq!(parse_csv("g.csv", &gbk, &ctx, false).expect("GBK").encoding, Encoding::Gbk);
}

#[test]
fn sums_beyond_the_64_bit_range_stay_exact_and_so_do_many_years() {
    let dir = tempfile::tempdir().expect("dir");
    let units = BasicUnits::of(&tree());
    // 200 contracts of 999,999,999,999,999.99 yuan between the same counties in one year: 2 × 10^19 fen, past i64.
    let mut text = format!("{HEADER}\n");
    for n in 0..200 {
        text.push_str(&format!(
            "BIG{n},2023-05-01,技术开发,320102,320104,企业,电子信息,999999999999999.99,999999999999999.99\n"
        ));
    }
    // And one contract in each of 30 years (more than the dense table keeps), and a duplicate taken back out.
    for year in 1990..2020 {
        text.push_str(&format!("Y{year},{year}-01-02,技术服务,320102,320104,企业,电子信息,1.00,0.50\n"));
    }
    text.push_str("BIG7,2023-05-01,技术开发,320102,320104,企业,电子信息,999999999999999.99,999999999999999.99\n");
    let path = write(dir.path(), "big.csv", text.as_bytes());
    let options = Options { skip_invalid: true, threads: 2, chunk_bytes: 4096, ..Options::default() };
    let file = read(&path, &units, &options).expect("read");
    assert_eq!(file.problems.bad_lines, 1, "the duplicate");
    let big = file.rollups.iter().find(|r| r.side == Side::Seller && r.year == 2023).expect("the 2023 group");
    let expected: Decimal = "999999999999999.99".parse::<Decimal>().expect("amount") * Decimal::from(200);
    assert_eq!((big.contracts, big.turnover, big.tech_amount), (200, expected, expected));
    let years: Vec<i32> = file.rollups.iter().filter(|r| r.side == Side::Buyer).map(|r| r.year).collect();
    assert_eq!(years.len(), 31, "every year kept, dense or not: {years:?}");
    assert!(file.rollups.iter().filter(|r| r.year < 2023).all(|r| r.contracts == 1 && r.turnover == Decimal::ONE));
}

#[test]
fn rows_of_contracts_registered_in_ttdz_are_left_out_even_when_repeated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let units = BasicUnits::of(&tree());
    let rows = [
        "L-1,2025-03-01,技术开发,320102,330106,企业,电子信息,100.00,80.00",
        "N-1,2025-03-02,技术开发,320102,330106,企业,电子信息,7.00,7.00",
        "L-1,2025-03-03,技术开发,320102,330106,企业,电子信息,100.00,80.00",
    ];
    let path = write(dir.path(), "registry.csv", format!("{HEADER}\n{}\n", rows.join("\n")).as_bytes());
    let options = Options { registered: ["L-1".to_owned()].into(), ..Options::default() };
    let file = read(&path, &units, &options).expect("a registered number repeated is no duplicate to refuse");
    assert_eq!((file.rows, file.accepted, file.registered_in_ttdz), (3, 1, 2));
    let seller: Decimal = file.rollups.iter().filter(|r| r.side == Side::Seller).map(|r| r.turnover).sum();
    assert_eq!(seller, Decimal::new(700, 2), "only the contract registered elsewhere");
    let without = read(&path, &units, &Options::default());
    assert!(matches!(without, Err(IngestError::Invalid(p)) if p.bad_lines == 1), "otherwise line 4 is a duplicate");
}

#[test]
fn every_counted_number_is_kept_across_workers_with_the_highest_in_ttdzs_scheme() {
    let dir = tempfile::tempdir().expect("temp dir");
    let units = BasicUnits::of(&tree());
    let mut text = format!("{HEADER}\n");
    for (n, number) in ["2025320100000007", "2025320100000031", "2025320100000002", "2024320500000999"]
        .iter()
        .cycle()
        .take(400)
        .enumerate()
    {
        // Each number once; the rest are numbered elsewhere and change nothing.
        let number = if n < 4 { (*number).to_owned() } else { format!("{number}-{n}") };
        text.push_str(&format!("{number},2025-03-01,技术开发,320102,330106,企业,电子信息,1.00,1.00\n"));
    }
    text.push_str("2025320100000090,2025-03-01,技术开发,320102,330106,企业,电子信息,1.00,2.00\n");
    text.push_str("2025320100000080,2025-03-01,技术开发,320102,330106,企业,电子信息,1.00,1.00\n");
    let path = write(dir.path(), "numbers.csv", text.as_bytes());
    let options = Options {
        skip_invalid: true,
        threads: 2,
        chunk_bytes: 1024,
        registered: ["2025320100000080".to_owned()].into(),
    };
    let file = read(&path, &units, &options).expect("read");
    assert_eq!(file.problems.bad_lines, 1, "the row whose technical part exceeds its turnover");
    assert_eq!(file.numbers.len(), 400, "every counted row's number, from both workers");
    for kept in ["2025320100000031", "2024320500000999", "2025320100000007-4", "2024320500000999-399"] {
        assert!(file.numbers.contains(kept), "{kept}");
    }
    for left_out in ["2025320100000090", "2025320100000080"] {
        assert!(!file.numbers.contains(left_out), "{left_out}: a bad row, a row registered in TTDZ");
    }
    assert_eq!(
        file.numbers.highest_in_scheme(),
        vec![("2024320500".to_owned(), 999), ("2025320100".to_owned(), 31)],
        "neither a bad row's number nor one registered in TTDZ counts"
    );
}
