//! The real application on a free port, over real stores: SQLite always, PostgreSQL where TTDZ_TEST_PG_URL names
//! a server (and always in CI).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::Value;
use ttdz_conformance::backends::{self, TestStore};
use ttdz_web::{AppState, Application};

struct TestApp {
    base: String,
    client: reqwest::Client,
    store: TestStore,
}

impl TestApp {
    async fn start(store: TestStore) -> TestApp {
        TestApp::with_state(store, |s| s).await
    }

    /// The real application over `store`, its state configured by `configure`, with the clock fixed in the
    /// tests' year.
    async fn with_state(store: TestStore, configure: impl FnOnce(AppState) -> AppState) -> TestApp {
        let state = configure(AppState::new(store.shared()).with_clock(backends::test_clock()));
        let app =
            Application::build(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), state).await.expect("bind a free port");
        let base = format!("http://{}", app.local_addr().expect("bound address"));
        tokio::spawn(app.run_until(std::future::pending()));
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        TestApp { base, client, store }
    }

    async fn sqlite() -> TestApp {
        TestApp::start(backends::sqlite().await).await
    }

    async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("request")
    }

    async fn json(&self, path: &str) -> (StatusCode, Value) {
        let response = self.get(path).await;
        let status = response.status();
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(content_type.starts_with("application/json"), "{path}: content type {content_type}");
        (status, response.json().await.expect("JSON body"))
    }

    async fn ok_json(&self, path: &str) -> Value {
        let (status, body) = self.json(path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    /// GET as the holder of `token` (anonymous without one).
    async fn get_as(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("request")
    }

    async fn ok_json_as(&self, path: &str, token: &str) -> Value {
        let response = self.get_as(path, Some(token)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.expect("JSON body")
    }

    async fn html(&self, path: &str, lang: Option<&str>) -> (StatusCode, String) {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(lang) = lang {
            request = request.header("cookie", format!("ttdz_lang={lang}"));
        }
        let response = request.send().await.expect("request");
        (response.status(), response.text().await.expect("body"))
    }
}

fn repo_file(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative)
}

#[tokio::test]
async fn health_reports_the_backend_and_vintage() {
    let app = TestApp::sqlite().await;
    let body = app.ok_json("/api/v1/health").await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["backend"], "sqlite");
    assert_eq!(body["division_vintage"], 2023);
}

#[tokio::test]
async fn the_eleven_zones_have_chinese_names_and_members_that_resolve() {
    let app = TestApp::sqlite().await;
    let zones = app.ok_json("/api/v1/zones").await;
    let zones = zones.as_array().expect("an array");
    assert_eq!(zones.len(), 11);
    for zone in zones {
        let key = zone["key"].as_str().expect("key");
        assert!(zone["name"].as_str().expect("name").ends_with("国家科技成果转移转化示范区"), "{zone}");
        assert!(!zone["short_name"].as_str().expect("short name").is_empty());
        assert!(zone.get("approved").is_some(), "approved is present, null when unknown");
        let members = zone["members"].as_array().expect("members");
        assert!(!members.is_empty());
        for member in members {
            let code = member.as_str().expect("code");
            assert_eq!(code.len(), 6, "{key}: {code} is a 6-digit code");
            let division = app.ok_json(&format!("/api/v1/divisions/{code}")).await;
            assert_eq!(division["code"], code);
            assert!(
                division["zones"].as_array().expect("zones").iter().any(|z| z["key"] == key && z["whole"] == true),
                "{code} lies wholly in {key}"
            );
        }
        assert_eq!(app.ok_json(&format!("/api/v1/zones/{key}")).await, *zone);
    }
    let sunan = app.ok_json("/api/v1/zones/jiangsu-sunan").await;
    assert_eq!(sunan["name"], "江苏苏南国家科技成果转移转化示范区");
    assert_eq!(sunan["members"], serde_json::json!(["320100", "320200", "320400", "320500", "321100"]));
    let zhejiang = app.ok_json("/api/v1/zones/zhejiang").await;
    assert_eq!(zhejiang["approved"], "2016-12-20");
    assert_eq!(zhejiang["members"], serde_json::json!(["330000"]));
}

#[tokio::test]
async fn indicators_are_the_sixteen_rows_of_annex_2_as_printed() {
    let app = TestApp::sqlite().await;
    let api = app.ok_json("/api/v1/indicators").await;
    let api = api.as_array().expect("an array");

    // Read the catalogue independently of the domain parser.
    let mut reader = csv::Reader::from_path(repo_file("data/indicators.csv")).expect("data/indicators.csv");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), 16);
    assert_eq!(api.len(), 16);
    for (row, item) in rows.iter().zip(api) {
        assert_eq!(item["seq"].as_u64().map(|s| s.to_string()).as_deref(), row.get(0));
        for (field, column) in [
            ("code", 1),
            ("category_zh", 2),
            ("category_en", 3),
            ("name_zh", 4),
            ("unit_zh", 5),
            ("name_en", 6),
            ("unit_en", 7),
            ("kind", 8),
        ] {
            assert_eq!(item[field].as_str(), row.get(column), "row {}: {field}", row.get(0).unwrap_or("?"));
        }
    }
    assert_eq!(api[0]["name_zh"], "技术合同成交额");
    assert_eq!(api[0]["unit_zh"], "亿元");
    assert_eq!(api[0]["factor"], "0.00000001");
    assert_eq!(api[9]["unit_zh"], "人", "row 10's unit is kept as printed");
    assert_eq!(api[12]["kind"], "qualitative");

    // The repository's copy is the shared reference file, unchanged.
    let shared = repo_file("../shared/data/indicators.csv");
    match std::fs::read(&shared) {
        Ok(original) => assert_eq!(std::fs::read(repo_file("data/indicators.csv")).expect("copy"), original),
        Err(_) => {
            assert_ne!(std::env::var("CI").as_deref(), Ok("true"), "CI=true but {} is not there", shared.display());
            eprintln!("SKIPPED: {} is not there, so the copy was not compared with it", shared.display());
        }
    }
}

#[tokio::test]
async fn divisions_form_a_tree_with_the_real_quirks() {
    let app = TestApp::sqlite().await;
    let provinces = app.ok_json("/api/v1/divisions").await;
    assert_eq!(provinces.as_array().map(Vec::len), Some(31));
    assert_eq!(provinces[0]["code"], "110000");
    assert_eq!(provinces[0]["level"], "province");

    let jiangsu = app.ok_json("/api/v1/divisions?parent=320000").await;
    assert_eq!(jiangsu.as_array().map(Vec::len), Some(13));
    assert!(jiangsu.as_array().into_iter().flatten().all(|d| d["level"] == "prefecture" && d["parent"] == "320000"));

    // A municipality's districts hang under it directly, labelled with their grouping.
    let beijing = app.ok_json("/api/v1/divisions?parent=110000").await;
    assert_eq!(beijing[0]["code"], "110101");
    assert_eq!(beijing[0]["grouping"], "市辖区");
    assert_eq!(app.json("/api/v1/divisions/110100").await.0, StatusCode::NOT_FOUND, "市辖区 is no division");

    // 东莞 has no county level: one unit, no children.
    let dongguan = app.ok_json("/api/v1/divisions/441900").await;
    assert_eq!(dongguan["level"], "prefecture");
    assert_eq!(dongguan["basic_units"], 1);
    assert_eq!(dongguan["has_children"], false);
    assert_eq!(app.ok_json("/api/v1/divisions?parent=441900").await, serde_json::json!([]));

    let xuanwu = app.ok_json("/api/v1/divisions/320102").await;
    let ancestors: Vec<&str> =
        xuanwu["ancestors"].as_array().expect("ancestors").iter().filter_map(|a| a["code"].as_str()).collect();
    assert_eq!(ancestors, ["320000", "320100"]);
    assert_eq!(xuanwu["zones"][0]["key"], "jiangsu-sunan");

    let guangdong = app.ok_json("/api/v1/divisions/440000").await;
    assert_eq!(guangdong["census_population"]["persons"], 126_012_510);
    assert_eq!(guangdong["census_population"]["year"], 2020);
    assert_eq!(guangdong["zones"][0]["whole"], false, "珠三角 covers part of 广东");
}

#[tokio::test]
async fn bad_requests_get_json_errors_with_stable_codes() {
    let app = TestApp::sqlite().await;
    let cases = [
        ("/api/v1/zones/atlantis", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/zones/Not%20A%20Key", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/divisions/999900", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/divisions/32", StatusCode::BAD_REQUEST, "invalid_parameter"),
        ("/api/v1/divisions?parent=abc", StatusCode::BAD_REQUEST, "invalid_parameter"),
        ("/api/v1/divisions?vintage=abc", StatusCode::BAD_REQUEST, "invalid_parameter"),
        ("/api/v1/divisions?vintage=2024", StatusCode::NOT_FOUND, "not_found"),
        ("/api/v1/no-such-route", StatusCode::NOT_FOUND, "not_found"),
    ];
    for (path, status, code) in cases {
        let (got, body) = app.json(path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"], code, "{path}");
        assert!(!body["message"].as_str().unwrap_or("").is_empty(), "{path} has a message");
    }
    let response = app.client.post(format!("{}/api/v1/zones", app.base)).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "method_not_allowed");
}

/// Fills a templated path with the example values the document gives.
fn example_path(path: &str, operation: &Value) -> String {
    let mut filled = path.to_owned();
    let mut query = Vec::new();
    for p in operation["parameters"].as_array().into_iter().flatten() {
        // A required query parameter is asked with its example.
        if p["in"] == "query" && p["required"] == true {
            let name = p["name"].as_str().expect("name");
            let example = match &p["example"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => panic!("{path}: required query parameter {name} has an example"),
            };
            let encoded: String = example
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
                .collect();
            query.push(format!("{name}={encoded}"));
        }
        if p["in"] == "path" {
            let name = p["name"].as_str().expect("name");
            let example = match &p["example"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => panic!("{path}: path parameter {name} has an example"),
            };
            filled = filled.replace(&format!("{{{name}}}"), &example);
        }
    }
    if !query.is_empty() {
        filled = format!("{filled}?{}", query.join("&"));
    }
    filled
}

#[tokio::test]
async fn the_openapi_document_covers_every_route_and_every_route_answers() {
    let app = TestApp::sqlite().await;
    let doc = app.ok_json("/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented: Vec<&str> = paths.keys().map(String::as_str).collect();
    documented.sort_unstable();
    assert_eq!(
        documented,
        [
            "/api/v1/accounts",
            "/api/v1/accounts/{username}/disable",
            "/api/v1/accounts/{username}/enable",
            "/api/v1/accounts/{username}/password",
            "/api/v1/achievements",
            "/api/v1/achievements/import",
            "/api/v1/achievements/search",
            "/api/v1/achievements/{id}",
            "/api/v1/achievements/{id}/assessments",
            "/api/v1/achievements/{id}/matches",
            "/api/v1/achievements/{id}/{action}",
            "/api/v1/audit",
            "/api/v1/auth/actions",
            "/api/v1/auth/login",
            "/api/v1/auth/logout",
            "/api/v1/auth/me",
            "/api/v1/auth/password",
            "/api/v1/contracts",
            "/api/v1/contracts/statistics",
            "/api/v1/contracts/statistics.xlsx",
            "/api/v1/contracts/{id}",
            "/api/v1/contracts/{id}/{action}",
            "/api/v1/datasets",
            "/api/v1/demands",
            "/api/v1/demands/import",
            "/api/v1/demands/search",
            "/api/v1/demands/{id}",
            "/api/v1/demands/{id}/matches",
            "/api/v1/demands/{id}/{action}",
            "/api/v1/divisions",
            "/api/v1/divisions/{code}",
            "/api/v1/divisions/{code}/indicators",
            "/api/v1/documents/{id}",
            "/api/v1/elements",
            "/api/v1/evaluations",
            "/api/v1/experiences",
            "/api/v1/experiences/{id}/publish",
            "/api/v1/flows",
            "/api/v1/health",
            "/api/v1/imports/values",
            "/api/v1/indicators",
            "/api/v1/information/desk",
            "/api/v1/listings",
            "/api/v1/listings/{id}",
            "/api/v1/listings/{id}/bids",
            "/api/v1/listings/{id}/close",
            "/api/v1/listings/{id}/withdraw",
            "/api/v1/national/indicators",
            "/api/v1/national/summary/{file}",
            "/api/v1/openapi.json",
            "/api/v1/policies/{id}/checks",
            "/api/v1/published-figures",
            "/api/v1/registers",
            "/api/v1/registers/{register}",
            "/api/v1/registers/{register}/{id}",
            "/api/v1/rewards/calc",
            "/api/v1/rewards/ledger",
            "/api/v1/subscriptions/{kind}",
            "/api/v1/subscriptions/{kind}/digest",
            "/api/v1/subscriptions/{kind}/read",
            "/api/v1/todos",
            "/api/v1/valuation",
            "/api/v1/zones",
            "/api/v1/zones/{key}",
            "/api/v1/zones/{key}/documents",
            "/api/v1/zones/{key}/evaluation",
            "/api/v1/zones/{key}/experiences",
            "/api/v1/zones/{key}/grades",
            "/api/v1/zones/{key}/indicators",
            "/api/v1/zones/{key}/lifecycle",
            "/api/v1/zones/{key}/lifecycle/{action}",
            "/api/v1/zones/{key}/policies",
            "/api/v1/zones/{key}/reports/{year}",
            "/api/v1/zones/{key}/reports/{year}/accept",
            "/api/v1/zones/{key}/reports/{year}/return",
            "/api/v1/zones/{key}/reports/{year}/submit",
            "/api/v1/zones/{key}/reports/{year}/template",
            "/api/v1/zones/{key}/template/{file}",
            "/api/v1/zones/{key}/term/{file}",
            "/api/v1/zones/{key}/values/{year}",
            "/api/v1/zones/{key}/verdict",
        ]
    );
    // Every stable error code is in the document, so clients can rely on the list.
    let codes: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("ErrorCode lists the codes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for code in [
        "not_found",
        "invalid_parameter",
        "invalid_document",
        "invalid_file",
        "unauthorized",
        "forbidden",
        "conflict",
        "locked",
        "precondition_required",
        "payload_too_large",
        "unsupported_media_type",
        "method_not_allowed",
        "too_many_requests",
        "unavailable",
        "internal",
    ] {
        assert!(codes.contains(&code), "{code} is documented: {codes:?}");
    }
    use ttdz_web::auth::{Access, rule};
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let method: reqwest::Method = method.to_uppercase().parse().expect("method");
            let access = rule(&method, path);
            assert!(access.is_some(), "{method} {path} has an access rule");
            if method != reqwest::Method::GET {
                continue;
            }
            let status = app.get(&example_path(path, operation)).await.status();
            let expected = match access {
                // A report is public once accepted; the example's (none yet) is private to the public.
                Some(Access::Public) if path == "/api/v1/zones/{key}/reports/{year}" => StatusCode::NOT_FOUND,
                // No document is stored yet in a fresh store.
                Some(Access::Public) if path == "/api/v1/documents/{id}" => StatusCode::NOT_FOUND,
                // Nor any achievement, demand or listing.
                Some(Access::Public)
                    if (path.starts_with("/api/v1/achievements/{id}")
                        || path.starts_with("/api/v1/demands/{id}")
                        || path == "/api/v1/listings/{id}") =>
                {
                    StatusCode::NOT_FOUND
                }
                Some(Access::Public) => StatusCode::OK,
                _ => StatusCode::UNAUTHORIZED,
            };
            assert_eq!(status, expected, "GET {path} answers its documented example");
        }
    }
    for page in ttdz_web::html::PAGES {
        assert_eq!(rule(&reqwest::Method::GET, page), Some(Access::Public), "page {page}");
    }
}

