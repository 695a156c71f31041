//! The `ttdz` binary as a user runs it: exit codes, messages, global options, a real server.
#![allow(clippy::unwrap_used)] // A test that cannot set up its files should stop right there.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use ttdz_conformance::backends;
use ttdz_store::ReferenceStore;
use ttdz_store_sqlite::SqliteStore;

fn ttdz(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ttdz"));
    cmd.current_dir(dir);
    for var in
        ["TTDZ_DATA_DIR", "TTDZ_DATABASE_URL", "TTDZ_CONFIG", "TTDZ_LOG", "TTDZ_BIND", "TTDZ_PORT", "TTDZ_ADMIN_TOKEN"]
    {
        cmd.env_remove(var);
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run ttdz")
}

/// `ttdz migrate` in `dir`'s default data folder: the commands that read or import refuse an unmigrated database.
fn migrated(dir: &Path) {
    let out = run(ttdz(dir).arg("migrate"));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A migrated data dir with the demo loaded.
fn with_demo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    migrated(dir.path());
    let out = run(ttdz(dir.path()).args(["demo", "load"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    dir
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn an_unsupported_scheme_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(ttdz(dir.path()).args(["migrate", "--database-url", "mysql://root@localhost/ttdz"]));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: unsupported database URL scheme 'mysql:' (use sqlite:PATH or postgres://USER@HOST/DB)\n"
    );
}

#[test]
fn an_unreachable_server_is_one_line_and_exit_2_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there.
    let out = run(ttdz(dir.path()).args(["--database-url", "postgres://ttdz:hunter2@127.0.0.1:1/ttdz", "migrate"]));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: cannot reach the database: cannot connect to PostgreSQL at 127.0.0.1:1/ttdz"),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
}

#[tokio::test]
async fn global_options_work_in_any_position_and_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    for args in [["--data-dir", "before", "migrate"], ["migrate", "--data-dir", "after"]] {
        let out = run(ttdz(dir.path()).args(args));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = run(ttdz(dir.path()).env("TTDZ_DATA_DIR", "from-env").arg("migrate"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(dir.path().join("ttdz.toml"), "data_dir = \"from-file\"\n").unwrap();
    let out = run(ttdz(dir.path()).args(["migrate", "--config", "ttdz.toml"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for folder in ["before", "after", "from-env", "from-file"] {
        assert!(dir.path().join(folder).join("ttdz.sqlite3").is_file(), "{folder}/ttdz.sqlite3");
    }
    let out = run(ttdz(dir.path()).arg("migrate"));
    assert!(stdout(&out).contains("sqlite://ttdz-data/ttdz.sqlite3"), "default data dir: {}", stdout(&out));
    assert!(stdout(&out).contains("2023 (3339 divisions)"));
}

fn write_list(dir: &Path, provinces: &str, cities: &str, areas: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("provinces.csv"), provinces).unwrap();
    std::fs::write(dir.join("cities.csv"), cities).unwrap();
    std::fs::write(dir.join("areas.csv"), areas).unwrap();
}

async fn stored_vintages(data_dir: &Path) -> Vec<i64> {
    let url = format!("sqlite://{}", data_dir.join("ttdz.sqlite3").display());
    let store = SqliteStore::open(&url).await.unwrap();
    store.vintages().await.unwrap().iter().map(|v| v.vintage.year()).collect()
}

#[tokio::test]
async fn a_bad_division_list_names_file_line_and_reason_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list-2024");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/divisions/2023");
    let provinces = std::fs::read_to_string(shipped.join("provinces.csv")).unwrap();
    let cities = std::fs::read_to_string(shipped.join("cities.csv")).unwrap();
    let areas = std::fs::read_to_string(shipped.join("areas.csv")).unwrap();
    // Plant an unknown parent on line 3 and a duplicate on the last line + 1.
    let mut bad_areas: Vec<String> = areas.lines().map(str::to_owned).collect();
    bad_areas[2] = "110102,\"西城区\",1199,11".to_owned();
    bad_areas.push("110101,\"东城区\",1101,11".to_owned());
    let duplicate_line = bad_areas.len();
    write_list(&list, &provinces, &cities, &(bad_areas.join("\n") + "\n"));

    let out = run(ttdz(dir.path()).args(["import", "divisions", "--vintage", "2024"]).arg(&list));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("areas.csv:3: field cityCode: unknown parent code: city 119900"), "{err}");
    assert!(
        err.contains(&format!("areas.csv:{duplicate_line}: field code: duplicate code 110101, first defined at")),
        "{err}"
    );
    // The files failed before the database was touched, and a migrated store has only 2023.
    run(ttdz(dir.path()).arg("migrate"));
    assert_eq!(stored_vintages(&dir.path().join("ttdz-data")).await, [2023]);

    // A list that lacks a zone's member is refused whole too.
    let without_minhang: String =
        areas.lines().filter(|l| !l.starts_with("310112,")).map(|l| format!("{l}\n")).collect();
    write_list(&list, &provinces, &cities, &without_minhang);
    let out = run(ttdz(dir.path()).args(["import", "divisions", "--vintage", "2024"]).arg(&list));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("zone shanghai-minhang member 310112"), "{}", stderr(&out));
    assert_eq!(stored_vintages(&dir.path().join("ttdz-data")).await, [2023]);

    // The good list goes in beside 2023; a second import of the same year is refused.
    write_list(&list, &provinces, &cities, &areas);
    let out = run(ttdz(dir.path()).args(["import", "divisions", "--vintage", "2024"]).arg(&list));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("3339 divisions (31 provinces, 333 prefectures, 2975 counties)"));
    let out = run(ttdz(dir.path()).args(["import", "divisions", "--vintage", "2024"]).arg(&list));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("division vintage 2024 is already stored"));
    assert_eq!(stored_vintages(&dir.path().join("ttdz-data")).await, [2023, 2024]);
}

/// A `ttdz serve` child that is stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ttdz serve` and waits for the line that says where it listens.
fn serve(cmd: &mut Command) -> (Server, String) {
    let mut child = cmd.stderr(Stdio::piped()).stdout(Stdio::null()).spawn().expect("spawn ttdz serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        let line = lines.next().expect("ttdz serve printed its address before exiting").expect("a line");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (Server(child), address)
}

#[tokio::test]
async fn serve_runs_the_platform_and_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (mut server, address) = serve(ttdz(dir.path()).args(["serve", "--demo", "--port", "0"]));
    let client = reqwest::Client::new();
    let health: serde_json::Value =
        client.get(format!("{address}/api/v1/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let figures: serde_json::Value =
        client.get(format!("{address}/api/v1/published-figures")).send().await.unwrap().json().await.unwrap();
    assert_eq!(figures.as_array().map(Vec::len), Some(138), "--demo loaded the demo data");
    let zone: serde_json::Value = client
        .get(format!("{address}/api/v1/zones/jiangsu-sunan/indicators?year=2023"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(zone["indicators"][0]["synthetic"], true, "the synthetic contract sample is marked as such");
    let page =
        client.get(format!("{address}/zones/jiangsu-sunan?year=2023")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("class=\"badge\">合成数据"), "and the page says so");

    // The synthetic panel fills every quantitative indicator of the demo's last year: the zone page charts each
    // over the years (its numbers one click away and as CSV) and shows the category radar.
    let indicators: serde_json::Value = client
        .get(format!("{address}/api/v1/zones/jiangsu-sunan/indicators"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let quantitative: Vec<&serde_json::Value> =
        indicators["indicators"].as_array().unwrap().iter().filter(|i| i["kind"] == "quantitative").collect();
    assert!(quantitative.iter().all(|i| !i["value"].is_null()), "every quantitative row has a value: {indicators}");
    let page = client.get(format!("{address}/zones/jiangsu-sunan")).send().await.unwrap().text().await.unwrap();
    assert_eq!(page.matches("<svg class=\"trend\"").count(), quantitative.len(), "a trend per indicator");
    assert!(page.contains("<svg class=\"radar\""), "the category radar");
    let csv = client.get(format!("{address}/zones/jiangsu-sunan/trends.csv")).send().await.unwrap();
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = csv.text().await.unwrap();
    assert!(csv.starts_with("zone,year,indicator,name,unit,value,synthetic\n"));
    assert!(csv.lines().any(|l| l.starts_with("jiangsu-sunan,2024,tech_brokers,")), "{csv}");

    // A second server on the same port is refused with a clear message.
    let port = address.rsplit(':').next().unwrap().to_owned();
    let out = run(ttdz(dir.path()).args(["serve", "--port", &port, "--data-dir", "other"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("the address is already in use"), "{}", stderr(&out));

    let pid = server.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = (0..100)
        .find_map(|_| {
            std::thread::sleep(Duration::from_millis(100));
            server.0.try_wait().unwrap()
        })
        .expect("ttdz stops after SIGTERM");
    assert!(status.success(), "graceful shutdown exits 0: {status}");
}

#[tokio::test]
async fn serve_runs_on_postgres_too() {
    let Some(pg) = backends::postgres().await else { return };
    let dir = tempfile::tempdir().unwrap();
    let (_server, address) = serve(ttdz(dir.path()).args(["serve", "--port", "0", "--database-url", &pg.url()]));
    let health: serde_json::Value =
        reqwest::get(format!("{address}/api/v1/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["backend"], "postgres");
    let zones: serde_json::Value = reqwest::get(format!("{address}/api/v1/zones")).await.unwrap().json().await.unwrap();
    assert_eq!(zones.as_array().map(Vec::len), Some(11));
    drop(_server);
    pg.cleanup().await;
}

#[test]
fn openapi_prints_the_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(ttdz(dir.path()).arg("openapi"));
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(doc["paths"]["/api/v1/zones/{key}"]["get"].is_object());
}

fn indicators_csv(dir: &Path, args: &[&str]) -> String {
    let out = run(ttdz(dir).args(["indicators", "--format", "csv"]).args(args));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

/// Zone → year → seller-side turnover in yuan, summed straight from the file with the csv crate and Decimal.
fn independent_zone_turnover(file: &Path) -> std::collections::BTreeMap<(String, i32), rust_decimal::Decimal> {
    let reference = ttdz_domain::ReferenceData::shipped().unwrap();
    let tree = ttdz_domain::DivisionTree::new(reference.divisions);
    let areas: Vec<(String, std::collections::BTreeSet<ttdz_domain::DivisionCode>)> =
        reference.zones.iter().map(|z| (z.key.to_string(), tree.area_of(&z.members))).collect();
    let mut sums = std::collections::BTreeMap::new();
    for record in csv::Reader::from_path(file).unwrap().records() {
        let r = record.unwrap();
        let seller = ttdz_domain::DivisionCode::parse(&r[3]).unwrap();
        let year: i32 = r[1][..4].parse().unwrap();
        let amount: rust_decimal::Decimal = r[7].parse().unwrap();
        for (key, area) in &areas {
            if area.contains(&seller) {
                *sums.entry((key.clone(), year)).or_default() += amount;
            }
        }
    }
    sums
}

#[test]
fn zone_contract_turnover_equals_an_independent_sum_and_reimporting_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    migrated(dir.path());
    let file = dir.path().join("contracts.csv");
    let out = run(ttdz(dir.path()).args(["demo", "contracts", "--rows", "30000", "--seed", "11", "--out"]).arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(ttdz(dir.path()).args(["import", "contracts"]).arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("30000 rows, 30000 accepted"), "{}", stdout(&out));

    let csv_out = indicators_csv(dir.path(), &["--indicator", "contract_turnover"]);
    let expected = independent_zone_turnover(&file);
    let mut seen = 0;
    for line in csv_out.lines().skip(1) {
        let cols: Vec<&str> = line.split(',').collect();
        let (zone, year, value, unit) = (cols[0], cols[1].parse::<i32>().unwrap(), cols[3], cols[4]);
        assert_eq!((cols[2], unit), ("contract_turnover", "亿元"));
        let yuan = value.parse::<rust_decimal::Decimal>().unwrap() * rust_decimal::Decimal::from(100_000_000);
        assert_eq!(yuan, expected[&(zone.to_owned(), year)], "{zone} {year}: to the yuan");
        seen += 1;
    }
    assert_eq!(seen, expected.len(), "every zone and year with contracts has a value");

    let again = run(ttdz(dir.path()).args(["import", "contracts"]).arg(&file));
    assert!(stdout(&again).contains("unchanged"), "{}", stdout(&again));
    assert_eq!(indicators_csv(dir.path(), &["--indicator", "contract_turnover"]), csv_out);

    // Planted bad rows: refused with their lines, nothing changes.
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("X1,2021-02-30,技术开发,320102,320102,企业,新材料,100,50\n");
    text.push_str("X2,2023-01-01,技术开发,999999,320102,企业,新材料,100,50\n");
    text.push_str("X3,2023-01-01,技术开发,320102,320102,企业,新材料,-100,50\n");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, text).unwrap();
    let out = run(ttdz(dir.path()).args(["import", "contracts"]).arg(&bad));
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("bad.csv: 3 bad lines, nothing was imported"), "{err}");
    for (line, field) in [(30002, "registered_on"), (30003, "seller_division"), (30004, "turnover_yuan")] {
        assert!(err.contains(&format!("bad.csv:{line}: field {field}")), "{err}");
    }
    assert_eq!(indicators_csv(dir.path(), &["--indicator", "contract_turnover"]), csv_out);

    // --skip-invalid imports the rest as its own batch and writes the bad rows beside the file.
    let out =
        run(ttdz(dir.path()).args(["import", "contracts", "--skip-invalid", "--batch", "contracts.csv"]).arg(&bad));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let errors = std::fs::read_to_string(dir.path().join("bad.csv.errors.csv")).unwrap();
    assert_eq!(errors.lines().count(), 4, "{errors}");
    assert!(stdout(&out).contains("replacing the batch's earlier contribution"), "{}", stdout(&out));
    assert_eq!(indicators_csv(dir.path(), &["--indicator", "contract_turnover"]), csv_out, "same good rows, same sums");
}

#[test]
fn a_zones_patents_per_10k_is_the_ratio_of_sums_over_its_cities() {
    let dir = tempfile::tempdir().unwrap();
    migrated(dir.path());
    // 江苏·苏南: 南京, 无锡, 常州, 苏州, 镇江 (made-up figures; the point is the formula).
    let cities = [
        ("320100", 95000, 9_490_000),
        ("320200", 52000, 7_490_000),
        ("320400", 30000, 5_360_000),
        ("320500", 110000, 12_910_000),
        ("321100", 12000, 3_220_000),
    ];
    let mut text = String::from("division_code,year,element,value,unit,source\n");
    for (code, patents, people) in cities {
        text.push_str(&format!("{code},2023,invention_patents_held,{patents},件,test\n"));
        text.push_str(&format!("{code},2023,resident_population,{people},人,test\n"));
    }
    let file = dir.path().join("values.csv");
    std::fs::write(&file, text).unwrap();
    let out = run(ttdz(dir.path()).args(["import", "values"]).arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let csv_out = indicators_csv(
        dir.path(),
        &["--zone", "jiangsu-sunan", "--indicator", "invention_patents_per_10k", "--year", "2023"],
    );
    let patents: i64 = cities.iter().map(|c| c.1).sum();
    let people: i64 = cities.iter().map(|c| c.2).sum();
    let expected = (rust_decimal::Decimal::from(patents) * rust_decimal::Decimal::from(10_000)
        / rust_decimal::Decimal::from(people))
    .normalize();
    let mean_of_ratios: rust_decimal::Decimal = cities
        .iter()
        .map(|c| rust_decimal::Decimal::from(c.1 * 10_000) / rust_decimal::Decimal::from(c.2))
        .sum::<rust_decimal::Decimal>()
        / rust_decimal::Decimal::from(5);
    assert_ne!(expected, mean_of_ratios.normalize(), "the test data tells the two apart");
    assert_eq!(
        csv_out,
        format!("area,year,indicator,value,unit\njiangsu-sunan,2023,invention_patents_per_10k,{expected},件\n")
    );

    // A bad values file: refused with file, line and field; nothing stored.
    std::fs::write(dir.path().join("bad.csv"), "division_code,year,element,value\n320100,2023,gdp_yuan,abc\n").unwrap();
    let out = run(ttdz(dir.path()).args(["import", "values", "bad.csv"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.csv:2: field value: 'abc' is not a number"), "{}", stderr(&out));
    assert_eq!(
        indicators_csv(dir.path(), &["--division", "320100", "--year", "2023"]).lines().count(),
        2,
        "only the patents indicator"
    );
}

#[test]
fn the_excel_template_is_written_and_a_bad_one_is_returned_marked() {
    let dir = tempfile::tempdir().unwrap();
    migrated(dir.path());
    let out = run(ttdz(dir.path()).args(["template", "--zone", "ningbo", "--year", "2023", "--out", "ningbo.xlsx"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let blank = std::fs::read(dir.path().join("ningbo.xlsx")).unwrap();
    assert!(blank.starts_with(b"PK"));
    // The blank template imports as an empty batch: every input is optional.
    let out = run(ttdz(dir.path()).args(["import", "template", "ningbo.xlsx", "--dry-run"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("0 values for ningbo 2023"), "{}", stdout(&out));
    let out = run(ttdz(dir.path()).args(["import", "template", "ningbo.xlsx"]));
    assert_eq!(out.status.code(), Some(1), "an empty workbook replaces nothing");
    assert!(stderr(&out).contains("holds no values for ningbo 2023"), "{}", stderr(&out));

    std::fs::write(dir.path().join("not.xlsx"), b"PK but not really").unwrap();
    let out = run(ttdz(dir.path()).args(["import", "template", "not.xlsx"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("not.xlsx: not a valid .xlsx (zip) file"), "{}", stderr(&out));
}

#[tokio::test]
async fn both_backends_compute_the_same_indicators_from_the_same_files() {
    let Some(pg) = backends::postgres().await else { return };
    let dir = tempfile::tempdir().unwrap();
    migrated(dir.path());
    let file = dir.path().join("contracts.csv");
    let out = run(ttdz(dir.path()).args(["demo", "contracts", "--rows", "20000", "--seed", "5", "--out"]).arg(&file));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::write(
        dir.path().join("values.csv"),
        "division_code,year,element,value,unit\n330200,2023,resident_population,969.7,万人\n330200,2023,invention_patents_held,81234,件\n",
    )
    .unwrap();
    let url = pg.url();
    let mut outputs = Vec::new();
    for backend in [None, Some(url.as_str())] {
        let with = |cmd: &mut Command| {
            if let Some(u) = backend {
                cmd.args(["--database-url", u]);
            }
        };
        for import in [["import", "contracts", "contracts.csv"], ["import", "values", "values.csv"]] {
            let mut cmd = ttdz(dir.path());
            cmd.args(import);
            with(&mut cmd);
            let out = run(&mut cmd);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        let mut cmd = ttdz(dir.path());
        cmd.args(["indicators", "--format", "json"]);
        with(&mut cmd);
        let out = run(&mut cmd);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        outputs.push(stdout(&out));
    }
    assert!(outputs[0].contains("invention_patents_per_10k"), "{}", &outputs[0][..200.min(outputs[0].len())]);
    assert_eq!(outputs[0], outputs[1], "SQLite and PostgreSQL agree to the last digit");
    pg.cleanup().await;
}

#[test]
fn evaluate_writes_every_aggregate_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let asem = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/reference/coinr-asem");
    if !asem.join("ASEM_iData.csv").is_file() {
        assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but {} is not there", asem.display());
        eprintln!("SKIPPED: {} is not there, so `ttdz evaluate` was not run on COINr's example", asem.display());
        return;
    }
    let config = "[impute]\nmethod = \"group_mean\"\ngroup = \"EurAsia_group\"\n[screen]\nmin_availability = 0.9\n\
                  [treat]\nmethod = \"winsorise\"\nmax_points = 5\nskew = 2.0\nkurtosis = 3.5\nfallback = \"log_ct\"\n\
                  [normalise]\nmethod = \"minmax\"\nrange = [0, 100]\n[aggregate]\nmethod = \"arithmetic\"\n";
    std::fs::write(dir.path().join("pipe.toml"), config).unwrap();
    // A server's configuration in the environment must not be taken for the pipeline.
    std::fs::write(dir.path().join("server.toml"), "log = \"info\"\n").unwrap();
    let evaluate = |config: &str, out: &str| {
        run(ttdz(dir.path())
            .env("TTDZ_CONFIG", "server.toml")
            .args(["evaluate", "--pipeline", config, "--out", out, "--data"])
            .arg(asem.join("ASEM_iData.csv"))
            .arg("--meta")
            .arg(asem.join("ASEM_iMeta.csv")))
    };
    let out = evaluate("pipe.toml", "scores.csv");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let scores = std::fs::read_to_string(dir.path().join("scores.csv")).unwrap();
    assert!(scores.starts_with("uCode,iCode,score,rank\n"));
    assert_eq!(scores.lines().count(), 1 + 51 * 11, "every unit at the 8 pillars, 2 sub-indexes and the index");
    let austria = scores.lines().find(|l| l.starts_with("AUT,Index,")).unwrap();
    assert!(austria.ends_with(",7"), "{austria}");
    let score: f64 = austria.split(',').nth(2).unwrap().parse().unwrap();
    assert!((score - 61.90180340737972).abs() < 1e-9, "{austria}");

    let with_uncertainty = format!(
        "{config}[uncertainty]\nreplications = 100\nseed = 7\nnormalise = [\"minmax\", \"rank\"]\nweight_noise = 0.2\n"
    );
    std::fs::write(dir.path().join("mc.toml"), with_uncertainty).unwrap();
    let out = evaluate("mc.toml", "mc.csv");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let uncertainty = std::fs::read_to_string(dir.path().join("mc.uncertainty.csv")).unwrap();
    assert!(uncertainty.starts_with("uCode,iCode,nominal_rank,median_rank,rank_p05,rank_p95\n"));
    assert_eq!(uncertainty.lines().count(), 52);
    assert!(uncertainty.lines().any(|l| l.starts_with("AUT,Index,7,")), "{uncertainty}");
    let sensitivity = std::fs::read_to_string(dir.path().join("mc.sensitivity.csv")).unwrap();
    assert_eq!(
        sensitivity.lines().map(|l| l.split(',').next().unwrap()).collect::<Vec<_>>(),
        ["factor", "normalisation", "weights"]
    );
    assert!(sensitivity.starts_with("factor,first_order,first_order_ci,total,total_ci\n"), "{sensitivity}");
    let again = evaluate("mc.toml", "mc2.csv");
    assert_eq!(again.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mc2.uncertainty.csv")).unwrap(),
        uncertainty,
        "seeded: reproducible"
    );

    std::fs::write(dir.path().join("bad.toml"), config.replace("\"minmax\"", "\"softmax\"")).unwrap();
    let out = evaluate("bad.toml", "bad.csv");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("[normalise] method = \"softmax\" is unknown"), "{}", stderr(&out));
    assert!(!dir.path().join("bad.csv").exists(), "no partial output");
}

#[tokio::test]
async fn accounts_are_made_on_the_command_line_and_log_in_over_http() {
    let dir = tempfile::tempdir().unwrap();
    migrated(dir.path());
    let add = |args: &[&str], password: &str| add_user(dir.path(), args, password);
    let out = add(&["--username", "jiangsu", "--role", "province", "--province", "320000"], "a-long-password");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = add(&["--username", "jiangsu", "--role", "province", "--province", "320000"], "a-long-password");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("the username jiangsu is taken"), "{}", stderr(&out));
    let out = add(&["--username", "zhejiang", "--role", "province"], "a-long-password");
    assert!(stderr(&out).contains("a province user needs --province"), "{}", stderr(&out));
    let out = add(&["--username", "shorty", "--role", "ministry"], "short");
    assert!(stderr(&out).contains("at least 10 characters"), "{}", stderr(&out));
    let out = add(&["--username", "most", "--role", "ministry"], "another-long-one");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let list = stdout(&run(ttdz(dir.path()).args(["user", "list"])));
    assert!(
        list.contains("jiangsu") && list.contains("province") && list.contains("320000") && list.contains("most"),
        "{list}"
    );

    let (server, address) = serve(ttdz(dir.path()).args(["serve", "--port", "0"]));
    let client = reqwest::Client::new();
    let login = |password: &'static str| {
        let client = client.clone();
        let url = format!("{address}/api/v1/auth/login");
        async move {
            client
                .post(url)
                .json(&serde_json::json!({"username": "jiangsu", "password": password}))
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(login("a-long-password").await.status(), 200);
    assert_eq!(login("wrong-password").await.status(), 401);
    let out = run(ttdz(dir.path()).args(["user", "disable", "jiangsu"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(login("a-long-password").await.status(), 401, "a disabled account cannot log in");
    assert!(stdout(&run(ttdz(dir.path()).args(["user", "list"]))).contains("disabled"));
    drop(server);
}

#[tokio::test]
async fn only_migrate_and_serve_change_the_schema_and_other_commands_refuse_an_older_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(ttdz(dir.path()).args(["user", "list"]));
    assert_eq!(out.status.code(), Some(2), "a fresh database is older than this build");
    assert!(stderr(&out).contains("run `ttdz migrate` first"), "{}", stderr(&out));
    migrated(dir.path());
    assert_eq!(run(ttdz(dir.path()).args(["user", "list"])).status.code(), Some(0));

    // As if a newer build had added migration 8: every command but migrate and serve leaves the database as it is.
    let url = format!("sqlite://{}", dir.path().join("ttdz-data/ttdz.sqlite3").display());
    let count = || async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM ttdz_migrations").fetch_one(&mut c).await.unwrap();
        n
    };
    {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("DELETE FROM ttdz_migrations WHERE version = 8").execute(&mut c).await.unwrap();
    }
    let before = count().await;
    for args in [&["user", "list"][..], &["indicators"], &["demo", "load"], &["serve", "--port", "0", "--no-migrate"]] {
        let out = run(ttdz(dir.path()).args(args));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("pending migrations: 0008 review_fixes"), "{args:?}: {}", stderr(&out));
    }
    assert_eq!(count().await, before, "nothing was migrated");
}

/// The migration that lets brokers have accounts makes SQLite's accounts table anew: on a database in use (the
/// demo's accounts, their contracts, listings, bids and ledger, a signed-in session) it keeps every account and
/// session, and every reference to an account still holds.
#[tokio::test]
async fn making_the_accounts_table_anew_keeps_every_account_session_and_reference() {
    use sqlx::Connection;
    let dir = with_demo();
    let url = format!("sqlite://{}", dir.path().join("ttdz-data/ttdz.sqlite3").display());
    let state = || async {
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let accounts: Vec<(String, String)> =
            sqlx::query_as("SELECT username, role FROM accounts ORDER BY username").fetch_all(&mut c).await.unwrap();
        let sessions: Vec<String> =
            sqlx::query_scalar("SELECT token_sha256 FROM sessions ORDER BY 1").fetch_all(&mut c).await.unwrap();
        let orphans: Vec<(String, i64, String, i64)> =
            sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&mut c).await.unwrap();
        (accounts, sessions, orphans)
    };
    {
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query("INSERT INTO sessions (token_sha256, username, csrf_token, expires_at) VALUES ('t', 'demo-tto', 'c', 4102444800)")
            .execute(&mut c)
            .await
            .unwrap();
        sqlx::query("DELETE FROM ttdz_migrations WHERE name = 'broker_role'").execute(&mut c).await.unwrap();
    }
    let before = state().await;
    assert!(before.0.len() >= 5 && before.1.len() == 1 && before.2.is_empty(), "{before:?}");
    let out = run(ttdz(dir.path()).arg("migrate"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(state().await, before);
    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM ttdz_migrations WHERE name = 'broker_role'")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(applied, 1, "the migration ran again");

    let out = add_user(
        dir.path(),
        &["--username", "js-broker", "--role", "broker", "--division", "320500"],
        "a-long-password",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = add_user(dir.path(), &["--username", "no-place", "--role", "broker"], "a-long-password");
    assert!(stderr(&out).contains("a broker user needs --division"), "{}", stderr(&out));
}

/// `ttdz user add ARGS --password-stdin`, the password given on standard input.
fn add_user(dir: &Path, args: &[&str], password: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = ttdz(dir)
        .args(["user", "add"])
        .args(args)
        .arg("--password-stdin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_command_line_and_the_api_give_the_same_figures_for_every_zone_year_and_indicator() {
    let dir = with_demo();
    let out = run(ttdz(dir.path()).args(["indicators", "--format", "json"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(rows.len() > 50, "the demo has figures for many zones and years: {}", rows.len());
    let key = |area: &str, year: i64, indicator: &str| format!("{area}/{year}/{indicator}");
    let cli: std::collections::BTreeMap<String, &serde_json::Value> = rows
        .iter()
        .map(|r| (key(r["area"].as_str().unwrap(), r["year"].as_i64().unwrap(), r["indicator"].as_str().unwrap()), r))
        .collect();
    let years: std::collections::BTreeSet<i64> = rows.iter().map(|r| r["year"].as_i64().unwrap()).collect();

    let (_server, address) = serve(ttdz(dir.path()).args(["serve", "--port", "0"]));
    let client = reqwest::Client::new();
    let zones: serde_json::Value =
        client.get(format!("{address}/api/v1/zones")).send().await.unwrap().json().await.unwrap();
    let mut compared = 0;
    for zone in zones.as_array().unwrap() {
        let zone = zone["key"].as_str().unwrap();
        for year in &years {
            let url = format!("{address}/api/v1/zones/{zone}/indicators?year={year}");
            let api: serde_json::Value = client.get(url).send().await.unwrap().json().await.unwrap();
            let rows = api["indicators"].as_array().unwrap().iter();
            let featured = api["featured"].as_array().into_iter().flatten();
            for i in rows.chain(featured).filter(|i| !i["value"].is_null()) {
                let row = cli.get(&key(zone, *year, i["code"].as_str().unwrap()));
                let row = row.unwrap_or_else(|| panic!("the CLI lacks {zone} {year} {}", i["code"]));
                for (cli_field, api_field) in [
                    ("value", "value"),
                    ("previous_value", "previous_value"),
                    ("growth", "growth"),
                    ("synthetic", "synthetic"),
                ] {
                    assert_eq!(row[cli_field], i[api_field], "{zone} {year} {}: {cli_field}", i["code"]);
                }
                compared += 1;
            }
        }
    }
    assert_eq!(compared, rows.len(), "every figure the CLI gives, the API gives, and no other");

    // The annual report from the terminal is the API's, figure for figure.
    let md = dir.path().join("sunan-2024.md");
    let out = run(ttdz(dir.path())
        .args(["report", "annual", "--zone", "jiangsu-sunan", "--year", "2024", "--format", "md", "-o"])
        .arg(&md));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&md).unwrap();
    let served = client
        .get(format!("{address}/api/v1/zones/jiangsu-sunan/reports/2024.md"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body = |text: &str| text.lines().filter(|l| !l.starts_with("生成日期")).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&written), body(&served));
    assert!(
        written.contains("江苏苏南国家科技成果转移转化示范区 2024 年度建设情况报告")
            && written.contains("新型研发机构数量")
    );
    let docx = client.get(format!("{address}/api/v1/zones/jiangsu-sunan/reports/2024.docx")).send().await.unwrap();
    assert!(docx.headers()["content-type"].to_str().unwrap().contains("wordprocessingml"));
    assert!(docx.bytes().await.unwrap().starts_with(b"PK"), "a Word package");
    let page = client.get(format!("{address}/api/v1/zones/jiangsu-sunan/reports/2024.html")).send().await.unwrap();
    assert!(page.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    let page = page.text().await.unwrap();
    let model: serde_json::Value = client
        .get(format!("{address}/api/v1/zones/jiangsu-sunan/reports/2024.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let trends = model["trends"].as_array().unwrap().len();
    assert!(trends >= 10, "the demo panel gives every quantitative indicator a trend: {trends}");
    assert_eq!(page.matches("<svg").count(), trends + 1, "every trend and the attainment bars are drawn");
    // The PDF a viewer opens: every indicator of the model in it, in Chinese, the CJK font embedded.
    let pdf = client.get(format!("{address}/api/v1/zones/jiangsu-sunan/reports/2024.pdf")).send().await.unwrap();
    let fonts = ["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "/usr/bin/pdftotext"];
    if fonts.iter().all(|f| Path::new(f).exists()) {
        assert_eq!(pdf.status(), reqwest::StatusCode::OK);
        let file = dir.path().join("sunan-2024.pdf");
        std::fs::write(&file, pdf.bytes().await.unwrap()).unwrap();
        let text = Command::new("pdftotext").arg(&file).arg("-").output().unwrap();
        let text: String = String::from_utf8_lossy(&text.stdout).chars().filter(|c| !c.is_whitespace()).collect();
        for row in model["rows"].as_array().unwrap().iter().chain(model["featured"].as_array().unwrap()) {
            let name: Vec<char> = row["name"].as_str().unwrap().chars().filter(|c| !c.is_whitespace()).collect();
            // A long name wraps in its cell, and the text of the cells beside it comes between its lines: its
            // first characters stand together, and all of them in order.
            let start: String = name.iter().take(6).collect();
            let mut rest = text.chars();
            let in_order = name.iter().all(|c| rest.any(|t| t == *c));
            assert!(text.contains(&start) && in_order, "{} is in the PDF", name.iter().collect::<String>());
        }
    } else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI=true but fonts-noto-cjk or poppler-utils is missing"
        );
        eprintln!("SKIPPED: fonts-noto-cjk or poppler-utils is not installed, so the PDF was not read back");
        assert_eq!(pdf.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE, "without the font, PDF is unavailable");
    }

    // The technology flow between the zones: the page's CSV holds every cell the API gives, marked synthetic.
    let flows: serde_json::Value =
        client.get(format!("{address}/api/v1/flows?year=2024")).send().await.unwrap().json().await.unwrap();
    assert_eq!(flows["synthetic"], true, "the demo's contracts are synthetic");
    let cells = flows["cells"].as_array().unwrap();
    assert!(cells.len() > 50, "the zones trade with each other: {}", cells.len());
    let csv = client.get(format!("{address}/flows.csv?year=2024")).send().await.unwrap().text().await.unwrap();
    assert_eq!(csv.lines().count(), cells.len() + 1, "a header and a line per cell");
    assert!(csv.contains(&format!(",{},true", cells[0]["turnover_yuan"].as_str().unwrap())), "{csv}");

    // The national summary lists every zone, ranked, from the terminal as from the API.
    let national = dir.path().join("national-2024.md");
    let out =
        run(ttdz(dir.path()).args(["report", "national", "--year", "2024", "--format", "md", "-o"]).arg(&national));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&national).unwrap();
    for zone in zones.as_array().unwrap() {
        let name = zone["name"].as_str().unwrap();
        assert!(written.contains(name), "{name} is in the national summary: {written}");
    }
    let served =
        client.get(format!("{address}/api/v1/national/summary/2024.md")).send().await.unwrap().text().await.unwrap();
    assert_eq!(body(&written), body(&served));

    // The term evaluation, with the proposed verdict and its reasons: for those who oversee the zone.
    let term = dir.path().join("sunan-term.md");
    let out = run(ttdz(dir.path())
        .args(["report", "term", "--zone", "jiangsu-sunan", "--year", "2024", "--format", "md", "-o"])
        .arg(&term));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(&term).unwrap();
    assert!(
        written.contains("建设期总结评估报告（2024 年）") && written.contains("## 一、评估结论（建议）："),
        "{written}"
    );
    assert!(written.contains("〔"), "with its reasons: {written}");
    let anonymous = client.get(format!("{address}/api/v1/zones/jiangsu-sunan/term/2024.md")).send().await.unwrap();
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED, "not for the public");
}

#[test]
fn changes_lists_every_write_after_a_cursor_one_json_object_a_line() {
    let dir = tempfile::tempdir().unwrap();
    migrated(dir.path());
    let all = stdout(&run(ttdz(dir.path()).args(["changes", "--limit", "100000"])));
    let last: serde_json::Value = serde_json::from_str(all.lines().last().expect("reference loads")).unwrap();
    std::fs::write(dir.path().join("v.csv"), "division_code,year,element,value\n320100,2023,gdp_yuan,1\n").unwrap();
    let out = run(ttdz(dir.path()).args(["import", "values", "v.csv"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let since = last["cursor"].as_str().unwrap();
    let out = run(ttdz(dir.path()).args(["changes", "--since", since]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<serde_json::Value> = stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!((lines[0]["kind"].as_str(), lines[0]["key"].as_str()), (Some("import"), Some("values:v.csv")));
    let after = lines[0]["cursor"].as_str().unwrap();
    assert_eq!(stdout(&run(ttdz(dir.path()).args(["changes", "--since", after]))), "", "nothing after the last");
    let out = run(ttdz(dir.path()).args(["changes", "--since", "nonsense"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("'nonsense' is not a change cursor"), "{}", stderr(&out));
}
