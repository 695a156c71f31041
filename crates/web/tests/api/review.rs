use reqwest::StatusCode;
use serde_json::{Value, json};
use ttdz_domain::account::Role;

use crate::TestApp;
use crate::accounts::{add, login, token};

on_both_backends!(
    draft_values_are_private_until_the_ministry_accepts_the_report,
    a_province_cannot_replace_another_provinces_batch,
    hostile_and_malformed_input_gets_a_named_4xx_and_changes_nothing,
    an_experience_of_a_zone_before_approval_is_not_public,
    figures_kept_in_memory_follow_writes_made_through_another_instance,
    reminders_reach_the_province_that_must_act,
);

/// Who takes part: the zone's province, another province, an expert without assignment, the ministry.
struct Cast {
    jiangsu: String,
    zhejiang: String,
    expert: String,
    ministry: String,
}

async fn cast(app: &TestApp) -> Cast {
    add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
    add(app, "zhejiang", Role::Province, Some("330000"), "pass-zhejiang").await;
    add(app, "prof-zhao", Role::Expert, None, "pass-expert").await;
    add(app, "most", Role::Ministry, None, "pass-ministry").await;
    Cast {
        jiangsu: token(app, "jiangsu", "pass-jiangsu").await,
        zhejiang: token(app, "zhejiang", "pass-zhejiang").await,
        expert: token(app, "prof-zhao", "pass-expert").await,
        ministry: token(app, "most", "pass-ministry").await,
    }
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    who: Option<&str>,
    version: Option<i64>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut r = app.client.request(method, format!("{}{path}", app.base));
    if let Some(t) = who {
        r = r.bearer_auth(t);
    }
    if let Some(v) = version {
        r = r.header("if-match", format!("\"{v}\""));
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.expect("request")
}

fn cell<'a>(view: &'a Value, code: &str) -> &'a Value {
    view["indicators"].as_array().expect("indicators").iter().find(|i| i["code"] == code).expect("indicator")
}

async fn json_as(app: &TestApp, path: &str, who: Option<&str>) -> Value {
    let r = app.get_as(path, who).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.expect("JSON")
}

