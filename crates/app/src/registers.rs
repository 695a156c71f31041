//! The registers of the technology market (transfer institutions, brokers, investors, maker spaces, incubated
//! firms): public to read, kept by the ministry (national demonstration institutions, and any register) and by each
//! province's S&T department for its province. Every change rewrites the register's year-end counts in the same
//! transaction, and those counts are the figures of Annex 2 rows 3, 4, 5, 10, 11 and 12 wherever a register covers
//! the place (`ttdz_domain::register`).

use serde::Serialize;
use ttdz_domain::DivisionCode;
use ttdz_domain::account::Role;
use ttdz_domain::register::{EntryInput, Keeper, Register, choices_of};
use ttdz_store::{RegisterChange, StoredEntry};

use crate::{AppError, Context, Viewer};

/// A register and the fields its entries have.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterInfo {
    /// The key in URLs, which is also the data element it counts.
    pub key: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// The Annex 2 row its count feeds.
    pub row: u8,
    /// `ministry` (the whole country) or `province` (each its own).
    pub keeper: &'static str,
    pub fields: Vec<FieldInfo>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldInfo {
    pub name: &'static str,
    pub required: bool,
    /// The values it takes, if it is a choice.
    pub choices: &'static [&'static str],
}

fn info(register: Register) -> RegisterInfo {
    RegisterInfo {
        key: register.as_str(),
        name_zh: register.name_zh(),
        name_en: register.name_en(),
        row: register.row(),
        keeper: match register.keeper() {
            Keeper::Ministry => "ministry",
            Keeper::Province => "province",
        },
        fields: register
            .fields()
            .iter()
            .map(|(name, required)| FieldInfo { name, required: *required, choices: choices_of(name) })
            .collect(),
    }
}

/// The six registers.
pub fn registers() -> Vec<RegisterInfo> {
    Register::ALL.into_iter().map(info).collect()
}

/// An entry as its readers see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EntryView {
    pub id: i64,
    pub name: String,
    pub division: String,
    /// The division's name with its city and province, as the tree has it.
    pub place: String,
    /// ISO 8601.
    pub from: String,
    pub until: Option<String>,
    /// In force today.
    pub in_force: bool,
    pub details: std::collections::BTreeMap<String, String>,
    pub trainings: Vec<TrainingView>,
    /// For `If-Match`.
    pub version: i64,
    /// Whether the viewer may change or remove it.
    pub editable: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrainingView {
    pub date: String,
    pub course: String,
    pub hours: u32,
}

/// A register's entries as asked, and, for a year, how many were in force at its end.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterListing {
    pub register: RegisterInfo,
    /// The year asked: only the entries in force on its 31 December are listed, and `in_force_at_year_end` counts
    /// them (the figure the register gives the division that year).
    pub year: Option<i32>,
    pub division: Option<String>,
    pub in_force_at_year_end: Option<usize>,
    /// The batch the counts are stored under, which indicator reports cite.
    pub source: String,
    /// Whether the viewer may add entries.
    pub may_add: bool,
    pub entries: Vec<EntryView>,
}

fn register_named(key: &str) -> Result<Register, AppError> {
    Register::parse(key).ok_or_else(|| {
        let known: Vec<&str> = Register::ALL.iter().map(|r| r.as_str()).collect();
        AppError::NotFound(format!("'{key}' is not a register: the registers are {}", known.join(", ")))
    })
}

/// Whether `viewer` keeps `register` where `division` stands (or somewhere, for `None`): the ministry keeps every
/// register, a province's department its province's entries of the provincial registers (an account scoped to a
/// division, only inside it).
fn may_keep(viewer: &Viewer, register: Register, division: Option<&DivisionCode>) -> Result<(), AppError> {
    let label = viewer.label();
    match viewer {
        Viewer::Service | Viewer::Operator(_) => Ok(()),
        Viewer::Account(a) if a.role == Role::Ministry => Ok(()),
        Viewer::Account(a) if a.role == Role::Province => {
            if register.keeper() == Keeper::Ministry {
                return Err(AppError::Forbidden(format!(
                    "{label} may not change the register of {}: the ministry keeps it",
                    register.name_en()
                )));
            }
            let Some(scope) = a.division.or(a.province) else {
                return Err(AppError::Forbidden(format!("{label} serves no province")));
            };
            match division {
                Some(d) if !d.is_within(&scope) => Err(AppError::Forbidden(format!(
                    "{label} keeps the register for {scope}: division {d} is outside it"
                ))),
                _ => Ok(()),
            }
        }
        _ => Err(AppError::Forbidden(format!(
            "{label} may not change the registers: the ministry and the provinces' S&T departments keep them"
        ))),
    }
}

fn view(viewer: &Viewer, tree: &ttdz_domain::DivisionTree, today: &str, s: StoredEntry) -> EntryView {
    let e = s.entry;
    let place = crate::place_name(tree, &e.division);
    EntryView {
        id: s.id,
        in_force: e.from.as_str() <= today && e.until.as_deref().is_none_or(|u| u > today),
        editable: may_keep(viewer, e.register, Some(&e.division)).is_ok(),
        name: e.name,
        division: e.division.to_string(),
        place,
        from: e.from,
        until: e.until,
        details: e.details,
        trainings: e
            .trainings
            .into_iter()
            .map(|t| TrainingView { date: t.date, course: t.course, hours: t.hours })
            .collect(),
        version: s.version,
    }
}

