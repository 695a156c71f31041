//! Subscriptions: classified, batched publication (分类分批精准发布). An account follows fields and areas; its digest
//! is what was published there since it last read, in the order of publication.

use serde::Serialize;
use ttdz_domain::DivisionCode;
use ttdz_domain::achievement::{Field, RecordKind};
use ttdz_store::InformationRecord;

use super::search::question;
use super::{Description, RecordView, SearchParams, view};
use crate::{AppError, Context, Viewer};

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
    let zones = super::public_zones(ctx).await?;
    let views = records.into_iter().map(|r| view(viewer, r, &zones)).collect::<Result<Vec<_>, AppError>>()?;
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