/// 8.1: a report's values are figures from the ministry's acceptance on; until then (and after a return) only
/// the ministry, the zone's province and the experts assigned to the zone see them, marked as a draft, beside the
/// published figure. Every surface that shows figures is asked as the public and as each role.
async fn draft_values_are_private_until_the_ministry_accepts_the_report(app: &TestApp) {
    let c = cast(app).await;
    let values = json!({"values": [{"element": "tech_brokers", "division_code": "320100", "value": 120}]});
    let put = send(
        app,
        reqwest::Method::PUT,
        "/api/v1/zones/jiangsu-sunan/values/2025",
        Some(&c.jiangsu),
        Some(0),
        Some(values),
    )
    .await;
    assert_eq!(put.status(), StatusCode::OK);

    let zone = "/api/v1/zones/jiangsu-sunan/indicators?year=2025";
    let surfaces = [
        zone,
        "/api/v1/national/indicators?year=2025",
        "/api/v1/divisions/320100/indicators?year=2025",
        "/api/v1/divisions/320000/indicators?year=2025",
        "/api/v1/evaluations?year=2025",
        "/api/v1/zones/jiangsu-sunan/evaluation?year=2025",
        "/api/v1/datasets",
    ];
    let leaks = |body: &str| body.contains("report:jiangsu-sunan-2025") || body.contains("\"120\"");
    for who in [None, Some(c.zhejiang.as_str()), Some(c.expert.as_str())] {
        for path in surfaces {
            let body = app.get_as(path, who).await.text().await.expect("body");
            assert!(!leaks(&body), "{path} as {who:?} shows the draft: {body}");
        }
        let view = json_as(app, zone, who).await;
        assert!(view.get("draft_status").is_none() && cell(&view, "tech_brokers").get("draft_value").is_none());
    }
    let (_, page) = app.html("/zones/jiangsu-sunan?year=2025", None).await;
    assert!(!page.contains("report:jiangsu-sunan-2025"), "the public zone page shows no draft");
    assert!(!page.contains("本年报告"), "nor a column for it");
    let own = app.get_as("/zones/jiangsu-sunan?year=2025", Some(&c.jiangsu)).await.text().await.expect("page");
    assert!(
        own.contains("本年报告（草稿）") && own.contains(">120<"),
        "the province sees its draft beside the figures"
    );
    let brokers = ttdz_domain::ElementCode::parse("tech_brokers").expect("element");
    let stored = app.store.store().reported(&brokers).await.expect("values");
    let nanjing = ttdz_domain::DivisionCode::parse("320100").expect("code");
    assert!(!stored.divisions.contains_key(&(nanjing, 2025)), "no figure (nor template's last-year value) reads it");

    // Those who oversee the zone see the draft beside the published figure.
    for who in [&c.jiangsu, &c.ministry] {
        let view = json_as(app, zone, Some(who)).await;
        assert_eq!(view["draft_status"], "draft");
        let brokers = cell(&view, "tech_brokers");
        assert!(brokers["value"].is_null(), "the published figure: none yet");
        assert_eq!(brokers["draft_value"], "120");
    }

    // Submitted and returned: still private; the ministry sees it submitted.
    assert_eq!(
        send(
            app,
            reqwest::Method::POST,
            "/api/v1/zones/jiangsu-sunan/reports/2025/submit",
            Some(&c.jiangsu),
            Some(1),
            None
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(json_as(app, zone, Some(&c.ministry)).await["draft_status"], "submitted");
    let returned = send(
        app,
        reqwest::Method::POST,
        "/api/v1/zones/jiangsu-sunan/reports/2025/return",
        Some(&c.ministry),
        Some(2),
        Some(json!({"comment": "请补充数据来源"})),
    )
    .await;
    assert_eq!(returned.status(), StatusCode::OK);
    for path in surfaces {
        assert!(!leaks(&app.get(path).await.text().await.expect("body")), "{path}: a returned report stays private");
    }
    assert_eq!(json_as(app, zone, Some(&c.jiangsu)).await["draft_status"], "returned");

    // Accepted: public, and no longer a draft for anyone.
    send(
        app,
        reqwest::Method::POST,
        "/api/v1/zones/jiangsu-sunan/reports/2025/submit",
        Some(&c.jiangsu),
        Some(3),
        None,
    )
    .await;
    let accepted = send(
        app,
        reqwest::Method::POST,
        "/api/v1/zones/jiangsu-sunan/reports/2025/accept",
        Some(&c.ministry),
        Some(4),
        None,
    )
    .await;
    assert_eq!(accepted.status(), StatusCode::OK);
    let public = json_as(app, zone, None).await;
    assert_eq!(cell(&public, "tech_brokers")["value"], "120");
    assert!(public["sources"].as_array().expect("sources").iter().any(|s| s["name"] == "report:jiangsu-sunan-2025"));
    let national = json_as(app, "/api/v1/national/indicators?year=2025", None).await;
    assert_eq!(cell(&national, "tech_brokers")["value"], "120");
    assert!(json_as(app, zone, Some(&c.jiangsu)).await.get("draft_status").is_none());
}

/// 15.1: batch names do not let one province replace another's data.
async fn a_province_cannot_replace_another_provinces_batch(app: &TestApp) {
    let c = cast(app).await;
    let upload = |who: &str, text: &str, batch: Option<&str>| {
        let mut form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name("data.csv"));
        if let Some(b) = batch {
            form = form.text("batch", b.to_owned());
        }
        let r = app.client.post(format!("{}/api/v1/imports/values", app.base)).bearer_auth(who).multipart(form);
        async move { r.send().await.expect("upload") }
    };
    let js = "division_code,year,element,value\n320100,2023,gdp_yuan,100\n";
    let zj = "division_code,year,element,value\n330100,2023,gdp_yuan,200\n";
    let r = upload(&c.jiangsu, js, None).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.expect("JSON")["batch"], "values:320000/data.csv");
    let r = upload(&c.zhejiang, zj, None).await;
    assert_eq!(r.json::<Value>().await.expect("JSON")["outcome"], "stored", "the same file name is another batch");
    let r = upload(&c.ministry, js, Some("national")).await;
    assert_eq!(r.status(), StatusCode::OK);
    // An explicit name does not reach another province's batch, nor the ministry's: a province's names live under
    // its own code (and the store refuses a batch recorded for another province whatever its name).
    for target in ["national", "320000/data.csv"] {
        let r = upload(&c.zhejiang, zj, Some(target)).await;
        assert_eq!(r.status(), StatusCode::OK);
        let body: Value = r.json().await.expect("JSON");
        assert_eq!(body["batch"], format!("values:330000/{target}"), "{body}");
        assert_eq!(body["outcome"], "stored", "{body}");
    }
    let datasets = json_as(app, "/api/v1/datasets", Some(&c.ministry)).await;
    let names: Vec<&str> = datasets.as_array().expect("list").iter().filter_map(|d| d["name"].as_str()).collect();
    for name in ["values:320000/data.csv", "values:330000/data.csv", "values:national"] {
        assert!(names.contains(&name), "{name} is still there: {names:?}");
    }
}

