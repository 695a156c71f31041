//! The index on disk: what it was committed at survives a restart; documents are replaced, removed and filtered;
//! a word the dictionary lacks is still found through its bigrams; what is shown is escaped.

use ttdz_search::{Analyzer, Document, Kind, Question, SearchIndex};

fn document(id: i64, title: &str, text: &str, areas: &[&str]) -> Document {
    Document {
        kind: Kind::Achievement,
        id,
        external_id: format!("x{id}"),
        title: title.into(),
        title_derived: false,
        text: text.into(),
        field: Some("new_materials".into()),
        areas: areas.iter().map(|a| (*a).to_owned()).collect(),
        maturity: Some(u8::try_from(id).expect("small")),
        modes: vec!["license".into()],
    }
}

fn ask(text: &str) -> Question {
    Question { text: text.into(), limit: 10, ..Question::default() }
}

#[test]
fn the_index_keeps_its_state_and_answers_with_filters() {
    let dir = tempfile::tempdir().expect("dir");
    let analyzer = || Analyzer::new(&mut []).expect("analyzer");
    let (index, state) = SearchIndex::open(dir.path(), analyzer()).expect("open");
    assert_eq!(state, None, "a new index must be filled");
    let documents = [
        document(1, "石墨烯导热膜<b>", "一种石墨烯导热膜及其卷对卷制备方法。", &["320211", "320200", "320000"]),
        document(2, "钙钛矿叠层太阳电池", "钙钛矿叠层太阳电池的界面钝化。", &["330106", "330100", "330000"]),
        document(3, "风电叶片检测机器人", "沿叶片爬行的检测机器人。", &["320506", "320500", "320000"]),
    ];
    index.apply(&documents, &[], "cursor-7").expect("indexed");
    drop(index);

    let (index, state) = SearchIndex::open(dir.path(), analyzer()).expect("reopen");
    assert_eq!(state.as_deref(), Some("cursor-7"), "the state it was committed at");
    let found = index.search(Kind::Achievement, &ask("石墨烯 导热")).expect("search");
    assert_eq!((found.total, found.hits[0].external_id.as_str()), (1, "x1"));
    assert!(found.hits[0].title_html.contains("&lt;b&gt;"), "escaped: {}", found.hits[0].title_html);
    assert!(found.hits[0].text_html.contains("<b>石墨烯</b>"), "{}", found.hits[0].text_html);

    // 钝化 stands for a word of no dictionary here: its bigram finds it.
    let oov = index.search(Kind::Achievement, &ask("界面钝")).expect("search");
    assert_eq!(oov.hits.first().map(|h| h.id), Some(2), "found through bigrams");

    let in_jiangsu = Question { areas: vec!["320000".into()], ..ask("") };
    assert_eq!(index.search(Kind::Achievement, &in_jiangsu).expect("search").total, 2);
    let mature = Question { maturity: Some((3, 9)), ..ask("") };
    assert_eq!(index.search(Kind::Achievement, &mature).expect("search").hits[0].id, 3);
    assert_eq!(index.search(Kind::Demand, &ask("石墨烯")).expect("search").total, 0, "another kind");

    index
        .apply(&[document(3, "风电叶片巡检无人机", "无人机巡检。", &["320506"])], &[(Kind::Achievement, 1)], "cursor-9")
        .expect("changed");
    assert_eq!(index.search(Kind::Achievement, &ask("石墨烯")).expect("search").total, 0, "removed");
    assert_eq!(index.search(Kind::Achievement, &ask("机器人")).expect("search").total, 0, "replaced");
    assert_eq!(index.count(Kind::Achievement).expect("count"), 2);
}
