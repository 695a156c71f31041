//! Search and matching over the derived index: filters checked by name, ranked records with highlighted passages, and
//! for a record the records of the other kind that match it, with the reasons.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use ttdz_domain::DivisionCode;
use ttdz_domain::ZoneKey;
use ttdz_domain::achievement::{Field, Maturity, RecordKind, RecordStatus, TransferMode};
use ttdz_search::{Kind, Question, SearchIndex};
use ttdz_store::InformationRecord;

use super::{Description, RecordView, get};
use crate::{AppError, Context, Viewer};

/// Most results a question may ask for.
pub const MAX_LIMIT: usize = 100;

fn kind_of(kind: RecordKind) -> Kind {
    match kind {
        RecordKind::Achievement => Kind::Achievement,
        RecordKind::Demand => Kind::Demand,
    }
}

/// Changes read from the log at a time while catching up.
const CHANGE_PAGE: u32 = 2_000;

/// The index and the change-log cursor it is current with.
pub(crate) struct SearchState {
    /// Shared, so that questions are answered outside the lock, which only catching up needs.
    index: std::sync::Arc<SearchIndex>,
    cursor: Option<String>,
}

/// The search state, opened (and filled from the store if it is new) on first use.
async fn search_state(ctx: &Context) -> Result<tokio::sync::MutexGuard<'_, Option<SearchState>>, AppError> {
    let mut state = ctx.inner.search.lock().await;
    if state.is_none() {
        let settings = &ctx.settings().search;
        let mut files = Vec::new();
        for path in &settings.dictionaries {
            let file = std::fs::File::open(path)
                .map_err(|e| AppError::Environment(format!("cannot read the dictionary {}: {e}", path.display())))?;
            files.push(std::io::BufReader::new(file));
        }
        let mut readers: Vec<&mut dyn std::io::BufRead> =
            files.iter_mut().map(|f| f as &mut dyn std::io::BufRead).collect();
        let analyzer = ttdz_search::Analyzer::new(&mut readers).map_err(|e| AppError::Environment(e.to_string()))?;
        let (index, cursor) = match &settings.dir {
            Some(dir) => SearchIndex::open(dir, analyzer).map_err(search_error)?,
            None => (SearchIndex::in_memory(analyzer).map_err(search_error)?, None),
        };
        // A cursor of "" is an index filled from the start of the change log; none at all, an index never filled.
        let cursor = cursor.filter(|c| !c.is_empty());
        *state = Some(SearchState { index: std::sync::Arc::new(index), cursor });
    }
    Ok(state)
}

fn search_error(e: ttdz_search::SearchError) -> AppError {
    AppError::Environment(e.to_string())
}

/// Brings the index up to the store's change log: the records every change since its cursor names are read again,
/// the published ones indexed, the rest removed. Answers how many records it read.
async fn catch_up(ctx: &Context, state: &mut SearchState) -> Result<usize, AppError> {
    let mut read = 0;
    loop {
        let changes = ctx.store().changes(state.cursor.as_deref(), CHANGE_PAGE).await?;
        let Some(last) = changes.last().map(|c| c.cursor.clone()) else { return Ok(read) };
        let mut records: BTreeMap<i64, Option<InformationRecord>> = BTreeMap::new();
        for change in changes.iter().filter(|c| c.kind == "achievement" || c.kind == "demand") {
            if let Some(batch) = change.key.strip_prefix("batch:") {
                for r in ctx.store().records_of_batch(&format!("batch:{batch}")).await? {
                    records.insert(r.id, Some(r));
                }
            } else if let Ok(id) = change.key.parse::<i64>() {
                records.insert(id, ctx.store().record(id).await?);
            }
        }
        let tree = ctx.tree(None).await?;
        let (mut documents, mut gone) = (Vec::new(), Vec::new());
        for (id, record) in &records {
            match record {
                Some(r) if r.status == RecordStatus::Published => documents.push(document(r, &tree)?),
                Some(r) => gone.push((kind_of(r.kind), *id)),
                None => {}
            }
        }
        read += records.len();
        if !records.is_empty() || changes.len() as u32 == CHANGE_PAGE {
            state.index.apply(&documents, &gone, &last).map_err(search_error)?;
        }
        state.cursor = Some(last);
        if (changes.len() as u32) < CHANGE_PAGE {
            return Ok(read);
        }
    }
}

