//! The information service in the browser: search of the published achievements (`/achievements`) and demands
//! (`/demands`) with filters and highlighted passages; each record's page (`/achievements/{id}`,
//! `/demands/{id}`) with what matches it and why, and for its owner and moderator the steps they may take; the
//! filing form of an institution (`/achievements/new`, `/demands/new`); the desk (`/information/desk`): an
//! institution's own records, a province's moderation queue; and the digest (`/information/digest`): what one
//! follows, and what was published there since one last read. Every page calls the use cases the API calls.

use askama::Template;
use axum::extract::OriginalUri;
use axum::extract::{Extension, Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use ttdz_app::information::{MatchView, RecordView, SearchHit, SearchParams};
use ttdz_domain::account::Role;
use ttdz_domain::achievement::{Field, Maturity, RecordKind, TransferMode};

use super::{Desk, Page, PageError, csrf_of, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::state::AppState;

fn kind_in_path(page: &Page) -> RecordKind {
    if page.path.starts_with("/demands") { RecordKind::Demand } else { RecordKind::Achievement }
}

/// The choices of the filters and forms, labelled in the page's language.
fn fields(lang: Lang) -> Vec<(&'static str, &'static str)> {
    Field::ALL.iter().map(|f| (f.as_str(), if lang == Lang::Zh { f.label_zh() } else { f.as_str() })).collect()
}

fn modes(lang: Lang) -> Vec<(&'static str, &'static str)> {
    TransferMode::ALL.iter().map(|m| (m.as_str(), if lang == Lang::Zh { m.label_zh() } else { m.as_str() })).collect()
}

/// The search form as the browser sends it: empty fields are no filter.
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    field: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    maturity_min: String,
    #[serde(default)]
    mode: String,
}

#[derive(Template)]
#[template(path = "information_search.html")]
struct SearchTemplate {
    page: Page,
    kind: &'static str,
    form: SearchForm,
    fields: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    total: usize,
    hits: Vec<SearchHit>,
    /// What was wrong with the filters, if anything.
    problem: Option<String>,
    can_file: bool,
}

impl SearchTemplate {
    fn field_label(&self, record: &RecordView) -> String {
        label_of_field(self.page.lang, record)
    }
}

fn label_of_field(lang: Lang, record: &RecordView) -> String {
    record
        .description
        .field()
        .map_or_else(String::new, |f| if lang == Lang::Zh { f.label_zh().to_owned() } else { f.as_str().to_owned() })
}

pub async fn search(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Extension(caller): Extension<Caller>,
    Query(form): Query<SearchForm>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let kind = kind_in_path(&page);
    let maturity_min = form.maturity_min.trim().parse::<u8>().ok();
    let none_if_empty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let params = SearchParams {
        q: form.q.clone(),
        field: none_if_empty(&form.field),
        area: none_if_empty(&form.area),
        maturity_min,
        maturity_max: None,
        mode: none_if_empty(&form.mode).filter(|_| kind == RecordKind::Achievement),
        limit: Some(30),
    };
    let (total, hits, problem) = match ttdz_app::information::search(state.app(), &caller.viewer(), kind, &params).await
    {
        Ok(view) => (view.total, view.hits, None),
        Err(ttdz_app::AppError::Invalid(m)) => (0, Vec::new(), Some(m)),
        Err(e) => return Err(PageError::from_app(page, e)),
    };
    Ok(render(&SearchTemplate {
        kind: kind.as_str(),
        fields: fields(lang),
        modes: modes(lang),
        can_file: caller.role() == Some(Role::Institution),
        form,
        total,
        hits,
        problem,
        page,
    }))
}

#[derive(Template)]
#[template(path = "information_record.html")]
struct RecordTemplate {
    page: Page,
    record: RecordView,
    matches: Vec<MatchView>,
    /// The steps the viewer may take now: (action, label).
    actions: Vec<(&'static str, &'static str)>,
    csrf: String,
    /// The owner edits a draft here.
    editable: bool,
    fields: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
    assessments: Vec<ttdz_app::information::AssessmentView>,
    can_assess: bool,
    /// The assessment's dimensions: (code, label).
    dimensions: Vec<(&'static str, &'static str)>,
    /// The cost items the assessment form offers.
    cost_items: [&'static str; 4],
}

impl RecordTemplate {
    fn dimension_label(&self, d: &ttdz_domain::assessment::Dimension) -> &'static str {
        if self.page.lang == Lang::Zh { d.label_zh() } else { d.as_str() }
    }

    fn approaches<'a>(
        &self,
        v: &'a ttdz_domain::assessment::Valuation,
    ) -> Vec<(&'static str, &'a ttdz_domain::assessment::ApproachResult)> {
        let t = self.page.t;
        [(t.info_cost_approach, &v.cost), (t.info_market_approach, &v.market), (t.info_income_approach, &v.income)]
            .into_iter()
            .filter_map(|(label, r)| Some((label, r.as_ref()?)))
            .collect()
    }

    fn field_label(&self) -> String {
        label_of_field(self.page.lang, &self.record)
    }

    fn status_label(&self) -> &'static str {
        match ttdz_domain::achievement::RecordStatus::parse(self.record.status) {
            Ok(s) if self.page.lang == Lang::Zh => s.label_zh(),
            Ok(s) => s.as_str(),
            Err(_) => "",
        }
    }

    fn proximity_label(&self, proximity: &str) -> &'static str {
        let t = self.page.t;
        match proximity {
            "same_county" => t.info_same_county,
            "same_city" => t.info_same_city,
            "same_province" => t.info_same_province,
            "same_zone" => t.info_same_zone,
            "elsewhere" => t.info_elsewhere,
            _ => "—",
        }
    }

    fn match_maturity(&self, m: &MatchView) -> String {
        m.reasons.maturity.map_or_else(|| "—".to_owned(), |level| self.maturity_label(level))
    }

    fn maturity_label(&self, level: u8) -> String {
        match Maturity::new(level) {
            Ok(m) if self.page.lang == Lang::Zh => format!("{level} · {}", m.label_zh()),
            _ => level.to_string(),
        }
    }

    fn mode_labels(&self, list: &[TransferMode]) -> String {
        let zh = self.page.lang == Lang::Zh;
        list.iter().map(|m| if zh { m.label_zh() } else { m.as_str() }).collect::<Vec<_>>().join("、")
    }

    fn maturity_is(&self, level: &u8) -> bool {
        matches!(&self.record.description, ttdz_app::information::Description::Achievement(a) if a.maturity.map(Maturity::level) == Some(*level))
    }

    fn field_is(&self, field: &str) -> bool {
        self.record.description.field().is_some_and(|f| f.as_str() == field)
    }

    fn has_mode(&self, mode: &str) -> bool {
        matches!(&self.record.description, ttdz_app::information::Description::Achievement(a) if a.modes.iter().any(|m| m.as_str() == mode))
    }
}

