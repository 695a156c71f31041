//! The probe: every route of the OpenAPI document and every page, for every role, with the answer its access
//! rule promises; then hostile path parameters, bodies and headers on every route. Nothing may answer 5xx.

use reqwest::{Method, StatusCode};
use serde_json::Value;
use ttdz_domain::account::Role;
use ttdz_web::auth::{Access, rule};

use crate::TestApp;
use crate::accounts::{add, token};

on_both_backends!(every_route_answers_every_role_as_its_rule_says_and_nothing_answers_5xx);

/// Path parameters a probe tries in place of each example.
const HOSTILE_SEGMENTS: [&str; 12] = [
    "%00",
    "%0d%0aX:1",
    "99999999999999999999999",
    "-1",
    "0",
    "..%2F..%2Fetc%2Fpasswd",
    "%27%20OR%201%3D1%20--",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%E4%B8%AD%E6%96%87",
    "9999999",
    "1.5",
    "",
];

async fn call(
    app: &TestApp,
    method: &Method,
    path: &str,
    who: Option<&str>,
    body: Option<reqwest::Body>,
    content_type: Option<&str>,
) -> StatusCode {
    let mut r = app.client.request(method.clone(), format!("{}{path}", app.base)).header("if-match", "\"1\"");
    if let Some(t) = who {
        r = r.bearer_auth(t);
    }
    if let Some(t) = content_type {
        r = r.header("content-type", t);
    }
    if let Some(b) = body {
        r = r.body(b);
    }
    let response = r.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status();
    if path.starts_with("/api/") && status.is_client_error() {
        let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        // A workbook with its bad cells marked is the one non-JSON error answer.
        if !kind.contains("spreadsheetml") {
            let text = response.text().await.unwrap_or_default();
            let body: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{method} {path} answered {status} without a JSON error: {text}"));
            assert!(body["error"].is_string() && body["message"].is_string(), "{method} {path}: {body}");
        }
    }
    status
}

