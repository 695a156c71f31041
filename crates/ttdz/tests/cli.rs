//! The `ttdz` binary as a user runs it: exit codes, messages, global options, a real server.
#![allow(clippy::unwrap_used)] // A test that cannot set up its files should stop right there.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use ttdz_conformance::backends;
use ttdz_store::Store;
use ttdz_store_sqlite::SqliteStore;

fn ttdz(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ttdz"));
    cmd.current_dir(dir);
    for var in ["TTDZ_DATA_DIR", "TTDZ_DATABASE_URL", "TTDZ_CONFIG", "TTDZ_LOG", "TTDZ_BIND", "TTDZ_PORT"] {
        cmd.env_remove(var);
    }
    cmd
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run ttdz")
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
