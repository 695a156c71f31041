//! Quality and speed of the search on the patents corpus (3,720 real Chinese patent abstracts), run by hand:
//!
//!     cargo run --release -p ttdz-search --example search_bench -- PATENTS.jsonl QUERIES.tsv
//!
//! Indexes the corpus as TTDZ does (title, or one made from the abstract, and the abstract), makes the known-item
//! query sets by the rule below and writes them to QUERIES.tsv (for the anchor, `bench/search_anchor.py`), then
//! reports MRR@10 and recall@10 per set, indexing speed, and the latency of 1,000 queries.
//!
//! The rule (written before any tuning, applied to every tenth patent whose abstract has 60 characters or more):
//! the patent's words are the analyzer's dictionary words of its abstract of two characters or more that are not
//! numbers; a word is a candidate when 2 to 100 abstracts of the corpus contain it (a technical term, neither an
//! identifier of this one patent nor a word of every patent); candidates are ranked by how often the abstract uses
//! them, then by how few abstracts contain them, then by where they first appear; the query is the best 2, 3 or 4
//! (in turn) that are not part of a word already chosen, in the order they appear. Patents at even places of the
//! sample form the `dev` set, at odd places the `test` set. A second rule takes the queries from the titles (see
//! `title-dev` and `title-test` below): what someone who knows the subject, not the patent, would type.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::time::Instant;

use ttdz_search::{Analyzer, Document, Kind, Question, SearchIndex, TermKind};