async fn every_route_answers_every_role_as_its_rule_says_and_nothing_answers_5xx(app: &TestApp) {
    add(app, "most", Role::Ministry, None, "pass-ministry").await;
    add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
    add(app, "zhejiang", Role::Province, Some("330000"), "pass-zhejiang").await;
    add(app, "prof-qian", Role::Expert, None, "pass-expert").await;
    add(app, "nju", Role::Institution, None, "pass-institution").await;
    add(app, "registrar-nj", Role::Registrar, None, "pass-registrar").await;
    add(app, "broker-su", Role::Broker, None, "pass-broker").await;
    let mut callers: Vec<(Option<Role>, Option<String>)> = vec![(None, None)];
    for (role, name, password) in [
        (Role::Ministry, "most", "pass-ministry"),
        (Role::Province, "jiangsu", "pass-jiangsu"),
        (Role::Province, "zhejiang", "pass-zhejiang"),
        (Role::Expert, "prof-qian", "pass-expert"),
        (Role::Institution, "nju", "pass-institution"),
        (Role::Registrar, "registrar-nj", "pass-registrar"),
        (Role::Broker, "broker-su", "pass-broker"),
    ] {
        callers.push((Some(role), Some(token(app, name, password).await)));
    }

    let doc = app.ok_json("/api/v1/openapi.json").await;
    let paths = doc["paths"].as_object().expect("paths");
    let mut probes = 0;
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let method: Method = method.to_uppercase().parse().expect("method");
            let access = rule(&method, path).unwrap_or_else(|| panic!("{method} {path} has no access rule"));
            let url = crate::example_path(path, operation);
            // Logging out ends the session the rest of the probe uses: it is probed last, below.
            if path == "/api/v1/auth/logout" {
                continue;
            }
            for (role, who) in &callers {
                let body = (method != Method::GET).then(|| reqwest::Body::from("{}"));
                let status = call(app, &method, &url, who.as_deref(), body, Some("application/json")).await;
                probes += 1;
                assert!(!status.is_server_error(), "{method} {url} as {role:?}: {status}");
                match (access, role) {
                    (Access::Public, _) => {}
                    (_, None) => assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {url} as the public"),
                    (Access::Authenticated, Some(_)) => {
                        assert!(status != StatusCode::UNAUTHORIZED, "{method} {url} as {role:?}")
                    }
                    (Access::Roles(allowed), Some(r)) if !allowed.contains(r) => {
                        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {url} as {r}")
                    }
                    (Access::Roles(_), Some(r)) => {
                        assert!(status != StatusCode::UNAUTHORIZED, "{method} {url} as {r}: {status}")
                    }
                }
            }
            // Hostile path parameters, as the public and as the ministry (who passes every role check).
            for segment in HOSTILE_SEGMENTS {
                let mut hostile = path.clone();
                for p in operation["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "path") {
                    let name = p["name"].as_str().expect("name");
                    hostile = hostile.replace(&format!("{{{name}}}"), segment);
                }
                if hostile == *path {
                    break;
                }
                for who in [None, callers[1].1.as_deref()] {
                    let body = (method != Method::GET).then(|| reqwest::Body::from("{}"));
                    let status = call(app, &method, &hostile, who, body, Some("application/json")).await;
                    probes += 1;
                    assert!(!status.is_server_error(), "{method} {hostile}: {status}");
                }
            }
            // Hostile bodies on every write, for every caller.
            if method != Method::GET {
                let long = format!("{{\"document\": {{\"summary\": \"{}\"}}}}", "长".repeat(300_000));
                let bodies: [(&str, String); 7] = [
                    ("application/json", "not json".into()),
                    ("application/json", "{\"username\": \"a\\u0000b\", \"document\": {\"a\": \"\\u0000\"}}".into()),
                    ("application/json", "[]".into()),
                    ("application/json", long),
                    ("application/json", "{\"values\": [{\"element\": \"gdp_yuan\", \"division_code\": \"320100\", \"value\": 1e400}]}".into()),
                    ("text/plain", "x".into()),
                    ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n\0\0\0\r\n--x--\r\n".into()),
                ];
                for (kind, body) in &bodies {
                    for (role, who) in &callers {
                        let body = Some(reqwest::Body::from(body.clone()));
                        let status = call(app, &method, &url, who.as_deref(), body, Some(kind)).await;
                        probes += 1;
                        assert!(!status.is_server_error(), "{method} {url} as {role:?} with a {kind} body: {status}");
                    }
                }
            }
        }
    }

    // Pages, for everyone; with hostile parameters too.
    for page in ttdz_web::html::PAGES {
        let url = page.replace("{key}", "jiangsu-sunan").replace("{code}", "320100").replace("{lang}", "en");
        for (_, who) in &callers {
            let status = call(app, &Method::GET, &url, who.as_deref(), None, None).await;
            probes += 1;
            assert!(!status.is_server_error(), "GET {url}: {status}");
        }
        for segment in HOSTILE_SEGMENTS {
            let hostile = page.replace("{key}", segment).replace("{code}", segment).replace("{lang}", segment);
            for query in ["", "?year=9999999", "?year=-5", "?next=%0d%0a", "?year=abc"] {
                let status = call(app, &Method::GET, &format!("{hostile}{query}"), None, None, None).await;
                probes += 1;
                assert!(!status.is_server_error(), "GET {hostile}{query}: {status}");
            }
        }
    }

    // Last, logging out, which ends each session.
    for (role, who) in &callers {
        let status = call(app, &Method::POST, "/api/v1/auth/logout", who.as_deref(), None, None).await;
        let expected = if role.is_some() { StatusCode::NO_CONTENT } else { StatusCode::UNAUTHORIZED };
        assert_eq!(status, expected, "logout as {role:?}");
    }
    assert!(probes > 2_000, "the probe covered {probes} requests");
    eprintln!("probe: {probes} requests, none answered 5xx");
}
