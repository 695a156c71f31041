//! Chinese full-text search over the published achievements and demands: one index, derived from the store and
//! rebuilt from it at will, ranked by BM25 over jieba words and character bigrams (`analyzer`), with filters by
//! technical field, area, maturity and transfer mode, and highlighted snippets. This crate knows nothing of the
//! store or of HTTP: the application layer feeds it records and asks it questions.

pub mod analyzer;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Mutex;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term as IndexTerm, doc};

pub use analyzer::{Analyzer, TermKind};

/// Technical words jieba's general dictionary lacks, shipped with TTDZ; users add theirs in the data directory.
pub const DOMAIN_DICTIONARY: &str = include_str!("../dictionary.txt");

/// Bumped whenever the schema or the analysis changes: an index made by another version is rebuilt.
const FORMAT: &str = "ttdz-search 2";
const ANALYZER: &str = "ttdz_zh";
/// Memory the writer may use before it flushes a segment.
const WRITER_BYTES: usize = 64 * 1024 * 1024;
/// How much a match in the title counts against one in the text, and a bigram against a word: bigrams find words
/// the dictionary lacks, but as full terms they drown the words' ranking (measured by `examples/search_bench`).
const TITLE_BOOST: f32 = 1.0;
const BIGRAM_BOOST: f32 = 0.05;
/// Queries longer than this are cut: nobody types more, and every term costs a posting-list walk.
pub const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the search index failed: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("cannot read the search dictionary: {0}")]
    Dictionary(String),
    #[error("cannot open the search index at {path}: {message}")]
    Open { path: String, message: String },
}

pub type Result<T> = std::result::Result<T, SearchError>;

/// Which records a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Achievement,
    Demand,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Achievement => "achievement",
            Kind::Demand => "demand",
        }
    }
}

/// A published record as the index keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub kind: Kind,
    pub id: i64,
    pub external_id: String,
    pub title: String,
    /// A title made from the text says nothing the text does not: it is shown, not searched.
    pub title_derived: bool,
    pub text: String,
    pub field: Option<String>,
    /// The record's division and every division above it (6-digit codes), so that a filter on a province, a city
    /// or a zone's member matches.
    pub areas: Vec<String>,
    pub maturity: Option<u8>,
    pub modes: Vec<String>,
}

/// What to look for; every filter given must hold.
#[derive(Debug, Clone, Default)]
pub struct Question {
    pub text: String,
    pub field: Option<String>,
    /// Any of these division codes (a division, or a zone's members).
    pub areas: Vec<String>,
    /// Inclusive bounds of the maturity level.
    pub maturity: Option<(u8, u8)>,
    pub mode: Option<String>,
    pub limit: usize,
}

/// One ranked answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: Kind,
    pub id: i64,
    pub external_id: String,
    pub score: f32,
    /// HTML with the matched terms in `<b>`, everything else escaped.
    pub title_html: String,
    pub text_html: String,
}

/// The answers to a question: the best `limit`, and how many records matched in all.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub hits: Vec<Hit>,
    pub total: usize,
}

struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    external_id: Field,
    title: Field,
    /// A derived title: stored, not indexed.
    title_shown: Field,
    text: Field,
    field: Field,
    area: Field,
    maturity: Field,
    mode: Field,
}

/// The index and its writer; searches read the last commit.
pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    analyzer: Analyzer,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_i64_field("id", INDEXED | STORED),
        external_id: b.add_text_field("external_id", STRING | STORED),
        title: b.add_text_field("title", text.clone()),
        title_shown: b.add_text_field("title_shown", STORED),
        text: b.add_text_field("text", text),
        field: b.add_text_field("field", STRING),
        area: b.add_text_field("area", STRING),
        maturity: b.add_text_field("maturity", STRING),
        mode: b.add_text_field("mode", STRING),
    };
    (b.build(), fields)
}

fn key(kind: Kind, id: i64) -> String {
    format!("{}:{id}", kind.as_str())
}

