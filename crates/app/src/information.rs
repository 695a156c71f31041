//! The achievement and demand information service (三、(一)): institutions file their achievements and demands,
//! the province of the record's division moderates them (completeness, sensitive content) and publishes them, and
//! the published ones are searched in Chinese and matched: a demand against the achievements that answer it, an
//! achievement against the demands it answers. Registries' records come in whole files on the command line.
//!
//! The search index is derived: it holds the published records only, is rebuilt from the store when it is new
//! (or of another format), and before each question catches up with the store's change log, so every instance of
//! a deployment answers from the same records whichever instance wrote them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;
use ttdz_domain::account::Role;
use ttdz_domain::achievement::{
    Achievement, Demand, Field, Maturity, RecordAction, RecordKind, RecordStatus, Standing, TransferMode,
    derived_title, next_status,
};
use ttdz_domain::{DivisionCode, ZoneKey};
use ttdz_search::{Kind, Question, SearchIndex};
use ttdz_store::{InformationRecord, NewRecord, RecordFilter};

use crate::{AppError, Context, Viewer};

/// Where the index lives and which words users added to the dictionary.
#[derive(Debug, Clone, Default)]
pub struct SearchSettings {
    /// A directory to keep the index in; `None` keeps it in memory (rebuilt at every start).
    pub dir: Option<std::path::PathBuf>,
    /// Dictionaries of extra words (jieba's format: word, optional frequency and part of speech).
    pub dictionaries: Vec<std::path::PathBuf>,
}

/// The index and the change-log cursor it is current with.
pub(crate) struct SearchState {
    index: SearchIndex,
    cursor: Option<String>,
}

/// Most results a question may ask for.
pub const MAX_LIMIT: usize = 100;
/// Changes read from the log at a time while catching up.
const CHANGE_PAGE: u32 = 2_000;

fn kind_of(kind: RecordKind) -> Kind {
    match kind {
        RecordKind::Achievement => Kind::Achievement,
        RecordKind::Demand => Kind::Demand,
    }
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

async fn zones_of(ctx: &Context, division: Option<DivisionCode>) -> Result<Vec<String>, AppError> {
    let Some(division) = division else { return Ok(Vec::new()) };
    let public = crate::visibility::zones_for(ctx, &Viewer::Public).await?;
    Ok(public
        .into_iter()
        .filter(|z| z.members.iter().any(|m| division.is_within(m)))
        .map(|z| z.key.to_string())
        .collect())
}

async fn view(ctx: &Context, viewer: &Viewer, record: InformationRecord) -> Result<RecordView, AppError> {
    let description = Description::parse(record.kind, &record.body)?;
    let insider = standing(viewer, record.owner.as_deref(), record.division).is_some();
    Ok(RecordView {
        id: record.id,
        kind: record.kind.as_str(),
        external_id: record.external_id,
        status: record.status.as_str(),
        owner: record.owner.filter(|_| insider),
        comment: record.comment.filter(|_| insider),
        zones: zones_of(ctx, record.division).await?,
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
    let record = visible(ctx, viewer, kind, id).await?;
    view(ctx, viewer, record).await
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
    let mut out = Vec::with_capacity(records.len());
    for r in records {
        out.push(view(ctx, viewer, r).await?);
    }
    Ok(out)
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

// --- Search ---

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
        *state = Some(SearchState { index, cursor });
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

async fn question(ctx: &Context, params: &SearchParams) -> Result<Question, AppError> {
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
        exclude: None,
    })
}

async fn ranked(
    ctx: &Context,
    viewer: &Viewer,
    kind: RecordKind,
    question: &Question,
) -> Result<(ttdz_search::Answer, Vec<RecordView>), AppError> {
    let answer = {
        let mut guard = search_state(ctx).await?;
        let state = guard.as_mut().ok_or_else(|| AppError::Method("the search index is not open".into()))?;
        catch_up(ctx, state).await?;
        state.index.search(kind_of(kind), question).map_err(search_error)?
    };
    let mut records = Vec::with_capacity(answer.hits.len());
    for hit in &answer.hits {
        records.push(get(ctx, viewer, kind, hit.id).await?);
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
    let (answer, records) = ranked(ctx, viewer, kind, &question).await?;
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
    let (answer, records) = ranked(ctx, viewer, other, &question).await?;
    let weights = {
        let guard = search_state(ctx).await?;
        let state = guard.as_ref().ok_or_else(|| AppError::Method("the search index is not open".into()))?;
        state.index.word_weights(&text).map_err(search_error)?
    };
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

// --- Subscriptions: classified, batched publication ---

/// What an account follows of one kind, and how far it has read.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubscriptionView {
    /// `achievement` or `demand`.
    pub kind: &'static str,
    /// Technical field codes; empty: every field.
    pub fields: Vec<String>,
    /// Division codes or zone keys; empty: everywhere.
    pub areas: Vec<String>,
    /// The publication time read up to, ISO 8601 UTC.
    pub read_until: Option<String>,
}

/// What to follow: fields and areas, each list empty for all.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FollowInput {
    #[serde(default)]
    pub fields: Vec<String>,
    /// 6-digit division codes or zone keys.
    #[serde(default)]
    pub areas: Vec<String>,
}

/// The records published since the last reading that an account follows, in the order they were published.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DigestView {
    pub subscription: SubscriptionView,
    pub records: Vec<RecordView>,
    /// Send these back to `read` to mark the digest read up to its last record.
    pub read_to: Option<ReadPosition>,
    /// True when more records wait than one digest holds.
    pub more: bool,
}

/// A place in the order of publication.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReadPosition {
    /// ISO 8601 UTC.
    pub published_at: String,
    pub id: i64,
}

