//! The achievement and demand information service (三、(一)): institutions file their achievements and demands,
//! the province of the record's division moderates them (completeness, sensitive content) and publishes them, and
//! the published ones are searched in Chinese and matched: a demand against the achievements that answer it, an
//! achievement against the demands it answers. Registries' records come in whole files on the command line.
//!
//! The search index is derived: it holds the published records only, is rebuilt from the store when it is new
//! (or of another format), and before each question catches up with the store's change log, so every instance of
//! a deployment answers from the same records whichever instance wrote them.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;
use ttdz_domain::DivisionCode;
use ttdz_domain::account::Role;
use ttdz_domain::achievement::{
    Achievement, Demand, Field, RecordAction, RecordKind, RecordStatus, Standing, derived_title, next_status,
};
use ttdz_store::{InformationRecord, NewRecord, RecordFilter};

use crate::{AppError, Context, Viewer};

mod assessment;
mod digest;
mod search;

pub use assessment::{AssessmentView, assess, assessments, may_assess, valuate};
pub use digest::{DigestView, FollowInput, ReadPosition, SubscriptionView, digest, follow, read, subscription};
pub(crate) use search::SearchState;
pub use search::{MatchReasons, MatchView, MatchesView, SearchHit, SearchParams, SearchView, matches, reindex, search};

/// Where the index lives and which words users added to the dictionary.
#[derive(Debug, Clone, Default)]
pub struct SearchSettings {
    /// A directory to keep the index in; `None` keeps it in memory (rebuilt at every start).
    pub dir: Option<std::path::PathBuf>,
    /// Dictionaries of extra words (jieba's format: word, optional frequency and part of speech).
    pub dictionaries: Vec<std::path::PathBuf>,
}

/// A record's description, whichever kind it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Description {
    Achievement(Achievement),
    Demand(Demand),
}

impl Description {
    fn parse(kind: RecordKind, body: &str) -> Result<Description, AppError> {
        let corrupt =
            |e: serde_json::Error| ttdz_store::StoreError::Corrupt(format!("stored {} body: {e}", kind.as_str()));
        Ok(match kind {
            RecordKind::Achievement => Description::Achievement(serde_json::from_str(body).map_err(corrupt)?),
            RecordKind::Demand => Description::Demand(serde_json::from_str(body).map_err(corrupt)?),
        })
    }

    pub fn title(&self) -> &str {
        match self {
            Description::Achievement(a) => &a.title,
            Description::Demand(d) => &d.title,
        }
    }

    pub fn text(&self) -> &str {
        match self {
            Description::Achievement(a) => &a.summary,
            Description::Demand(d) => &d.description,
        }
    }

    pub fn division(&self) -> Option<DivisionCode> {
        match self {
            Description::Achievement(a) => a.division,
            Description::Demand(d) => d.division,
        }
    }

    pub fn field(&self) -> Option<Field> {
        match self {
            Description::Achievement(a) => a.field,
            Description::Demand(d) => d.field,
        }
    }

    fn check(&self) -> Result<(), AppError> {
        match self {
            Description::Achievement(a) => a.check(),
            Description::Demand(d) => d.check(),
        }
        .map_err(|e| AppError::Rejected(e.0))
    }

    fn body(&self) -> Result<String, AppError> {
        serde_json::to_string(self).map_err(|e| AppError::Method(format!("cannot keep the record: {e}")))
    }
}

/// A record as its readers see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordView {
    pub id: i64,
    /// `achievement` or `demand`.
    pub kind: &'static str,
    /// The record's id where it came from (the holder's own, or the registry's).
    pub external_id: String,
    /// `draft`, `review`, `published` or `closed`.
    pub status: &'static str,
    /// The filing account; only for its owner and moderators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The moderator's reasons when it was returned; only for its owner and moderators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The zones whose area holds the record's division.
    pub zones: Vec<String>,
    /// The fields of the achievement (title, abstract, holder, ...) or demand (title, description, enterprise,
    /// ...).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub description: Description,
    pub version: i64,
    /// ISO 8601 UTC.
    pub updated_at: String,
    /// For its owner and moderators: what the moderator should look at before publishing (classified markings,
    /// missing fields).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// What a moderator should look at: markings of classified or internal material, and the fields a reader needs