/// 15.4-15.8, 15.10: what a probe sent, and what it must get back.
async fn hostile_and_malformed_input_gets_a_named_4xx_and_changes_nothing(app: &TestApp) {
    let c = cast(app).await;
    let get = |path: &'static str| app.get(path);

    // Years out of range: 400, quickly (the verdict walked every year up to the one asked for).
    for path in [
        "/api/v1/zones/jiangsu-sunan/indicators?year=9999999",
        "/api/v1/national/indicators?year=0",
        "/api/v1/divisions/320000/indicators?year=-1",
        "/api/v1/evaluations?year=99999",
        "/api/v1/zones/jiangsu-sunan/evaluation?year=1800",
        "/api/v1/zones/jiangsu-sunan/template/99999.xlsx",
    ] {
        let r = get(path).await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(r.json::<Value>().await.expect("JSON")["error"], "invalid_parameter", "{path}");
    }
    let verdict = app.get_as("/api/v1/zones/jiangsu-sunan/verdict?year=9999999", Some(&c.ministry)).await;
    assert_eq!(verdict.status(), StatusCode::BAD_REQUEST);
    let report = app.get_as("/api/v1/zones/jiangsu-sunan/reports/99999", Some(&c.ministry)).await;
    assert_eq!(report.status(), StatusCode::BAD_REQUEST);

    // A line break in the language switch's target: a redirect home, not a 500.
    let r = get("/lang/zh?next=/%0d%0aX:1").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");

    // Report bodies: nothing but the documented shape; a missing `values` never empties the draft.
    let put = |body: Value, version: i64| {
        send(
            app,
            reqwest::Method::PUT,
            "/api/v1/zones/jiangsu-sunan/values/2026",
            Some(&c.jiangsu),
            Some(version),
            Some(body),
        )
    };
    let first = json!({"values": [{"element": "tech_brokers", "division_code": "320100", "value": 7}]});
    assert_eq!(put(first, 0).await.status(), StatusCode::OK);
    let named = |field: &'static str| {
        move |body: Value| {
            let message = body["message"].as_str().unwrap_or("").to_owned();
            assert!(message.contains(field), "the message names {field}: {message}");
        }
    };
    let cases: Vec<(Value, &str)> = vec![
        (json!({}), "values"),
        (json!({"value": []}), "value"),
        (json!([{"element": "tech_brokers", "division_code": "320100", "value": 1}]), "body"),
        (
            json!({"values": [
                {"element": "tech_brokers", "division_code": "320100", "value": 1},
                {"element": "tech_brokers", "division_code": "320100", "value": 2}
            ]}),
            "given twice",
        ),
        (
            json!({"values": [{"element": "tech_brokers", "division_code": "320100", "value": "0.0000000000000000000000000000001"}]}),
            "more digits",
        ),
        (json!({"values": [{"element": "tech_brokers", "division_code": "320100", "value": "abc"}]}), "not a number"),
        (json!({"values": [{"element": "tech_brokers", "division_code": "320100", "value": -3}]}), "negative"),
        (json!({"values": [], "text": "a\u{0}b"}), "NUL"),
        (json!({"values": [], "text": "长".repeat(200_001)}), "text has 200001 characters"),
    ];
    for (body, field) in cases {
        let r = put(body.clone(), 1).await;
        let status = r.status();
        let answer: Value = r.json().await.expect("JSON");
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"], "invalid_document");
        named(field)(answer);
    }
    let report = json_as(app, "/api/v1/zones/jiangsu-sunan/reports/2026", Some(&c.jiangsu)).await;
    assert_eq!((report["version"].as_i64(), report["values"][0]["value"].as_str()), (Some(1), Some("7")), "untouched");

    // Logins: a NUL is refused by name, a 5 MB username gets the ordinary answer and is stored nowhere.
    let r = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"username": "a\u{0}b", "password": "p"}))
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(login(app, &"u".repeat(5 << 20), "p").await.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(login(app, &"u".repeat(500), "p").await.status(), StatusCode::UNAUTHORIZED);
    let trail = app.store.store().audit(&ttdz_domain::audit::AuditQuery { limit: 1000, ..Default::default() }).await;
    assert!(trail.expect("trail").iter().all(|e| e.subject.len() <= 64), "no oversized name reached the database");

    // Proposals and policies: duplicates and oversize texts are named.
    let proposal = json!({"document": {"name": "江苏苏中示范区", "short_name": "江苏·苏中", "members": ["321000", "321000"],
        "demand": "需求", "idea": "思路", "consent": true}});
    let r = send(
        app,
        reqwest::Method::POST,
        "/api/v1/zones/jiangsu-suzhong/lifecycle/propose_demand",
        Some(&c.jiangsu),
        None,
        Some(proposal),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    named("listed twice")(r.json().await.expect("JSON"));
    let step = send(
        app,
        reqwest::Method::POST,
        "/api/v1/zones/zhejiang/lifecycle/evaluate_term",
        Some(&c.ministry),
        None,
        Some(json!({"document": {"summary": "s"}})),
    )
    .await;
    assert_eq!(step.status(), StatusCode::PRECONDITION_REQUIRED, "a step names the version it was decided on");
    named("If-Match")(step.json().await.expect("JSON"));
    let policy = json!({"level": "local", "issuer": "江苏省", "number": "苏政发〔2019〕2号", "issued": "2019",
        "title": "成果转化政策", "provisions": "条".repeat(20_001)});
    let r =
        send(app, reqwest::Method::POST, "/api/v1/zones/jiangsu-sunan/policies", Some(&c.jiangsu), None, Some(policy))
            .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    named("provisions has 20001 characters")(r.json().await.expect("JSON"));
    assert_eq!(json_as(app, "/api/v1/zones/jiangsu-sunan/policies", None).await, json!([]), "nothing was stored");

    // Errors the framework answers are JSON too.
    let r = app.client.post(format!("{}/api/v1/auth/login", app.base)).body("username=x").send().await.expect("login");
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json::<Value>().await.expect("JSON")["error"], "unsupported_media_type");
    let r = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json::<Value>().await.expect("JSON")["error"], "invalid_document");
    let r = app.get_as("/api/v1/policies/not-a-number/checks", Some(&c.ministry)).await;
    assert!(r.status().is_client_error());
    let r = send(
        app,
        reqwest::Method::POST,
        "/api/v1/policies/not-a-number/checks",
        Some(&c.ministry),
        None,
        Some(json!({})),
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(r.json::<Value>().await.expect("JSON")["error"], "invalid_parameter");

    // Signed-in answers are never cached; public ones may be.
    let private = app.get_as("/api/v1/zones/jiangsu-sunan/reports/2026", Some(&c.jiangsu)).await;
    assert_eq!(private.headers()["cache-control"], "no-store");
    let workbench = app.get_as("/workbench", Some(&c.jiangsu)).await;
    assert_eq!(workbench.headers()["cache-control"], "no-store");
    assert!(app.get("/api/v1/zones").await.headers().get("cache-control").is_none());
    let _ = c.expert;
}