impl SearchIndex {
    /// An index in memory, empty.
    pub fn in_memory(analyzer: Analyzer) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        SearchIndex::with(Index::create_in_ram(schema), fields, analyzer)
    }

    /// The index kept in `dir`, and the state it was committed at (`None` when it was made anew: empty, or
    /// replacing one of another format, and must be filled from the store).
    pub fn open(dir: &Path, analyzer: Analyzer) -> Result<(SearchIndex, Option<String>)> {
        let fail = |message: String| SearchError::Open { path: dir.display().to_string(), message };
        std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        let (schema, fields) = schema();
        let existing = Index::open_in_dir(dir).ok().filter(|i| i.schema() == schema);
        let state = existing.as_ref().and_then(|i| i.load_metas().ok()?.payload).and_then(|p| {
            let (format, state) = p.split_once('\n')?;
            (format == FORMAT).then(|| state.to_owned())
        });
        let index = match (existing, &state) {
            (Some(index), Some(_)) => index,
            _ => {
                // Made by another version, or never committed: start again from an empty directory.
                for entry in std::fs::read_dir(dir).map_err(|e| fail(e.to_string()))? {
                    let path = entry.map_err(|e| fail(e.to_string()))?.path();
                    let removed =
                        if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                    removed.map_err(|e| fail(format!("{}: {e}", path.display())))?;
                }
                Index::create_in_dir(dir, schema).map_err(|e| fail(e.to_string()))?
            }
        };
        Ok((SearchIndex::with(index, fields, analyzer)?, state))
    }

    fn with(index: Index, fields: Fields, analyzer: Analyzer) -> Result<SearchIndex> {
        index.tokenizers().register(ANALYZER, analyzer::AnalyzerTokenizer(analyzer.clone()));
        let writer = index.writer(WRITER_BYTES)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(SearchIndex { reader, writer: Mutex::new(writer), fields, analyzer })
    }

    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic while writing leaves nothing committed half-way: the writer is still usable.
        self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the documents of these records and removes those of `gone`, then commits with `state` (what the
    /// index is now current with, e.g. a change-log cursor) and makes it visible.
    pub fn apply(&self, documents: &[Document], gone: &[(Kind, i64)], state: &str) -> Result<()> {
        let f = &self.fields;
        let mut writer = self.writer();
        for (kind, id) in gone.iter().copied().chain(documents.iter().map(|d| (d.kind, d.id))) {
            writer.delete_term(IndexTerm::from_field_text(f.key, &key(kind, id)));
        }
        for d in documents {
            let mut document = doc!(
                f.key => key(d.kind, d.id),
                f.kind => d.kind.as_str(),
                f.id => d.id,
                f.external_id => d.external_id.clone(),
                f.text => d.text.clone(),
            );
            if d.title_derived {
                document.add_text(f.title_shown, &d.title);
            } else {
                document.add_text(f.title, &d.title);
            }
            if let Some(field) = &d.field {
                document.add_text(f.field, field);
            }
            for area in &d.areas {
                document.add_text(f.area, area);
            }
            if let Some(m) = d.maturity {
                document.add_text(f.maturity, m.to_string());
            }
            for mode in &d.modes {
                document.add_text(f.mode, mode);
            }
            writer.add_document(document)?;
        }
        let mut commit = writer.prepare_commit()?;
        commit.set_payload(&format!("{FORMAT}\n{state}"));
        commit.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Removes every document, for a rebuild.
    pub fn clear(&self) -> Result<()> {
        let mut writer = self.writer();
        writer.delete_all_documents()?;
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// How many documents of `kind` the index holds.
    pub fn count(&self, kind: Kind) -> Result<usize> {
        let query =
            TermQuery::new(IndexTerm::from_field_text(self.fields.kind, kind.as_str()), IndexRecordOption::Basic);
        Ok(self.reader.searcher().search(&query, &Count)?)
    }

    /// The distinct words and bigrams of `text`, each with its weight in a query.
    fn query_terms(&self, text: &str) -> BTreeMap<String, f32> {
        let cut: String = text.chars().take(MAX_QUERY_CHARS).collect();
        let mut terms = BTreeMap::new();
        for t in self.analyzer.terms(&cut) {
            let weight = if t.kind == TermKind::Bigram { BIGRAM_BOOST } else { 1.0 };
            terms.entry(t.text).or_insert(weight);
        }
        terms
    }

    /// The records of `kind` that answer `question`, best first.
    pub fn search(&self, kind: Kind, question: &Question) -> Result<Answer> {
        let f = &self.fields;
        let term = |field: Field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(IndexTerm::from_field_text(field, text), IndexRecordOption::Basic))
        };
        let any = |field: Field, values: &[String]| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(values.iter().map(|v| (Occur::Should, term(field, v))).collect()))
        };
        let mut text_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (t, weight) in self.query_terms(&question.text) {
            for (field, boost) in [(f.title, TITLE_BOOST), (f.text, 1.0)] {
                let query =
                    TermQuery::new(IndexTerm::from_field_text(field, &t), IndexRecordOption::WithFreqsAndPositions);
                text_clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(query), weight * boost))));
            }
        }
        let has_text = !text_clauses.is_empty();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, term(f.kind, kind.as_str()))];
        if has_text {
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(text_clauses))));
        }
        if let Some(field) = &question.field {
            clauses.push((Occur::Must, term(f.field, field)));
        }
        if !question.areas.is_empty() {
            clauses.push((Occur::Must, any(f.area, &question.areas)));
        }
        if let Some((low, high)) = question.maturity {
            let levels: Vec<String> = (low..=high).map(|m| m.to_string()).collect();
            clauses.push((Occur::Must, any(f.maturity, &levels)));
        }
        if let Some(mode) = &question.mode {
            clauses.push((Occur::Must, term(f.mode, mode)));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let limit = question.limit.clamp(1, 1000);
        let (top, total) = searcher.search(&query, &(TopDocs::with_limit(limit).order_by_score(), Count))?;
        let snippets = |field: Field, chars: usize| -> Result<Option<SnippetGenerator>> {
            if !has_text {
                return Ok(None);
            }
            let mut generator = SnippetGenerator::create(&searcher, &query, field)?;
            generator.set_max_num_chars(chars);
            Ok(Some(generator))
        };
        let text_snippets = snippets(f.text, 160)?;
        let asked = self.query_terms(&question.text);
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let stored: TantivyDocument = searcher.doc(address)?;
            let text_of =
                |field: Field| stored.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            let html = |generator: &Option<SnippetGenerator>, text: String, chars: usize| match generator
                .as_ref()
                .map(|g| g.snippet(&text))
            {
                Some(snippet) if !snippet.is_empty() => snippet.to_html(),
                _ => escape(&text.chars().take(chars).collect::<String>()),
            };
            let title = Some(text_of(f.title)).filter(|t| !t.is_empty()).unwrap_or_else(|| text_of(f.title_shown));
            hits.push(Hit {
                kind,
                id: stored.get_first(f.id).and_then(|v| v.as_i64()).unwrap_or_default(),
                external_id: text_of(f.external_id),
                score,
                title_html: self.highlight(&title, &asked),
                text_html: html(&text_snippets, text_of(f.text), 160),
            });
        }
        Ok(Answer { hits, total })
    }

    /// `text` whole, HTML-escaped, with the terms asked for in `<b>`.
    fn highlight(&self, text: &str, asked: &BTreeMap<String, f32>) -> String {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for t in self.analyzer.terms(text).into_iter().filter(|t| asked.contains_key(&t.text)) {
            match ranges.last_mut() {
                Some(last) if t.from <= last.1 => last.1 = last.1.max(t.to),
                _ => ranges.push((t.from, t.to)),
            }
        }
        let (mut html, mut at) = (String::new(), 0);
        for (from, to) in ranges {
            html.push_str(&escape(&text[at..from]));
            html.push_str("<b>");
            html.push_str(&escape(&text[from..to]));
            html.push_str("</b>");
            at = to;
        }
        html.push_str(&escape(&text[at..]));
        html
    }

    /// The words of `text` that the index knows, each with its inverse document frequency: the rarer, the more a
    /// shared word says about a match.
    pub fn word_weights(&self, text: &str) -> Result<BTreeMap<String, f32>> {
        let searcher = self.reader.searcher();
        let documents = searcher.num_docs().max(1) as f32;
        let words: BTreeSet<String> =
            self.analyzer.terms(text).into_iter().filter(|t| t.kind == TermKind::Word).map(|t| t.text).collect();
        let mut out = BTreeMap::new();
        for w in words {
            let frequency = searcher.doc_freq(&IndexTerm::from_field_text(self.fields.text, &w))?
                + searcher.doc_freq(&IndexTerm::from_field_text(self.fields.title, &w))?;
            if frequency > 0 {
                out.insert(w, (1.0 + documents / frequency as f32).ln());
            }
        }
        Ok(out)
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
