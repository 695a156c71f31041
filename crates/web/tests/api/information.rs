use reqwest::StatusCode;
use serde_json::{Value, json};
use ttdz_domain::account::Role;

use crate::TestApp;
use crate::accounts::{add, token};

on_both_backends!(
    achievements_are_assessed_by_others_and_valued_with_every_step,
    subscribers_receive_what_is_published_in_what_they_follow,
    achievements_are_filed_moderated_published_searched_and_matched,
    hostile_searches_get_an_answer_or_a_named_400,
    registry_files_import_whole_or_not_at_all,
);

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    version: Option<i64>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = app.client.request(method, format!("{}{path}", app.base)).bearer_auth(token).json(&body);
    if let Some(v) = version {
        request = request.header("if-match", format!("\"{v}\""));
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A public GET, asked again until `done` holds (or two seconds passed): the search index follows the change log,
/// which on PostgreSQL shows a commit once every older transaction on the server has ended.
async fn eventually(app: &TestApp, path: &str, done: impl Fn(&Value) -> bool) -> (StatusCode, Value) {
    let mut answer = public(app, path).await;
    for _ in 0..100 {
        if done(&answer.1) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        answer = public(app, path).await;
    }
    answer
}

async fn public(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let response = app.get_as(path, None).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// An institution files an achievement (a draft nobody else sees), submits it; another province may not publish
/// it, its own does; the public finds it by Chinese words with highlights and escaped HTML; a demand filed and
/// published the same way is matched with it, with reasons.
async fn achievements_are_filed_moderated_published_searched_and_matched(app: &TestApp) {
    add(app, "nju-tto", Role::Institution, None, "pass-nju").await;
    add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
    add(app, "zhejiang", Role::Province, Some("330000"), "pass-zhejiang").await;
    let (nju, js, zj) = (
        token(app, "nju-tto", "pass-nju").await,
        token(app, "jiangsu", "pass-jiangsu").await,
        token(app, "zhejiang", "pass-zhejiang").await,
    );

    let achievement = json!({
        "id": "NJU-2026-001",
        "title": "高镍三元锂电池正极材料的<script>制备方法",
        "abstract": "本发明公开了一种高镍三元锂离子电池正极材料的制备方法，通过共沉淀和两段烧结提高循环稳定性。",
        "holder": "南京大学", "inventors": ["张三", "李四"], "field": "new_energy", "maturity": 6,
        "modes": ["transfer", "license"], "price": 1200000,
        "ip": [{"number": "ZL202110000001.0", "kind": "invention", "status": "已授权"}]
    });
    let (status, filed) =
        send(app, reqwest::Method::POST, "/api/v1/achievements", &nju, None, achievement.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!((filed["status"].as_str(), filed["external_id"].as_str()), (Some("draft"), Some("NJU-2026-001")));
    assert_eq!(filed["description"]["price"], "1200000", "money kept as an exact decimal");
    assert_eq!(filed["description"]["division"], "320102", "the holder's division by default");
    let id = filed["id"].as_i64().expect("id");
    let path = format!("/api/v1/achievements/{id}");
    let (status, again) = send(app, reqwest::Method::POST, "/api/v1/achievements", &nju, None, achievement).await;
    assert_eq!(status, StatusCode::CONFLICT, "the same external id twice: {again}");
    let (status, refused) =
        send(app, reqwest::Method::POST, "/api/v1/achievements", &nju, None, json!({"title": "x", "maturity": 12}))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("maturity")), "{refused}");
    assert_eq!(public(app, &path).await.0, StatusCode::NOT_FOUND, "a draft is its owner's");
    let (status, _) = send(app, reqwest::Method::POST, "/api/v1/achievements", &js, None, json!({"title": "t"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a province files no achievements");

    let step = |action: &str| format!("{path}/{action}");
    let (status, _) = send(app, reqwest::Method::POST, &step("submit"), &nju, None, json!({})).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "a step names the version it is based on");
    let (status, submitted) = send(app, reqwest::Method::POST, &step("submit"), &nju, Some(1), json!({})).await;
    assert_eq!((status, submitted["status"].as_str()), (StatusCode::OK, Some("review")), "{submitted}");
    let warned = submitted["warnings"].as_array().expect("warnings for its owner");
    assert!(warned.iter().any(|w| w.as_str().is_some_and(|w| w.contains("contact"))), "{submitted}");
    let version = submitted["version"].as_i64().expect("version");
    let (status, _) = send(app, reqwest::Method::POST, &step("publish"), &zj, Some(version), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another province does not even see it");
    let (status, _) = send(app, reqwest::Method::POST, &step("publish"), &nju, Some(version), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "an owner does not publish its own");
    let (status, _) = send(app, reqwest::Method::POST, &step("return"), &js, Some(version), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a return says why");
    let (status, desk) = send(app, reqwest::Method::GET, "/api/v1/information/desk", &js, None, Value::Null).await;
    assert_eq!((status, desk.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "the province's queue: {desk}");
    let (status, published) = send(app, reqwest::Method::POST, &step("publish"), &js, Some(version), json!({})).await;
    assert_eq!((status, published["status"].as_str()), (StatusCode::OK, Some("published")), "{published}");
    assert_eq!(published["zones"], json!(["jiangsu-sunan"]), "南京 lies in 江苏·苏南");
    assert!(public(app, &path).await.1.get("warnings").is_none(), "the moderator's notes are not public");

    let searched = "/api/v1/achievements/search?q=%E9%94%82%E7%94%B5%E6%B1%A0%20%E6%AD%A3%E6%9E%81";
    let (status, found) = eventually(app, searched, |v| v["total"] == 1).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["total"], 1);
    let hit = &found["hits"][0];
    assert_eq!(hit["external_id"], "NJU-2026-001");
    assert!(hit["snippet_html"].as_str().is_some_and(|s| s.contains("<b>")), "highlighted: {hit}");
    let title = hit["title_html"].as_str().expect("title");
    assert!(title.contains("&lt;script&gt;") && !title.contains("<script>"), "escaped: {title}");
    let filtered = public(app, "/api/v1/achievements/search?q=%E7%94%B5%E6%B1%A0&field=new_energy&area=jiangsu-sunan&maturity_min=5&mode=license").await.1;
    assert_eq!(filtered["total"], 1, "every filter holds: {filtered}");
    for miss in ["field=biomedicine", "area=330000", "maturity_min=7", "mode=equity"] {
        let none = public(app, &format!("/api/v1/achievements/search?q=%E7%94%B5%E6%B1%A0&{miss}")).await.1;
        assert_eq!(none["total"], 0, "{miss}: {none}");
    }

    // A demand of an enterprise elsewhere in the province, for the same technology.
    add(app, "wuxi-battery", Role::Institution, None, "pass-wuxi").await;
    let wuxi = token(app, "wuxi-battery", "pass-wuxi").await;
    let demand = json!({"title": "寻求高镍正极材料量产技术", "description": "需要高镍三元正极材料的烧结工艺，提高锂电池循环寿命。",
        "enterprise": "无锡某电池公司", "division": "320211", "field": "new_energy", "budget": "3000000"});
    let (status, filed) = send(app, reqwest::Method::POST, "/api/v1/demands", &wuxi, None, demand).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let demand_path = format!("/api/v1/demands/{}", filed["id"]);
    send(app, reqwest::Method::POST, &format!("{demand_path}/submit"), &wuxi, Some(1), json!({})).await;
    let (status, _) =
        send(app, reqwest::Method::POST, &format!("{demand_path}/publish"), &js, Some(2), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, matched) = eventually(app, &format!("{demand_path}/matches"), |v| v["matches"][0].is_object()).await;
    assert_eq!(status, StatusCode::OK, "{matched}");
    let best = &matched["matches"][0];
    assert_eq!(best["external_id"], "NJU-2026-001", "{matched}");
    let reasons = &best["reasons"];
    assert_eq!((reasons["same_field"].as_bool(), reasons["maturity"].as_i64()), (Some(true), Some(6)));
    assert_eq!(reasons["proximity"], "same_province");
    let shared = reasons["shared_terms"].as_array().expect("terms");
    assert!(shared.iter().any(|w| w == "三元") && shared.iter().any(|w| w == "烧结"), "{reasons}");
    let (_, answers) = eventually(app, &format!("{path}/matches"), |v| v["matches"][0].is_object()).await;
    assert_eq!(answers["matches"][0]["id"], filed["id"], "and the achievement answers the demand");

    // The pages: the search with its highlighted hit, the demand with its match and reasons, the filing form for
    // institutions only, the province's desk.
    let page = |path: String, token: Option<String>| async move {
        let response = app.get_as(&path, token.as_deref()).await;
        (response.status(), response.text().await.expect("HTML"))
    };
    let (status, html) = page("/achievements?q=%E6%AD%A3%E6%9E%81%E6%9D%90%E6%96%99".into(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("NJU-2026-001") && html.contains("<b>") && html.contains("&lt;script&gt;"), "{html}");
    assert!(!html.contains("<script>制备"), "the title is escaped on the page");
    let (_, html) = page(demand_path.replace("/api/v1", ""), None).await;
    assert!(html.contains("可满足该需求的成果") && html.contains("同一省份") && html.contains("烧结"), "{html}");
    assert_eq!(page("/achievements/new".into(), Some(nju.clone())).await.0, StatusCode::OK);
    assert_eq!(page("/achievements/new".into(), Some(js.clone())).await.0, StatusCode::FORBIDDEN);
    let (status, html) = page("/information/desk".into(), Some(nju.clone())).await;
    assert!(status == StatusCode::OK && html.contains("NJU-2026-001"), "the institution's own records");
    let (_, html) = page(format!("/achievements/{id}"), Some(nju.clone())).await;
    assert!(html.contains("name=\"withdraw\"") && !html.contains("name=\"publish\""), "its owner's steps only");

    // Withdrawn to edit, it leaves the public search until published again.
    let version = published["version"].as_i64().expect("version");
    let (status, withdrawn) = send(app, reqwest::Method::POST, &step("withdraw"), &nju, Some(version), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    // An edit changes the fields given and keeps the rest.
    let version = withdrawn["version"].as_i64().expect("version");
    let (status, edited) =
        send(app, reqwest::Method::PUT, &path, &nju, Some(version), json!({"price": "", "maturity": 7})).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    let d = &edited["description"];
    assert_eq!((d["price"].is_null(), d["maturity"].as_i64(), d["holder"].as_str()), (true, Some(7), Some("南京大学")));
    let (status, _) = send(app, reqwest::Method::PUT, &path, &nju, Some(version), json!({"price": "1"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "based on an old version");
    let after = eventually(app, "/api/v1/achievements/search?q=%E6%AD%A3%E6%9E%81", |v| v["total"] == 0).await.1;
    assert_eq!(after["total"], 0, "{after}");
}

/// Empty, huge and syntax-laden queries, SQL and script fragments get an answer; malformed filters a 400 naming
/// the filter; never a 5xx.
async fn hostile_searches_get_an_answer_or_a_named_400(app: &TestApp) {
    // 10 KB of text (3 bytes a character), 30 KB once percent-encoded.
    let long = "电".repeat(3_400);
    for q in [
        "",
        "\"",
        "title:电池",
        "(((",
        "\\",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        "*",
        "电池 AND",
        long.as_str(),
    ] {
        let url = reqwest::Url::parse_with_params(&format!("{}/api/v1/achievements/search", app.base), [("q", q)])
            .expect("url");
        let response = app.client.get(url).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::OK, "q={}", q.chars().take(20).collect::<String>());
    }
    for (query, names) in [
        ("maturity_min=0", "maturity_min"),
        ("maturity_min=7&maturity_max=3", "maturity_min"),
        ("limit=1000", "limit"),
        ("area=atlantis", "area"),
        ("area=999999", "area"),
        ("field=magic", "field"),
        ("mode=gift", "mode"),
        ("colour=red", "colour"),
        ("maturity_min=abc", "maturity_min"),
    ] {
        let (status, body) = public(app, &format!("/api/v1/demands/search?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains(names)), "{query}: {body}");
    }
    assert_eq!(public(app, "/api/v1/achievements/abc").await.0, StatusCode::NOT_FOUND);
    assert_eq!(public(app, "/api/v1/achievements/-1/matches").await.0, StatusCode::NOT_FOUND);
}

/// A registry file with a bad line is refused whole, naming the lines; a good one is published at once with its
/// registry ids, titles made from abstracts marked as such; importing it again updates, never duplicates.
async fn registry_files_import_whole_or_not_at_all(app: &TestApp) {
    add(app, "most", Role::Ministry, None, "pass-ministry").await;
    add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
    let (mi, js) = (token(app, "most", "pass-ministry").await, token(app, "jiangsu", "pass-jiangsu").await);
    let upload = |text: &str, token: &str| {
        let part = reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name("registry.jsonl");
        app.client
            .post(format!("{}/api/v1/achievements/import", app.base))
            .bearer_auth(token.to_owned())
            .multipart(reqwest::multipart::Form::new().part("file", part))
    };
    let good = "{\"id\": \"r1\", \"title\": null, \"abstract\": \"本发明涉及一种石墨烯导热膜的制备方法，导热系数高。\"}\n\
                {\"id\": \"r2\", \"title\": \"一种风电叶片检测机器人\", \"abstract\": \"检测机器人沿叶片爬行。\", \"division\": \"320500\"}\n";
    let bad = format!(
        "{good}not json\n{{\"id\": \"r3\", \"abstract\": \"a\", \"colour\": \"red\"}}\n{{\"id\": \"r1\", \"abstract\": \"again\"}}\n"
    );
    let response = upload(&bad, &mi).send().await.expect("upload");
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = response.json().await.expect("JSON");
    let text = body.to_string();
    assert!(text.contains("3") && text.contains("4") && text.contains("5") && text.contains("colour"), "{text}");
    assert_eq!(public(app, "/api/v1/achievements/search").await.1["total"], 0, "nothing was stored");
    assert_eq!(upload(good, &js).send().await.expect("upload").status(), StatusCode::FORBIDDEN, "the ministry imports");

    let response = upload(good, &mi).send().await.expect("upload");
    assert_eq!(response.status(), StatusCode::CREATED);
    let report: Value = response.json().await.expect("JSON");
    assert_eq!((report["added"].as_u64(), report["titles_derived"].as_u64()), (Some(2), Some(1)), "{report}");
    let found =
        eventually(app, "/api/v1/achievements/search?q=%E7%9F%B3%E5%A2%A8%E7%83%AF", |v| v["total"] == 1).await.1;
    assert_eq!(found["hits"][0]["external_id"], "r1", "{found}");
    let record = &found["hits"][0]["record"]["description"];
    assert_eq!(
        (record["title"].as_str(), record["title_derived"].as_bool()),
        (Some("一种石墨烯导热膜的制备方法"), Some(true))
    );
    let again: Value = upload(good, &mi).send().await.expect("upload").json().await.expect("JSON");
    assert_eq!((again["added"].as_u64(), again["updated"].as_u64()), (Some(0), Some(2)));
    assert_eq!(
        eventually(app, "/api/v1/achievements/search", |v| v["total"] == 2).await.1["total"],
        2,
        "no duplicates"
    );
}

/// An account follows a field in an area; its digest brings what is published there since it last read, batch by
/// batch, and nothing else; a field it cannot follow is refused by name.
async fn subscribers_receive_what_is_published_in_what_they_follow(app: &TestApp) {
    add(app, "most", Role::Ministry, None, "pass-ministry").await;
    add(app, "nju-tto", Role::Institution, None, "pass-nju").await;
    let (mi, nju) = (token(app, "most", "pass-ministry").await, token(app, "nju-tto", "pass-nju").await);
    let import = |lines: &str| {
        let part = reqwest::multipart::Part::bytes(lines.as_bytes().to_vec()).file_name("batch.jsonl");
        app.client
            .post(format!("{}/api/v1/achievements/import", app.base))
            .bearer_auth(mi.clone())
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let (status, _) =
        send(app, reqwest::Method::PUT, "/api/v1/subscriptions/achievement", &nju, None, json!({"fields": ["magic"]}))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let follow = json!({"fields": ["new_energy"], "areas": ["320000"]});
    let (status, followed) =
        send(app, reqwest::Method::PUT, "/api/v1/subscriptions/achievement", &nju, None, follow).await;
    assert_eq!(status, StatusCode::OK, "{followed}");
    assert_eq!(app.get_as("/api/v1/subscriptions/achievement/digest", None).await.status(), StatusCode::UNAUTHORIZED);

    let first = "{\"id\": \"b1\", \"title\": \"储能电池热管理\", \"abstract\": \"电池包液冷。\", \"field\": \"new_energy\", \"division\": \"320500\"}\n\
                 {\"id\": \"b2\", \"title\": \"光伏逆变器\", \"abstract\": \"组串式逆变器。\", \"field\": \"new_energy\", \"division\": \"330100\"}\n\
                 {\"id\": \"b3\", \"title\": \"疫苗佐剂\", \"abstract\": \"新型佐剂。\", \"field\": \"biomedicine\", \"division\": \"320100\"}\n";
    assert_eq!(import(first).await.expect("import").status(), StatusCode::CREATED);
    let (_, digest) =
        send(app, reqwest::Method::GET, "/api/v1/subscriptions/achievement/digest", &nju, None, Value::Null).await;
    let ids: Vec<&str> =
        digest["records"].as_array().expect("records").iter().filter_map(|r| r["external_id"].as_str()).collect();
    assert_eq!(ids, ["b1"], "new energy in 江苏 only: {digest}");
    let html = app.get_as("/information/digest", Some(&nju)).await.text().await.expect("page");
    assert!(html.contains("储能电池热管理") && !html.contains("疫苗佐剂"), "the page shows the digest");

    let (status, _) = send(
        app,
        reqwest::Method::POST,
        "/api/v1/subscriptions/achievement/read",
        &nju,
        None,
        digest["read_to"].clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, digest) =
        send(app, reqwest::Method::GET, "/api/v1/subscriptions/achievement/digest", &nju, None, Value::Null).await;
    assert_eq!(digest["records"], json!([]), "read");
    let next = "{\"id\": \"b4\", \"title\": \"氢燃料电池双极板\", \"abstract\": \"金属双极板。\", \"field\": \"new_energy\", \"division\": \"320200\"}\n";
    assert_eq!(import(next).await.expect("import").status(), StatusCode::CREATED);
    let (_, digest) =
        send(app, reqwest::Method::GET, "/api/v1/subscriptions/achievement/digest", &nju, None, Value::Null).await;
    let ids: Vec<&str> =
        digest["records"].as_array().expect("records").iter().filter_map(|r| r["external_id"].as_str()).collect();
    assert_eq!(ids, ["b4"], "the next batch: {digest}");
    let (status, _) = send(
        app,
        reqwest::Method::POST,
        "/api/v1/subscriptions/demand/read",
        &nju,
        None,
        json!({"published_at": "2026-01-01T00:00:00Z", "id": 1}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "demands are not followed");
}

/// Experts and institutions other than its holder assess a published achievement on every dimension; the holder
/// may not; the valuation helper shows each approach's steps and refuses inputs out of range by name.
async fn achievements_are_assessed_by_others_and_valued_with_every_step(app: &TestApp) {
    add(app, "nju-tto", Role::Institution, None, "pass-nju").await;
    add(app, "jiangsu", Role::Province, Some("320000"), "pass-jiangsu").await;
    add(app, "prof-wang", Role::Expert, None, "pass-expert").await;
    let (nju, js, expert) = (
        token(app, "nju-tto", "pass-nju").await,
        token(app, "jiangsu", "pass-jiangsu").await,
        token(app, "prof-wang", "pass-expert").await,
    );
    let (_, filed) = send(
        app,
        reqwest::Method::POST,
        "/api/v1/achievements",
        &nju,
        None,
        json!({"title": "风电叶片检测机器人", "abstract": "爬行检测。"}),
    )
    .await;
    let path = format!("/api/v1/achievements/{}", filed["id"]);
    let score = |d: &str, n: u8| json!({"dimension": d, "score": n, "reasons": "依据"});
    let assessment = |scores: Vec<Value>| {
        json!({"scores": scores, "conclusion": "建议转化", "evidence": "现场测试",
        "valuation": {"income": {"revenues": ["1000000", "1000000"], "margin_percent": "20", "share_percent": "25", "discount_percent": "10"}}})
    };
    let all = || {
        ["scientific", "technical", "economic", "social", "potential"].iter().map(|d| score(d, 4)).collect::<Vec<_>>()
    };
    let assessments = format!("{path}/assessments");
    let (status, _) = send(app, reqwest::Method::POST, &assessments, &expert, None, assessment(all())).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a draft is not assessed (nor seen)");
    send(app, reqwest::Method::POST, &format!("{path}/submit"), &nju, Some(1), json!({})).await;
    send(app, reqwest::Method::POST, &format!("{path}/publish"), &js, Some(2), json!({})).await;
    let (status, _) = send(app, reqwest::Method::POST, &assessments, &nju, None, assessment(all())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "its holder does not assess its own");
    let mut four = all();
    four.pop();
    let (status, refused) = send(app, reqwest::Method::POST, &assessments, &expert, None, assessment(four)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused["message"].as_str().is_some_and(|m| m.contains("scores.potential")), "{refused}");
    let (status, assessed) = send(app, reqwest::Method::POST, &assessments, &expert, None, assessment(all())).await;
    assert_eq!(status, StatusCode::CREATED, "{assessed}");
    assert_eq!(assessed["mean"], "4");
    // 50,000 / 1.1 + 50,000 / 1.21, to the fen.
    assert_eq!(assessed["valuation"]["income"]["value"], "86776.86", "{assessed}");
    assert_eq!(public(app, &assessments).await.1.as_array().map(Vec::len), Some(1), "public once published");

    let calc = |body: Value| app.client.post(format!("{}/api/v1/valuation", app.base)).json(&body).send();
    let answer: Value = calc(json!({"cost": {"items": [{"name": "研发", "value": "1000"}], "obsolescence_percent": "10"},
        "market": {"comparables": [{"name": "A", "value": "800"}, {"name": "B", "value": "1200"}], "adjustment_percent": "-5"}}))
        .await.expect("calc").json().await.expect("JSON");
    assert_eq!(
        (answer["cost"]["value"].as_str(), answer["market"]["value"].as_str()),
        (Some("900.00"), Some("950.00"))
    );
    assert_eq!(answer["range"], json!(["900.00", "950.00"]));
    assert!(answer["market"]["steps"].as_array().is_some_and(|s| s.len() == 5), "every step: {answer}");
    let bad = calc(
        json!({"income": {"revenues": ["1"], "margin_percent": "20", "share_percent": "150", "discount_percent": "5"}}),
    )
    .await
    .expect("calc");
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = bad.json().await.expect("JSON");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("share_percent")), "{body}");
}