/// that the record leaves out.
fn warnings(description: &Description) -> Vec<String> {
    let text = format!("{} {}", description.title(), description.text());
    let mut out: Vec<String> = ttdz_domain::achievement::sensitive_markings(&text)
        .into_iter()
        .map(|m| format!("contains '{m}': classified or internal material is not published"))
        .collect();
    let missing: Vec<&str> = match description {
        Description::Achievement(a) => [
            ("abstract", a.summary.trim().is_empty()),
            ("holder", a.holder.trim().is_empty()),
            ("field", a.field.is_none()),
            ("maturity", a.maturity.is_none()),
            ("modes", a.modes.is_empty()),
            ("contact", a.contact.trim().is_empty()),
            ("division", a.division.is_none()),
        ]
        .into_iter()
        .filter(|(_, absent)| *absent)
        .map(|(f, _)| f)
        .collect(),
        Description::Demand(d) => [
            ("enterprise", d.enterprise.trim().is_empty()),
            ("field", d.field.is_none()),
            ("contact", d.contact.trim().is_empty()),
            ("division", d.division.is_none()),
        ]
        .into_iter()
        .filter(|(_, absent)| *absent)
        .map(|(f, _)| f)
        .collect(),
    };
    if !missing.is_empty() {
        out.push(format!("incomplete: {} not given", missing.join(", ")));
    }
    out
}

/// The standing `viewer` has on a record of `division` owned by `owner`: its owner, its moderator (the province of
/// its division, or the ministry), or none.
fn standing(viewer: &Viewer, owner: Option<&str>, division: Option<DivisionCode>) -> Option<Standing> {
    match viewer {
        Viewer::Account(a) if owner == Some(a.username.as_str()) => Some(Standing::Owner),
        Viewer::Account(a) if a.role == Role::Province && a.local_team().is_none() => {
            division.filter(|d| viewer.governs(d)).map(|_| Standing::Moderator)
        }
        _ if viewer.role() == Some(Role::Ministry) => Some(Standing::Moderator),
        _ => None,
    }
}

/// The zones a record may lie in: those the public sees. Read once for every record an answer shows.
async fn public_zones(ctx: &Context) -> Result<Vec<ttdz_domain::Zone>, AppError> {
    Ok(crate::visibility::zones_for(ctx, &Viewer::Public).await?)
}

fn zones_of(zones: &[ttdz_domain::Zone], division: Option<DivisionCode>) -> Vec<String> {
    let Some(division) = division else { return Vec::new() };
    zones.iter().filter(|z| z.members.iter().any(|m| division.is_within(m))).map(|z| z.key.to_string()).collect()
}

fn view(viewer: &Viewer, record: InformationRecord, zones: &[ttdz_domain::Zone]) -> Result<RecordView, AppError> {
    let description = Description::parse(record.kind, &record.body)?;
    let insider = standing(viewer, record.owner.as_deref(), record.division).is_some();
    Ok(RecordView {
        id: record.id,
        kind: record.kind.as_str(),
        external_id: record.external_id,
        status: record.status.as_str(),
        owner: record.owner.filter(|_| insider),
        comment: record.comment.filter(|_| insider),
        zones: zones_of(zones, record.division),
        warnings: if insider { warnings(&description) } else { Vec::new() },
        description,
        version: record.version,
        updated_at: record.updated_at,
    })
}