struct Patent {
    id: String,
    title: String,
    title_derived: bool,
    text: String,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let corpus = args.next().ok_or("usage: search_bench PATENTS.jsonl QUERIES.tsv")?;
    let queries_out = args.next().ok_or("usage: search_bench PATENTS.jsonl QUERIES.tsv")?;
    let mut patents = Vec::new();
    for line in std::fs::read_to_string(&corpus)?.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let text = v["abstract"].as_str().unwrap_or_default().to_owned();
        let (title, title_derived) = match v["title"].as_str() {
            Some(t) if !t.trim().is_empty() => (t.to_owned(), false),
            _ => (ttdz_domain::achievement::derived_title(&text), true),
        };
        patents.push(Patent { id: v["id"].as_str().unwrap_or_default().to_owned(), title, title_derived, text });
    }

    let started = Instant::now();
    let analyzer = Analyzer::new(&mut [])?;
    let analyzer_ms = started.elapsed().as_secs_f64() * 1000.0;
    let index = SearchIndex::in_memory(analyzer.clone())?;
    let documents: Vec<Document> = patents
        .iter()
        .enumerate()
        .map(|(i, p)| Document {
            kind: Kind::Achievement,
            id: i as i64 + 1,
            external_id: p.id.clone(),
            title: p.title.clone(),
            title_derived: p.title_derived,
            text: p.text.clone(),
            field: None,
            areas: Vec::new(),
            maturity: None,
            modes: Vec::new(),
        })
        .collect();
    let started = Instant::now();
    index.apply(&documents, &[], "bench")?;
    let indexing = started.elapsed().as_secs_f64();
    println!(
        "indexed {} patents in {:.2} s: {:.0} records/s (dictionary loaded in {analyzer_ms:.0} ms)",
        documents.len(),
        indexing,
        documents.len() as f64 / indexing
    );

    // The words of each abstract, and in how many abstracts each word is.
    let words: Vec<Vec<String>> = patents
        .iter()
        .map(|p| {
            analyzer
                .terms(&p.text)
                .into_iter()
                .filter(|t| t.kind == TermKind::Word && t.text.chars().count() >= 2)
                .filter(|t| !t.text.chars().all(|c| c.is_ascii_digit() || c == '.'))
                .map(|t| t.text)
                .collect()
        })
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for list in &words {
        for w in list.iter().map(String::as_str).collect::<BTreeSet<_>>() {
            *df.entry(w).or_default() += 1;
        }
    }
    let sample: Vec<usize> =
        (0..patents.len()).step_by(10).filter(|&i| patents[i].text.chars().count() >= 60).collect();
    let mut queries = Vec::new();
    for (place, &i) in sample.iter().enumerate() {
        let list = &words[i];
        let mut candidates: Vec<(&str, usize, usize, usize)> = Vec::new();
        for (position, w) in list.iter().enumerate() {
            let frequency = df.get(w.as_str()).copied().unwrap_or(0);
            if !(2..=100).contains(&frequency) || candidates.iter().any(|c| c.0 == w) {
                continue;
            }
            let uses = list.iter().filter(|x| *x == w).count();
            candidates.push((w, uses, frequency, position));
        }
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
        let wanted = 2 + place % 3;
        let mut chosen: Vec<(&str, usize)> = Vec::new();
        for c in candidates {
            if chosen.len() == wanted {
                break;
            }
            if chosen.iter().any(|(w, _)| w.contains(c.0) || c.0.contains(w)) {
                continue;
            }
            chosen.push((c.0, c.3));
        }
        if chosen.len() < 2 {
            continue;
        }
        chosen.sort_by_key(|c| c.1);
        let text = chosen.iter().map(|c| c.0).collect::<Vec<_>>().join(" ");
        let set = if place % 2 == 0 { "dev" } else { "test" };
        queries.push((set, patents[i].id.clone(), text));
    }
    // The second rule, for what a person who knows the subject types: the patents whose source has a title (the
    // last 696), each its title's words of two characters or more that 2 to 300 abstracts contain and that are not
    // generic (方法, 装置, ...), the first 2, 3 or 4 (in turn) in the order of the title. Even places `title-dev`,
    // odd `title-test`.
    const GENERIC: [&str; 12] =
        ["方法", "装置", "系统", "及其", "制备", "用途", "应用", "设备", "组件", "结构", "包括", "基于"];
    let titled: Vec<usize> = (0..patents.len()).filter(|&i| !patents[i].title_derived).collect();
    for (place, &i) in titled.iter().enumerate() {
        let mut chosen: Vec<String> = Vec::new();
        for t in analyzer.terms(&patents[i].title) {
            let frequency = df.get(t.text.as_str()).copied().unwrap_or(0);
            let usable = t.kind == TermKind::Word
                && t.text.chars().count() >= 2
                && (2..=300).contains(&frequency)
                && !GENERIC.contains(&t.text.as_str());
            if usable && !chosen.iter().any(|w| w.contains(&t.text) || t.text.contains(w.as_str())) {
                chosen.push(t.text);
            }
        }
        chosen.truncate(2 + place % 3);
        if chosen.len() < 2 {
            continue;
        }
        let set = if place % 2 == 0 { "title-dev" } else { "title-test" };
        queries.push((set, patents[i].id.clone(), chosen.join(" ")));
    }
    let mut out = std::fs::File::create(&queries_out)?;
    for (set, target, text) in &queries {
        writeln!(out, "{set}\t{target}\t{text}")?;
    }

    for set in ["dev", "test", "title-dev", "title-test"] {
        let (mut reciprocal, mut found, mut n) = (0.0, 0, 0);
        for (_, target, text) in queries.iter().filter(|q| q.0 == set) {
            let question = Question { text: text.clone(), limit: 10, ..Question::default() };
            let answer = index.search(Kind::Achievement, &question)?;
            n += 1;
            if let Some(rank) = answer.hits.iter().position(|h| &h.external_id == target) {
                reciprocal += 1.0 / (rank + 1) as f64;
                found += 1;
            }
        }
        println!(
            "{set}: {n} queries, MRR@10 {:.3}, recall@10 {:.3}",
            reciprocal / n as f64,
            f64::from(found) / n as f64
        );
    }

    let mut latencies = Vec::with_capacity(1000);
    for q in queries.iter().cycle().take(1000) {
        let question = Question { text: q.2.clone(), limit: 10, ..Question::default() };
        let started = Instant::now();
        let answer = index.search(Kind::Achievement, &question)?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(answer);
    }
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| latencies[((latencies.len() as f64 * p).ceil() as usize).min(latencies.len()) - 1];
    println!(
        "1,000 queries (top 10 with snippets): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
    Ok(())
}
