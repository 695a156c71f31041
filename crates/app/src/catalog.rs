//! What TTDZ holds, read as its users may see it: whether the service answers, the indicator catalog, the datasets
//! every value traces to, the published figures of the demo, census populations, the audit trail and the change
//! log.

use ttdz_domain::account::Role;
use ttdz_domain::audit::{AuditEntry, AuditQuery};
use ttdz_domain::measure::{Area, SourceKind};
use ttdz_domain::{
    CensusPopulation, Dataset, DivisionCode, DivisionSet, DivisionTree, ElementCode, Indicator, PublishedFigure,
    ZoneKey,
};
use ttdz_store::{Change, DatasetRecord, RESIDENT_POPULATION};

use crate::{AppError, Context, Result, Viewer};

/// The service's state as a monitor reads it.
#[derive(Debug, Clone)]
pub struct Health {
    pub backend: &'static str,
    /// The newest stored division list.
    pub division_vintage: Option<i64>,
}

/// Asks the database, then reads which division list is the newest: an error means the service cannot answer.
pub async fn health(ctx: &Context) -> Result<Health> {
    ctx.store().ping().await?;
    let division_vintage = ctx.store().vintages().await?.last().map(|v| v.vintage.year());
    Ok(Health { backend: ctx.store().backend().as_str(), division_vintage })
}

/// The 16 rows of Annex 2, in order.
pub async fn indicators(ctx: &Context) -> Result<Vec<Indicator>> {
    Ok(ctx.store().indicators().await?)
}

/// Every dataset, with who recorded it and its files as `viewer` may see them (see
/// [`recorder_for`](crate::indicators::recorder_for)).
pub async fn datasets(ctx: &Context, viewer: &Viewer) -> Result<Vec<DatasetRecord>> {
    let records = ctx.store().datasets().await?;
    Ok(records
        .into_iter()
        .map(|mut r| {
            (r.recorded_by, r.dataset.files) = crate::indicators::recorder_for(&r, viewer);
            r
        })
        .collect())
}

/// Published figures about the given areas and the divisions under them; every figure when `within` is empty.
pub async fn published_figures(ctx: &Context, within: &[DivisionCode]) -> Result<Vec<PublishedFigure>> {
    let figures = ctx.store().published_figures().await?;
    Ok(figures
        .into_iter()
        .filter(|f| within.is_empty() || f.division.is_some_and(|d| within.iter().any(|area| d.is_within(area))))
        .collect())
}

/// The newest census population of a division where one is stored, with the dataset it came from.
pub async fn census(ctx: &Context, code: &DivisionCode) -> Result<Option<(CensusPopulation, String)>> {
    let element = ElementCode::parse(RESIDENT_POPULATION).map_err(|e| AppError::Invalid(e.0))?;
    let values = ctx.store().sourced_values(&element).await?;
    let census = values
        .into_iter()
        .filter(|v| v.kind == SourceKind::Reference && v.area == Area::Division(*code))
        .max_by_key(|v| v.year);
    Ok(census.and_then(|v| {
        let persons = u64::try_from(v.value).ok()?;
        Some((CensusPopulation { province: *code, year: v.year, persons }, v.source))
    }))
}

/// Which entries of the audit trail to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub zone: Option<ZoneKey>,
    pub actor: Option<String>,
    /// ISO 8601 UTC time, `2026-11-01T00:00:00Z`.
    pub since: Option<String>,
    pub limit: Option<u32>,
}

/// The most entries one read returns.
pub const AUDIT_LIMIT: u32 = 10_000;

/// The audit trail, oldest first: the ministry reads all of it, a province the entries about its own province,
/// nobody else any.
pub async fn audit_trail(ctx: &Context, viewer: &Viewer, filter: AuditFilter) -> Result<Vec<AuditEntry>> {
    if !matches!(viewer.role(), Some(Role::Ministry | Role::Province)) {
        return Err(AppError::Forbidden("only the ministry and the provinces read the audit trail".into()));
    }
    if let Some(since) = &filter.since {
        let shape = since.len() == 20 && since.ends_with('Z') && since.as_bytes().get(10) == Some(&b'T');
        if !shape {
            return Err(AppError::Invalid(format!(
                "since = '{since}' is not an ISO 8601 UTC time like 2026-11-01T00:00:00Z"
            )));
        }
    }
    let query = AuditQuery {
        zone: filter.zone,
        actor: filter.actor,
        since: filter.since,
        province: viewer.scope(),
        limit: filter.limit.unwrap_or(AUDIT_LIMIT).min(AUDIT_LIMIT),
    };
    Ok(ctx.store().audit(&query).await?)
}

/// The viewer's own writes of the last 90 days, newest first, at most `limit`: what every signed-in account may read
/// of the trail.
pub async fn own_actions(ctx: &Context, viewer: &Viewer, limit: u32) -> Result<Vec<AuditEntry>> {
    if viewer.role().is_none() {
        return Err(AppError::Unauthorized("sign in to see your actions".into()));
    }
    let since = ctx.clock().now() - jiff::SignedDuration::from_hours(90 * 24);
    let query = AuditQuery {
        actor: Some(viewer.label()),
        since: Some(since.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
        limit: AUDIT_LIMIT,
        ..AuditQuery::default()
    };
    let mut entries = ctx.store().audit(&query).await?;
    entries.reverse();
    entries.truncate(limit as usize);
    Ok(entries)
}

/// Committed changes after `cursor`, oldest first, for the ministry's systems and operators: what changed, never
/// the data itself.
pub async fn changes(ctx: &Context, viewer: &Viewer, after: Option<&str>, limit: u32) -> Result<Vec<Change>> {
    viewer.must_be_ministry("follows the change log")?;
    Ok(ctx.store().changes(after, limit).await?)
}

/// Stores a new division list for the ministry, once every zone's members are in it (else the zone pages would
/// break the day it became current).
pub async fn add_division_vintage(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    set: &DivisionSet,
    dataset: &Dataset,
) -> Result<()> {
    viewer.must_be_ministry("adds division lists")?;
    let tree = DivisionTree::new(set.clone());
    let mut missing = Vec::new();
    for zone in ctx.store().zones().await? {
        for m in zone.members.iter().filter(|m| tree.get(m).is_none()) {
            missing.push(format!("zone {} member {m}", zone.key));
        }
    }
    if !missing.is_empty() {
        return Err(AppError::Rejected(format!(
            "the {} list lacks divisions that zones use, so it was not imported: {}",
            set.vintage(),
            missing.join(", ")
        )));
    }
    Ok(ctx.store().add_division_vintage(set, dataset, &crate::audit(viewer, origin, None)).await?)
}