/// A record the viewer may see: a published or closed one, or one it owns or moderates.
async fn visible(ctx: &Context, viewer: &Viewer, kind: RecordKind, id: i64) -> Result<InformationRecord, AppError> {
    let missing = || AppError::NotFound(format!("no {} {id}", kind.as_str()));
    let record = ctx.store().record(id).await?.filter(|r| r.kind == kind).ok_or_else(missing)?;
    let public = matches!(record.status, RecordStatus::Published | RecordStatus::Closed);
    if public || standing(viewer, record.owner.as_deref(), record.division).is_some() {
        Ok(record)
    } else {
        Err(missing())
    }
}

/// One record.
pub async fn get(ctx: &Context, viewer: &Viewer, kind: RecordKind, id: i64) -> Result<RecordView, AppError> {
    get_among(ctx, viewer, (kind, id), &public_zones(ctx).await?).await
}

/// One record, with the zones read already.
async fn get_among(
    ctx: &Context,
    viewer: &Viewer,
    (kind, id): (RecordKind, i64),
    zones: &[ttdz_domain::Zone],
) -> Result<RecordView, AppError> {
    view(viewer, visible(ctx, viewer, kind, id).await?, zones)
}

/// Reads a record's description from JSON: `id` (external) and the kind's fields; a missing `title` is derived
/// from the abstract (or description) and marked so.
pub fn parse_description(kind: RecordKind, value: &Value) -> Result<(Option<String>, Description), String> {
    let Value::Object(map) = value else { return Err("a record is a JSON object".into()) };
    // A field left empty (a form's blank input) is a field not given.
    let mut map: serde_json::Map<String, Value> = map
        .iter()
        .filter(|(_, v)| !v.is_null() && v.as_str().is_none_or(|s| !s.trim().is_empty()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let external = match map.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 100 => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err("id: give a text of at most 100 characters".into()),
    };
    let text_field = match kind {
        RecordKind::Achievement => "abstract",
        RecordKind::Demand => "description",
    };
    let titled = map.get("title").and_then(Value::as_str).is_some_and(|t| !t.trim().is_empty());
    if !titled {
        let text = map.get(text_field).and_then(Value::as_str).unwrap_or_default();
        if text.trim().is_empty() {
            return Err(format!("{text_field} is missing"));
        }
        map.insert("title".into(), Value::String(derived_title(text)));
        map.insert("title_derived".into(), Value::Bool(true));
    }
    let known: &[&str] = match kind {
        RecordKind::Achievement => &[
            "title",
            "title_derived",
            "abstract",
            "holder",
            "division",
            "inventors",
            "field",
            "maturity",
            "ip",
            "modes",
            "price",
            "contact",
            "programme",
            "award",
        ],
        RecordKind::Demand => &[
            "title",
            "title_derived",
            "description",
            "enterprise",
            "division",
            "field",
            "budget",
            "deadline",
            "contact",
        ],
    };
    if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(format!("{unknown}: not a field of a {} (fields: id, {})", kind.as_str(), known.join(", ")));
    }
    // Numbers for money are taken as written, never through a binary float.
    for money in ["price", "budget"] {
        if let Some(Value::Number(n)) = map.get(money) {
            let text = n.to_string();
            map.insert(money.into(), Value::String(text));
        }
    }
    let value = Value::Object(map);
    let description = match kind {
        RecordKind::Achievement => serde_json::from_value(value).map(Description::Achievement),
        RecordKind::Demand => serde_json::from_value(value).map(Description::Demand),
    }
    .map_err(|e| e.to_string())?;
    description.check().map_err(|e| e.to_string())?;
    Ok((external, description))
}