pub async fn record(
    State(state): State<AppState>,
    lang: Lang,
    uri: OriginalUri,
    Path(id): Path<String>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let kind = kind_in_path(&page);
    let Ok(id) = id.parse::<i64>() else { return Err(PageError::NotFound(page)) };
    let (ctx, viewer) = (state.app(), caller.viewer());
    let record = allowed!(page, ttdz_app::information::get(ctx, &viewer, kind, id).await);
    let matches = if record.status == "published" {
        attempt!(page, ttdz_app::information::matches(ctx, &viewer, (kind, id), Some(10)).await).matches
    } else {
        Vec::new()
    };
    let actions = ttdz_app::information::actions_for(&viewer, &record)
        .into_iter()
        .map(|a| (a.as_str(), if lang == Lang::Zh { a.label_zh() } else { a.as_str() }))
        .collect();
    let editable = record.status == "draft" && record.owner.is_some() && caller.role() == Some(Role::Institution);
    let assessments = if kind == RecordKind::Achievement {
        attempt!(page, ttdz_app::information::assessments(ctx, &viewer, id).await)
    } else {
        Vec::new()
    };
    let dimensions = ttdz_domain::assessment::Dimension::ALL
        .iter()
        .map(|d| (d.as_str(), if lang == Lang::Zh { d.label_zh() } else { d.as_str() }))
        .collect();
    Ok(render(&RecordTemplate {
        can_assess: kind == RecordKind::Achievement && ttdz_app::information::may_assess(&viewer, &record),
        assessments,
        dimensions,
        cost_items: ["研发人工费", "材料费", "设备与测试费", "其他费用"],
        csrf: csrf_of(&state, &caller).await,
        record,
        matches,
        actions,
        editable,
        fields: fields(lang),
        modes: modes(lang),
        page,
    }))
}