/// Records in one digest at most.
const DIGEST_RECORDS: usize = 100;
/// How many published records a digest reads at a time, and at most in all, to find its own.
const DIGEST_PAGE: u32 = 500;
const DIGEST_PAGES: usize = 20;
/// Fields and areas one subscription may name.
const FOLLOWED: usize = 20;

fn subscriber(viewer: &Viewer) -> Result<&ttdz_domain::account::Account, AppError> {
    match viewer {
        Viewer::Account(a) => Ok(a),
        _ => Err(AppError::Forbidden("subscriptions belong to accounts: log in first".into())),
    }
}

fn subscription_view(kind: RecordKind, s: Option<ttdz_store::Subscription>) -> SubscriptionView {
    let s = s.unwrap_or(ttdz_store::Subscription {
        username: String::new(),
        kind,
        fields: Vec::new(),
        areas: Vec::new(),
        read: None,
    });
    SubscriptionView { kind: kind.as_str(), fields: s.fields, areas: s.areas, read_until: s.read.map(|(at, _)| at) }
}

/// What the viewer follows of `kind` (nothing yet: empty lists).
pub async fn subscription(ctx: &Context, viewer: &Viewer, kind: RecordKind) -> Result<SubscriptionView, AppError> {
    let account = subscriber(viewer)?;
    Ok(subscription_view(kind, ctx.store().subscription(account.username.as_str(), kind).await?))
}

/// Follows fields and areas of `kind` (each list checked by name; empty: all).
pub async fn follow(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    kind: RecordKind,
    input: FollowInput,
) -> Result<SubscriptionView, AppError> {
    let account = subscriber(viewer)?;
    if input.fields.len() > FOLLOWED || input.areas.len() > FOLLOWED {
        return Err(AppError::Rejected(format!("fields, areas: at most {FOLLOWED} each")));
    }
    let mut fields = Vec::new();
    for (i, f) in input.fields.iter().enumerate() {
        let field = Field::parse(f.trim()).map_err(|e| AppError::Rejected(format!("fields[{i}]: {}", e.0)))?;
        fields.push(field.as_str().to_owned());
    }
    let mut areas = Vec::new();
    for (i, a) in input.areas.iter().enumerate() {
        let params = SearchParams { area: Some(a.clone()), ..SearchParams::default() };
        question(ctx, &params).await.map_err(|e| AppError::Rejected(format!("areas[{i}]: {e}")))?;
        areas.push(a.trim().to_owned());
    }
    let stored = ttdz_store::Subscription { username: account.username.to_string(), kind, fields, areas, read: None };
    ctx.store().save_subscription(&stored, &crate::audit(viewer, origin, None)).await?;
    subscription(ctx, viewer, kind).await
}

/// The viewer's digest of `kind`: the published records it follows, since it last read, oldest first.
pub async fn digest(ctx: &Context, viewer: &Viewer, kind: RecordKind) -> Result<DigestView, AppError> {
    let account = subscriber(viewer)?;
    let stored = ctx.store().subscription(account.username.as_str(), kind).await?;
    let Some(followed) = stored.clone() else {
        return Ok(DigestView {
            subscription: subscription_view(kind, None),
            records: Vec::new(),
            read_to: None,
            more: false,
        });
    };
    // The areas as sets of member codes: a zone is its members.
    let mut members: Vec<DivisionCode> = Vec::new();
    for area in &followed.areas {
        let asked = question(ctx, &SearchParams { area: Some(area.clone()), ..SearchParams::default() }).await?;
        members.extend(asked.areas.iter().filter_map(|c| DivisionCode::parse(c).ok()));
    }
    let wanted = |r: &InformationRecord| -> Result<bool, AppError> {
        let description = Description::parse(r.kind, &r.body)?;
        let field_ok = followed.fields.is_empty()
            || description.field().is_some_and(|f| followed.fields.iter().any(|x| x == f.as_str()));
        let area_ok =
            followed.areas.is_empty() || description.division().is_some_and(|d| members.iter().any(|m| d.is_within(m)));
        Ok(field_ok && area_ok)
    };
    let mut position = followed.read.clone();
    let (mut records, mut more) = (Vec::new(), false);
    'pages: for _ in 0..DIGEST_PAGES {
        let page = ctx
            .store()
            .published_after(kind, position.as_ref().map(|(at, id)| (at.as_str(), *id)), DIGEST_PAGE)
            .await?;
        let exhausted = (page.len() as u32) < DIGEST_PAGE;
        for r in page {
            if records.len() == DIGEST_RECORDS {
                more = true;
                break 'pages;
            }
            position = r.published_at.clone().map(|at| (at, r.id));
            if wanted(&r)? {
                records.push(r);
            }
        }
        if exhausted {
            break;
        }
    }
    let read_to = records.last().and_then(|r| Some(ReadPosition { published_at: r.published_at.clone()?, id: r.id }));
    let mut views = Vec::with_capacity(records.len());
    for r in records {
        views.push(view(ctx, viewer, r).await?);
    }
    Ok(DigestView { subscription: subscription_view(kind, stored), records: views, read_to, more })
}