/// What an institution files: the record's fields, and optionally its own id for it.
pub async fn file(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    kind: RecordKind,
    input: &Value,
) -> Result<RecordView, AppError> {
    let owner = match viewer {
        Viewer::Account(a) if ttdz_domain::achievement::files_records(a.role) => a,
        _ => {
            return Err(AppError::Forbidden(format!("{} files no {}: institutions do", viewer.label(), kind.as_str())));
        }
    };
    let (external, mut description) = parse_description(kind, input).map_err(AppError::Rejected)?;
    let own_division = owner.division;
    // A record is of its holder's division unless it says otherwise.
    match &mut description {
        Description::Achievement(a) if a.division.is_none() => a.division = own_division,
        Description::Demand(d) if d.division.is_none() => d.division = own_division,
        _ => {}
    }
    check_division(ctx, description.division()).await?;
    let external_id = external.unwrap_or_else(|| format!("{}-{}", owner.username, &crate::accounts::new_token()[..12]));
    let record = NewRecord {
        kind,
        external_id,
        status: RecordStatus::Draft,
        owner: Some(owner.username.to_string()),
        division: description.division(),
        body: description.body()?,
    };
    let id =
        ctx.store().add_record(&record, &crate::audit(viewer, origin, record.division.map(|d| d.province()))).await?;
    get(ctx, viewer, kind, id).await
}

async fn check_division(ctx: &Context, division: Option<DivisionCode>) -> Result<(), AppError> {
    if let Some(d) = division
        && ctx.tree(None).await?.get(&d).is_none()
    {
        return Err(AppError::Rejected(format!("division: {d} is not a division of the current list")));
    }
    Ok(())
}

/// The owner changes a draft's description, based on version `based_on`: the fields given replace the stored
/// ones (a field given empty is cleared), the others stay.
pub async fn edit(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (kind, id): (RecordKind, i64),
    based_on: i64,
    input: &Value,
) -> Result<RecordView, AppError> {
    let record = visible(ctx, viewer, kind, id).await?;
    if standing(viewer, record.owner.as_deref(), record.division) != Some(Standing::Owner) {
        return Err(AppError::Forbidden(format!("only its owner edits {} {id}", kind.as_str())));
    }
    if record.status != RecordStatus::Draft {
        return Err(AppError::Locked(format!(
            "{} {id} is {}: a draft is edited (withdraw a published one first)",
            kind.as_str(),
            record.status.as_str()
        )));
    }
    // The fields given replace the stored ones (given empty, they are cleared); the rest stay.
    let Value::Object(given) = input else { return Err(AppError::Rejected("a record is a JSON object".into())) };
    let mut merged = serde_json::to_value(Description::parse(kind, &record.body)?)
        .map_err(|e| AppError::Method(format!("cannot read the record: {e}")))?;
    if let Value::Object(stored) = &mut merged {
        if given.contains_key("title") {
            stored.insert("title_derived".into(), Value::Bool(false));
        }
        stored.extend(given.iter().filter(|(k, _)| *k != "id").map(|(k, v)| (k.clone(), v.clone())));
    }
    let (_, description) = parse_description(kind, &merged).map_err(AppError::Rejected)?;
    check_division(ctx, description.division()).await?;
    let audit = crate::audit(viewer, origin, description.division().map(|d| d.province()));
    ctx.store().update_record(id, based_on, description.division().as_ref(), &description.body()?, &audit).await?;
    get(ctx, viewer, kind, id).await
}

/// A step of the record: its owner submits, withdraws or closes it; its moderator publishes, returns (with
/// reasons) or closes it.
pub async fn act(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (kind, id): (RecordKind, i64),
    based_on: i64,
    action: RecordAction,
    comment: Option<&str>,
) -> Result<RecordView, AppError> {
    let record = visible(ctx, viewer, kind, id).await?;
    let standing = standing(viewer, record.owner.as_deref(), record.division)
        .ok_or_else(|| AppError::Forbidden(format!("{} may not act on {} {id}", viewer.label(), kind.as_str())))?;
    let to = next_status(record.status, action, standing).map_err(|e| AppError::Conflict(e.0))?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if action == RecordAction::Return && comment.is_none() {
        return Err(AppError::Rejected("comment: say what the owner must complete or change".into()));
    }
    if let Some(c) = comment {
        ttdz_domain::limits::check_text("comment", c, ttdz_domain::limits::LONG_TEXT)
            .map_err(|e| AppError::Rejected(e.0))?;
    }
    let audit = crate::audit(viewer, origin, record.division.map(|d| d.province()));
    let action_name = format!("{}.{}", kind.as_str(), action.as_str());
    ctx.store().set_record_status(id, based_on, to, comment, &action_name, &audit).await?;
    get(ctx, viewer, kind, id).await
}