/// 15.9: published or not, nothing of a zone before approval reaches the public.
async fn an_experience_of_a_zone_before_approval_is_not_public(app: &TestApp) {
    let c = cast(app).await;
    let proposal = json!({"document": {"name": "江苏苏中国家科技成果转移转化示范区", "short_name": "江苏·苏中",
        "members": ["321000"], "demand": "需求", "idea": "思路", "consent": true}});
    let r = send(
        app,
        reqwest::Method::POST,
        "/api/v1/zones/jiangsu-suzhong/lifecycle/propose_demand",
        Some(&c.jiangsu),
        None,
        Some(proposal),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let experience = json!({"title": "苏中经验", "summary": "做法", "policies": []});
    let r = send(
        app,
        reqwest::Method::POST,
        "/api/v1/zones/jiangsu-suzhong/experiences",
        Some(&c.jiangsu),
        None,
        Some(experience),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let id = r.json::<Value>().await.expect("JSON")["id"].as_i64().expect("id");
    let r =
        send(app, reqwest::Method::POST, &format!("/api/v1/experiences/{id}/publish"), Some(&c.ministry), None, None)
            .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(json_as(app, "/api/v1/experiences", None).await, json!([]), "the zone is not public yet");
    assert_eq!(json_as(app, "/api/v1/experiences", Some(&c.zhejiang)).await, json!([]));
    assert_eq!(json_as(app, "/api/v1/experiences", Some(&c.jiangsu)).await[0]["id"], id, "its province sees it");
    assert!(!app.html("/experiences", None).await.1.contains("苏中经验"));
}

/// 8.4: reports are due by 31 December in China: a report submitted at 00:30 on 1 January Beijing time (still
/// 31 December in UTC) is late. The clock is the application's, so the test sets the instant.
#[tokio::test]
async fn lateness_is_judged_in_china_standard_time_by_the_injected_clock() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let now = Arc::new(AtomicI64::new(jiff::Timestamp::from_second(0).expect("epoch").as_second()));
    let at = |iso: &str| iso.parse::<jiff::Timestamp>().expect("instant").as_second();
    let clock_now = Arc::clone(&now);
    let clock = ttdz_domain::Clock::from_fn(
        move || jiff::Timestamp::from_second(clock_now.load(Ordering::SeqCst)).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
        ttdz_domain::clock::DEFAULT_TIME_ZONE,
    )
    .expect("clock");
    let app = TestApp::with_state(crate::backends::sqlite().await, |s| s.with_clock(clock)).await;
    now.store(at("2026-12-01T00:00:00Z"), Ordering::SeqCst);
    add(&app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
    add(&app, "zhejiang", Role::Province, Some("330000"), "pass-zhejiang").await;
    let submit = |name: &'static str, zone: &'static str| {
        let app = &app;
        async move {
            // Sessions last a working day: log in at the moment of submitting.
            let who = token(app, name, &format!("pass-{name}")).await;
            let values = json!({"values": []});
            let path = format!("/api/v1/zones/{zone}/values/2026");
            assert_eq!(
                send(app, reqwest::Method::PUT, &path, Some(&who), Some(0), Some(values)).await.status(),
                StatusCode::OK
            );
            let path = format!("/api/v1/zones/{zone}/reports/2026/submit");
            let r = send(app, reqwest::Method::POST, &path, Some(&who), Some(1), None).await;
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Value>().await.expect("JSON")
        }
    };
    // 23:59 on 31 December in Beijing: on time.
    now.store(at("2026-12-31T15:59:00Z"), Ordering::SeqCst);
    let on_time = submit("jiangsu", "jiangsu-sunan").await;
    assert_eq!((on_time["late"].as_bool(), on_time["submitted_at"].as_str()), (Some(false), Some("2026-12-31")));
    // 00:30 on 1 January in Beijing, 16:30 on 31 December in UTC: late.
    now.store(at("2026-12-31T16:30:00Z"), Ordering::SeqCst);
    let late = submit("zhejiang", "zhejiang").await;
    assert_eq!((late["late"].as_bool(), late["submitted_at"].as_str()), (Some(true), Some("2027-01-01")));
}

/// 15.10: behind HTTPS the session cookie is `Secure`.
#[tokio::test]
async fn the_session_cookie_is_secure_when_the_deployment_says_so() {
    let app = TestApp::with_state(crate::backends::sqlite().await, |s| s.with_secure_cookies(true)).await;
    add(&app, "most", Role::Ministry, None, "pass-ministry").await;
    let r = login(&app, "most", "pass-ministry").await;
    let cookie = r.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    let plain = TestApp::sqlite().await;
    add(&plain, "most", Role::Ministry, None, "pass-ministry").await;
    let cookie = login(&plain, "most", "pass-ministry").await.headers()["set-cookie"].to_str().expect("c").to_owned();
    assert!(!cookie.contains("Secure"), "plain HTTP on a developer's machine: {cookie}");
}

/// 8.12: pages show amounts as officials read them (亿元 or 万元 with two decimals) and no English on Chinese pages;
/// the API keeps the exact values.
#[tokio::test]
async fn pages_round_figures_as_officials_read_them_and_speak_one_language() {
    use ttdz_domain::measure::SourceKind;
    use ttdz_store::{Batch, DivisionValue};
    let app = TestApp::sqlite().await;
    let value = |code: &str, yuan: i64| DivisionValue {
        element: ttdz_domain::ElementCode::parse("contract_turnover_yuan").expect("element"),
        division: ttdz_domain::DivisionCode::parse(code).expect("code"),
        year: 2023,
        value: rust_decimal::Decimal::from(yuan),
        note: None,
    };
    let batch = Batch {
        dataset: ttdz_domain::Dataset {
            name: "values:turnover".into(),
            files: vec!["turnover.csv".into()],
            sha256: "a".repeat(64),
            source: "test".into(),
        },
        kind: SourceKind::Reported,
        recorded_by: "test".into(),
        scope: None,
        rows: 2,
        division_values: vec![value("320100", 1_877_237_234), value("320102", 1_234_567)],
        zone_values: Vec::new(),
        rollups: Vec::new(),
        flows: Vec::new(),
        contract_numbers: Default::default(),
    };
    app.store.store().replace_batch(&batch, &crate::test_audit()).await.expect("store");
    let exact = json_as(&app, "/api/v1/divisions/320100/indicators?year=2023", None).await;
    assert_eq!(cell(&exact, "contract_turnover")["value"], "18.77237234", "the API keeps the exact value");

    let (_, nanjing) = app.html("/divisions/320100?year=2023", None).await;
    assert!(nanjing.contains("187723.72") && nanjing.contains("万元"), "a city's money in 万元, two decimals");
    assert!(!nanjing.contains("18.77237234"));
    let (_, sunan) = app.html("/zones/jiangsu-sunan?year=2023", None).await;
    assert!(sunan.contains("18.77") && !sunan.contains("18.77237234"), "a zone's money in 亿元, two decimals");
    let (_, xuanwu) = app.html("/divisions/320102?year=2023", None).await;
    assert!(xuanwu.contains("123.46"), "a county's 1234567 元 is 123.46 万元");

    // The zone's approval note in the page's language.
    assert!(sunan.contains("据科技日报所列名单于2016—2018年间获批"), "the Chinese note");
    assert!(!sunan.contains("exact date not confirmed"), "no English note on the Chinese page");
    let (_, english) = app.html("/zones/jiangsu-sunan?year=2023", Some("en")).await;
    assert!(english.contains("exact date not confirmed") && !english.contains("据科技日报所列名单"));
    let api = json_as(&app, "/api/v1/zones/jiangsu-sunan", None).await;
    assert!(
        api["approval_note_zh"].as_str().is_some_and(|n| n.contains("具体日期未确认"))
            && api["approval_note"].is_string()
    );
}

/// Figures are computed once per data revision and kept; a write through another instance of the deployment moves
/// the revision, and the next answer has it.
async fn figures_kept_in_memory_follow_writes_made_through_another_instance(app: &TestApp) {
    use ttdz_domain::measure::SourceKind;
    use ttdz_store::{Batch, DivisionValue};
    let path = "/api/v1/zones/jiangsu-sunan/indicators?year=2023";
    let before = json_as(app, path, None).await;
    assert!(cell(&before, "contract_turnover")["value"].is_null());
    assert_eq!(json_as(app, path, None).await, before, "the same revision, the same answer");
    let evaluation = json_as(app, "/api/v1/evaluations?year=2023", None).await;

    let elsewhere = app.store.reopen().await;
    let batch = Batch {
        dataset: ttdz_domain::Dataset {
            name: "values:elsewhere".into(),
            files: vec!["elsewhere.csv".into()],
            sha256: "d".repeat(64),
            source: "test".into(),
        },
        kind: SourceKind::Reported,
        recorded_by: "test".into(),
        scope: None,
        rows: 1,
        division_values: vec![DivisionValue {
            element: ttdz_domain::ElementCode::parse("contract_turnover_yuan").expect("element"),
            division: ttdz_domain::DivisionCode::parse("320100").expect("code"),
            year: 2023,
            value: rust_decimal::Decimal::from(4_000_000_000_i64),
            note: None,
        }],
        zone_values: Vec::new(),
        rollups: Vec::new(),
        flows: Vec::new(),
        contract_numbers: Default::default(),
    };
    elsewhere.replace_batch(&batch, &crate::test_audit()).await.expect("written elsewhere");
    let after = json_as(app, path, None).await;
    assert_eq!(cell(&after, "contract_turnover")["value"], "40", "40 亿元, written through the other instance");
    assert_ne!(json_as(app, "/api/v1/evaluations?year=2023", None).await, evaluation, "the evaluation moves too");
}

/// What the background jobs leave is on the workbench and in the API of the province it concerns, and the ministry's.
async fn reminders_reach_the_province_that_must_act(app: &TestApp) {
    let c = cast(app).await;
    let todo = ttdz_store::Todo {
        zone: ttdz_domain::ZoneKey::parse("jiangsu-sunan").expect("key"),
        province: ttdz_domain::DivisionCode::parse("320000").expect("code"),
        kind: "report_due".into(),
        subject: "2026".into(),
        due_on: "2026-12-31".into(),
    };
    app.store.store().add_todo(&todo, &crate::test_audit()).await.expect("todo");
    let own = json_as(app, "/api/v1/todos", Some(&c.jiangsu)).await;
    assert_eq!(
        own,
        json!([{"zone": "jiangsu-sunan", "kind": "report_due", "subject": "2026", "due_on": "2026-12-31"}])
    );
    assert_eq!(json_as(app, "/api/v1/todos", Some(&c.zhejiang)).await, json!([]), "not 浙江's");
    assert_eq!(json_as(app, "/api/v1/todos", Some(&c.ministry)).await, own, "the ministry sees all");
    assert_eq!(app.get_as("/api/v1/todos", Some(&c.expert)).await.status(), StatusCode::FORBIDDEN);
    let desk = app.get_as("/workbench", Some(&c.ministry)).await.text().await.expect("page");
    assert!(desk.contains("江苏·苏南: 提醒：即将截止的年度报告 2026"), "the ministry's list: {desk}");
    let own = app.get_as("/workbench", Some(&c.jiangsu)).await.text().await.expect("page");
    assert_eq!(own.matches("2026 (截止 2026-12-31)").count(), 1, "the province's list names its report once: {own}");
    let other = app.get_as("/workbench", Some(&c.zhejiang)).await.text().await.expect("page");
    assert!(!other.contains("江苏·苏南"), "nor 浙江's");
}