#[tokio::test]
async fn pages_are_chinese_first_with_an_english_switch() {
    let app = TestApp::sqlite().await;
    let (status, home) = app.html("/", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("<html lang=\"zh-CN\">"));
    assert!(home.contains("国家科技成果转化示范区管理平台"));
    assert!(home.contains("江苏·苏南") && home.contains("南京市") && home.contains("2016-12-20"));
    assert!(home.contains("href=\"/assets/app.css\""));
    assert!(home.contains("<svg class=\"tiles\"") && home.contains("href=\"/divisions/320000\""), "the tile map");
    let (status, compared) = app.html("/compare?zones=zhejiang&zones=ningbo", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(compared.contains("示范区对比") && compared.contains("<th class=\"num\">宁波</th>"), "{compared}");
    let (_, one) = app.html("/compare?zones=zhejiang", None).await;
    assert!(one.contains("请至少选择两个示范区"), "one zone is no comparison");
    assert!(!home.contains("http://") && !home.contains("https://"), "no external resources on the home page");

    let switch = app.get("/lang/en?next=/indicators").await;
    assert_eq!(switch.status(), StatusCode::SEE_OTHER);
    assert_eq!(switch.headers()["location"], "/indicators");
    assert!(switch.headers()["set-cookie"].to_str().expect("cookie").starts_with("ttdz_lang=en;"));
    assert_eq!(app.get("/lang/en?next=//evil.example").await.headers()["location"], "/", "no open redirect");

    let (_, english) = app.html("/indicators", Some("en")).await;
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("Technology contract turnover") && english.contains("技术合同成交额"));
    let (_, chinese) = app.html("/indicators", None).await;
    assert!(chinese.contains("高新技术企业主营业务收入占规上工业企业主营业务收入比重"));
    assert!(chinese.contains("照录原文"), "the note on row 10's unit");

    let (status, zone) = app.html("/zones/ningbo", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        zone.contains("宁波国家科技成果转移转化示范区") && zone.contains("浙江"),
        "宁波 shows its overlap with 浙江"
    );
    let (status, page) = app.html("/zones/atlantis", Some("en")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Not found"));
    let (status, _) = app.html("/divisions/320102", None).await;
    assert_eq!(status, StatusCode::OK);

    let css = app.get("/assets/app.css").await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"].to_str().expect("type").starts_with("text/css"));
}

#[tokio::test]
async fn demo_figures_are_shown_with_sources_and_marked_as_demo() {
    let app = TestApp::sqlite().await;
    let (_, before) = app.html("/zones/zhejiang", None).await;
    assert!(before.contains("ttdz demo load"), "without demo data the page says how to get it");

    let tree = ttdz_domain::DivisionTree::new(backends::reference().divisions);
    let demo = ttdz_domain::reference::DemoData::shipped(&tree).expect("demo data");
    app.store.store().load_demo(&demo, &test_audit()).await.expect("load demo");

    let figures = app.ok_json("/api/v1/published-figures?division=330000").await;
    let figures = figures.as_array().expect("array");
    assert!(figures.iter().any(|f| f["division"] == "330200"), "宁波 lies in 浙江");
    assert!(figures.iter().all(|f| f["division"].as_str().is_some_and(|d| d.starts_with("33"))));
    let (_, page) = app.html("/zones/zhejiang", None).await;
    assert!(page.contains("演示数据") && page.contains("class=\"demo-row\""));
}

/// The reward calculator applies the law's floors only where the institution has no rule of its own, splits the
/// pool exactly, and refuses a bad number by its field; the page answers the same.
#[tokio::test]
async fn the_reward_calculator_applies_the_statute_only_without_a_rule() {
    let app = TestApp::sqlite().await;
    let statute = app.ok_json("/api/v1/rewards/calc?mode=transfer&amount=1000000").await;
    assert_eq!(
        (&statute["pool"], &statute["ratio"], &statute["basis"]),
        (&serde_json::json!("500000.00"), &serde_json::json!("0.5"), &serde_json::json!("statute"))
    );
    let rule = app.ok_json("/api/v1/rewards/calc?mode=license&amount=1000000&institution_ratio=0.3").await;
    assert_eq!(
        (&rule["pool"], &rule["basis"]),
        (&serde_json::json!("300000.00"), &serde_json::json!("institution rule"))
    );
    let yearly = app.ok_json("/api/v1/rewards/calc?mode=implementation&amount=2000000").await;
    assert_eq!((&yearly["pool"], &yearly["yearly"]), (&serde_json::json!("100000.00"), &serde_json::json!(true)));
    let split = app
        .ok_json("/api/v1/rewards/calc?mode=equity&amount=100&shares=%E5%BC%A0%E4%B8%89:0.5,%E6%9D%8E%E5%9B%9B:0.5")
        .await;
    assert_eq!(split["split"][1], serde_json::json!({"name": "李四", "share": "0.5", "amount": "25.00"}));
    for (query, field) in [
        ("mode=transfer&amount=-5", "amount"),
        ("mode=transfer&amount=ten", "amount"),
        ("mode=gift&amount=5", "mode"),
        ("mode=transfer&amount=5&institution_ratio=1.2", "institution_ratio"),
        ("mode=transfer&amount=5&shares=a:0.5,b:0.4", "shares"),
    ] {
        let (status, body) = app.json(&format!("/api/v1/rewards/calc?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(body["message"].as_str().is_some_and(|m| m.starts_with(field)), "{query}: {body}");
    }
    let (status, page) = app.html("/rewards?mode=transfer&amount=1000000&institution_ratio=70%25", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<strong class=\"pool\">700000.00</strong>") && page.contains("单位规定或约定"), "{page}");
    let (_, refused) = app.html("/rewards?mode=transfer&amount=abc", None).await;
    assert!(refused.contains("role=\"alert\">amount:"), "the page names the field");
}

/// Contract registration over HTTP, as the acceptance check asks it: an institution files (201, "filed"), the
/// registrar of the seller's locality registers it with a corrected technical part, the zone's 技术合同成交额 for
/// the year rises by exactly its amount, and the registrar's revocation takes it back; the public sees nothing.
#[tokio::test]
async fn a_contract_is_filed_registered_and_revoked_over_http() {
    use ttdz_domain::account::Role;
    let app = TestApp::sqlite().await;
    accounts::add(&app, "nju-tto", Role::Institution, None, "pass-institution-1").await;
    accounts::add(&app, "reg-xuanwu", Role::Registrar, None, "pass-registrar-1").await;
    let (seller, registrar) = (
        accounts::token(&app, "nju-tto", "pass-institution-1").await,
        accounts::token(&app, "reg-xuanwu", "pass-registrar-1").await,
    );
    let year = backends::test_clock().year();
    let figure = |year: i32| {
        let app = &app;
        async move {
            let zone = app.ok_json(&format!("/api/v1/zones/jiangsu-sunan/indicators?year={year}")).await;
            let row =
                zone["indicators"].as_array().expect("rows").iter().find(|i| i["code"] == "contract_turnover").cloned();
            row.and_then(|r| r["value"].as_str().map(str::to_owned))
        }
    };
    let before = figure(year).await;
    let post = |path: String, token: &str, body: Value| {
        app.client.post(format!("{}{path}", app.base)).bearer_auth(token).json(&body).send()
    };
    let filing = serde_json::json!({
        "signed_on": format!("{year}-01-15"), "contract_type": "技术开发", "seller_division": "320102",
        "buyer_division": "330106", "seller_kind": "高校", "field": "电子信息",
        "turnover_yuan": "10000000", "tech_amount_yuan": 9000000
    });
    let anonymous = app.client.post(format!("{}/api/v1/contracts", app.base)).json(&filing).send().await.expect("post");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let filed = post("/api/v1/contracts".into(), &seller, filing.clone()).await.expect("post");
    assert_eq!(filed.status(), StatusCode::CREATED);
    let filed: Value = filed.json().await.expect("JSON");
    assert_eq!(filed["status"], "filed");
    let id = filed["id"].as_i64().expect("id");
    let mut too_much = filing.clone();
    too_much["tech_amount_yuan"] = serde_json::json!("20000000");
    let refused = post("/api/v1/contracts".into(), &seller, too_much).await.expect("post");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = refused.json().await.expect("JSON");
    assert!(refused["message"].as_str().is_some_and(|m| m.starts_with("tech_amount_yuan")), "{refused}");
    let by_seller =
        post(format!("/api/v1/contracts/{id}/register"), &seller, serde_json::json!({})).await.expect("post");
    assert_eq!(by_seller.status(), StatusCode::FORBIDDEN, "only a registrar registers");
    let registered = post(
        format!("/api/v1/contracts/{id}/register"),
        &registrar,
        serde_json::json!({"tech_amount_yuan": "8500000"}),
    )
    .await
    .expect("post");
    assert_eq!(registered.status(), StatusCode::OK);
    let registered: Value = registered.json().await.expect("JSON");
    assert_eq!(
        (&registered["status"], &registered["tech_amount_yuan"]),
        (&serde_json::json!("registered"), &serde_json::json!("8500000.00"))
    );
    let statistics = app.get_as("/api/v1/contracts/statistics", Some(&registrar)).await;
    assert_eq!(statistics.status(), StatusCode::OK);
    let statistics: Value = statistics.json().await.expect("JSON");
    assert_eq!(
        (&statistics["total"]["through"]["contracts"], &statistics["total"]["through"]["turnover_yuan"]),
        (&serde_json::json!(1), &serde_json::json!("10000000.00")),
        "{statistics}"
    );
    let book = app.get_as("/api/v1/contracts/statistics.xlsx", Some(&registrar)).await;
    assert_eq!(book.status(), StatusCode::OK);
    let book = book.bytes().await.expect("bytes");
    assert!(ttdz_xlsx::first_sheet_as_csv(&book).expect("a workbook").contains("技术开发"));
    let page = app.get_as("/contracts/statistics", Some(&registrar)).await.text().await.expect("page");
    assert!(page.contains(">1000.00<") && page.contains("registry:live:"), "10,000,000 yuan in 万元: {page}");
    let by_seller = app.get_as("/api/v1/contracts/statistics", Some(&seller)).await;
    assert_eq!(by_seller.status(), StatusCode::FORBIDDEN, "the registry's statistics are the officials'");
    let after = figure(year).await;
    let yi = |v: &Option<String>| v.as_deref().map_or(rust_decimal::Decimal::ZERO, |v| v.parse().expect("decimal"));
    assert_eq!(
        yi(&after) - yi(&before),
        rust_decimal::Decimal::new(10, 2),
        "0.10 亿元 more: exactly its 10,000,000 yuan"
    );
    let revoked = post(format!("/api/v1/contracts/{id}/revoke"), &registrar, serde_json::json!({"reason": "认定有误"}))
        .await
        .expect("post");
    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(yi(&figure(year).await), yi(&before), "revoking takes it back");
    let again = post(format!("/api/v1/contracts/{id}/revoke"), &registrar, serde_json::json!({"reason": "再次"}))
        .await
        .expect("post");
    assert_eq!(again.status(), StatusCode::CONFLICT, "a revoked contract cannot be revoked again");
}

/// Listing and auction over HTTP and on their page: an institution lists an achievement (201; a notice too short is
/// 422 naming `closes_on`), another bids (under the reserve: 422 naming `amount_yuan`), the public reads the notice
/// without the bidders' names, closing before the last day is 422, and the seller withdraws with a reason; the page
/// shows the public the notice and the bidder the bid form.
#[tokio::test]
async fn achievements_are_listed_bid_on_and_withdrawn_over_http() {
    use ttdz_domain::account::Role;
    let app = TestApp::sqlite().await;
    accounts::add(&app, "nju-tto", Role::Institution, None, "pass-institution-1").await;
    accounts::add(&app, "buyer-co", Role::Institution, None, "pass-institution-2").await;
    let seller = accounts::token(&app, "nju-tto", "pass-institution-1").await;
    let buyer = accounts::token(&app, "buyer-co", "pass-institution-2").await;
    let today = backends::test_clock().today_iso();
    let post = |path: String, token: Option<&str>, body: Value| {
        let mut request = app.client.post(format!("{}{path}", app.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let message = |v: &Value| v["message"].as_str().unwrap_or_default().to_owned();
    let mut terms = serde_json::json!({
        "title": "一种高导热石墨烯复合材料的制备方法", "notice": "专利拟转让，底价 50 万元，欢迎报价。",
        "method": "listing", "contract_type": "技术转让", "reserve_yuan": 500000, "seller_name": "南京大学",
        "seller_division": "320102", "seller_kind": "高校", "field": "新材料",
        "opens_on": today, "closes_on": today,
    });
    let anonymous = post("/api/v1/listings".into(), None, terms.clone()).await.expect("post");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let short = post("/api/v1/listings".into(), Some(&seller), terms.clone()).await.expect("post");
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&short.json().await.expect("JSON")).starts_with("closes_on"));
    terms["closes_on"] = serde_json::json!("2026-07-31");
    let opened = post("/api/v1/listings".into(), Some(&seller), terms).await.expect("post");
    assert_eq!(opened.status(), StatusCode::CREATED);
    let opened: Value = opened.json().await.expect("JSON");
    let id = opened["id"].as_i64().expect("id");
    assert_eq!((&opened["status"], &opened["may_withdraw"]), (&serde_json::json!("open"), &Value::Bool(true)));

    let bids = format!("/api/v1/listings/{id}/bids");
    let under =
        post(bids.clone(), Some(&buyer), serde_json::json!({"buyer_name": "杭州某材料公司", "amount_yuan": "1000"}))
            .await
            .expect("post");
    assert_eq!(under.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&under.json().await.expect("JSON")).starts_with("amount_yuan"));
    let own = post(bids.clone(), Some(&seller), serde_json::json!({"buyer_name": "南京大学", "amount_yuan": "600000"}))
        .await
        .expect("post");
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    let placed = post(bids, Some(&buyer), serde_json::json!({"buyer_name": "杭州某材料公司", "amount_yuan": "600000"}))
        .await
        .expect("post");
    assert_eq!(placed.status(), StatusCode::CREATED);
    let public = app.ok_json(&format!("/api/v1/listings/{id}")).await;
    assert_eq!(
        (&public["highest_yuan"], &public["bids"][0]["buyer_name"]),
        (&serde_json::json!("600000.00"), &Value::Null)
    );
    let bidding = app.ok_json_as("/api/v1/listings?bidding=true", &buyer).await;
    assert_eq!(bidding[0]["id"].as_i64(), Some(id), "the buyer's bids: {bidding}");
    assert_eq!(app.ok_json_as("/api/v1/listings?bidding=true", &seller).await, serde_json::json!([]));
    let both = app.get_as("/api/v1/listings?mine=true&bidding=true", Some(&seller)).await;
    assert_eq!(both.status(), StatusCode::BAD_REQUEST);
    let early = post(format!("/api/v1/listings/{id}/close"), Some(&seller), serde_json::json!({})).await.expect("post");
    assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(message(&early.json().await.expect("JSON")).starts_with("closes_on"));

    let (status, page) = app.html("/listings", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("一种高导热石墨烯复合材料的制备方法") && page.contains(">60.00<"), "in 万元: {page}");
    assert!(!page.contains("杭州某材料公司") && !page.contains("/bids\""), "the public sees neither bidders nor forms");
    let bidding = app.get_as("/listings", Some(&buyer)).await.text().await.expect("page");
    assert!(bidding.contains(&format!("data-api=\"/api/v1/listings/{id}/bids\"")), "the bidder's form");
    assert!(bidding.contains("杭州某材料公司"), "a bidder sees its own bid");
    let selling = app.get_as("/listings?mine=1", Some(&seller)).await.text().await.expect("page");
    assert!(selling.contains(&format!("data-api=\"/api/v1/listings/{id}/withdraw\"")), "the seller's form");
    assert!(selling.contains("data-api=\"/api/v1/listings\""), "the form to list another");

    let by_buyer =
        post(format!("/api/v1/listings/{id}/withdraw"), Some(&buyer), serde_json::json!({"reason": "不要了"}))
            .await
            .expect("post");
    assert_eq!(by_buyer.status(), StatusCode::FORBIDDEN);
    let withdrawn =
        post(format!("/api/v1/listings/{id}/withdraw"), Some(&seller), serde_json::json!({"reason": "专利权属待确认"}))
            .await
            .expect("post");
    assert_eq!(withdrawn.status(), StatusCode::OK);
    let listed = app.ok_json("/api/v1/listings?status=withdrawn").await;
    assert_eq!((listed[0]["id"].as_i64(), &listed[0]["reason"]), (Some(id), &serde_json::json!("专利权属待确认")));
    let (status, _) = app.json("/api/v1/listings?status=later").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// The reward ledger over HTTP and on its page: an institution records a distribution (201) and is told by name
/// when the parts do not add up to the pool (422); it and its province read the ledger, an expert may not, the
/// public must sign in; the page totals each person in 万元.
#[tokio::test]
async fn rewards_paid_are_recorded_in_the_ledger_over_http() {
    use ttdz_domain::account::Role;
    let app = TestApp::sqlite().await;
    accounts::add(&app, "nju-tto", Role::Institution, None, "pass-institution-1").await;
    accounts::add(&app, "js-kjt", Role::Province, Some("320000"), "pass-province-1").await;
    accounts::add(&app, "prof-li", Role::Expert, None, "pass-expert-1").await;
    let institution = accounts::token(&app, "nju-tto", "pass-institution-1").await;
    let province = accounts::token(&app, "js-kjt", "pass-province-1").await;
    let expert = accounts::token(&app, "prof-li", "pass-expert-1").await;
    let post = |body: Value| {
        app.client.post(format!("{}/api/v1/rewards/ledger", app.base)).bearer_auth(&institution).json(&body).send()
    };
    let mut paid = serde_json::json!({
        "achievement": "石墨烯导热膜", "mode": "transfer", "year": 2026, "amount_yuan": 1000000,
        "lines": [{"name": "张三", "share": "0.6", "amount_yuan": "300000"}, {"name": "李四", "share": 0.4, "amount_yuan": 100000}]
    });
    let short = post(paid.clone()).await.expect("post");
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let short: Value = short.json().await.expect("JSON");
    assert!(short["message"].as_str().is_some_and(|m| m.starts_with("lines") && m.contains("500000.00")), "{short}");
    paid["lines"][1]["amount_yuan"] = serde_json::json!("200000");
    let recorded = post(paid).await.expect("post");
    assert_eq!(recorded.status(), StatusCode::CREATED);
    let recorded: Value = recorded.json().await.expect("JSON");
    assert_eq!(
        (&recorded["pool"], &recorded["basis"]),
        (&serde_json::json!("500000.00"), &serde_json::json!("statute"))
    );

    let path = "/api/v1/rewards/ledger";
    let own: Value = app.get_as(path, Some(&institution)).await.json().await.expect("JSON");
    assert_eq!(own["people"][0]["total"], "300000.00", "{own}");
    let provinces: Value = app.get_as(path, Some(&province)).await.json().await.expect("JSON");
    assert_eq!(provinces["distributions"].as_array().map(Vec::len), Some(1));
    assert_eq!(app.get_as(path, Some(&expert)).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_as(path, None).await.status(), StatusCode::UNAUTHORIZED);
    let page = app.get_as("/rewards/ledger", Some(&institution)).await.text().await.expect("page");
    assert!(page.contains("张三") && page.contains(">30.00<") && page.contains("data-rows=\"lines\""), "{page}");
}

/// The registers over HTTP and on their page: the public reads them and sees no forms; a province adds a broker
/// (201), which the province's figure for row 5 counts at once; ending and removing need the entry's version; the
/// ministry's register refuses a province (403); the page lists the entry with its forms for its keeper.
#[tokio::test]
async fn the_registers_are_kept_over_http_and_read_by_everyone() {
    use ttdz_domain::account::Role;
    let app = TestApp::sqlite().await;
    accounts::add(&app, "js-kjt", Role::Province, Some("320000"), "pass-province-1").await;
    let province = accounts::token(&app, "js-kjt", "pass-province-1").await;
    let year = backends::test_clock().year();
    let registers = app.ok_json("/api/v1/registers").await;
    assert_eq!(registers.as_array().map(Vec::len), Some(6));
    assert_eq!(registers[2]["key"], "tech_brokers");
    assert_eq!(registers[2]["row"], 5);
    let send = |method: reqwest::Method, path: &str, token: Option<&str>, version: Option<i64>, body: Option<Value>| {
        let mut request = app.client.request(method, format!("{}{path}", app.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(v) = version {
            request = request.header("If-Match", format!("\"{v}\""));
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send()
    };
    let broker = serde_json::json!({
        "name": "王敏", "division": "320102", "from": format!("{year}-01-10"), "level": "高级",
        "trainings": [{"date": format!("{year}-01-05"), "course": "技术经纪人培训", "hours": 48}]
    });
    let anonymous = send(reqwest::Method::POST, "/api/v1/registers/tech_brokers", None, None, Some(broker.clone()))
        .await
        .expect("post");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = send(
        reqwest::Method::POST,
        "/api/v1/registers/tech_brokers",
        Some(&province),
        None,
        Some(serde_json::json!({"name": "李强", "division": "320102", "from": "2025-01-01", "level": "特级"})),
    )
    .await
    .expect("post");
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong: Value = wrong.json().await.expect("JSON");
    assert!(wrong["message"].as_str().is_some_and(|m| m.starts_with("level")), "{wrong}");
    let national = send(
        reqwest::Method::POST,
        "/api/v1/registers/national_tt_institutions",
        Some(&province),
        None,
        Some(serde_json::json!({"name": "某机构", "division": "320102", "from": "2025-01-01", "batch": "1"})),
    )
    .await
    .expect("post");
    assert_eq!(national.status(), StatusCode::FORBIDDEN);
    let added =
        send(reqwest::Method::POST, "/api/v1/registers/tech_brokers", Some(&province), None, Some(broker.clone()))
            .await
            .expect("post");
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.expect("JSON");
    let id = added["id"].as_i64().expect("id");
    assert_eq!(
        (&added["place"], &added["version"]),
        (&serde_json::json!("江苏省 南京市 玄武区"), &serde_json::json!(1))
    );

    let listing = app.ok_json(&format!("/api/v1/registers/tech_brokers?division=320000&year={year}")).await;
    assert_eq!(listing["in_force_at_year_end"], 1);
    assert_eq!(listing["source"], "register:tech_brokers");
    assert_eq!((&listing["may_add"], &listing["entries"][0]["editable"]), (&Value::Bool(false), &Value::Bool(false)));
    let figure = app.ok_json(&format!("/api/v1/divisions/320000/indicators?year={year}")).await;
    let row = figure["indicators"].as_array().expect("rows").iter().find(|i| i["code"] == "tech_brokers").cloned();
    let row = row.expect("row 5");
    assert_eq!((&row["value"], &row["numerator"]["basis"]), (&serde_json::json!("1"), &serde_json::json!("register")));

    let (status, page) = app.html("/registers?register=tech_brokers", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("王敏") && page.contains("等级：高级") && page.contains("技术经纪人培训"), "{page}");
    assert!(!page.contains("data-method=\"DELETE\""), "the public gets no forms");
    let kept = app.get_as("/registers?register=tech_brokers", Some(&province)).await.text().await.expect("page");
    assert!(kept.contains(&format!("data-api=\"/api/v1/registers/tech_brokers/{id}\" data-method=\"DELETE\"")));
    assert!(kept.contains("data-rows=\"trainings\""), "a broker's trainings are entered on the page");
    let (status, page) = app.html("/registers?register=tech_brokers&year=soon&division=32", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("role=\"alert\">year: &#39;soon&#39; is not a year; division: &#39;32&#39;"), "{page}");

    let mut ended = broker.clone();
    ended["until"] = serde_json::json!(format!("{year}-01-20"));
    let path = format!("/api/v1/registers/tech_brokers/{id}");
    let stale = send(reqwest::Method::PUT, &path, Some(&province), Some(7), Some(ended.clone())).await.expect("put");
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let put = send(reqwest::Method::PUT, &path, Some(&province), Some(1), Some(ended)).await.expect("put");
    assert_eq!(put.status(), StatusCode::OK);
    let listing = app.ok_json(&format!("/api/v1/registers/tech_brokers?year={year}")).await;
    assert_eq!(listing["in_force_at_year_end"], 0, "ended before the year's end");
    let gone = send(reqwest::Method::DELETE, &path, Some(&province), Some(2), None).await.expect("delete");
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let (status, _) = app.json("/api/v1/registers/unicorns").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Everything a client can read must be the same JSON whichever database holds it.
#[tokio::test]
async fn both_backends_answer_the_same_json() {
    let Some(pg) = backends::postgres().await else { return };
    let pg_app = TestApp::start(pg).await;
    let sqlite_app = TestApp::sqlite().await;
    let tree = ttdz_domain::DivisionTree::new(backends::reference().divisions);
    let demo = ttdz_domain::reference::DemoData::shipped(&tree).expect("demo data");
    for app in [&pg_app, &sqlite_app] {
        app.store.store().load_demo(&demo, &test_audit()).await.expect("load demo");
    }
    let mut paths = vec![
        "/api/v1/national/indicators".to_owned(),
        "/api/v1/evaluations".to_owned(),
        "/api/v1/flows".to_owned(),
        "/api/v1/flows?level=province".to_owned(),
        "/api/v1/zones/zhejiang/indicators".to_owned(),
        "/api/v1/zones".to_owned(),
        "/api/v1/indicators".to_owned(),
        "/api/v1/divisions".to_owned(),
        "/api/v1/published-figures".to_owned(),
        "/api/v1/openapi.json".to_owned(),
        "/api/v1/zones/atlantis".to_owned(),
    ];
    let provinces = sqlite_app.ok_json("/api/v1/divisions").await;
    for p in provinces.as_array().into_iter().flatten() {
        let code = p["code"].as_str().expect("code");
        paths.push(format!("/api/v1/divisions?parent={code}"));
        paths.push(format!("/api/v1/divisions/{code}"));
    }
    for zone in sqlite_app.ok_json("/api/v1/zones").await.as_array().into_iter().flatten() {
        paths.push(format!("/api/v1/zones/{}", zone["key"].as_str().expect("key")));
    }
    for path in &paths {
        assert_eq!(sqlite_app.json(path).await, pg_app.json(path).await, "{path}");
    }
    let strip = |mut v: Value| {
        for d in v.as_array_mut().into_iter().flatten() {
            d.as_object_mut().map(|o| o.remove("loaded_at"));
        }
        v
    };
    assert_eq!(strip(sqlite_app.ok_json("/api/v1/datasets").await), strip(pg_app.ok_json("/api/v1/datasets").await));
    assert_eq!(pg_app.ok_json("/api/v1/health").await["backend"], "postgres");
    pg_app.store.cleanup().await;
}

async fn with_admin(token: &str) -> TestApp {
    TestApp::with_state(backends::sqlite().await, |s| s.with_admin_token(token.to_owned())).await
}

fn upload(name: &str, text: &str) -> reqwest::multipart::Form {
    let part = reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name(name.to_owned());
    reqwest::multipart::Form::new().part("file", part)
}

#[tokio::test]
async fn values_uploads_need_the_token_and_are_all_or_nothing() {
    let open = TestApp::sqlite().await;
    let text = "division_code,year,element,value,unit,source\n320100,2022,gdp_yuan,16907.85,亿元,南京统计公报\n\
                320100,2023,gdp_yuan,17421.40,亿元,南京统计公报\n";
    let url = |app: &TestApp| format!("{}/api/v1/imports/values", app.base);
    let response = open.client.post(url(&open)).multipart(upload("nj.csv", text)).send().await.expect("post");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "anonymous callers cannot write");

    let app = with_admin("t0ken").await;
    let response = app.client.post(url(&app)).multipart(upload("nj.csv", text)).send().await.expect("post");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response =
        app.client.post(url(&app)).bearer_auth("wrong").multipart(upload("nj.csv", text)).send().await.expect("post");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let bad = format!("{text}320100,2024,gdp_yuan,lots,亿元,\n999999,2023,gdp_yuan,1,,\n");
    let response =
        app.client.post(url(&app)).bearer_auth("t0ken").multipart(upload("bad.csv", &bad)).send().await.expect("post");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_file");
    assert_eq!(body["bad_lines"], 2);
    assert_eq!(body["problems"][0]["line"], 4);
    assert_eq!(body["problems"][0]["field"], "value");
    assert_eq!(body["problems"][1]["field"], "division_code");
    let nanjing = app.ok_json("/api/v1/divisions/320100/indicators").await;
    assert_eq!(nanjing["year"], Value::Null, "nothing was stored");

    let response =
        app.client.post(url(&app)).bearer_auth("t0ken").multipart(upload("nj.csv", text)).send().await.expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        (body["batch"].as_str(), body["values"].as_u64(), body["outcome"].as_str()),
        (Some("values:nj.csv"), Some(2), Some("stored"))
    );
    let again: Value = app
        .client
        .post(url(&app))
        .bearer_auth("t0ken")
        .multipart(upload("nj.csv", text))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("JSON");
    assert_eq!(again["outcome"], "unchanged");

    let too_big = "x".repeat(ttdz_web::api::MAX_UPLOAD_BYTES + 1);
    let response = app
        .client
        .post(url(&app))
        .bearer_auth("t0ken")
        .multipart(upload("big.csv", &too_big))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn indicators_come_with_their_figures_sources_and_growth() {
    use rust_decimal::Decimal;
    use ttdz_domain::measure::SourceKind;
    use ttdz_domain::{Dataset, DivisionCode, ElementCode};
    use ttdz_store::{Batch, DivisionValue};
    let app = TestApp::sqlite().await;
    let value = |element: &str, code: &str, year: i32, v: i64| DivisionValue {
        element: ElementCode::parse(element).expect("element"),
        division: DivisionCode::parse(code).expect("code"),
        year,
        value: Decimal::from(v),
        note: None,
    };
    let mut values = Vec::new();
    // Three of 江苏·苏南's five cities report contract turnover for two years; 苏州 also its districts.
    for (code, y2022, y2023) in
        [("320100", 100_000_000, 150_000_000), ("320200", 50_000_000, 50_000_000), ("320500", 20_000_000, 30_000_000)]
    {
        values.push(value("contract_turnover_yuan", code, 2022, y2022));
        values.push(value("contract_turnover_yuan", code, 2023, y2023));
    }
    values.push(value("contract_turnover_yuan", "320505", 2023, 1_000_000));
    let batch = Batch {
        dataset: Dataset {
            name: "values:sunan".into(),
            files: vec!["sunan.csv".into()],
            sha256: "f".repeat(64),
            source: "test".into(),
        },
        kind: SourceKind::Reported,
        recorded_by: "test".into(),
        scope: None,
        rows: values.len() as u64,
        division_values: values,
        zone_values: Vec::new(),
        rollups: Vec::new(),
        flows: Vec::new(),
        contract_numbers: Default::default(),
    };
    app.store.store().replace_batch(&batch, &test_audit()).await.expect("store");

    let sunan = app.ok_json("/api/v1/zones/jiangsu-sunan/indicators").await;
    assert_eq!(
        (sunan["area"].as_str(), sunan["area_kind"].as_str(), sunan["year"].as_i64()),
        (Some("jiangsu-sunan"), Some("zone"), Some(2023))
    );
    assert_eq!(sunan["years"], serde_json::json!([2022, 2023]));
    let turnover = &sunan["indicators"][0];
    assert_eq!(turnover["code"], "contract_turnover");
    assert_eq!(turnover["value"], "2.3", "(1.5 + 0.5 + 0.3) 亿元");
    assert_eq!(turnover["previous_value"], "1.7");
    assert_eq!(turnover["growth"], "0.352941");
    assert_eq!(turnover["numerator"]["basis"], "sum");
    assert_eq!(
        (turnover["numerator"]["parts_with_values"].as_u64(), turnover["numerator"]["parts"].as_u64()),
        (Some(3), Some(5))
    );
    assert_eq!(turnover["numerator"]["sources"], serde_json::json!(["values:sunan"]));
    let warnings: Vec<&str> =
        turnover["warnings"].as_array().expect("warnings").iter().filter_map(Value::as_str).collect();
    assert!(warnings.iter().any(|w| w.starts_with("jiangsu-sunan: only 3 of 5 parts")), "{warnings:?}");
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("320500: the reported total 30000000 differs from the sum of its parts 1000000")),
        "{warnings:?}"
    );
    assert_eq!(turnover["synthetic"], false);
    assert_eq!(sunan["sources"][0]["name"], "values:sunan");
    assert_eq!(sunan["sources"][0]["sha256"], "f".repeat(64));
    assert_eq!(sunan["indicators"].as_array().map(Vec::len), Some(16), "every Annex 2 row is listed");
    assert_eq!(sunan["indicators"][12]["value"], Value::Null, "qualitative rows have no computed value");

    let jiangsu = app.ok_json("/api/v1/divisions/320000/indicators?year=2022").await;
    assert_eq!(jiangsu["indicators"][0]["value"], "1.7");
    let national = app.ok_json("/api/v1/national/indicators?year=2023").await;
    assert_eq!(national["indicators"][0]["value"], "2.3");
    assert_eq!(app.json("/api/v1/zones/atlantis/indicators").await.0, StatusCode::NOT_FOUND);

    let (status, page) = app.html("/zones/jiangsu-sunan?year=2022", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<a href=\"?year=2023\">2023</a>") && page.contains("class=\"current\">2022</a>"),
        "year links"
    );
    assert!(page.contains("1.7") && page.contains("/data#values:sunan"), "the value and a link to its source");
    assert!(!page.contains("class=\"badge\""), "nothing synthetic here");
    let (_, data) = app.html("/data", None).await;
    assert!(data.contains("id=\"values:sunan\"") && data.contains("ffffffffffff"));

    let elements = app.ok_json("/api/v1/elements").await;
    assert!(
        elements
            .as_array()
            .expect("array")
            .iter()
            .any(|e| e["code"] == "transfer_special_funds_yuan" && e["scope"] == "zone")
    );
}

/// The report editor page: an input per element and member division, checked on the server too; the Excel template
/// read into its inputs without storing anything, its bad cells named by input; another province's zone refused.
#[tokio::test]
async fn the_report_editor_reads_templates_into_its_inputs_and_refuses_bad_input_by_name() {
    use accounts::{add, token};
    use ttdz_domain::account::Role;
    let app = TestApp::sqlite().await;
    add(&app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu-1").await;
    add(&app, "zhejiang", Role::Province, Some("330000"), "pass-zhejiang-1").await;
    let js = token(&app, "jiangsu", "pass-jiangsu-1").await;
    let zj = token(&app, "zhejiang", "pass-zhejiang-1").await;
    let page = app.get_as("/zones/jiangsu-sunan/reports/2026/edit", Some(&js)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("page");
    for needle in ["name=\"contract_turnover_yuan@320100\"", "name=\"save\"", "name=\"submit\"", "data-count=\"1\""] {
        assert!(html.contains(needle), "{needle} in the editor");
    }
    let team = ttdz_domain::account::Account::new(
        ttdz_domain::account::Username::parse("nanjing-team").expect("name"),
        Role::Province,
        Some(ttdz_domain::DivisionCode::parse("320000").expect("code")),
        Some(ttdz_domain::DivisionCode::parse("320100").expect("code")),
        None,
    )
    .expect("a city team");
    let hash = ttdz_app::accounts::hash_password("pass-nanjing-1").expect("hash");
    app.store.store().add_account(&team, &hash, &test_audit()).await.expect("add");
    let nj = token(&app, "nanjing-team", "pass-nanjing-1").await;
    let html = app.get_as("/zones/jiangsu-sunan/reports/2026/edit", Some(&nj)).await.text().await.expect("page");
    let input = |name: &str| {
        let at = html.find(&format!("name=\"{name}\"")).unwrap_or_else(|| panic!("{name} in {html}"));
        html[at..].split('>').next().unwrap_or_default().to_owned()
    };
    assert!(!input("contract_turnover_yuan@320100").contains("readonly"), "the team enters Nanjing's figures");
    assert!(input("contract_turnover_yuan@320200").contains("readonly"), "not Wuxi's");
    assert!(!html.contains("name=\"submit\""), "the province submits, not the team");
    let other = app.get_as("/zones/jiangsu-sunan/reports/2026/edit", Some(&zj)).await;
    assert_eq!(other.status(), StatusCode::FORBIDDEN, "another province's zone");
    assert!(other.text().await.expect("page").contains("does not oversee"), "the page says why");
    let public = app.get("/zones/jiangsu-sunan/reports/2026/edit").await;
    assert!(public.status().is_redirection(), "{}", public.status());
    assert_eq!(public.headers()["location"], "/login", "the public is sent to log in");

    let put = |values: Value| {
        app.client
            .put(format!("{}/api/v1/zones/jiangsu-sunan/values/2026", app.base))
            .bearer_auth(&js)
            .header("if-match", "\"0\"")
            .json(&serde_json::json!({ "values": values }))
            .send()
    };
    for (value, why) in [("12x", "not a number"), ("-5", "negative"), ("2.5", "whole number")] {
        let refused =
            put(serde_json::json!([{"element": "contract_count", "division_code": "320100", "value": value}]));
        let refused = refused.await.expect("put");
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{value}");
        let body: Value = refused.json().await.expect("JSON");
        let message = body["message"].as_str().unwrap_or("");
        assert!(message.starts_with("values[0]: value"), "{why}: {message}");
    }
    let nothing: Value = app.ok_json_as("/api/v1/zones/jiangsu-sunan/reports/2026", &js).await;
    assert_eq!(nothing["version"], 0, "nothing was stored: {nothing}");

    let url = format!("{}/api/v1/zones/jiangsu-sunan/reports/2026/template", app.base);
    let upload = |bytes: Vec<u8>| {
        let part = reqwest::multipart::Part::bytes(bytes).file_name("sunan-2026.xlsx");
        app.client.post(&url).bearer_auth(&js).multipart(reqwest::multipart::Form::new().part("file", part)).send()
    };
    let not_a_workbook = upload(b"division_code,year\n".to_vec()).await.expect("post");
    assert_eq!(not_a_workbook.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = not_a_workbook.json().await.expect("JSON");
    assert!(body["message"].as_str().unwrap_or("").contains("sunan-2026.xlsx"), "names the file: {body}");

    let tree = ttdz_domain::DivisionTree::new(backends::reference().divisions);
    let key = ttdz_domain::ZoneKey::parse("jiangsu-sunan").expect("key");
    let zone = app.store.store().zone(&key).await.expect("zone").expect("zone");
    let mut template = ttdz_xlsx::template_for(app.store.store(), &tree, &zone, 2026).await.expect("template");
    let row = template.sheets[0].rows.iter().position(|r| r.element.code == "contract_turnover_yuan").expect("row");
    template.sheets[0].rows[row].entered.value = "12345678900".into();
    let read = upload(template.write().expect("write")).await.expect("post");
    assert_eq!(read.status(), StatusCode::OK);
    let values: Value = read.json().await.expect("JSON");
    let first = template.sheets[0].rows[row].area.clone();
    let ttdz_xlsx::RowArea::Division { code, .. } = first else { panic!("a division row") };
    assert_eq!(
        values,
        serde_json::json!([{"input": format!("contract_turnover_yuan@{code}"), "value": "12345678900"}])
    );
    template.sheets[0].rows[row + 1].entered.value = "abc".into();
    let bad = upload(template.write().expect("write")).await.expect("post");
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.expect("JSON");
    let cells = body["cells"].as_array().expect("cells");
    assert_eq!(cells.len(), 1, "{body}");
    assert_eq!(cells[0]["value"], "abc");
    assert!(cells[0]["input"].as_str().unwrap_or("").contains('@'), "{body}");
    let still: Value = app.ok_json_as("/api/v1/zones/jiangsu-sunan/reports/2026", &js).await;
    assert_eq!(still["version"], 0, "reading a template stores nothing");
}

#[tokio::test]
async fn the_excel_template_round_trips_and_bad_cells_come_back_marked() {
    let app = with_admin("t0ken").await;
    let download = app
        .client
        .get(format!("{}/api/v1/zones/jiangsu-sunan/template/2023.xlsx", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(download.status(), StatusCode::OK);
    assert!(download.headers()["content-type"].to_str().expect("type").contains("spreadsheetml"));
    let blank = download.bytes().await.expect("bytes");
    assert!(blank.starts_with(b"PK"), "a zip container");
    assert_eq!(app.get("/api/v1/zones/jiangsu-sunan/template/2023.pdf").await.status(), StatusCode::NOT_FOUND);

    let tree = ttdz_domain::DivisionTree::new(backends::reference().divisions);
    let zone = app
        .store
        .store()
        .zone(&ttdz_domain::ZoneKey::parse("jiangsu-sunan").expect("key"))
        .await
        .expect("zone")
        .expect("zone");
    let mut template = ttdz_xlsx::template_for(app.store.store(), &tree, &zone, 2023).await.expect("template");
    let row = template.sheets[0].rows.iter().position(|r| r.element.code == "contract_turnover_yuan").expect("row");
    template.sheets[0].rows[row].entered.value = "12345678900".into();
    let filled = template.write().expect("write");
    let url = format!("{}/api/v1/zones/jiangsu-sunan/template/2023.xlsx", app.base);
    let form = || reqwest::multipart::Form::new();
    let part = |b: &[u8]| reqwest::multipart::Part::bytes(b.to_vec()).file_name("sunan-2023.xlsx");

    template.sheets[0].rows[row + 1].entered.value = "-5".into();
    let bad = template.write().expect("write");
    let response = app
        .client
        .post(&url)
        .bearer_auth("t0ken")
        .multipart(form().part("file", part(&bad)))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.headers()["x-ttdz-bad-cells"], "1");
    let marked = response.bytes().await.expect("bytes");
    let Ok(Err(again)) = template.read(&marked) else { panic!("the answer is the workbook with the bad cell marked") };
    assert_eq!(again.problems().len(), 1);
    let zone_now = app.ok_json("/api/v1/zones/jiangsu-sunan/indicators").await;
    assert_eq!(zone_now["year"], Value::Null, "nothing was stored");

    let response = app
        .client
        .post(&url)
        .bearer_auth("t0ken")
        .multipart(form().part("file", part(&filled)))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        (body["batch"].as_str(), body["outcome"].as_str()),
        (Some("template:jiangsu-sunan-2023"), Some("stored"))
    );
    let zone_now = app.ok_json("/api/v1/zones/jiangsu-sunan/indicators?year=2023").await;
    assert_eq!(zone_now["indicators"][0]["value"], "123.456789");

    let not_xlsx = app
        .client
        .post(&url)
        .bearer_auth("t0ken")
        .multipart(form().part("file", part(b"plain text")))
        .send()
        .await
        .expect("post");
    assert_eq!(not_xlsx.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = not_xlsx.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_file");
}

#[tokio::test]
async fn zones_are_evaluated_against_each_other() {
    use rust_decimal::Decimal;
    use ttdz_domain::measure::SourceKind;
    use ttdz_domain::{Dataset, DivisionCode, ElementCode};
    use ttdz_store::{Batch, DivisionValue};
    let app = TestApp::sqlite().await;
    let empty = app.ok_json("/api/v1/evaluations").await;
    assert_eq!((empty["year"].clone(), empty["zones"].clone()), (Value::Null, serde_json::json!([])));

    let value = |element: &str, code: &str, v: i64| DivisionValue {
        element: ElementCode::parse(element).expect("element"),
        division: DivisionCode::parse(code).expect("code"),
        year: 2023,
        value: Decimal::from(v),
        note: None,
    };
    // Turnover and patents for three zones' areas; population only where patents are given.
    let values = vec![
        value("contract_turnover_yuan", "320100", 40_000_000_000),
        value("contract_turnover_yuan", "330000", 200_000_000_000),
        value("contract_turnover_yuan", "310112", 10_000_000_000),
        value("invention_patents_held", "320100", 90_000),
        value("resident_population", "320100", 9_490_000),
        value("invention_patents_held", "310112", 8_000),
        value("resident_population", "310112", 2_650_000),
    ];
    app.store
        .store()
        .replace_batch(
            &Batch {
                dataset: Dataset {
                    name: "values:eval".into(),
                    files: vec!["eval.csv".into()],
                    sha256: "e".repeat(64),
                    source: "test".into(),
                },
                kind: SourceKind::Reported,
                recorded_by: "test".into(),
                scope: None,
                rows: values.len() as u64,
                division_values: values,
                zone_values: Vec::new(),
                rollups: Vec::new(),
                flows: Vec::new(),
                contract_numbers: Default::default(),
            },
            &test_audit(),
        )
        .await
        .expect("store");

    let earlier = vec![DivisionValue { year: 2021, ..value("contract_turnover_yuan", "320100", 25_000_000_000) }];
    app.store
        .store()
        .replace_batch(
            &Batch {
                dataset: Dataset {
                    name: "values:eval-2021".into(),
                    files: vec!["eval-2021.csv".into()],
                    sha256: "f".repeat(64),
                    source: "test".into(),
                },
                kind: SourceKind::Reported,
                recorded_by: "test".into(),
                scope: None,
                rows: 1,
                division_values: earlier,
                zone_values: Vec::new(),
                rollups: Vec::new(),
                flows: Vec::new(),
                contract_numbers: Default::default(),
            },
            &test_audit(),
        )
        .await
        .expect("store 2021");

    let all = app.ok_json("/api/v1/evaluations").await;
    assert_eq!(all["year"], 2023);
    assert!(all.get("robustness").is_none(), "only when asked for");
    let robust = app.ok_json("/api/v1/evaluations?robustness=true").await;
    let analysis = &robust["robustness"];
    assert_eq!((analysis["replications"].as_u64(), analysis["seed"].as_u64()), (Some(500), Some(2017)));
    assert_eq!(analysis["zones"].as_array().map(Vec::len), Some(11));
    for z in analysis["zones"].as_array().expect("zones") {
        if let (Some(lo), Some(hi)) = (z["rank_p05"].as_f64(), z["rank_p95"].as_f64()) {
            assert!(lo <= hi && lo >= 1.0 && hi <= 11.0, "{z}");
        }
    }
    let factors: Vec<&str> =
        analysis["sensitivity"].as_array().expect("sensitivity").iter().filter_map(|f| f["factor"].as_str()).collect();
    assert_eq!(factors, ["normalisation", "weights"]);
    for f in analysis["sensitivity"].as_array().expect("sensitivity") {
        assert!(f["first_order_ci"].as_f64().is_some_and(|c| c >= 0.0) && f["total_ci"].as_f64().is_some(), "{f}");
    }
    assert_eq!(app.ok_json("/api/v1/evaluations?robustness=true").await, robust, "seeded: the same answer");
    let sunan = all["zones"].as_array().expect("zones").iter().find(|z| z["key"] == "jiangsu-sunan").expect("苏南");
    let turnover =
        sunan["indicators"].as_array().expect("indicators").iter().find(|i| i["code"] == "contract_turnover");
    let turnover = turnover.expect("turnover");
    // 400 亿 in 2023 from 250 亿 in 2021; the assumed term starts later, so the growth runs from the first year.
    assert_eq!(turnover["cagr_since"], 2021);
    assert!((turnover["cagr"].as_f64().expect("cagr") - (1.6f64.sqrt() - 1.0)).abs() < 1e-12, "{turnover}");
    assert!(turnover["growth"].is_null(), "no 2022 value, so no growth year on year");
    assert!(turnover["target"].is_null() && sunan["target_attainment"].is_null(), "no plan, no targets");
    let zones = all["zones"].as_array().expect("zones");
    assert_eq!(zones.len(), 11);
    // 浙江 has the highest turnover (宁波's area lies inside it, so 宁波 shares part of it and no patents).
    assert_eq!(zones[0]["key"], "zhejiang");
    assert_eq!(zones[0]["rank"], 1);
    assert_eq!(zones[0]["group"], "leader");
    let scored: Vec<&Value> = zones.iter().filter(|z| !z["score"].is_null()).collect();
    let mean = scored.iter().filter_map(|z| z["score"].as_f64()).sum::<f64>() / scored.len() as f64;
    let relative = zones[0]["relative"].as_f64().expect("relative");
    assert!((relative - zones[0]["score"].as_f64().expect("score") / mean * 100.0).abs() < 1e-9);
    let excluded: Vec<&str> =
        all["excluded"].as_array().expect("excluded").iter().filter_map(|e| e["code"].as_str()).collect();
    assert!(excluded.contains(&"tech_brokers") && !excluded.contains(&"contract_turnover"), "{excluded:?}");

    let minhang = app.ok_json("/api/v1/zones/shanghai-minhang/evaluation?year=2023").await;
    assert_eq!(minhang["zones_compared"], 11);
    let patents = minhang["evaluation"]["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .find(|i| i["code"] == "invention_patents_per_10k")
        .expect("patents")
        .clone();
    assert_eq!(patents["score"], 0.0, "闵行's patents per 10k are below 南京's (30.2 vs 94.8)");
    assert_eq!(app.json("/api/v1/zones/atlantis/evaluation").await.0, StatusCode::NOT_FOUND);

    let (status, page) = app.html("/evaluation", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("示范区比较评估") && page.contains("group-leader"));
    assert!(page.contains("职业化技术经纪人数量 — 各示范区均无该指标数值"), "left out, said in Chinese: {page}");
    assert!(!page.contains("no zone has a value"), "no English on the Chinese page");
    let (_, english) = app.html("/evaluation", Some("en")).await;
    assert!(english.contains("Professional technology brokers — no zone has a value"));
}

/// Runs each case (an `async fn(&TestApp)` of the calling module) on SQLite and, where TTDZ_TEST_PG_URL names a
/// server, on PostgreSQL.
macro_rules! on_both_backends {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    super::$case(&crate::TestApp::sqlite().await).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(store) = crate::backends::postgres().await else { return };
                    let app = crate::TestApp::start(store).await;
                    super::$case(&app).await;
                    app.store.cleanup().await;
                }
            )*
        }
    };
}

/// What a review of the landed work found, each with the test that fails without its fix.
#[path = "api/review.rs"]
mod review;

/// Every route and page, for every role, with hostile input: never a 5xx.
#[path = "api/probe.rs"]
mod probe;

/// The achievement and demand information service: filing, moderation, search and matching.
#[path = "api/information.rs"]
mod information;

mod accounts {
    use super::*;

    on_both_backends!(
        login_me_logout_and_the_same_answer_for_every_wrong_login,
        failed_logins_slow_down_their_address_not_the_user_elsewhere_and_disabling_ends_sessions,
        a_province_writes_for_its_own_province_only_and_other_roles_not_at_all,
        a_new_zone_walks_from_demand_to_construction_by_the_right_hands_only,
        real_zones_are_under_construction_with_an_assumed_term,
        annual_reports_are_drafted_locked_returned_and_accepted_by_the_right_hands,
        cookie_sessions_need_the_csrf_token_to_write,
        policies_are_registered_checked_and_their_experience_published_by_the_right_hands,
        the_workbench_shows_each_role_its_work_and_forms_carry_the_csrf_token,
        the_verdict_is_proposed_with_its_reasons_to_the_right_hands,
        documents_are_checked_by_content_and_shown_to_those_who_may_see_their_step,
        a_broker_bids_for_a_client_and_follows_its_bids_but_neither_lists_nor_files,
    );
    use ttdz_domain::DivisionCode;
    use ttdz_domain::account::{Account, Role, Username};

    pub(crate) async fn add(app: &TestApp, name: &str, role: Role, province: Option<&str>, password: &str) {
        let division = matches!(role, Role::Institution | Role::Registrar | Role::Broker)
            .then(|| DivisionCode::parse("320102").expect("code"));
        let account = Account::new(
            Username::parse(name).expect("name"),
            role,
            province.map(|p| DivisionCode::parse(p).expect("code")),
            division,
            None,
        )
        .expect("account");
        let hash = ttdz_app::accounts::hash_password(password).expect("hash");
        app.store.store().add_account(&account, &hash, &test_audit()).await.expect("add account");
    }

    /// A broker (技术经纪人) has an account of its own: it bids on a notice for a client elsewhere (the seller sees
    /// the broker beside the client), finds the listing under "my bids" and on its workbench, and may neither list an
    /// achievement nor file or read contracts.
    async fn a_broker_bids_for_a_client_and_follows_its_bids_but_neither_lists_nor_files(app: &TestApp) {
        add(app, "nju-tto", Role::Institution, None, "pass-institution-1").await;
        add(app, "js-broker", Role::Broker, None, "pass-broker-1").await;
        let seller = token(app, "nju-tto", "pass-institution-1").await;
        let broker = token(app, "js-broker", "pass-broker-1").await;
        let today = backends::test_clock().today_iso();
        let post = |path: String, token: &str, body: Value| {
            app.client.post(format!("{}{path}", app.base)).bearer_auth(token).json(&body).send()
        };
        let terms = serde_json::json!({
            "title": "一种锂电池隔膜涂层工艺", "notice": "专利拟转让，底价 30 万元。",
            "method": "listing", "contract_type": "技术转让", "reserve_yuan": 300000, "seller_name": "南京大学",
            "seller_division": "320102", "seller_kind": "高校", "field": "新能源",
            "opens_on": today, "closes_on": "2026-07-31",
        });
        let by_broker = post("/api/v1/listings".into(), &broker, terms.clone()).await.expect("post");
        assert_eq!(by_broker.status(), StatusCode::FORBIDDEN, "a broker lists nothing of its own");
        let opened: Value =
            post("/api/v1/listings".into(), &seller, terms).await.expect("post").json().await.expect("JSON");
        let id = opened["id"].as_i64().expect("id");
        let bid =
            serde_json::json!({"buyer_name": "苏州某电池公司", "buyer_division": "320505", "amount_yuan": "350000"});
        let placed = post(format!("/api/v1/listings/{id}/bids"), &broker, bid).await.expect("post");
        assert_eq!(placed.status(), StatusCode::CREATED);
        let seen = app.ok_json_as(&format!("/api/v1/listings/{id}"), &seller).await;
        let first = &seen["bids"][0];
        assert_eq!(
            (&first["buyer_name"], &first["buyer_division"], &first["bidder"]),
            (&serde_json::json!("苏州某电池公司"), &serde_json::json!("320505"), &serde_json::json!("js-broker")),
            "{seen}"
        );
        let bidding = app.ok_json_as("/api/v1/listings?bidding=true", &broker).await;
        assert_eq!(bidding[0]["id"].as_i64(), Some(id), "the broker's bids: {bidding}");

        let filing = serde_json::json!({
            "contract_type": "技术服务", "seller_division": "320102", "buyer_division": "320505", "seller_kind": "企业",
            "field": "新能源", "signed_on": "2026-01-05", "turnover_yuan": "1000", "tech_amount_yuan": "1000",
        });
        let filed = post("/api/v1/contracts".into(), &broker, filing).await.expect("post");
        assert_eq!(filed.status(), StatusCode::FORBIDDEN, "sellers file contracts");
        let contracts = app.get_as("/api/v1/contracts", Some(&broker)).await;
        assert_eq!(contracts.status(), StatusCode::FORBIDDEN);

        let desk = app.get_as("/workbench", Some(&broker)).await.text().await.expect("page");
        for link in ["/listings?status=open", "/listings?bidding=1", "/registers?register=tech_brokers"] {
            assert!(desk.contains(link), "{link} on the broker's workbench");
        }
        assert!(!desk.contains("href=\"/contracts\""), "no contracts on a broker's workbench");
        let page = app.get_as("/listings?bidding=1", Some(&broker)).await.text().await.expect("page");
        assert!(page.contains("苏州某电池公司"), "the broker's bid on its page");
        let open = app.get_as("/listings", Some(&broker)).await.text().await.expect("page");
        assert!(open.contains(&format!("data-api=\"/api/v1/listings/{id}/bids\"")), "the bid form");
        assert!(!open.contains("data-api=\"/api/v1/listings\""), "no form to list an achievement");
    }

    /// Documents: the province attaches its letters and the signed report, the ministry its approval; content that
    /// is not what its name says, an empty file, an unknown kind or a missing year are refused by name and nothing is
    /// stored; the public sees the procedure's documents of an approved zone and a report's only once accepted.
    async fn documents_are_checked_by_content_and_shown_to_those_who_may_see_their_step(app: &TestApp) {
        add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu-1").await;
        add(app, "zhejiang", Role::Province, Some("330000"), "pass-zhejiang-1").await;
        add(app, "most", Role::Ministry, None, "pass-ministry-1").await;
        let js = token(app, "jiangsu", "pass-jiangsu-1").await;
        let zj = token(app, "zhejiang", "pass-zhejiang-1").await;
        let mi = token(app, "most", "pass-ministry-1").await;
        let url = format!("{}/api/v1/zones/jiangsu-sunan/documents", app.base);
        let attach = |who: &str, kind: &str, year: Option<&str>, name: &str, bytes: &[u8]| {
            let mut form = reqwest::multipart::Form::new()
                .text("kind", kind.to_owned())
                .part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()));
            if let Some(year) = year {
                form = form.text("year", year.to_owned());
            }
            app.client.post(&url).bearer_auth(who).multipart(form).send()
        };
        let pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n";
        let refused = |status: StatusCode, needle: &'static str| {
            move |r: reqwest::Response| async move {
                assert_eq!(r.status(), status, "{needle}");
                let body: Value = r.json().await.expect("JSON");
                assert!(body["message"].as_str().unwrap_or("").contains(needle), "{needle}: {body}");
            }
        };
        let letter = attach(&js, "consent_letter", None, "同意函.pdf", pdf).await.expect("post");
        assert_eq!(letter.status(), StatusCode::CREATED);
        let letter: Value = letter.json().await.expect("JSON");
        assert_eq!(letter["media_type"], "application/pdf");
        assert_eq!(letter["sha256"], ttdz_domain::reference::sha256_hex(pdf));
        let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
        refused(unprocessable, "not a PDF")(attach(&js, "plan", None, "方案.pdf", b"just text").await.expect("post"))
            .await;
        refused(unprocessable, "not named .pdf")(attach(&js, "plan", None, "方案.docx", pdf).await.expect("post"))
            .await;
        refused(unprocessable, "is empty")(attach(&js, "plan", None, "方案.pdf", b"").await.expect("post")).await;
        refused(unprocessable, "kind")(attach(&js, "invoice", None, "a.pdf", pdf).await.expect("post")).await;
        refused(unprocessable, "year")(attach(&js, "signed_report", None, "a.pdf", pdf).await.expect("post")).await;
        refused(StatusCode::FORBIDDEN, "may not file")(
            attach(&js, "approval", None, "a.pdf", pdf).await.expect("post"),
        )
        .await;
        refused(StatusCode::FORBIDDEN, "may not file")(attach(&zj, "plan", None, "a.pdf", pdf).await.expect("post"))
            .await;
        let approval = attach(&mi, "approval", None, "批复.pdf", pdf).await.expect("post");
        assert_eq!(approval.status(), StatusCode::CREATED);
        let signed = attach(&js, "signed_report", Some("2026"), "2026年度报告.pdf", pdf).await.expect("post");
        assert_eq!(signed.status(), StatusCode::CREATED);
        let signed: Value = signed.json().await.expect("JSON");

        let public: Value = app.ok_json("/api/v1/zones/jiangsu-sunan/documents").await;
        let kinds: Vec<&str> = public.as_array().expect("list").iter().filter_map(|d| d["kind"].as_str()).collect();
        assert_eq!(kinds, ["consent_letter", "approval"], "the report's document waits for its acceptance");
        assert!(public[0]["uploaded_by"].is_null(), "the public sees no account names");
        let own: Value = app.ok_json_as("/api/v1/zones/jiangsu-sunan/documents", &js).await;
        assert_eq!(own.as_array().expect("list").len(), 3);
        let hidden = app.get(&format!("/api/v1/documents/{}", signed["id"])).await;
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
        let file = app.get(&format!("/api/v1/documents/{}", letter["id"])).await;
        assert_eq!(file.status(), StatusCode::OK);
        assert_eq!(file.headers()["content-type"], "application/pdf");
        assert_eq!(file.headers()["x-content-type-options"], "nosniff");
        assert!(file.headers()["content-disposition"].to_str().expect("ascii").contains("filename*=UTF-8''"));
        assert_eq!(file.bytes().await.expect("bytes").as_ref(), pdf, "byte for byte");
        let trail: Value = app.ok_json_as("/api/v1/audit?zone=jiangsu-sunan", &mi).await;
        let attached = trail.as_array().expect("trail").iter().filter(|e| e["action"] == "document.attach").count();
        assert_eq!(attached, 3, "each attachment is audited; the refused ones stored nothing");
    }

    pub(crate) async fn login(app: &TestApp, name: &str, password: &str) -> reqwest::Response {
        app.client
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&serde_json::json!({ "username": name, "password": password }))
            .send()
            .await
            .expect("login")
    }

    pub(crate) async fn token(app: &TestApp, name: &str, password: &str) -> String {
        let response = login(app, name, password).await;
        assert_eq!(response.status(), StatusCode::OK, "{name} logs in");
        let body: Value = response.json().await.expect("JSON");
        body["token"].as_str().expect("token").to_owned()
    }

    async fn workbench(app: &TestApp, token: &str) -> String {
        let response = app.get_as("/workbench", Some(token)).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("HTML")
    }

    fn values_form(text: &str) -> reqwest::multipart::Form {
        super::upload("values.csv", text)
    }

    async fn login_me_logout_and_the_same_answer_for_every_wrong_login(app: &TestApp) {
        add(app, "most", Role::Ministry, None, "correct horse").await;
        let response = login(app, "most", "correct horse").await;
        assert_eq!(response.status(), StatusCode::OK);
        let cookie = response.headers()["set-cookie"].to_str().expect("cookie").to_owned();
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        let body: Value = response.json().await.expect("JSON");
        let token = body["token"].as_str().expect("token");
        assert_eq!(token.len(), 64);

        let me = |t: String| {
            let client = app.client.clone();
            let url = format!("{}/api/v1/auth/me", app.base);
            async move { client.get(url).bearer_auth(t).send().await.expect("me") }
        };
        let response = me(token.to_owned()).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.json::<Value>().await.expect("JSON")["role"], "ministry");
        assert_eq!(app.get("/api/v1/auth/me").await.status(), StatusCode::UNAUTHORIZED, "anonymous");

        let logout = app
            .client
            .post(format!("{}/api/v1/auth/logout", app.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("logout");
        assert_eq!(logout.status(), StatusCode::NO_CONTENT);
        assert_eq!(me(token.to_owned()).await.status(), StatusCode::UNAUTHORIZED, "the token stopped working");

        let wrong: Vec<Value> = {
            let mut out = Vec::new();
            for (name, password) in [("most", "wrong"), ("nobody", "correct horse")] {
                let response = login(app, name, password).await;
                assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
                out.push(response.json().await.expect("JSON"));
            }
            out
        };
        assert_eq!(wrong[0], wrong[1], "the answer does not reveal whether the user exists");
    }

    async fn failed_logins_slow_down_their_address_not_the_user_elsewhere_and_disabling_ends_sessions(app: &TestApp) {
        add(app, "jiangsu", Role::Province, Some("320000"), "s3cret-pass").await;
        let session = token(app, "jiangsu", "s3cret-pass").await;
        // Another machine: the whole of 127.0.0.0/8 is this host, so a second loopback address is a second client.
        let elsewhere = reqwest::Client::builder()
            .local_address(std::net::IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
            .build()
            .expect("client");
        let try_from = |client: &reqwest::Client, password: &str| {
            let r = client
                .post(format!("{}/api/v1/auth/login", app.base))
                .json(&serde_json::json!({ "username": "jiangsu", "password": password }));
            async move { r.send().await.expect("login") }
        };
        for _ in 0..5 {
            assert_eq!(try_from(&elsewhere, "guess").await.status(), StatusCode::UNAUTHORIZED);
        }
        let held = try_from(&elsewhere, "s3cret-pass").await;
        assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS, "that address waits, even with the right password");
        assert!(held.headers().contains_key("retry-after"));
        assert_eq!(held.json::<Value>().await.expect("JSON")["error"], "too_many_requests");
        assert_eq!(
            login(app, "jiangsu", "s3cret-pass").await.status(),
            StatusCode::OK,
            "the real user, from its own address, is not locked out by someone else's guesses"
        );
        let long = "x".repeat(100_000);
        assert_eq!(login(app, &long, "p").await.status(), StatusCode::UNAUTHORIZED, "no such name, the same answer");
        let trail = app.store.store().audit(&ttdz_domain::audit::AuditQuery { limit: 100, ..Default::default() }).await;
        let trail = trail.expect("trail");
        assert_eq!(trail.iter().filter(|e| e.action == "auth.login_failed").count(), 5, "failures are audited");
        assert!(trail.iter().all(|e| e.subject.len() < 100), "an impossible username is never stored");
        assert_eq!(trail.iter().filter(|e| e.action == "auth.login").count(), 2, "so are logins");

        let me = app.client.get(format!("{}/api/v1/auth/me", app.base)).bearer_auth(&session).send().await.expect("me");
        assert_eq!(me.status(), StatusCode::OK);
        app.store.store().set_account_disabled("jiangsu", true, &test_audit()).await.expect("disable");
        let me = app.client.get(format!("{}/api/v1/auth/me", app.base)).bearer_auth(&session).send().await.expect("me");
        assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "a disabled account's session stops at once");
    }

    async fn a_province_writes_for_its_own_province_only_and_other_roles_not_at_all(app: &TestApp) {
        add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
        add(app, "expert1", Role::Expert, None, "pass-expert").await;
        let jiangsu = token(app, "jiangsu", "pass-jiangsu").await;
        let url = format!("{}/api/v1/imports/values", app.base);
        let own = "division_code,year,element,value\n320100,2023,gdp_yuan,100\n";
        let other = "division_code,year,element,value\n330100,2023,gdp_yuan,100\n";
        let response =
            app.client.post(&url).bearer_auth(&jiangsu).multipart(values_form(own)).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::OK);
        let response =
            app.client.post(&url).bearer_auth(&jiangsu).multipart(values_form(other)).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body: Value = response.json().await.expect("JSON");
        assert!(body["message"].as_str().unwrap_or("").contains("330100"), "{body}");
        let template = format!("{}/api/v1/zones/zhejiang/template/2023.xlsx", app.base);
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("t.xlsx"));
        let response = app.client.post(&template).bearer_auth(&jiangsu).multipart(form).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "浙江's template is not 江苏's to fill");

        let expert = token(app, "expert1", "pass-expert").await;
        let response =
            app.client.post(&url).bearer_auth(&expert).multipart(values_form(own)).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["error"], "forbidden");
        let find = |datasets: Value| {
            datasets.as_array().expect("datasets").iter().find(|d| d["name"] == "values:320000/values.csv").cloned()
        };
        let batch = find(app.ok_json_as("/api/v1/datasets", &jiangsu).await).expect("stored under the province");
        assert_eq!(batch["recorded_by"], "user:jiangsu", "the batch records who imported it");
        assert_eq!(batch["files"], serde_json::json!(["values.csv"]));
        let public = find(app.ok_json("/api/v1/datasets").await).expect("listed");
        assert_eq!(public["recorded_by"], "province:320000", "the public sees the organisation, not the account");
        assert_eq!(public["files"], serde_json::json!([]), "nor the uploaded file's name");

        // The trail: the province sees its own write; the expert may not read it; the ministry sees all, as CSV too.
        add(app, "most", Role::Ministry, None, "pass-ministry").await;
        let most = token(app, "most", "pass-ministry").await;
        let other = "division_code,year,element,value\n330100,2023,gdp_yuan,7\n";
        let response = app
            .client
            .post(&url)
            .bearer_auth(&most)
            .multipart(super::upload("zj.csv", other))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::OK);
        let trail = |t: String, query: &'static str| {
            let client = app.client.clone();
            let url = format!("{}/api/v1/audit{query}", app.base);
            async move { client.get(url).bearer_auth(t).send().await.expect("audit") }
        };
        let mine: Value = trail(jiangsu.clone(), "").await.json().await.expect("JSON");
        let mine = mine.as_array().expect("entries");
        assert_eq!(mine.len(), 1, "{mine:?}");
        assert_eq!(
            (mine[0]["actor"].as_str(), mine[0]["action"].as_str(), mine[0]["origin"].as_str()),
            (Some("user:jiangsu"), Some("import.batch"), Some("127.0.0.1"))
        );
        assert_eq!(trail(expert.clone(), "").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.get("/api/v1/audit").await.status(), StatusCode::UNAUTHORIZED);
        let everything: Value = trail(most.clone(), "").await.json().await.expect("JSON");
        let actions: Vec<&str> =
            everything.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(
            actions,
            [
                "account.add",
                "account.add",
                "auth.login",
                "import.batch",
                "auth.login",
                "account.add",
                "auth.login",
                "import.batch"
            ],
            "accounts are audited too"
        );
        let csv = trail(most.clone(), "?format=csv&actor=user:most").await;
        assert!(csv.headers()["content-type"].to_str().expect("type").starts_with("text/csv"));
        let csv = csv.text().await.expect("text");
        assert_eq!(csv.lines().count(), 3, "the header, the login and the import: {csv}");
        assert!(csv.starts_with("id,at,actor,origin,action,zone,province,subject,before,after\n"));
        assert_eq!(trail(most, "?since=yesterday").await.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_new_zone_walks_from_demand_to_construction_by_the_right_hands_only(app: &TestApp) {
        add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
        add(app, "zhejiang", Role::Province, Some("330000"), "pass-zhejiang").await;
        add(app, "prof-wang", Role::Expert, None, "pass-expert").await;
        add(app, "most", Role::Ministry, None, "pass-ministry").await;
        let (js, zj, ex, mi) = (
            token(app, "jiangsu", "pass-jiangsu").await,
            token(app, "zhejiang", "pass-zhejiang").await,
            token(app, "prof-wang", "pass-expert").await,
            token(app, "most", "pass-ministry").await,
        );
        let step = |who: Option<&String>, action: &str, version: i64, document: Value| {
            let mut request = app
                .client
                .post(format!("{}/api/v1/zones/jiangsu-suzhong/lifecycle/{action}", app.base))
                .header("if-match", format!("\"{version}\""))
                .json(&serde_json::json!({ "document": document }));
            if let Some(t) = who {
                request = request.bearer_auth(t);
            }
            async move { request.send().await.expect("step") }
        };
        let expect = |r: reqwest::Response, status: StatusCode| async move {
            let got = r.status();
            let body: Value = r.json().await.expect("JSON");
            assert_eq!(got, status, "{body}");
            body
        };

        let demand = serde_json::json!({
            "name": "江苏苏中国家科技成果转移转化示范区", "short_name": "江苏·苏中", "members": ["321000", "321200"],
            "demand": "苏中地区科技成果就地转化需求", "idea": "以扬州、泰州为核心", "consent": true
        });
        expect(step(None, "propose_demand", 0, demand.clone()).await, StatusCode::UNAUTHORIZED).await;
        expect(step(Some(&mi), "propose_demand", 0, demand.clone()).await, StatusCode::FORBIDDEN).await;
        let outside = serde_json::json!({"name": "x", "short_name": "x", "members": ["330100"], "demand": "d", "idea": "i", "consent": true});
        expect(step(Some(&js), "propose_demand", 0, outside).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        let state = expect(step(Some(&js), "propose_demand", 0, demand).await, StatusCode::OK).await;
        assert_eq!((state["stage"].as_str(), state["version"].as_i64()), (Some("demand_proposed"), Some(1)));

        // Before approval the zone and its procedure are private, on every surface.
        assert_eq!(app.get("/api/v1/zones/jiangsu-suzhong/lifecycle").await.status(), StatusCode::NOT_FOUND);
        for hidden in [
            "/api/v1/zones/jiangsu-suzhong",
            "/api/v1/zones/jiangsu-suzhong/indicators",
            "/api/v1/zones/jiangsu-suzhong/policies",
            "/zones/jiangsu-suzhong",
        ] {
            assert_eq!(app.get(hidden).await.status(), StatusCode::NOT_FOUND, "{hidden}");
        }
        let listed = |zones: Value| zones.as_array().into_iter().flatten().any(|z| z["key"] == "jiangsu-suzhong");
        assert!(!listed(app.ok_json("/api/v1/zones").await), "not listed to the public");
        let own: Value = app.ok_json_as("/api/v1/zones", &js).await;
        assert!(listed(own), "listed to its province");
        expect(step(Some(&zj), "draft_plan", 1, Value::Null).await, StatusCode::NOT_FOUND).await;

        let sections = serde_json::json!({
            "建设基础和重要意义": "基础", "总体要求": {"指导思想": "思想", "建设原则": "原则", "总体布局": "布局", "建设目标与指标": "目标"},
            "特色定位": "定位", "示范任务": "任务", "组织实施": "实施", "重点任务分解与进度安排": "安排", "建设目标与指标": "指标"
        });
        let plan = serde_json::json!({"sections": sections, "targets": [{"indicator": "contract_turnover", "year": 2027, "value": "120.5"}]});
        let mut incomplete = plan.clone();
        incomplete["sections"]["总体要求"].as_object_mut().expect("object").remove("建设原则");
        let body = expect(step(Some(&js), "draft_plan", 1, incomplete).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(body["message"].as_str().unwrap_or("").contains("总体要求.建设原则"), "{body}");
        expect(step(Some(&js), "draft_plan", 1, plan.clone()).await, StatusCode::OK).await;
        expect(step(Some(&js), "draft_plan", 1, plan).await, StatusCode::CONFLICT).await;

        expect(
            step(Some(&js), "assign_experts", 2, serde_json::json!({"experts": ["prof-wang"]})).await,
            StatusCode::OK,
        )
        .await;
        let form = "data-api=\"/api/v1/zones/jiangsu-suzhong/lifecycle/review_plan\"";
        let desk = workbench(app, &ex).await;
        assert!(desk.contains(form) && desk.contains("data-version=\"3\""), "the review form: {desk}");
        assert!(!workbench(app, &js).await.contains(form), "only the assigned expert gets the form");
        let review = serde_json::json!({"score": 86, "comment": "方案可行", "conflict_of_interest": false});
        expect(step(Some(&ex), "approve_plan", 3, Value::Null).await, StatusCode::FORBIDDEN).await;
        let recuse = serde_json::json!({"score": 90, "comment": "c", "conflict_of_interest": true});
        expect(step(Some(&ex), "review_plan", 3, recuse).await, StatusCode::FORBIDDEN).await;
        let state = expect(step(Some(&ex), "review_plan", 3, review).await, StatusCode::OK).await;
        assert_eq!(state["stage"], "plan_reviewed", "the last assigned expert's review completes 专家论证");
        assert!(!workbench(app, &ex).await.contains(form), "a review is done once");
        assert!(workbench(app, &js).await.contains("江苏·苏中: 将论证后的方案报送科技部"));

        let body =
            expect(step(Some(&mi), "start_construction", 4, serde_json::json!({})).await, StatusCode::CONFLICT).await;
        assert!(body["message"].as_str().unwrap_or("").contains("plan_reviewed"), "409 names the stage: {body}");
        expect(step(Some(&js), "submit_plan", 4, Value::Null).await, StatusCode::OK).await;
        expect(step(Some(&js), "approve_plan", 5, Value::Null).await, StatusCode::FORBIDDEN).await;
        assert!(workbench(app, &mi).await.contains("江苏·苏中: 审批建设方案"), "the ministry's to-do");
        assert!(!workbench(app, &zj).await.contains("江苏·苏中"), "another province does not see it");
        expect(
            step(Some(&mi), "return_plan", 5, serde_json::json!({"comments": "补充年度目标"})).await,
            StatusCode::OK,
        )
        .await;
        let state: Value = app.ok_json_as("/api/v1/zones/jiangsu-suzhong/lifecycle", &js).await;
        assert_eq!(state["stage"], "plan_returned");
        assert!(workbench(app, &js).await.contains("江苏·苏中: 按科技部意见修改方案"));
        let actions: Vec<&str> =
            state["allowed_actions"].as_array().expect("actions").iter().filter_map(|a| a["action"].as_str()).collect();
        assert_eq!(actions, ["draft_plan"], "the province may revise");

        // Around again, then approval and the term.
        let plan = serde_json::json!({"sections": sections, "targets": [{"indicator": "contract_turnover", "year": 2027, "value": 130}]});
        expect(step(Some(&js), "draft_plan", 6, plan).await, StatusCode::OK).await;
        expect(
            step(Some(&js), "assign_experts", 7, serde_json::json!({"experts": ["prof-wang"]})).await,
            StatusCode::OK,
        )
        .await;
        let state = expect(step(Some(&js), "submit_plan", 8, Value::Null).await, StatusCode::CONFLICT).await;
        assert!(state["message"].as_str().unwrap_or("").contains("plan_drafted"));
        // Assigning again opens a new review of the revised plan.
        let review = serde_json::json!({"score": 90, "comment": "修改后可行", "conflict_of_interest": false});
        expect(step(Some(&ex), "review_plan", 8, review).await, StatusCode::OK).await;
        expect(step(Some(&js), "submit_plan", 9, Value::Null).await, StatusCode::OK).await;
        let body =
            expect(step(Some(&mi), "approve_plan", 10, Value::Null).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(body["message"].as_str().unwrap_or("").contains("approval_number"), "批复文号 is required: {body}");
        let approval = serde_json::json!({"approval_number": "国科发创〔2026〕12号", "approved_on": "2026-06-01"});
        expect(step(Some(&mi), "approve_plan", 10, approval).await, StatusCode::OK).await;
        assert_eq!(
            app.get("/api/v1/zones/jiangsu-suzhong/lifecycle").await.status(),
            StatusCode::OK,
            "public once approved"
        );
        assert!(listed(app.ok_json("/api/v1/zones").await), "listed once approved");
        expect(step(Some(&zj), "start_construction", 11, serde_json::json!({})).await, StatusCode::FORBIDDEN).await;
        let term = serde_json::json!({"term_start": "2027-01-01", "term_end": "2030-12-31"});
        expect(step(Some(&js), "start_construction", 11, term.clone()).await, StatusCode::FORBIDDEN).await;
        expect(step(Some(&mi), "start_construction", 10, term.clone()).await, StatusCode::CONFLICT).await;
        let state = expect(step(Some(&mi), "start_construction", 11, term).await, StatusCode::OK).await;
        assert_eq!(state["stage"], "under_construction");
        assert_eq!(state["term"], serde_json::json!({"start": "2027-01-01", "end": "2030-12-31", "assumed": false}));
        assert_eq!(state["history"].as_array().map(Vec::len), Some(12));

        let trail: Value = app.ok_json_as("/api/v1/audit?zone=jiangsu-suzhong", &mi).await;
        let by: Vec<(&str, &str)> = trail
            .as_array()
            .expect("entries")
            .iter()
            .map(|e| (e["action"].as_str().unwrap_or(""), e["actor"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(by.len(), 12);
        assert_eq!(by[0], ("lifecycle.propose_demand", "user:jiangsu"));
        assert_eq!(by[3], ("lifecycle.review_plan", "user:prof-wang"));
        assert_eq!(by[11], ("lifecycle.start_construction", "user:most"));
    }

    async fn real_zones_are_under_construction_with_an_assumed_term(app: &TestApp) {
        let state = app.ok_json("/api/v1/zones/zhejiang/lifecycle").await;
        assert_eq!(state["stage"], "under_construction");
        assert_eq!(state["term"]["assumed"], true);
        // Three years from the year the store was set up in: the 3-5 year rule holds for assumed terms too.
        assert_eq!(
            (state["term"]["start"].as_str(), state["term"]["end"].as_str()),
            (Some("2026-01-01"), Some("2028-12-31"))
        );
        let (start, end) = ("2026-01-01".parse().expect("date"), "2028-12-31".parse().expect("date"));
        assert!(ttdz_domain::lifecycle::check_term(&start, &end).is_ok());
        for event in state["history"].as_array().expect("history") {
            assert!(!event["actor"].as_str().unwrap_or("").starts_with("user:"), "the public sees no account names");
        }
        assert_eq!(state["history"][0]["document"]["approved"], "2016-12-20");
        assert_eq!(state["allowed_actions"], serde_json::json!([]), "the public may take no action");
        add(app, "most", Role::Ministry, None, "pass-ministry").await;
        let mi = token(app, "most", "pass-ministry").await;
        let state: Value = app.ok_json_as("/api/v1/zones/zhejiang/lifecycle", &mi).await;
        let actions: Vec<&str> =
            state["allowed_actions"].as_array().expect("actions").iter().filter_map(|a| a["action"].as_str()).collect();
        assert_eq!(actions, ["evaluate_term", "appoint_experts", "record_plan"], "a zone approved before TTDZ");
        let short = serde_json::json!({"document": {"term_start": "2026-01-01", "term_end": "2027-12-31"}});
        let r = app
            .client
            .post(format!("{}/api/v1/zones/zhejiang/lifecycle/evaluate_term", app.base))
            .bearer_auth(&mi)
            .header("if-match", "\"1\"")
            .json(&serde_json::json!({"document": {"summary": "按期完成建设任务"}}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .client
            .post(format!("{}/api/v1/zones/zhejiang/lifecycle/continue", app.base))
            .bearer_auth(&mi)
            .header("if-match", "\"2\"")
            .json(&serde_json::json!({"document": {"reasons": "成效显著"}}))
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::OK);
        let r = app
            .client
            .post(format!("{}/api/v1/zones/zhejiang/lifecycle/start_construction", app.base))
            .bearer_auth(&mi)
            .header("if-match", "\"3\"")
            .json(&short)
            .send()
            .await
            .expect("post");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a two-year term is refused");
        let trail: Value = app.ok_json_as("/api/v1/audit?zone=zhejiang", &mi).await;
        let actions: Vec<&str> =
            trail.as_array().expect("entries").iter().filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(actions, ["lifecycle.evaluate_term", "lifecycle.continue"]);
    }

    async fn annual_reports_are_drafted_locked_returned_and_accepted_by_the_right_hands(app: &TestApp) {
        add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
        add(app, "prof-li", Role::Expert, None, "pass-expert").await;
        add(app, "most", Role::Ministry, None, "pass-ministry").await;
        let (js, ex, mi) = (
            token(app, "jiangsu", "pass-jiangsu").await,
            token(app, "prof-li", "pass-expert").await,
            token(app, "most", "pass-ministry").await,
        );
        let put = |who: Option<&String>, zone: &str, body: Value, version: Option<i64>| {
            let mut r = app.client.put(format!("{}/api/v1/zones/{zone}/values/2026", app.base)).json(&body);
            if let Some(t) = who {
                r = r.bearer_auth(t);
            }
            if let Some(v) = version {
                r = r.header("if-match", format!("\"{v}\""));
            }
            async move { r.send().await.expect("put") }
        };
        let post = |who: &String, what: &str, body: Value, version: Option<i64>| {
            let mut r = app
                .client
                .post(format!("{}/api/v1/zones/jiangsu-sunan/reports/2026/{what}", app.base))
                .bearer_auth(who)
                .json(&body);
            if let Some(v) = version {
                r = r.header("if-match", format!("\"{v}\""));
            }
            async move { r.send().await.expect("post") }
        };
        let values = serde_json::json!({"values": [
            {"element": "contract_turnover_yuan", "division_code": "320100", "value": "52000000000"},
            {"element": "transfer_special_funds_yuan", "value": 300000000}
        ]});
        let r = put(Some(&js), "jiangsu-sunan", values.clone(), None).await;
        assert_eq!(r.status(), StatusCode::PRECONDITION_REQUIRED, "an edit names the version it is based on");
        let body: Value = r.json().await.expect("JSON");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("If-Match")), "{body}");
        let r = put(Some(&js), "jiangsu-sunan", values.clone(), Some(0)).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["etag"], "\"1\"");
        assert_eq!(
            put(Some(&js), "zhejiang", values.clone(), Some(0)).await.status(),
            StatusCode::FORBIDDEN,
            "浙江 is not 江苏's"
        );
        assert_eq!(put(None, "jiangsu-sunan", values.clone(), Some(1)).await.status(), StatusCode::UNAUTHORIZED);
        let outside = serde_json::json!({"values": [{"element": "gdp_yuan", "division_code": "320300", "value": 1}]});
        assert_eq!(
            put(Some(&js), "jiangsu-sunan", outside, Some(1)).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "徐州 is not in 苏南"
        );
        assert_eq!(
            app.get("/api/v1/zones/jiangsu-sunan/reports/2026").await.status(),
            StatusCode::NOT_FOUND,
            "drafts are private"
        );

        assert_eq!(post(&js, "submit", Value::Null, None).await.status(), StatusCode::PRECONDITION_REQUIRED);
        assert_eq!(post(&js, "submit", Value::Null, Some(1)).await.status(), StatusCode::OK);
        let r = put(Some(&js), "jiangsu-sunan", values.clone(), Some(2)).await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert_eq!(r.json::<Value>().await.expect("JSON")["error"], "locked");
        assert_eq!(
            post(&ex, "accept", Value::Null, Some(2)).await.status(),
            StatusCode::FORBIDDEN,
            "an expert cannot accept"
        );
        assert_eq!(post(&js, "accept", Value::Null, Some(2)).await.status(), StatusCode::FORBIDDEN, "nor the province");
        assert_eq!(
            post(&mi, "return", serde_json::json!({}), Some(2)).await.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "a return needs a comment"
        );
        let returned: Value = post(&mi, "return", serde_json::json!({"comment": "请核实成交额"}), Some(2))
            .await
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            (returned["status"].as_str(), returned["comment"].as_str()),
            (Some("returned"), Some("请核实成交额"))
        );
        let version = returned["version"].as_i64().expect("version");

        let corrected = serde_json::json!({"values": [
            {"element": "contract_turnover_yuan", "division_code": "320100", "value": "48000000000"},
            {"element": "transfer_special_funds_yuan", "value": 300000000}
        ], "text": "2026年度建设情况"});
        assert_eq!(
            put(Some(&js), "jiangsu-sunan", corrected.clone(), Some(version - 1)).await.status(),
            StatusCode::CONFLICT,
            "stale"
        );
        let r = put(Some(&js), "jiangsu-sunan", corrected, Some(version)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let edited: Value = r.json().await.expect("JSON");
        assert_eq!(
            edited["changes_since_submission"],
            serde_json::json!([{"element": "contract_turnover_yuan", "area": "320100", "before": "52000000000", "after": "48000000000"}])
        );
        assert_eq!(edited["text"], "2026年度建设情况");
        let submitted: Value = post(&js, "submit", Value::Null, Some(version + 1)).await.json().await.expect("JSON");
        assert_eq!(submitted["due"], "2026-12-31");
        let accepted = post(&mi, "accept", Value::Null, Some(version + 2)).await;
        assert_eq!(accepted.status(), StatusCode::OK);
        let public = app.ok_json("/api/v1/zones/jiangsu-sunan/reports/2026").await;
        assert_eq!(public["status"], "accepted");
        let indicators = app.ok_json("/api/v1/zones/jiangsu-sunan/indicators?year=2026").await;
        assert_eq!(indicators["indicators"][0]["value"], "480", "the accepted values are the zone's figures");
        let final_ = post(&mi, "return", serde_json::json!({"comment": "再议"}), Some(version + 3)).await;
        assert_eq!(final_.status(), StatusCode::CONFLICT, "an accepted report is final");

        let trail: Value = app.ok_json_as("/api/v1/audit?zone=jiangsu-sunan", &mi).await;
        let by: Vec<(&str, &str)> = trail
            .as_array()
            .expect("entries")
            .iter()
            .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("report.")))
            .map(|e| (e["action"].as_str().unwrap_or(""), e["actor"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(
            by,
            [
                ("report.edit", "user:jiangsu"),
                ("report.submit", "user:jiangsu"),
                ("report.return", "user:most"),
                ("report.edit", "user:jiangsu"),
                ("report.submit", "user:jiangsu"),
                ("report.accept", "user:most"),
            ]
        );
    }

    async fn cookie_sessions_need_the_csrf_token_to_write(app: &TestApp) {
        add(app, "most", Role::Ministry, None, "pass-most").await;
        let response = login(app, "most", "pass-most").await;
        let body: Value = response.json().await.expect("JSON");
        let (token, csrf) =
            (body["token"].as_str().expect("token").to_owned(), body["csrf_token"].as_str().expect("csrf").to_owned());
        let cookie = format!("ttdz_session={token}");
        let me =
            app.client.get(format!("{}/api/v1/auth/me", app.base)).header("cookie", &cookie).send().await.expect("me");
        assert_eq!(me.status(), StatusCode::OK, "reading with the cookie needs no CSRF token");
        let url = format!("{}/api/v1/imports/values", app.base);
        let text = "division_code,year,element,value\n320100,2023,gdp_yuan,1\n";
        let response =
            app.client.post(&url).header("cookie", &cookie).multipart(values_form(text)).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "no CSRF token");
        let response = app
            .client
            .post(&url)
            .header("cookie", &cookie)
            .header("x-csrf-token", &csrf)
            .multipart(values_form(text))
            .send()
            .await
            .expect("post");
        assert_eq!(response.status(), StatusCode::OK);
    }

    async fn policies_are_registered_checked_and_their_experience_published_by_the_right_hands(app: &TestApp) {
        add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
        add(app, "zhejiang", Role::Province, Some("330000"), "pass-zhejiang").await;
        add(app, "prof-li", Role::Expert, None, "pass-expert").await;
        add(app, "most", Role::Ministry, None, "pass-ministry").await;
        let (js, zj, ex, mi) = (
            token(app, "jiangsu", "pass-jiangsu").await,
            token(app, "zhejiang", "pass-zhejiang").await,
            token(app, "prof-li", "pass-expert").await,
            token(app, "most", "pass-ministry").await,
        );
        let post = |who: Option<&String>, path: &str, body: Value| {
            let mut r = app.client.post(format!("{}{path}", app.base)).json(&body);
            if let Some(t) = who {
                r = r.bearer_auth(t);
            }
            async move { r.send().await.expect("post") }
        };
        let policy = serde_json::json!({
            "level": "local", "issuer": "江苏省人民政府", "number": "苏政发〔2018〕1号", "issued": "2018-03",
            "title": "关于加快科技成果转化的若干政策", "provisions": "科研人员转化收益不低于70%"
        });
        let path = "/api/v1/zones/jiangsu-sunan/policies";
        assert_eq!(post(None, path, policy.clone()).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(post(Some(&zj), path, policy.clone()).await.status(), StatusCode::FORBIDDEN, "not 浙江's zone");
        assert_eq!(post(Some(&ex), path, policy.clone()).await.status(), StatusCode::FORBIDDEN, "experts check only");
        let mut blank = policy.clone();
        blank["provisions"] = Value::from(" ");
        let r = post(Some(&js), path, blank).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json::<Value>().await.expect("JSON")["message"], "provisions is required");
        let mut bad_date = policy.clone();
        bad_date["issued"] = Value::from("2018-13");
        let r = post(Some(&js), path, bad_date).await;
        assert!(r.json::<Value>().await.expect("JSON")["message"].as_str().is_some_and(|m| m.starts_with("issued:")));
        let r = post(Some(&js), path, policy).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.expect("JSON")["id"].as_i64().expect("id");

        let check = serde_json::json!({
            "checked_on": "2026-06-30", "finding": "partial", "evidence": "配套细则未出台", "annex_row": 14
        });
        let checks = format!("/api/v1/policies/{id}/checks");
        assert_eq!(post(Some(&zj), &checks, check.clone()).await.status(), StatusCode::FORBIDDEN);
        // Checks drive the verdict: an expert records them only for a zone it is assigned to.
        assert_eq!(post(Some(&ex), &checks, check.clone()).await.status(), StatusCode::FORBIDDEN);
        assert!(app.ok_json_as(path, &ex).await[0]["checks"].is_null(), "nor does it see them unassigned");
        let mut wrong_row = check.clone();
        wrong_row["annex_row"] = Value::from(3);
        assert_eq!(post(Some(&mi), &checks, wrong_row).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(post(Some(&mi), "/api/v1/policies/999/checks", check.clone()).await.status(), StatusCode::NOT_FOUND);
        let r = post(Some(&mi), &checks, check).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(r.json::<Value>().await.expect("JSON")["checks"][0]["checked_by"], "user:most");

        let public = app.ok_json(path).await;
        assert_eq!(public[0]["number"], "苏政发〔2018〕1号");
        assert!(public[0]["checks"].is_null(), "checks are not public");
        assert!(app.ok_json_as(path, &zj).await[0]["checks"].is_null(), "nor another province's");
        let own = app.ok_json_as(path, &js).await;
        assert_eq!(own[0]["checks"][0]["finding"], "partial");
        assert_eq!(own[0]["checks"][0]["annex_row"], 14);

        let proposal = serde_json::json!({"title": "收益分配改革", "summary": "职务成果赋权", "policies": [id]});
        let propose = "/api/v1/zones/jiangsu-sunan/experiences";
        let mut stray = proposal.clone();
        stray["policies"] = serde_json::json!([id + 100]);
        assert_eq!(post(Some(&js), propose, stray).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(post(Some(&zj), propose, proposal.clone()).await.status(), StatusCode::FORBIDDEN);
        let r = post(Some(&js), propose, proposal).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        let eid = r.json::<Value>().await.expect("JSON")["id"].as_i64().expect("id");
        assert_eq!(app.ok_json("/api/v1/experiences").await, serde_json::json!([]), "proposals are private");
        assert!(!app.html("/experiences", None).await.1.contains("收益分配改革"), "and not on the page");
        assert_eq!(app.ok_json_as("/api/v1/experiences", &js).await[0]["id"], eid);
        let publish = format!("/api/v1/experiences/{eid}/publish");
        assert_eq!(post(Some(&js), &publish, Value::Null).await.status(), StatusCode::FORBIDDEN);
        assert_eq!(post(Some(&mi), &publish, Value::Null).await.status(), StatusCode::OK);
        assert_eq!(post(Some(&mi), &publish, Value::Null).await.status(), StatusCode::CONFLICT);
        let library = app.ok_json("/api/v1/experiences").await;
        assert_eq!(library[0]["published_on"], "2026-06-15");
        assert_eq!(library[0]["policies"], serde_json::json!([id]));
        let (status, page) = app.html("/experiences", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("收益分配改革") && page.contains("href=\"/zones/jiangsu-sunan\""), "published: {page}");
        let (_, zone_page) = app.html("/zones/jiangsu-sunan", None).await;
        assert!(
            zone_page.contains("苏政发〔2018〕1号") && zone_page.contains("收益分配改革"),
            "the zone's page lists both"
        );
        assert!(!zone_page.contains("配套细则未出台"), "checks stay off the public page");

        let trail = app.ok_json_as("/api/v1/audit?zone=jiangsu-sunan", &mi).await;
        let actions: Vec<&str> = trail.as_array().expect("list").iter().filter_map(|e| e["action"].as_str()).collect();
        for action in ["policy.add", "policy.check", "experience.propose", "experience.publish"] {
            assert!(actions.contains(&action), "{action} is in the trail: {actions:?}");
        }
    }

    async fn the_workbench_shows_each_role_its_work_and_forms_carry_the_csrf_token(app: &TestApp) {
        add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
        add(app, "most", Role::Ministry, None, "pass-ministry").await;
        let anonymous = app.get("/workbench").await;
        assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
        assert_eq!(anonymous.headers()["location"], "/login");
        let (_, login_page) = app.html("/login", None).await;
        assert!(login_page.contains("data-api=\"/api/v1/auth/login\"") && login_page.contains("/assets/app.js"));
        let script = app.get("/assets/app.js").await;
        assert!(script.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("text/javascript")));
        assert!(script.text().await.expect("JS").contains("X-CSRF-Token"));

        let body: Value = login(app, "jiangsu", "pass-jiangsu").await.json().await.expect("JSON");
        let (session, csrf) = (body["token"].as_str().expect("token"), body["csrf_token"].as_str().expect("csrf"));
        let page = app
            .client
            .get(format!("{}/workbench", app.base))
            .header("cookie", format!("ttdz_session={session}"))
            .send()
            .await
            .expect("workbench");
        assert_eq!(page.status(), StatusCode::OK);
        let desk = page.text().await.expect("HTML");
        assert!(desk.contains(&format!("data-csrf=\"{csrf}\"")), "forms repeat the session's CSRF token");
        let year = backends::TEST_YEAR;
        assert!(desk.contains(&format!("江苏·苏南: 提交年度报告 {year}")), "{desk}");
        assert!(!desk.contains("浙江"), "a province sees its own zones only");
        let signed_in = app.client.get(format!("{}/login", app.base)).bearer_auth(session).send().await.expect("login");
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "a signed-in user goes to the workbench");

        let put = app
            .client
            .put(format!("{}/api/v1/zones/jiangsu-sunan/values/{year}", app.base))
            .bearer_auth(session)
            .header("if-match", "\"0\"")
            .json(&serde_json::json!({"values": [{"element": "transfer_special_funds_yuan", "value": 1}]}))
            .send()
            .await
            .expect("put");
        assert_eq!(put.status(), StatusCode::OK);
        let submit = app
            .client
            .post(format!("{}/api/v1/zones/jiangsu-sunan/reports/{year}/submit", app.base))
            .bearer_auth(session)
            .header("if-match", "\"1\"")
            .send()
            .await
            .expect("submit");
        assert_eq!(submit.status(), StatusCode::OK);
        assert!(!workbench(app, session).await.contains(&format!("江苏·苏南: 提交年度报告 {year}")));
        let ministry = token(app, "most", "pass-ministry").await;
        let overview = workbench(app, &ministry).await;
        assert!(overview.contains(&format!("江苏·苏南: 审核年度报告 {year}")), "{overview}");
        assert!(overview.contains("浙江") && overview.contains("建设期结束"), "the ministry sees every zone");
        assert!(
            overview.contains("href=\"/zones/jiangsu-sunan/procedure\">后续支持</a>"),
            "each zone under construction with its proposed verdict"
        );

        app.client.post(format!("{}/api/v1/auth/logout", app.base)).bearer_auth(session).send().await.expect("logout");
        let home = app
            .client
            .get(format!("{}/", app.base))
            .header("cookie", format!("ttdz_session={session}"))
            .send()
            .await
            .expect("home");
        assert_eq!(home.status(), StatusCode::OK, "an ended session still reads public pages");
    }

    async fn the_verdict_is_proposed_with_its_reasons_to_the_right_hands(app: &TestApp) {
        add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
        add(app, "zhejiang", Role::Province, Some("330000"), "pass-zhejiang").await;
        add(app, "prof-li", Role::Expert, None, "pass-expert").await;
        add(app, "most", Role::Ministry, None, "pass-ministry").await;
        let (js, zj, ex, mi) = (
            token(app, "jiangsu", "pass-jiangsu").await,
            token(app, "zhejiang", "pass-zhejiang").await,
            token(app, "prof-li", "pass-expert").await,
            token(app, "most", "pass-ministry").await,
        );
        let path = "/api/v1/zones/jiangsu-sunan/verdict";
        assert_eq!(app.get_as(path, None).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.get_as(path, Some(&zj)).await.status(), StatusCode::FORBIDDEN, "not 浙江's zone");
        let first = app.ok_json_as(path, &js).await;
        assert_eq!(first["verdict"], "continue", "nothing argues against it yet: {first}");
        assert!(first["attainment"].is_null());
        assert_eq!(first["growth"], serde_json::json!([{"indicator": "contract_turnover", "cagr": null}]));
        assert_eq!(first["thresholds"]["rectify_below_attainment"], "90");

        let policy = serde_json::json!({"level": "local", "issuer": "江苏省", "number": "苏政发〔2019〕2号",
            "issued": "2019", "title": "成果转化政策", "provisions": "条款"});
        let id = app
            .client
            .post(format!("{}/api/v1/zones/jiangsu-sunan/policies", app.base))
            .bearer_auth(&js)
            .json(&policy)
            .send()
            .await
            .expect("policy")
            .json::<Value>()
            .await
            .expect("JSON")["id"]
            .as_i64()
            .expect("id");
        for finding in ["implemented", "not_implemented"] {
            let check =
                serde_json::json!({"checked_on": "2026-06", "finding": finding, "evidence": "核查", "annex_row": 14});
            let r = app
                .client
                .post(format!("{}/api/v1/policies/{id}/checks", app.base))
                .bearer_auth(&mi)
                .json(&check)
                .send()
                .await
                .expect("check");
            assert_eq!(r.status(), StatusCode::CREATED);
        }
        assert_eq!(
            app.get_as(path, Some(&ex)).await.status(),
            StatusCode::FORBIDDEN,
            "an expert sees the verdict of the zones it is assigned to only"
        );
        let second = app.ok_json_as(path, &js).await;
        assert_eq!(second["verdict"], "rectify", "{second}");
        assert_eq!(second["verdict_zh"], "整改");
        assert_eq!(second["policy_scores"], serde_json::json!([{"annex_row": 14, "score": "0"}]), "the latest check");
        let reasons: Vec<(&str, &str)> = second["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .map(|r| (r["towards"].as_str().unwrap_or(""), r["text"].as_str().unwrap_or("")))
            .collect();
        assert!(
            reasons.contains(&("rectify", "Annex 2 row 14: policies implemented 0 on average, below 0.6")),
            "{reasons:?}"
        );
        assert!(reasons.contains(&("continue", "the plan sets no targets for the year: attainment not assessed")));
    }

    /// Headless Chromium through chromedriver's WebDriver HTTP interface; `None` (the test says it skipped) where
    /// chromedriver is not installed, a failure under CI=true.
    /// Standard base64, as WebDriver sends screenshots.
    fn base64_decode(text: &str) -> Vec<u8> {
        let value = |c: u8| match c {
            b'A'..=b'Z' => Some(c - b'A'),
            b'a'..=b'z' => Some(c - b'a' + 26),
            b'0'..=b'9' => Some(c - b'0' + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        };
        let (mut out, mut bits, mut held) = (Vec::with_capacity(text.len() * 3 / 4), 0u32, 0u32);
        for v in text.bytes().filter_map(value) {
            bits = bits << 6 | u32::from(v);
            held += 6;
            if held >= 8 {
                held -= 8;
                out.push((bits >> held) as u8);
            }
        }
        out
    }

    struct Browser {
        driver: std::process::Child,
        http: reqwest::Client,
        session: String,
    }

    impl Drop for Browser {
        fn drop(&mut self) {
            let _ = self.driver.kill();
        }
    }

    impl Browser {
        async fn start() -> Option<Browser> {
            let Some(chromedriver) = ["/usr/bin/chromedriver"].into_iter().find(|p| std::path::Path::new(p).exists())
            else {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("CI=true but chromedriver is not installed: .ci/run installs chromium-driver");
                }
                eprintln!("SKIPPED: chromedriver is not installed, so the browser test did not run");
                return None;
            };
            let port =
                std::net::TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
            let driver = std::process::Command::new(chromedriver)
                .arg(format!("--port={port}"))
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("start chromedriver");
            let http = reqwest::Client::new();
            let base = format!("http://127.0.0.1:{port}");
            let mut browser = Browser { driver, http, session: String::new() };
            for _ in 0..200 {
                if browser.http.get(format!("{base}/status")).send().await.is_ok() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            // An official's laptop screen: the pages must work at 1366x768.
            let args = [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--window-size=1366,768",
            ];
            // The browser's console is kept, so a test can say a page logged no error.
            let capabilities = serde_json::json!({"capabilities": {"alwaysMatch": {
                "goog:chromeOptions": {"args": args}, "goog:loggingPrefs": {"browser": "ALL"}}}});
            let created: Value = browser
                .http
                .post(format!("{base}/session"))
                .json(&capabilities)
                .send()
                .await
                .expect("new session")
                .json()
                .await
                .expect("JSON");
            let id = created["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {created}"));
            browser.session = format!("{base}/session/{id}");
            Some(browser)
        }

        async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
            let mut request = self.http.request(method, format!("{}{path}", self.session));
            if let Some(body) = body {
                request = request.json(&body);
            }
            let answer: Value = request.send().await.expect("webdriver").json().await.expect("JSON");
            answer["value"].clone()
        }

        /// What the pages logged as errors since the last call.
        async fn console_errors(&self) -> Vec<String> {
            let log = self.call(reqwest::Method::POST, "/se/log", Some(serde_json::json!({"type": "browser"}))).await;
            log.as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["level"] == "SEVERE")
                .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
                .collect()
        }

        /// Saves the page as a PNG under target/screenshots, kept by CI as an artifact.
        async fn screenshot(&self, name: &str) {
            let png = self.call(reqwest::Method::GET, "/screenshot", None).await;
            let bytes = base64_decode(png.as_str().unwrap_or_default());
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
            std::fs::create_dir_all(&dir).expect("screenshots folder");
            std::fs::write(dir.join(format!("{name}.png")), bytes).expect("screenshot");
        }

        async fn open(&self, url: &str) {
            self.call(reqwest::Method::POST, "/url", Some(serde_json::json!({ "url": url }))).await;
        }

        async fn element(&self, css: &str) -> String {
            let found = self
                .call(
                    reqwest::Method::POST,
                    "/element",
                    Some(serde_json::json!({"using": "css selector", "value": css})),
                )
                .await;
            let id = found.as_object().and_then(|o| o.values().next()).and_then(Value::as_str);
            id.unwrap_or_else(|| panic!("no element {css}: {found}")).to_owned()
        }

        async fn type_into(&self, css: &str, text: &str) {
            let id = self.element(css).await;
            self.call(
                reqwest::Method::POST,
                &format!("/element/{id}/value"),
                Some(serde_json::json!({ "text": text })),
            )
            .await;
        }

        async fn click(&self, css: &str) {
            let id = self.element(css).await;
            self.call(reqwest::Method::POST, &format!("/element/{id}/click"), Some(serde_json::json!({}))).await;
        }

        async fn text_of(&self, css: &str) -> String {
            let id = self.element(css).await;
            self.call(reqwest::Method::GET, &format!("/element/{id}/text"), None)
                .await
                .as_str()
                .unwrap_or("")
                .to_owned()
        }

        async fn source(&self) -> String {
            self.call(reqwest::Method::GET, "/source", None).await.as_str().unwrap_or("").to_owned()
        }

        async fn clear(&self, css: &str) {
            let id = self.element(css).await;
            self.call(reqwest::Method::POST, &format!("/element/{id}/clear"), Some(serde_json::json!({}))).await;
        }

        /// Replaces what an input holds.
        async fn fill(&self, css: &str, text: &str) {
            self.clear(css).await;
            self.type_into(css, text).await;
        }

        /// An attribute as the page was sent (`kind` "attribute"), or a property as it is now ("property").
        async fn read(&self, css: &str, kind: &str, name: &str) -> String {
            let id = self.element(css).await;
            self.call(reqwest::Method::GET, &format!("/element/{id}/{kind}/{name}"), None)
                .await
                .as_str()
                .unwrap_or("")
                .to_owned()
        }

        /// Logs in through the login page, from a browser holding no session.
        async fn log_in(&self, base: &str, name: &str, password: &str) {
            self.call(reqwest::Method::DELETE, "/cookie", None).await;
            self.open(&format!("{base}/login")).await;
            self.type_into("input[name=username]", name).await;
            self.type_into("input[name=password]", password).await;
            self.click("form.api-form button").await;
            self.wait_for(|s| s.contains("/api/v1/auth/logout")).await;
        }

        /// What `script` (a function body) returns, run in the page.
        async fn script(&self, script: &str) -> Value {
            self.call(reqwest::Method::POST, "/execute/sync", Some(serde_json::json!({"script": script, "args": []})))
                .await
        }

        async fn resize(&self, width: u32, height: u32) {
            let rect = serde_json::json!({"width": width, "height": height});
            self.call(reqwest::Method::POST, "/window/rect", Some(rect)).await;
        }

        /// Presses the Tab key once, as a keyboard user moves to the next control.
        async fn press_tab(&self) {
            let key = |kind: &str| serde_json::json!({"type": kind, "value": "\u{E004}"});
            let actions = serde_json::json!({"actions": [
                {"type": "key", "id": "keyboard", "actions": [key("keyDown"), key("keyUp")]}]});
            self.call(reqwest::Method::POST, "/actions", Some(actions)).await;
        }

        /// Waits (a bounded number of polls) for the text of an element to satisfy `ready`, and answers it.
        async fn wait_for_text(&self, css: &str, ready: impl Fn(&str) -> bool) -> String {
            let mut text = String::new();
            for _ in 0..100 {
                text = self.text_of(css).await;
                if ready(&text) {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            text
        }

        /// Waits (a bounded number of polls) for the page to satisfy `ready`, and answers its source.
        async fn wait_for(&self, ready: impl Fn(&str) -> bool) -> String {
            let mut source = String::new();
            for _ in 0..100 {
                source = self.source().await;
                if ready(&source) {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            source
        }
    }

    #[tokio::test]
    async fn in_a_browser_a_province_logs_in_and_an_expert_reviews_through_the_forms() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        add(&app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu-1").await;
        add(&app, "prof-li", Role::Expert, None, "pass-expert-1").await;
        let login = |name: &'static str, password: &'static str| {
            let browser = &browser;
            let base = app.base.clone();
            async move {
                browser.open(&format!("{base}/login")).await;
                browser.type_into("input[name=username]", name).await;
                browser.type_into("input[name=password]", password).await;
                browser.click("form.api-form button").await;
            }
        };
        login("jiangsu", "wrong-password").await;
        browser.wait_for(|s| s.contains("wrong username or password")).await;
        assert_eq!(browser.text_of(".form-result").await, "wrong username or password");
        login("jiangsu", "pass-jiangsu-1").await;
        let desk = browser.wait_for(|s| s.contains("提交年度报告")).await;
        assert!(desk.contains("江苏·苏南: 提交年度报告"), "the province's to-do after a cookie login: {desk}");
        browser.click("form.api-form.inline button").await;
        let home = browser.wait_for(|s| !s.contains("提交年度报告")).await;
        assert!(home.contains("已确认的国家科技成果转移转化示范区"), "logged out to the home page");

        let js = token(&app, "jiangsu", "pass-jiangsu-1").await;
        let step = |action: &str, version: i64, document: Value| {
            let r = app
                .client
                .post(format!("{}/api/v1/zones/jiangsu-suzhong/lifecycle/{action}", app.base))
                .bearer_auth(&js)
                .header("if-match", format!("\"{version}\""))
                .json(&serde_json::json!({ "document": document }));
            async move { assert_eq!(r.send().await.expect("step").status(), StatusCode::OK) }
        };
        step(
            "propose_demand",
            0,
            serde_json::json!({"name": "江苏苏中示范区", "short_name": "江苏·苏中",
            "members": ["321000"], "demand": "需求", "idea": "思路", "consent": true}),
        )
        .await;
        let sections = serde_json::json!({
            "建设基础和重要意义": "a", "总体要求": {"指导思想": "a", "建设原则": "a", "总体布局": "a", "建设目标与指标": "a"},
            "特色定位": "a", "示范任务": "a", "组织实施": "a", "重点任务分解与进度安排": "a", "建设目标与指标": "a"
        });
        let targets = serde_json::json!([{"indicator": "contract_turnover", "year": 2027, "value": "100"}]);
        step("draft_plan", 1, serde_json::json!({"sections": sections, "targets": targets})).await;
        step("assign_experts", 2, serde_json::json!({"experts": ["prof-li"]})).await;

        login("prof-li", "pass-expert-1").await;
        browser.wait_for(|s| s.contains("review_plan")).await;
        browser.type_into("input[name='document.score']", "88").await;
        browser.type_into("textarea[name='document.comment']", "方案可行").await;
        browser.click("input[name='document.conflict_of_interest']").await;
        browser.click("form.review button").await;
        browser.wait_for(|s| !s.contains("review_plan")).await;
        let state: Value = app.ok_json_as("/api/v1/zones/jiangsu-suzhong/lifecycle", &js).await;
        assert_eq!(state["stage"], "plan_reviewed", "{state}");
        let review = &state["history"].as_array().expect("history").last().expect("a step")["document"];
        assert_eq!(*review, serde_json::json!({"score": 88, "comment": "方案可行", "conflict_of_interest": false}));
        browser.call(reqwest::Method::DELETE, "", None).await;
    }

    /// The annual report round in a browser: the province types values (checked as it types) and submits, the
    /// ministry returns it with a comment, the province sees the comment, changes a value and submits again, the
    /// ministry accepts, and the values are public.
    #[tokio::test]
    async fn in_a_browser_the_annual_report_goes_round_until_the_ministry_accepts_it() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        add(&app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu-1").await;
        add(&app, "most", Role::Ministry, None, "pass-ministry-1").await;
        let editor = format!("{}/zones/jiangsu-sunan/reports/2026/edit", app.base);

        browser.log_in(&app.base, "jiangsu", "pass-jiangsu-1").await;
        let desk = browser.source().await;
        assert!(desk.contains("/zones/jiangsu-sunan/reports/2026/edit"), "the to-do leads to the editor: {desk}");
        browser.open(&editor).await;
        browser.wait_for(|s| s.contains("report-grid")).await;
        let first = "table.report-grid input";
        let name = browser.read(first, "attribute", "name").await;
        let (element, division) = name.split_once('@').expect("element@division");
        let message = format!("#msg-{}", name.replace('@', "\\@"));
        browser.fill(first, "12x").await;
        assert_eq!(browser.text_of(&message).await, "请输入数字", "letters are caught as they are typed");
        browser.fill(first, "-5").await;
        assert_eq!(browser.text_of(&message).await, "不能为负数");
        browser.fill(first, "120").await;
        assert_eq!(browser.text_of(&message).await, "");
        browser.type_into("textarea[name=text]", "一、建设进展").await;
        browser.click("button[name=submit]").await;
        browser.wait_for(|s| s.contains("id=\"report-status\">已提交")).await;
        let ministry = token(&app, "most", "pass-ministry-1").await;
        let report: Value = app.ok_json_as("/api/v1/zones/jiangsu-sunan/reports/2026", &ministry).await;
        assert_eq!(report["status"], "submitted", "{report}");
        let value = |report: &Value| {
            report["values"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|v| v["element"] == element && v["division_code"] == division)
                .map(|v| v["value"].clone())
        };
        assert_eq!(value(&report), Some(Value::from("120")), "{report}");
        assert_eq!(report["text"], "一、建设进展");

        browser.log_in(&app.base, "most", "pass-ministry-1").await;
        assert!(browser.source().await.contains("审核年度报告"), "the ministry's to-do");
        browser.open(&editor).await;
        browser.wait_for(|s| s.contains("name=\"return\"")).await;
        browser.type_into("textarea[name=comment]", "请补充说明技术合同数据来源").await;
        browser.click("button[name=return]").await;
        browser.wait_for(|s| s.contains("id=\"report-status\">已退回")).await;

        browser.log_in(&app.base, "jiangsu", "pass-jiangsu-1").await;
        browser.open(&editor).await;
        let page = browser.wait_for(|s| s.contains("report-grid")).await;
        assert!(page.contains("请补充说明技术合同数据来源"), "the province reads the ministry's comment");
        browser.fill(first, "130").await;
        browser.click("button[name=save]").await;
        let saved = browser.wait_for_text("form.report-form .form-result", |t| !t.is_empty()).await;
        assert!(saved.starts_with("已保存，版本"), "{saved}");
        browser.open(&editor).await;
        let page = browser.wait_for(|s| s.contains("report-grid")).await;
        assert!(page.contains("与上次提交相比的修改"), "the changes since the submission are listed");
        browser.click("button[name=submit]").await;
        browser.wait_for(|s| s.contains("id=\"report-status\">已提交")).await;

        browser.log_in(&app.base, "most", "pass-ministry-1").await;
        browser.open(&editor).await;
        let page = browser.wait_for(|s| s.contains("name=\"accept\"")).await;
        assert!(page.contains("与上次提交相比的修改"), "the ministry sees what changed since it returned the report");
        browser.click("button[name=accept]").await;
        browser.wait_for(|s| s.contains("id=\"report-status\">已接受")).await;
        let public: Value = app.ok_json("/api/v1/zones/jiangsu-sunan/reports/2026").await;
        assert_eq!(public["status"], "accepted", "{public}");
        assert_eq!(value(&public), Some(Value::from("130")), "the accepted values are public: {public}");
        browser.call(reqwest::Method::DELETE, "", None).await;
    }

    /// A stale page cannot overwrite a newer save: the second window is told, and keeps what was typed.
    #[tokio::test]
    async fn in_a_browser_a_stale_report_page_is_told_and_keeps_its_input() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        add(&app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu-1").await;
        browser.log_in(&app.base, "jiangsu", "pass-jiangsu-1").await;
        browser.open(&format!("{}/zones/jiangsu-sunan/reports/2026/edit", app.base)).await;
        browser.wait_for(|s| s.contains("report-grid")).await;
        let js = token(&app, "jiangsu", "pass-jiangsu-1").await;
        let saved = app
            .client
            .put(format!("{}/api/v1/zones/jiangsu-sunan/values/2026", app.base))
            .bearer_auth(&js)
            .header("if-match", "\"0\"")
            .json(&serde_json::json!({"values": [], "text": "另一位同事先保存"}))
            .send()
            .await
            .expect("save");
        assert_eq!(saved.status(), StatusCode::OK);
        let first = "table.report-grid input";
        browser.fill(first, "77").await;
        browser.click("button[name=save]").await;
        let told = browser.wait_for_text("form.report-form .form-result", |t| !t.is_empty()).await;
        assert!(told.contains("已被他人更新"), "the stale page is told: {told}");
        assert_eq!(browser.read(first, "property", "value").await.as_str(), "77", "what was typed stays on the page");
        let report: Value = app.ok_json_as("/api/v1/zones/jiangsu-sunan/reports/2026", &js).await;
        assert_eq!(report["text"], "另一位同事先保存", "nothing was overwritten: {report}");
        browser.call(reqwest::Method::DELETE, "", None).await;
    }

    /// The procedure in a browser: the ministry creates, disables and re-enables an expert's account; the province
    /// proposes a zone and writes its plan, assigns the expert, who reviews it, and submits it; the ministry approves
    /// it with the approval number and starts construction; the province registers a policy and proposes an
    /// experience, which the ministry publishes; the ministry evaluates the term and decides beside the proposal.
    /// The main pages of the demo in a real browser: they log no error, the charts are drawn with data, the language
    /// switch turns the page English; a screenshot of each is kept under target/screenshots.
    #[tokio::test]
    async fn in_a_browser_the_main_pages_of_the_demo_render_without_errors() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        let settings = ttdz_app::Settings { clock: backends::test_clock(), ..ttdz_app::Settings::default() };
        let ctx = ttdz_app::Context::new(app.store.shared(), settings);
        ttdz_app::demo::load(&ctx, &ttdz_app::Viewer::Operator("test".into()), "test").await.expect("demo");
        for (name, path, expect) in [
            ("home", "/", "svg class=\"tiles\""),
            ("zone", "/zones/jiangsu-sunan", "svg class=\"radar\""),
            ("evaluation", "/evaluation", "group-leader"),
            ("indicators", "/indicators", "技术合同成交额"),
            ("achievements", "/achievements?q=%E7%94%B5%E6%B1%A0", "demo-a-001"),
            ("demand", "/demands", "demo-d-001"),
            ("compare", "/compare?zones=zhejiang&zones=jiangsu-sunan&zones=ningbo", "svg class=\"bars\""),
            ("flows", "/flows", "svg class=\"matrix\""),
            ("listings", "/listings", "一种高导热石墨烯复合材料的制备方法"),
            ("annual-report", "/api/v1/zones/jiangsu-sunan/reports/2024.html", "svg class=\"trend\""),
        ] {
            browser.open(&format!("{}{path}", app.base)).await;
            let page = browser.wait_for(|s| s.contains(expect)).await;
            assert!(page.contains(expect), "{path} shows {expect}");
            assert_eq!(browser.console_errors().await, Vec::<String>::new(), "{path} logs no error");
            browser.screenshot(name).await;
        }
        browser.open(&format!("{}/zones/jiangsu-sunan", app.base)).await;
        let zone = browser.wait_for(|s| s.contains("svg class=\"trend\"")).await;
        assert!(zone.matches("<circle").count() > 50, "the trends are drawn with data");
        browser.open(&format!("{}/lang/en?next=/zones/jiangsu-sunan", app.base)).await;
        let english = browser.wait_for(|s| s.contains("lang=\"en\"")).await;
        assert!(english.contains("Every indicator over the years"), "the switch turns the page English");
        browser.screenshot("zone-en").await;
        browser.call(reqwest::Method::DELETE, "", None).await;
    }

    /// On a phone (390 px wide) no page of the demo scrolls sideways (wide tables scroll inside themselves); by
    /// keyboard alone, the first Tab stop skips to the content, the next reach every part of the site, and the
    /// control in focus is outlined.
    #[tokio::test]
    async fn in_a_browser_the_pages_work_on_a_phone_and_by_keyboard() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        let settings = ttdz_app::Settings { clock: backends::test_clock(), ..ttdz_app::Settings::default() };
        let ctx = ttdz_app::Context::new(app.store.shared(), settings);
        ttdz_app::demo::load(&ctx, &ttdz_app::Viewer::Operator("test".into()), "test").await.expect("demo");
        browser.resize(390, 844).await;
        let inner = browser.script("return window.innerWidth;").await.as_i64().expect("width");
        assert!(inner <= 420, "a phone's width: {inner}");
        for (name, path) in [
            ("home", "/"),
            ("zone", "/zones/jiangsu-sunan"),
            ("evaluation", "/evaluation"),
            ("indicators", "/indicators"),
            ("flows", "/flows"),
            ("achievements", "/achievements"),
            ("compare", "/compare?zones=zhejiang&zones=jiangsu-sunan"),
            ("login", "/login"),
        ] {
            browser.open(&format!("{}{path}", app.base)).await;
            browser.wait_for(|s| s.contains("</footer>")).await;
            let widths = browser.script("return [document.documentElement.scrollWidth, window.innerWidth];").await;
            let (page, window) = (widths[0].as_i64().expect("scroll"), widths[1].as_i64().expect("inner"));
            assert!(page <= window, "{path} is {page} px wide on a {window} px phone");
            browser.screenshot(&format!("phone-{name}")).await;
        }

        browser.resize(1366, 768).await;
        browser.open(&format!("{}/", app.base)).await;
        browser.wait_for(|s| s.contains("</footer>")).await;
        browser.press_tab().await;
        let first = browser.script("return document.activeElement.className;").await;
        assert_eq!(first, "skip", "the first stop skips to the content");
        let mut reached = Vec::new();
        for _ in 0..16 {
            browser.press_tab().await;
            let at = browser.script("return document.activeElement.getAttribute('href');").await;
            let outline = browser.script("return getComputedStyle(document.activeElement).outlineStyle;").await;
            assert_ne!(outline, "none", "{at} is outlined in focus");
            reached.push(at.as_str().unwrap_or_default().to_owned());
        }
        for place in ["/", "/indicators", "/evaluation", "/flows", "/achievements", "/workbench"] {
            assert!(reached.iter().any(|r| r == place), "{place} is reached by keyboard: {reached:?}");
        }
        assert!(reached.iter().any(|r| r.starts_with("/lang/")), "so is the language switch: {reached:?}");
        browser.call(reqwest::Method::DELETE, "", None).await;
    }

    /// Contract registration in a browser: the institution files a contract through its form; the registrar of
    /// its locality registers it with the technical part corrected; the number and the figure follow.
    #[tokio::test]
    async fn in_a_browser_an_institution_files_a_contract_and_the_registrar_registers_it() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        add(&app, "nju-tto", Role::Institution, None, "pass-institution-1").await;
        add(&app, "reg-xuanwu", Role::Registrar, None, "pass-registrar-1").await;
        browser.log_in(&app.base, "nju-tto", "pass-institution-1").await;
        browser.open(&format!("{}/workbench", app.base)).await;
        browser.click("a[href='/contracts']").await;
        browser.wait_for(|s| s.contains("name=\"turnover_yuan\"")).await;
        browser.type_into("input[name=title]", "石墨烯导热膜技术转让").await;
        browser.type_into("input[name=seller_name]", "南京某大学").await;
        browser.type_into("input[name=buyer_name]", "杭州某科技有限公司").await;
        browser.type_into("input[name=buyer_division]", "330106").await;
        browser.type_into("input[name=field]", "新材料").await;
        browser.script("document.querySelector('input[name=signed_on]').value = '2026-01-15';").await;
        browser.type_into("input[name=turnover_yuan]", "2000000").await;
        browser.type_into("input[name=tech_amount_yuan]", "1500000").await;
        browser.click("form[data-api='/api/v1/contracts'] button").await;
        let page = browser.wait_for(|s| s.contains("待登记")).await;
        assert!(page.contains("石墨烯导热膜技术转让") && page.contains("2000000.00"), "filed: {page}");

        browser.log_in(&app.base, "reg-xuanwu", "pass-registrar-1").await;
        browser.open(&format!("{}/contracts", app.base)).await;
        browser.wait_for(|s| s.contains("/register")).await;
        browser.type_into("form[data-api$='/register'] input[name=tech_amount_yuan]", "1400000").await;
        browser.click("form[data-api$='/register'] button").await;
        let page = browser.wait_for(|s| s.contains("2026320102000001")).await;
        assert!(page.contains("已登记") && page.contains("1400000.00"), "registered: {page}");

        // An amendment: the registrar opens the form, which starts from the contract's terms.
        browser.click("details.amend summary").await;
        browser.script("document.querySelector(\"input[name='contract.turnover_yuan']\").value = '';").await;
        browser.type_into("input[name='contract.turnover_yuan']", "2100000").await;
        browser.type_into("details.amend input[name=reason]", "补充协议增加金额").await;
        browser.click("form[data-api$='/amend'] button").await;
        let page = browser.wait_for(|s| s.contains("2100000.00")).await;
        assert!(page.contains("补充协议增加金额") && page.contains("2026320102000001"), "amended: {page}");
        let registrar_token = token(&app, "reg-xuanwu", "pass-registrar-1").await;
        let amended = app.ok_json_as("/api/v1/contracts?status=registered", &registrar_token).await;
        assert_eq!(amended[0]["tech_amount_yuan"], "1400000.00", "the technical part as it was: {amended}");
        assert_eq!(browser.console_errors().await, Vec::<String>::new());
        browser.screenshot("contracts-registrar").await;
        browser.call(reqwest::Method::DELETE, "", None).await;
    }

    /// The registers in a browser, signed in as a province: from the workbench to the brokers' register, a broker
    /// added through the form (with a training), shown with the province's count; then ended with a date.
    #[tokio::test]
    async fn in_a_browser_a_province_keeps_its_register_of_brokers() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        add(&app, "js-kjt", Role::Province, Some("320000"), "pass-province-1").await;
        browser.log_in(&app.base, "js-kjt", "pass-province-1").await;
        browser.open(&format!("{}/workbench", app.base)).await;
        browser.click("a[href='/registers']").await;
        browser.wait_for(|s| s.contains("register=tech_brokers")).await;
        browser.click("a[href='/registers?register=tech_brokers']").await;
        browser.wait_for(|s| s.contains("data-rows=\"trainings\"")).await;
        browser.type_into("form[data-api='/api/v1/registers/tech_brokers'] input[name=name]", "王敏").await;
        browser.type_into("form[data-api='/api/v1/registers/tech_brokers'] input[name=division]", "320102").await;
        browser.script("document.querySelector(\"form[data-api='/api/v1/registers/tech_brokers'] input[name=from]\").value = '2026-01-10';").await;
        browser.click("select[name=level] option[value='高级']").await;
        browser
            .script("document.querySelector(\"[data-rows=trainings] input[data-field=date]\").value = '2026-01-05';")
            .await;
        browser.type_into("[data-rows=trainings] input[data-field=course]", "技术经纪人培训").await;
        browser.type_into("[data-rows=trainings] input[data-field=hours]", "48").await;
        browser.click("form[data-api='/api/v1/registers/tech_brokers'] button").await;
        let page = browser.wait_for(|s| s.contains("技术经纪人培训（48）")).await;
        assert!(page.contains("王敏") && page.contains("等级：高级"), "added: {page}");
        let kept = app.ok_json("/api/v1/registers/tech_brokers?division=320000&year=2026").await;
        assert_eq!(kept["in_force_at_year_end"], 1, "{kept}");

        browser
            .script("document.querySelector(\"form[data-method=PUT] input[name=until]\").value = '2026-03-31';")
            .await;
        browser.click("form[data-method=PUT] button").await;
        browser.wait_for(|s| s.contains("2026-03-31")).await;
        let ended = app.ok_json("/api/v1/registers/tech_brokers?division=320000&year=2026").await;
        assert_eq!(ended["in_force_at_year_end"], 0, "{ended}");
        assert_eq!(browser.console_errors().await, Vec::<String>::new());
        browser.screenshot("registers-province").await;
        browser.call(reqwest::Method::DELETE, "", None).await;
    }

    /// Listing in a browser: an institution lists an achievement for auction through the form; another bids
    /// under the reserve (told why, nothing stored) and then above it; the notice shows the highest bid.
    #[tokio::test]
    async fn in_a_browser_an_institution_lists_an_achievement_and_another_bids() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        add(&app, "nju-tto", Role::Institution, None, "pass-institution-1").await;
        add(&app, "buyer-co", Role::Institution, None, "pass-institution-2").await;
        browser.log_in(&app.base, "nju-tto", "pass-institution-1").await;
        browser.open(&format!("{}/workbench", app.base)).await;
        browser.click("a[href='/listings?mine=1']").await;
        browser.wait_for(|s| s.contains("name=\"reserve_yuan\"")).await;
        browser.type_into("input[name=title]", "一种高导热石墨烯复合材料的制备方法").await;
        browser.click("select[name=method] option[value='auction']").await;
        browser.type_into("input[name=reserve_yuan]", "500000").await;
        browser.type_into("input[name=seller_name]", "南京大学").await;
        browser.type_into("input[name=field]", "新材料").await;
        browser.script("document.querySelector('input[name=opens_on]').value = '2026-06-15';").await;
        browser.script("document.querySelector('input[name=closes_on]').value = '2026-06-30';").await;
        browser.type_into("textarea[name=notice]", "专利拟拍卖转让，起拍价 50 万元。").await;
        browser.click("form[data-api='/api/v1/listings'] button").await;
        let page = browser.wait_for(|s| s.contains("/withdraw")).await;
        assert!(page.contains("一种高导热石墨烯复合材料的制备方法") && page.contains(">50.00<"), "{page}");

        browser.log_in(&app.base, "buyer-co", "pass-institution-2").await;
        browser.open(&format!("{}/listings", app.base)).await;
        browser.wait_for(|s| s.contains("/bids")).await;
        browser.type_into("form[data-api$='/bids'] input[name=buyer_name]", "杭州某材料公司").await;
        browser.type_into("form[data-api$='/bids'] input[name=amount_yuan]", "400000").await;
        browser.click("form[data-api$='/bids'] button").await;
        let page = browser.wait_for(|s| s.contains("under the reserve")).await;
        assert!(page.contains("amount_yuan"), "told which field: {page}");
        browser.script("document.querySelector(\"form[data-api$='/bids'] input[name=amount_yuan]\").value = '';").await;
        browser.type_into("form[data-api$='/bids'] input[name=amount_yuan]", "520000").await;
        browser.click("form[data-api$='/bids'] button").await;
        browser.wait_for(|s| s.contains(">52.00<")).await;
        let listed = app.ok_json("/api/v1/listings").await;
        assert_eq!(listed[0]["highest_yuan"], "520000.00", "{listed}");
        assert_eq!(listed[0]["bids"].as_array().map(Vec::len), Some(1), "the refused bid left nothing");
        let errors = browser.console_errors().await;
        assert!(errors.iter().all(|e| e.contains("/bids") && e.contains("422")), "only the refused bid: {errors:?}");
        browser.screenshot("listings-bidder").await;
        browser.call(reqwest::Method::DELETE, "", None).await;
    }

    /// An expert assesses a published achievement through the form: a score and reasons per dimension (rows sent
    /// as a list), a conclusion, the cost approach filled and the others left empty (not sent); the page then
    /// shows the assessment with the valuation's steps.
    #[tokio::test]
    async fn in_a_browser_an_expert_assesses_an_achievement_with_a_valuation() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        add(&app, "most", Role::Ministry, None, "pass-ministry-1").await;
        add(&app, "prof-wang", Role::Expert, None, "pass-expert-1").await;
        let mi = token(&app, "most", "pass-ministry-1").await;
        let line =
            "{\"id\": \"r1\", \"title\": \"石墨烯导热膜\", \"abstract\": \"卷对卷制备。\", \"division\": \"320211\"}\n";
        let part = reqwest::multipart::Part::bytes(line.as_bytes().to_vec()).file_name("r.jsonl");
        let imported = app
            .client
            .post(format!("{}/api/v1/achievements/import", app.base))
            .bearer_auth(&mi)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("import");
        assert_eq!(imported.status(), StatusCode::CREATED);
        let id = app.ok_json("/api/v1/achievements/search").await["hits"][0]["id"].as_i64().expect("id");

        browser.open(&format!("{}/login", app.base)).await;
        browser.type_into("input[name=username]", "prof-wang").await;
        browser.type_into("input[name=password]", "pass-expert-1").await;
        browser.click("form.api-form button").await;
        // Signed in once the workbench names the account.
        browser.wait_for(|s| s.contains("<code>prof-wang</code>")).await;
        browser.open(&format!("{}/achievements/{id}", app.base)).await;
        browser.wait_for(|s| s.contains("name=\"assess\"")).await;
        for (n, dimension) in ["scientific", "technical", "economic", "social", "potential"].iter().enumerate() {
            let row = format!("tr[data-row*='{dimension}']");
            browser.click(&format!("{row} select option[value='{}']", 3 + n % 3)).await;
            browser.type_into(&format!("{row} input[data-field=reasons]"), "依据充分").await;
        }
        browser.type_into("textarea[name=conclusion]", "建议许可转化").await;
        browser.type_into("input[name=evidence]", "检测报告").await;
        browser.type_into("[data-rows='valuation.cost.items'] label:first-child input", "600000").await;
        browser.type_into("input[name='valuation.cost.obsolescence_percent']", "25").await;
        browser.click("button[name=assess]").await;
        let page = browser.wait_for(|s| s.contains("成本法：450000")).await;
        assert!(page.contains("成本法：450000") && page.contains("依据充分"), "{page}");
        let kept = app.ok_json(&format!("/api/v1/achievements/{id}/assessments")).await;
        let valuation = &kept[0]["valuation"];
        assert_eq!(
            (valuation["cost"]["value"].as_str(), valuation["market"].is_null()),
            (Some("450000.00"), true),
            "{kept}"
        );
        assert_eq!(kept[0]["assessment"]["scores"].as_array().map(Vec::len), Some(5));
        browser.call(reqwest::Method::DELETE, "", None).await;
    }

    #[tokio::test]
    async fn in_a_browser_a_zone_goes_from_demand_to_construction_and_accounts_are_administered() {
        let Some(browser) = Browser::start().await else { return };
        let app = TestApp::sqlite().await;
        add(&app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu-1").await;
        add(&app, "most", Role::Ministry, None, "pass-ministry-1").await;

        browser.log_in(&app.base, "most", "pass-ministry-1").await;
        browser.open(&format!("{}/accounts", app.base)).await;
        browser.wait_for(|s| s.contains("name=\"create\"")).await;
        browser.type_into("input[name=username]", "prof-zhang").await;
        browser.click("select[name=role] option[value=expert]").await;
        browser.type_into("input[name=password]", "pass-expert-1").await;
        browser.click("button[name=create]").await;
        browser.wait_for(|s| s.contains("account-prof-zhang")).await;
        browser.click("#account-prof-zhang button[name=disable]").await;
        browser.wait_for(|s| s.contains("name=\"enable\"")).await;
        let disabled = app
            .client
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&serde_json::json!({"username": "prof-zhang", "password": "pass-expert-1"}))
            .send()
            .await
            .expect("login");
        assert_eq!(disabled.status(), StatusCode::UNAUTHORIZED, "a disabled account cannot log in");
        browser.click("#account-prof-zhang button[name=enable]").await;
        browser.wait_for(|s| s.contains("name=\"disable\"")).await;

        browser.log_in(&app.base, "jiangsu", "pass-jiangsu-1").await;
        browser.open(&format!("{}/zones/new", app.base)).await;
        browser.wait_for(|s| s.contains("name=\"propose_demand\"")).await;
        browser.type_into("input[name=key]", "jiangsu-suzhong").await;
        browser.type_into("input[name='document.name']", "江苏苏中国家科技成果转移转化示范区").await;
        browser.type_into("input[name='document.short_name']", "江苏·苏中").await;
        browser.click("input[name='document.members[]'][value='321000']").await;
        browser.type_into("textarea[name='document.demand']", "需求").await;
        browser.type_into("textarea[name='document.idea']", "思路").await;
        browser.click("input[name='document.consent']").await;
        browser.click("button[name=propose_demand]").await;
        browser.wait_for(|s| s.contains("/zones/jiangsu-suzhong/plan/edit")).await;
        browser.open(&format!("{}/zones/jiangsu-suzhong/plan/edit", app.base)).await;
        browser.wait_for(|s| s.contains("name=\"draft_plan\"")).await;
        for textarea in [
            "建设基础和重要意义",
            "总体要求.指导思想",
            "总体要求.建设原则",
            "总体要求.总体布局",
            "总体要求.建设目标与指标",
            "特色定位",
            "示范任务",
            "组织实施",
            "重点任务分解与进度安排",
            "建设目标与指标",
        ] {
            browser.type_into(&format!("textarea[name='document.sections.{textarea}']"), "内容").await;
        }
        browser.type_into("input[name='document.targets[]']", "150").await;
        browser.type_into("[data-featured] input[data-field=code]", "brokers_per_100_firms").await;
        browser.type_into("[data-featured] input[data-field=name]", "每百家新注册企业技术经纪人数").await;
        browser.click("[data-featured] select[data-field=numerator] option[value=tech_brokers]").await;
        browser.click("[data-featured] select[data-field=denominator] option[value=new_registered_enterprises]").await;
        browser.type_into("[data-featured] input[data-target-year]", "6").await;
        browser.click("button[name=draft_plan]").await;
        browser.wait_for(|s| s.contains("name=\"assign_experts\"")).await;
        browser.click("input[name='document.experts[]'][value='prof-zhang']").await;
        browser.click("button[name=assign_experts]").await;
        browser.wait_for(|s| s.contains("论证专家</dt>")).await;

        browser.log_in(&app.base, "prof-zhang", "pass-expert-1").await;
        browser.open(&format!("{}/zones/jiangsu-suzhong/procedure", app.base)).await;
        let page = browser.wait_for(|s| s.contains("name=\"review_plan\"")).await;
        assert!(page.contains("总体要求.指导思想"), "the expert reads the plan section by section");
        browser.type_into("input[name='document.score']", "90").await;
        browser.type_into("textarea[name='document.comment']", "可行").await;
        browser.click("input[name='document.conflict_of_interest']").await;
        browser.click("button[name=review_plan]").await;
        browser.wait_for(|s| s.contains("/api/v1/auth/logout")).await;

        browser.log_in(&app.base, "jiangsu", "pass-jiangsu-1").await;
        browser.open(&format!("{}/zones/jiangsu-suzhong/procedure", app.base)).await;
        browser.wait_for(|s| s.contains("name=\"submit_plan\"")).await;
        browser.click("button[name=submit_plan]").await;
        browser.wait_for(|s| s.contains("已报送科技部")).await;

        browser.log_in(&app.base, "most", "pass-ministry-1").await;
        assert!(
            browser.source().await.contains("/zones/jiangsu-suzhong/procedure"),
            "the ministry's to-do leads there"
        );
        browser.open(&format!("{}/zones/jiangsu-suzhong/procedure", app.base)).await;
        browser.wait_for(|s| s.contains("name=\"approve_plan\"")).await;
        browser.type_into("input[name='document.approval_number']", "国科发创〔2026〕12号").await;
        browser.click("button[name=approve_plan]").await;
        browser.wait_for(|s| s.contains("name=\"start_construction\"")).await;
        browser.click("button[name=start_construction]").await;
        browser.wait_for(|s| s.contains("id=\"stage\">建设中")).await;
        let state: Value = app.ok_json("/api/v1/zones/jiangsu-suzhong/lifecycle").await;
        assert_eq!(state["stage"], "under_construction", "{state}");
        let approval = state["history"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["action"] == "approve_plan")
            .expect("approval");
        assert_eq!(approval["document"]["approval_number"], "国科发创〔2026〕12号");
        let plan =
            state["history"].as_array().into_iter().flatten().find(|e| e["action"] == "draft_plan").expect("plan");
        let featured = &plan["document"]["featured"][0];
        assert_eq!(
            (&featured["code"], &featured["numerator"], &featured["targets"][0]["value"]),
            (&Value::from("brokers_per_100_firms"), &Value::from("tech_brokers"), &Value::from("6")),
            "the featured indicator as the plan editor sent it: {plan}"
        );

        // The province registers a policy and proposes what worked; the ministry publishes it.
        browser.log_in(&app.base, "jiangsu", "pass-jiangsu-1").await;
        browser.open(&format!("{}/zones/jiangsu-suzhong/policies", app.base)).await;
        browser.wait_for(|s| s.contains("name=\"add_policy\"")).await;
        browser.type_into("input[name=issuer]", "江苏省人民政府").await;
        browser.type_into("input[name=number]", "苏政发〔2026〕3号").await;
        browser.type_into("input[name=issued]", "2026-03").await;
        browser.type_into("form[data-api$='/policies'] input[name=title]", "促进科技成果转化若干措施").await;
        browser.type_into("textarea[name=provisions]", "成果转化收益70%以上奖励团队").await;
        browser.click("button[name=add_policy]").await;
        browser.wait_for(|s| s.contains("id=\"policy-")).await;
        browser.type_into("form[data-api$='/experiences'] input[name=title]", "职务科技成果赋权改革").await;
        browser.type_into("textarea[name=summary]", "赋予科研人员成果所有权").await;
        browser.click("input[name='policies[]']").await;
        browser.click("button[name=propose_experience]").await;
        browser.wait_for(|s| s.contains("待科技部发布")).await;

        // The ministry publishes it, evaluates the term and decides, beside the proposed verdict.
        browser.log_in(&app.base, "most", "pass-ministry-1").await;
        browser.open(&format!("{}/experiences", app.base)).await;
        browser.wait_for(|s| s.contains("name=\"publish\"")).await;
        browser.click("button[name=publish]").await;
        browser.wait_for(|s| !s.contains("name=\"publish\"")).await;
        let library = app.get("/experiences").await.text().await.expect("page");
        assert!(library.contains("职务科技成果赋权改革"), "published for the public");
        browser.open(&format!("{}/zones/jiangsu-suzhong/procedure", app.base)).await;
        browser.wait_for(|s| s.contains("name=\"evaluate_term\"")).await;
        browser.type_into("textarea[name='document.summary']", "建设成效明显").await;
        browser.click("button[name=evaluate_term]").await;
        let decisions = browser.wait_for(|s| s.contains("name=\"continue\"")).await;
        assert!(decisions.contains("建议结论"), "the proposed verdict with its reasons beside the decision");
        browser.type_into("form[data-api$='/continue'] textarea[name='document.reasons']", "同意继续支持").await;
        browser.click("button[name=continue]").await;
        browser.wait_for(|s| s.contains("id=\"stage\">后续支持")).await;
        let state: Value = app.ok_json("/api/v1/zones/jiangsu-suzhong/lifecycle").await;
        assert_eq!(state["stage"], "continued", "{state}");
        browser.call(reqwest::Method::DELETE, "", None).await;
    }
}

fn test_audit() -> ttdz_domain::audit::AuditContext {
    ttdz_domain::audit::AuditContext { actor: "test".into(), origin: "test".into(), zone: None, province: None }
}