/// The steps `viewer` may take on `record` now.
pub fn actions_for(viewer: &Viewer, record: &RecordView) -> Vec<RecordAction> {
    let Ok(status) = RecordStatus::parse(record.status) else { return Vec::new() };
    let Some(standing) = standing(viewer, record.owner.as_deref(), record.description.division()) else {
        return Vec::new();
    };
    RecordAction::ALL.into_iter().filter(|a| next_status(status, *a, standing).is_ok()).collect()
}

/// The viewer's own records (an institution), or those awaiting its moderation (a province: of its divisions;
/// the ministry: all).
pub async fn desk(ctx: &Context, viewer: &Viewer, kind: RecordKind) -> Result<Vec<RecordView>, AppError> {
    let filter = |owner: Option<String>, status: Option<RecordStatus>, province: Option<DivisionCode>| RecordFilter {
        kind,
        status,
        owner,
        province,
        after: None,
        limit: 500,
    };
    let records = match viewer {
        Viewer::Account(a) if ttdz_domain::achievement::files_records(a.role) => {
            ctx.store().records(&filter(Some(a.username.to_string()), None, None)).await?
        }
        Viewer::Account(a) if a.role == Role::Province && a.local_team().is_none() => {
            ctx.store().records(&filter(None, Some(RecordStatus::Review), a.province)).await?
        }
        _ if viewer.role() == Some(Role::Ministry) => {
            ctx.store().records(&filter(None, Some(RecordStatus::Review), None)).await?
        }
        _ => return Err(AppError::Forbidden(format!("{} has no records to file or moderate", viewer.label()))),
    };
    let zones = public_zones(ctx).await?;
    records.into_iter().map(|r| view(viewer, r, &zones)).collect()
}

/// What an import stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportView {
    pub file: String,
    pub added: u64,
    pub updated: u64,
    /// Records whose title was made from the abstract.
    pub titles_derived: u64,
    /// `published`, or `review` when imported for moderation.
    pub status: &'static str,
}

/// A registry's file of records (JSON Lines: one object a line with at least `id` and the abstract or description;
/// or CSV, or an .xlsx whose first sheet has those columns), all or nothing: a bad line refuses the whole file, naming each bad line. What the
/// ministry or the operator imports is published at once unless `for_review`, which sends it to the provinces.
pub async fn import(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    kind: RecordKind,
    (file_name, bytes): (&str, &[u8]),
    for_review: bool,
) -> Result<ImportView, AppError> {
    viewer.must_be_ministry("imports registry records")?;
    // Lines that are no JSON and lines whose record is wrong are reported together.
    let (values, mut problems) = read_lines(file_name, bytes)?;
    let tree = ctx.tree(None).await?;
    let status = if for_review { RecordStatus::Review } else { RecordStatus::Published };
    let mut records = Vec::with_capacity(values.len());
    let mut seen = BTreeSet::new();
    let mut derived = 0;
    for (line, value) in values {
        match parse_description(kind, &value) {
            Ok((None, _)) => problems.add(line, Some("id"), "id is missing: every record keeps its registry id"),
            Ok((Some(external_id), description)) => {
                if !seen.insert(external_id.clone()) {
                    problems.add(line, Some("id"), format!("id '{external_id}' is given twice in the file"));
                    continue;
                }
                if let Some(d) = description.division()
                    && tree.get(&d).is_none()
                {
                    problems.add(line, Some("division"), format!("{d} is not a division of the current list"));
                    continue;
                }
                derived += u64::from(
                    matches!(&description, Description::Achievement(a) if a.title_derived)
                        || matches!(&description, Description::Demand(d) if d.title_derived),
                );
                records.push(NewRecord {
                    kind,
                    external_id,
                    status,
                    owner: None,
                    division: description.division(),
                    body: description.body()?,
                });
            }
            Err(reason) => problems.add(line, None, reason),
        }
    }
    if !problems.is_empty() {
        problems.listed.sort_by_key(|p| p.line);
        return Err(AppError::InvalidFile(problems));
    }
    if records.is_empty() {
        return Err(AppError::UnreadableFile(format!("{file_name} holds no records")));
    }
    let name = batch_name(kind, file_name, bytes);
    let report = ctx.store().import_records(&records, &name, &crate::audit(viewer, origin, None)).await?;
    Ok(ImportView {
        file: file_name.to_owned(),
        added: report.added,
        updated: report.updated,
        titles_derived: derived,
        status: status.as_str(),
    })
}

