//! The registers in the browser (`/registers`): anyone reads a register, inside a division and as it stood at a
//! year's end (the entries that year's figure counts); the ministry and the provinces' S&T departments add entries,
//! end them (with the day they were revoked, left or graduated) and remove those made in error. Every form posts
//! to the API, which calls the same use cases.

use askama::Template;
use axum::extract::{Extension, OriginalUri, Query, State};
use axum::response::Response;
use serde::Deserialize;
use ttdz_app::registers::{EntryView, RegisterInfo, RegisterListing};

use super::{Page, PageError, csrf_of, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct RegisterParams {
    #[serde(default)]
    register: Option<String>,
    #[serde(default)]
    division: Option<String>,
    #[serde(default)]
    year: Option<String>,
}

/// An entry's row: the entry, its own fields as label and value, and the body that ends it (the entry as it is,
/// to which the form adds `until`).
struct EntryRow {
    entry: EntryView,
    details: String,
    trainings: String,
    end_body: String,
}

#[derive(Template)]
#[template(path = "registers.html")]
struct RegistersTemplate {
    page: Page,
    csrf: String,
    registers: Vec<RegisterInfo>,
    listing: RegisterListing,
    division: String,
    year: String,
    rows: Vec<EntryRow>,
    /// The register's own fields, with their labels and choices.
    fields: Vec<(&'static str, &'static str, bool, &'static [&'static str])>,
    has_trainings: bool,
    /// What was wrong with the filter asked, if anything.
    problem: Option<String>,
}

impl RegistersTemplate {
    fn name_of(&self, r: &RegisterInfo) -> &'static str {
        if self.page.lang == Lang::En { r.name_en } else { r.name_zh }
    }
}

/// What an entry's own field is called.
fn field_label(lang: Lang, field: &str) -> &'static str {
    let (zh, en) = match field {
        "batch" => ("批次", "Batch"),
        "host" => ("依托单位", "Host"),
        "host_kind" => ("依托单位类型", "Host kind"),
        "level" => ("等级", "Level"),
        "institution" => ("所在机构", "Institution"),
        "capital_kind" => ("资本类型", "Capital"),
        "recognition" => ("认定级别", "Recognition"),
        "incubator" => ("所在孵化器", "Incubator"),
        "field" => ("领域", "Field"),
        "trainings" => ("培训记录", "Trainings"),
        _ => ("", ""),
    };
    if lang == Lang::En { en } else { zh }
}

fn row(lang: Lang, entry: EntryView) -> EntryRow {
    let details =
        entry.details.iter().map(|(k, v)| format!("{}：{v}", field_label(lang, k))).collect::<Vec<_>>().join("；");
    let trainings = entry
        .trainings
        .iter()
        .map(|t| format!("{} {}（{}）", t.date, t.course, t.hours))
        .collect::<Vec<_>>()
        .join("；");
    let mut body = serde_json::json!({ "name": entry.name, "division": entry.division, "from": entry.from });
    for (k, v) in &entry.details {
        body[k] = serde_json::Value::String(v.clone());
    }
    if !entry.trainings.is_empty() {
        body["trainings"] = serde_json::json!(
            entry
                .trainings
                .iter()
                .map(|t| serde_json::json!({ "date": t.date, "course": t.course, "hours": t.hours }))
                .collect::<Vec<_>>()
        );
    }
    EntryRow { details, trainings, end_body: body.to_string(), entry }
}

pub async fn registers(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    lang: Lang,
    uri: OriginalUri,
    Query(asked): Query<RegisterParams>,
) -> Result<Response, PageError> {
    let page = Page::new(lang, &uri);
    let viewer = caller.viewer();
    let key = asked.register.as_deref().filter(|k| !k.is_empty()).unwrap_or("national_tt_institutions");
    let mut division = asked.division.as_deref().map(str::trim).filter(|d| !d.is_empty());
    let asked_year = asked.year.as_deref().map(str::trim).filter(|y| !y.is_empty());
    let mut year = asked_year.and_then(|y| y.parse::<i64>().ok());
    // A filter that does not parse is named above the whole register, as the rewards page names its fields.
    let mut problem = asked_year.filter(|_| year.is_none()).map(|y| format!("year: '{y}' is not a year"));
    let listing = match ttdz_app::registers::list(state.app(), &viewer, key, division, year).await {
        Err(ttdz_app::AppError::Invalid(message)) => {
            problem = Some(problem.map_or(message.clone(), |p| format!("{p}; {message}")));
            (division, year) = (None, None);
            allowed!(page, ttdz_app::registers::list(state.app(), &viewer, key, None, None).await)
        }
        other => allowed!(page, other),
    };
    let fields: Vec<_> = listing
        .register
        .fields
        .iter()
        .filter(|f| f.name != "trainings")
        .map(|f| (f.name, field_label(lang, f.name), f.required, f.choices))
        .collect();
    let has_trainings = listing.register.fields.iter().any(|f| f.name == "trainings");
    let rows = listing.entries.iter().cloned().map(|e| row(lang, e)).collect();
    Ok(render(&RegistersTemplate {
        csrf: csrf_of(&state, &caller).await,
        registers: ttdz_app::registers::registers(),
        division: division.unwrap_or_default().to_owned(),
        year: year.map(|y| y.to_string()).unwrap_or_default(),
        rows,
        fields,
        has_trainings,
        problem,
        listing,
        page,
    }))
}