/// Marks the viewer's digest of `kind` read up to a position a digest gave.
pub async fn read(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    kind: RecordKind,
    position: &ReadPosition,
) -> Result<SubscriptionView, AppError> {
    let account = subscriber(viewer)?;
    let valid = position.published_at.parse::<jiff::Timestamp>().is_ok() && position.id > 0;
    if !valid {
        return Err(AppError::Rejected("published_at, id: give the read_to a digest answered".into()));
    }
    if ctx.store().subscription(account.username.as_str(), kind).await?.is_none() {
        return Err(AppError::NotFound(format!("{} follows no {}s", account.username, kind.as_str())));
    }
    let audit = crate::audit(viewer, origin, None);
    ctx.store().mark_read(account.username.as_str(), kind, &position.published_at, position.id, &audit).await?;
    subscription(ctx, viewer, kind).await
}

// --- Assessment and valuation ---

/// An assessment as its readers see it: the scores, the conclusion, and the valuation worked out from its inputs.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessmentView {
    pub id: i64,
    /// Who assessed it (`user:NAME`).
    pub assessor: String,
    /// ISO 8601 UTC.
    pub assessed_at: String,
    /// The scores per dimension (scientific, technical, economic, social, potential), conclusion, evidence and the
    /// valuation's inputs.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub assessment: ttdz_domain::assessment::Assessment,
    /// The mean score, 1-5.
    pub mean: String,
    /// Each approach's value with its steps, and the range they span.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub valuation: Option<ttdz_domain::assessment::Valuation>,
}

fn assessment_view(record: ttdz_store::AssessmentRecord) -> Result<AssessmentView, AppError> {
    let assessment: ttdz_domain::assessment::Assessment = serde_json::from_str(&record.body)
        .map_err(|e| ttdz_store::StoreError::Corrupt(format!("assessment {}: {e}", record.id)))?;
    let valuation = assessment.valuation.as_ref().map(|v| v.valuate()).transpose().map_err(|e| {
        ttdz_store::StoreError::Corrupt(format!("assessment {}: its valuation no longer computes: {}", record.id, e.0))
    })?;
    Ok(AssessmentView {
        id: record.id,
        assessor: record.assessor,
        assessed_at: record.assessed_at,
        mean: assessment.mean().to_string(),
        assessment,
        valuation,
    })
}

/// Who may assess an achievement: experts, institutions (transfer and assessment institutions among them) and the
/// ministry; never its own holder.
pub fn may_assess(viewer: &Viewer, record: &RecordView) -> bool {
    let role = viewer.role();
    let own = matches!(viewer, Viewer::Account(a) if record.owner.as_deref() == Some(a.username.as_str()));
    record.status == "published" && !own && matches!(role, Some(Role::Expert | Role::Institution | Role::Ministry))
}

/// Assesses a published achievement: every dimension scored 1-5 with reasons, a conclusion, evidence, and
/// optionally a valuation (each approach's inputs checked by name).
pub async fn assess(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    id: i64,
    assessment: ttdz_domain::assessment::Assessment,
) -> Result<AssessmentView, AppError> {
    let record = get(ctx, viewer, RecordKind::Achievement, id).await?;
    if !may_assess(viewer, &record) {
        return Err(AppError::Forbidden(format!(
            "{} may not assess achievement {id}: experts and institutions assess published achievements, not their own",
            viewer.label()
        )));
    }
    assessment.check().map_err(|e| AppError::Rejected(e.0))?;
    let body = serde_json::to_string(&assessment).map_err(|e| AppError::Method(format!("cannot keep it: {e}")))?;
    let audit = crate::audit(viewer, origin, record.description.division().map(|d| d.province()));
    let assessment_id = ctx.store().add_assessment(id, &body, &audit).await?;
    assessments(ctx, viewer, id)
        .await?
        .into_iter()
        .find(|a| a.id == assessment_id)
        .ok_or_else(|| AppError::NotFound("the assessment just stored".into()))
}

/// An achievement's assessments, oldest first, for whoever may see the achievement.
pub async fn assessments(ctx: &Context, viewer: &Viewer, id: i64) -> Result<Vec<AssessmentView>, AppError> {
    visible(ctx, viewer, RecordKind::Achievement, id).await?;
    ctx.store().assessments(id).await?.into_iter().map(assessment_view).collect()
}

/// The valuation helper: each approach's value from the inputs given, with every step; stores nothing.
pub fn valuate(
    input: &ttdz_domain::assessment::ValuationInput,
) -> Result<ttdz_domain::assessment::Valuation, AppError> {
    input.valuate().map_err(|e| AppError::Rejected(e.0))
}