fn document(r: &InformationRecord, tree: &ttdz_domain::DivisionTree) -> Result<ttdz_search::Document, AppError> {
    let description = Description::parse(r.kind, &r.body)?;
    let areas = match description.division() {
        Some(d) => std::iter::once(d.to_string())
            .chain(tree.ancestors(&d).into_iter().map(|a| a.code.to_string()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect(),
        None => Vec::new(),
    };
    let (maturity, modes) = match &description {
        Description::Achievement(a) => {
            (a.maturity.map(Maturity::level), a.modes.iter().map(|m| m.as_str().to_owned()).collect())
        }
        Description::Demand(_) => (None, Vec::new()),
    };
    Ok(ttdz_search::Document {
        kind: kind_of(r.kind),
        id: r.id,
        external_id: r.external_id.clone(),
        title: description.title().to_owned(),
        title_derived: match &description {
            Description::Achievement(a) => a.title_derived,
            Description::Demand(d) => d.title_derived,
        },
        text: description.text().to_owned(),
        field: description.field().map(|f| f.as_str().to_owned()),
        areas,
        maturity,
        modes,
    })
}

/// Builds the index again from the store: every published record, as the change log names them from its start.
/// Answers how many records were read.
pub async fn reindex(ctx: &Context, viewer: &Viewer) -> Result<usize, AppError> {
    viewer.must_be_ministry("rebuilds the search index")?;
    let mut guard = search_state(ctx).await?;
    let state = guard.as_mut().ok_or_else(|| AppError::Method("the search index is not open".into()))?;
    state.index.clear().map_err(search_error)?;
    state.cursor = None;
    catch_up(ctx, state).await
}

/// A search as a client asks it.
#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub q: String,
    pub field: Option<String>,
    /// A 6-digit division code or a zone key.
    pub area: Option<String>,
    pub maturity_min: Option<u8>,
    pub maturity_max: Option<u8>,
    pub mode: Option<String>,
    pub limit: Option<usize>,
}

/// One ranked record.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    pub id: i64,
    pub external_id: String,
    /// BM25 score: higher is better; comparable within one answer only.
    pub score: f32,
    /// The title with the matched terms in `<b>`, everything else HTML-escaped.
    pub title_html: String,
    /// The best passage of the abstract (or description), likewise highlighted.
    pub snippet_html: String,
    pub record: RecordView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchView {
    pub query: String,
    /// How many published records match, of which `hits` are the best.
    pub total: usize,
    pub hits: Vec<SearchHit>,
}

pub(super) async fn question(ctx: &Context, params: &SearchParams) -> Result<Question, AppError> {
    let bad = |m: String| AppError::Invalid(m);
    let field =
        params.field.as_deref().filter(|f| !f.is_empty()).map(Field::parse).transpose().map_err(|e| bad(e.0))?;
    let mode =
        params.mode.as_deref().filter(|m| !m.is_empty()).map(TransferMode::parse).transpose().map_err(|e| bad(e.0))?;
    let level = |name: &str, v: Option<u8>| {
        v.map(|l| Maturity::new(l).map_err(|e| bad(format!("{name}: {}", e.0)))).transpose()
    };
    let (low, high) = (level("maturity_min", params.maturity_min)?, level("maturity_max", params.maturity_max)?);
    let maturity = match (low, high) {
        (None, None) => None,
        (low, high) => {
            let (low, high) = (low.map_or(1, Maturity::level), high.map_or(9, Maturity::level));
            if low > high {
                return Err(bad(format!("maturity_min {low} is above maturity_max {high}")));
            }
            Some((low, high))
        }
    };
    let areas = match params.area.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => Vec::new(),
        Some(a) if a.len() == 6 && a.bytes().all(|b| b.is_ascii_digit()) => {
            let code = DivisionCode::parse(a).map_err(|e| bad(format!("area: {}", e.0)))?;
            if ctx.tree(None).await?.get(&code).is_none() {
                return Err(bad(format!("area: {code} is not a division of the current list")));
            }
            vec![code.to_string()]
        }
        Some(a) => {
            let key = ZoneKey::parse(a)
                .map_err(|_| bad(format!("area: '{a}' is neither a 6-digit division code nor a zone key")))?;
            let zone = crate::visibility::zones_for(ctx, &Viewer::Public)
                .await?
                .into_iter()
                .find(|z| z.key == key)
                .ok_or_else(|| bad(format!("area: no zone with key '{a}'")))?;
            zone.members.iter().map(ToString::to_string).collect()
        }
    };
    let limit = params.limit.unwrap_or(20);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(bad(format!("limit: give 1 to {MAX_LIMIT}, not {limit}")));
    }
    Ok(Question {
        text: params.q.clone(),
        field: field.map(|f| f.as_str().to_owned()),
        areas,
        maturity,
        mode: mode.map(|m| m.as_str().to_owned()),
        limit,
    })
}