/// The entries of register `key`, public to everyone: inside `division` if given, in force at the end of `year`
/// if given (those a year's figure counts), by id.
pub async fn list(
    ctx: &Context,
    viewer: &Viewer,
    key: &str,
    division: Option<&str>,
    year: Option<i64>,
) -> Result<RegisterListing, AppError> {
    let register = register_named(key)?;
    let tree = ctx.tree(None).await?;
    let division = division
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            DivisionCode::parse(d)
                .ok()
                .filter(|c| tree.get(c).is_some())
                .ok_or_else(|| AppError::Invalid(format!("division: '{d}' is not a division code")))
        })
        .transpose()?;
    let year = year.map(|y| ctx.check_year(y)).transpose()?;
    let within = division.map(|d| crate::registration::prefix(&d));
    let mut entries = ctx.store().register_entries(register, within.as_deref()).await?;
    if let Some(year) = year {
        entries.retain(|e| e.entry.in_force_at_end_of(year));
    }
    let today = ctx.clock().today_iso();
    Ok(RegisterListing {
        register: info(register),
        year,
        division: division.map(|d| d.to_string()),
        in_force_at_year_end: year.map(|_| entries.len()),
        source: register.batch_name(),
        may_add: may_keep(viewer, register, None).is_ok(),
        entries: entries.into_iter().map(|e| view(viewer, &tree, &today, e)).collect(),
    })
}

/// Changes register `key` as `change` says, after checking the entry and the viewer's right to keep it (where it
/// stood before and where it stands after); answers the entry as it is then.
async fn change(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    register: Register,
    change: RegisterChange,
    before: Option<&StoredEntry>,
) -> Result<Option<EntryView>, AppError> {
    let tree = ctx.tree(None).await?;
    if let Some(before) = before {
        may_keep(viewer, register, Some(&before.entry.division))?;
    }
    let after = match &change {
        RegisterChange::Add(e) | RegisterChange::Replace { entry: e, .. } => Some(e),
        RegisterChange::Remove { .. } => None,
    };
    if let Some(entry) = after {
        if tree.get(&entry.division).is_none() || tree.has_children(&entry.division) {
            return Err(AppError::Rejected(format!(
                "division: '{}' is not a basic unit (a county, or a city without counties)",
                entry.division
            )));
        }
        may_keep(viewer, register, Some(&entry.division))?;
    }
    let province = after.or(before.map(|b| &b.entry)).map(|e| e.division.province());
    let audit = crate::audit(viewer, origin, province);
    let through = ctx.clock().year();
    let id = ctx
        .store()
        .change_register(register, &change, &audit, &|entries| {
            ttdz_store::register_batch(register, entries, &tree, through)
        })
        .await?;
    let today = ctx.clock().today_iso();
    Ok(ctx.store().register_entry(id).await?.map(|e| view(viewer, &tree, &today, e)))
}

fn parsed(ctx: &Context, register: Register, input: EntryInput) -> Result<ttdz_domain::register::Entry, AppError> {
    input.parse(register, &ctx.clock().today_iso()).map_err(|e| AppError::Rejected(e.to_string()))
}

/// The entry `id` of `register`, or not found.
async fn stored(ctx: &Context, register: Register, id: i64) -> Result<StoredEntry, AppError> {
    match ctx.store().register_entry(id).await? {
        Some(e) if e.entry.register == register => Ok(e),
        _ => Err(AppError::NotFound(format!("there is no entry {id} in the register {}", register.as_str()))),
    }
}

/// Adds an entry to register `key`.
pub async fn add(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    key: &str,
    input: EntryInput,
) -> Result<EntryView, AppError> {
    let register = register_named(key)?;
    may_keep(viewer, register, None)?;
    let entry = parsed(ctx, register, input)?;
    change(ctx, viewer, origin, register, RegisterChange::Add(entry), None)
        .await?
        .ok_or_else(|| AppError::Conflict("the entry was removed as it was added".into()))
}

/// Replaces entry `id` of register `key` (to correct it, or to end it with `until`), based on `version` (default:
/// as it stands).
pub async fn replace(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (key, id, version): (&str, i64, Option<i64>),
    input: EntryInput,
) -> Result<EntryView, AppError> {
    let register = register_named(key)?;
    let before = stored(ctx, register, id).await?;
    let entry = parsed(ctx, register, input)?;
    let based_on = version.unwrap_or(before.version);
    change(ctx, viewer, origin, register, RegisterChange::Replace { id, based_on, entry }, Some(&before))
        .await?
        .ok_or_else(|| AppError::Conflict(format!("entry {id} was removed meanwhile")))
}

/// Removes entry `id` of register `key`, one made in error (an entry that ended is ended with `until` instead, so
/// the years it was in force keep counting it), based on `version` (default: as it stands).
pub async fn remove(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    (key, id, version): (&str, i64, Option<i64>),
) -> Result<(), AppError> {
    let register = register_named(key)?;
    let before = stored(ctx, register, id).await?;
    let based_on = version.unwrap_or(before.version);
    change(ctx, viewer, origin, register, RegisterChange::Remove { id, based_on }, Some(&before)).await?;
    Ok(())
}

/// Brings every register's counts up to the current year (a year's count exists from the first change made in
/// it, or from this, which the daily jobs run); a register whose counts are current is left as it is.
pub async fn recount(ctx: &Context, audit: &ttdz_domain::audit::AuditContext) -> Result<usize, AppError> {
    let tree = ctx.tree(None).await?;
    let through = ctx.clock().year();
    let mut changed = 0;
    for register in Register::ALL {
        let make = |entries: &[StoredEntry]| ttdz_store::register_batch(register, entries, &tree, through);
        changed += usize::from(ctx.store().recount_register(register, audit, &make).await?);
    }
    Ok(changed)
}