#[derive(Template)]
#[template(path = "information_new.html")]
struct NewTemplate {
    page: Page,
    kind: &'static str,
    csrf: String,
    fields: Vec<(&'static str, &'static str)>,
    modes: Vec<(&'static str, &'static str)>,
}

pub async fn new_record(
    State(state): State<AppState>,
    Desk { page, caller, role }: Desk,
) -> Result<Response, PageError> {
    if role != Role::Institution {
        let why = page.t.info_institutions_file.to_owned();
        return Err(PageError::Forbidden(page, why));
    }
    let lang = page.lang;
    Ok(render(&NewTemplate {
        kind: kind_in_path(&page).as_str(),
        csrf: csrf_of(&state, &caller).await,
        fields: fields(lang),
        modes: modes(lang),
        page,
    }))
}

#[derive(Template)]
#[template(path = "information_desk.html")]
struct DeskTemplate {
    page: Page,
    /// (kind, its heading, its records)
    lists: Vec<(&'static str, &'static str, Vec<RecordView>)>,
    institution: bool,
}

impl DeskTemplate {
    fn status_label(&self, status: &str) -> &'static str {
        match ttdz_domain::achievement::RecordStatus::parse(status) {
            Ok(s) if self.page.lang == Lang::Zh => s.label_zh(),
            Ok(s) => s.as_str(),
            Err(_) => "",
        }
    }
}

pub async fn desk(State(state): State<AppState>, Desk { page, caller, role }: Desk) -> Result<Response, PageError> {
    let viewer = caller.viewer();
    let mut lists = Vec::new();
    for (kind, heading) in
        [(RecordKind::Achievement, page.t.info_achievements), (RecordKind::Demand, page.t.info_demands)]
    {
        let records = allowed!(page, ttdz_app::information::desk(state.app(), &viewer, kind).await);
        lists.push((kind.as_str(), heading, records));
    }
    Ok(render(&DeskTemplate { page, lists, institution: role == Role::Institution }))
}

/// One kind's part of the digest page.
struct DigestPart {
    kind: &'static str,
    heading: &'static str,
    digest: ttdz_app::information::DigestView,
    /// The read position as the JSON body of the mark-read form.
    read_body: Option<String>,
}

#[derive(Template)]
#[template(path = "information_digest.html")]
struct DigestTemplate {
    page: Page,
    csrf: String,
    parts: Vec<DigestPart>,
    fields: Vec<(&'static str, &'static str)>,
}

impl DigestTemplate {
    fn follows(&self, part: &DigestPart, field: &str) -> bool {
        part.digest.subscription.fields.iter().any(|f| f == field)
    }

    fn area(&self, part: &DigestPart, n: &usize) -> String {
        part.digest.subscription.areas.get(*n).cloned().unwrap_or_default()
    }
}

pub async fn digest(State(state): State<AppState>, Desk { page, caller, .. }: Desk) -> Result<Response, PageError> {
    let viewer = caller.viewer();
    let mut parts = Vec::new();
    for (kind, heading) in
        [(RecordKind::Achievement, page.t.info_achievements), (RecordKind::Demand, page.t.info_demands)]
    {
        let digest = allowed!(page, ttdz_app::information::digest(state.app(), &viewer, kind).await);
        let read_body = digest
            .read_to
            .as_ref()
            .map(|p| serde_json::json!({"published_at": p.published_at, "id": p.id}).to_string());
        parts.push(DigestPart { kind: kind.as_str(), heading, digest, read_body });
    }
    let lang = page.lang;
    Ok(render(&DigestTemplate { csrf: csrf_of(&state, &caller).await, parts, fields: fields(lang), page }))
}