/// The batch an import of this file is stored under (the store prefixes it with `batch:`): one per kind, file name
/// and content.
pub fn batch_name(kind: RecordKind, file_name: &str, bytes: &[u8]) -> String {
    format!("{}:{file_name}:{}", kind.as_str(), &ttdz_domain::reference::sha256_hex(bytes)[..16])
}

/// The JSON objects of a JSON Lines or CSV file, with their line numbers, and the lines that are none.
fn read_lines(file_name: &str, bytes: &[u8]) -> Result<(Vec<(u64, Value)>, ttdz_ingest::Problems), AppError> {
    // A workbook's first sheet is read as CSV whose line numbers are the sheet's row numbers.
    let workbook = ttdz_xlsx::is_xlsx(bytes);
    let sheet = if workbook {
        Some(ttdz_xlsx::first_sheet_as_csv(bytes).map_err(|e| AppError::UnreadableFile(format!("{file_name}: {e}")))?)
    } else {
        None
    };
    let text = match &sheet {
        Some(csv) => csv.as_str(),
        None => std::str::from_utf8(bytes)
            .map_err(|e| AppError::UnreadableFile(format!("{file_name} is not UTF-8 text: {e}")))?,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut problems = ttdz_ingest::Problems::new(file_name);
    let mut out = Vec::new();
    if workbook || file_name.to_ascii_lowercase().ends_with(".csv") {
        let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(text.as_bytes());
        let headers = reader.headers().map_err(|e| AppError::UnreadableFile(format!("{file_name}: {e}")))?.clone();
        for row in reader.records() {
            let line = match &row {
                Ok(r) => r.position().map_or(0, |p| p.line()),
                Err(e) => e.position().map_or(0, |p| p.line()),
            };
            match row {
                Ok(row) => {
                    let mut map = serde_json::Map::new();
                    for (name, cell) in headers.iter().zip(row.iter()) {
                        let cell = cell.trim();
                        if cell.is_empty() {
                            continue;
                        }
                        let value = match name {
                            "inventors" | "modes" => Value::Array(
                                cell.split(['；', ';']).map(|s| Value::String(s.trim().to_owned())).collect(),
                            ),
                            "maturity" => {
                                cell.parse::<u8>().map(Value::from).unwrap_or_else(|_| Value::String(cell.to_owned()))
                            }
                            _ => Value::String(cell.to_owned()),
                        };
                        map.insert(name.to_owned(), value);
                    }
                    out.push((line, Value::Object(map)));
                }
                Err(e) => problems.add(line, None, e.to_string()),
            }
        }
    } else {
        for (i, raw) in text.lines().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(raw) {
                Ok(v) => out.push((i as u64 + 1, v)),
                Err(e) => problems.add(i as u64 + 1, None, format!("not a JSON object: {e}")),
            }
        }
    }
    Ok((out, problems))
}