/// The index, caught up with the change log; questions are then asked of it without holding the lock.
async fn current_index(ctx: &Context) -> Result<std::sync::Arc<SearchIndex>, AppError> {
    let mut guard = search_state(ctx).await?;
    let state = guard.as_mut().ok_or_else(|| AppError::Method("the search index is not open".into()))?;
    catch_up(ctx, state).await?;
    Ok(std::sync::Arc::clone(&state.index))
}

async fn ranked(
    ctx: &Context,
    viewer: &Viewer,
    index: &SearchIndex,
    kind: RecordKind,
    question: &Question,
) -> Result<(ttdz_search::Answer, Vec<RecordView>), AppError> {
    let answer = index.search(kind_of(kind), question).map_err(search_error)?;
    let zones = super::public_zones(ctx).await?;
    let mut records = Vec::with_capacity(answer.hits.len());
    for hit in &answer.hits {
        records.push(super::get_among(ctx, viewer, (kind, hit.id), &zones).await?);
    }
    Ok((answer, records))
}

/// The published records of `kind` that answer the question, best first, with highlighted snippets.
pub async fn search(
    ctx: &Context,
    viewer: &Viewer,
    kind: RecordKind,
    params: &SearchParams,
) -> Result<SearchView, AppError> {
    let question = question(ctx, params).await?;
    let (answer, records) = ranked(ctx, viewer, &*current_index(ctx).await?, kind, &question).await?;
    Ok(SearchView {
        query: params.q.chars().take(ttdz_search::MAX_QUERY_CHARS).collect(),
        total: answer.total,
        hits: answer
            .hits
            .into_iter()
            .zip(records)
            .map(|(h, record)| SearchHit {
                id: h.id,
                external_id: h.external_id,
                score: h.score,
                title_html: h.title_html,
                snippet_html: h.text_html,
                record,
            })
            .collect(),
    })
}

// --- Matching ---

/// Why a record was matched.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchReasons {
    /// The key terms both texts share, rarest first.
    pub shared_terms: Vec<String>,
    /// Both name the same technical field.
    pub same_field: bool,
    /// The achievement's readiness level, where it says (a demand is served best by a mature one).
    pub maturity: Option<u8>,
    /// `same_county`, `same_city`, `same_province`, `same_zone` or `elsewhere` (or `unknown`).
    pub proximity: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchView {
    pub id: i64,
    pub external_id: String,
    /// 0 to 100: text relevance (70), field (10), maturity (10), proximity (10).
    pub score: f64,
    pub title_html: String,
    pub snippet_html: String,
    pub reasons: MatchReasons,
    pub record: RecordView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchesView {
    /// The record matched against.
    pub record: RecordView,
    pub matches: Vec<MatchView>,
}

fn proximity(a: Option<DivisionCode>, b: Option<DivisionCode>, zones: (&[String], &[String])) -> (&'static str, f64) {
    let (Some(a), Some(b)) = (a, b) else { return ("unknown", 0.0) };
    let prefix = |n: usize| a.as_str()[..n] == b.as_str()[..n];
    if a == b {
        ("same_county", 1.0)
    } else if prefix(4) {
        ("same_city", 0.8)
    } else if prefix(2) {
        ("same_province", 0.6)
    } else if zones.0.iter().any(|z| zones.1.contains(z)) {
        ("same_zone", 0.5)
    } else {
        ("elsewhere", 0.2)
    }
}

/// For a demand, the achievements that answer it; for an achievement, the demands it answers: ranked by text
/// relevance, field, maturity and distance, each with its reasons.
pub async fn matches(
    ctx: &Context,
    viewer: &Viewer,
    (kind, id): (RecordKind, i64),
    limit: Option<usize>,
) -> Result<MatchesView, AppError> {
    let limit = limit.unwrap_or(10);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(AppError::Invalid(format!("limit: give 1 to {MAX_LIMIT}, not {limit}")));
    }
    let source = get(ctx, viewer, kind, id).await?;
    let other = match kind {
        RecordKind::Achievement => RecordKind::Demand,
        RecordKind::Demand => RecordKind::Achievement,
    };
    let text = format!("{} {}", source.description.title(), source.description.text());
    // A wider pool than asked for: field, maturity and distance may reorder it.
    let question = Question { text: text.clone(), limit: (limit * 3).min(MAX_LIMIT), ..Question::default() };
    let index = current_index(ctx).await?;
    let (answer, records) = ranked(ctx, viewer, &index, other, &question).await?;
    let weights = index.word_weights(&text).map_err(search_error)?;
    let best = answer.hits.first().map_or(1.0, |h| h.score.max(f32::EPSILON));
    let mut out: Vec<MatchView> = answer
        .hits
        .into_iter()
        .zip(records)
        .map(|(hit, record)| {
            let analyzer_terms: BTreeSet<String> = {
                let candidate = format!("{} {}", record.description.title(), record.description.text());
                candidate_words(&candidate, &weights)
            };
            let mut shared: Vec<(&String, &f32)> =
                weights.iter().filter(|(w, _)| analyzer_terms.contains(*w)).collect();
            shared.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
            let same_field =
                source.description.field().is_some() && source.description.field() == record.description.field();
            let maturity = match (&source.description, &record.description) {
                (_, Description::Achievement(a)) | (Description::Achievement(a), _) => a.maturity.map(Maturity::level),
                _ => None,
            };
            let (place, near) =
                proximity(source.description.division(), record.description.division(), (&source.zones, &record.zones));
            let relevance = f64::from(hit.score / best);
            let score = 70.0 * relevance
                + if same_field { 10.0 } else { 0.0 }
                + maturity.map_or(0.0, |m| 10.0 * f64::from(m) / 9.0)
                + 10.0 * near;
            MatchView {
                id: hit.id,
                external_id: hit.external_id,
                score: (score * 100.0).round() / 100.0,
                title_html: hit.title_html,
                snippet_html: hit.text_html,
                reasons: MatchReasons {
                    shared_terms: shared.into_iter().take(8).map(|(w, _)| w.clone()).collect(),
                    same_field,
                    maturity,
                    proximity: place,
                },
                record,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    out.truncate(limit);
    Ok(MatchesView { record: source, matches: out })
}

/// The words of `text` among `known`.
fn candidate_words(text: &str, known: &BTreeMap<String, f32>) -> BTreeSet<String> {
    // Word terms only: a shared bigram is no reason a person can read.
    known.keys().filter(|w| text.contains(w.as_str())).cloned().collect()
}
