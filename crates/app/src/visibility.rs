//! Which zones a caller may see. A zone is public from its approval on; before that (a demand, a plan under review)
//! only the ministry, its province and its assigned experts see it, on every surface: lists, pages, indicators,
//! templates and the comparative evaluation.

use ttdz_domain::account::Role;
use ttdz_domain::{Zone, ZoneKey};
use ttdz_store::LifecycleState;

use crate::{Context, Viewer};

/// True when `viewer` may see `zone`, whose procedure stands at `state` (`None`: a zone with no procedure recorded,
/// which is public like the confirmed zones).
pub fn may_see(viewer: &Viewer, zone: &Zone, state: Option<&LifecycleState>) -> bool {
    let Some(state) = state else { return true };
    state.stage.is_public() || oversees(viewer, zone, Some(state))
}

/// True when `viewer` is an expert assigned to the zone whose procedure stands at `state`, to review its plan or
/// as one the ministry consults.
fn assigned_expert(viewer: &Viewer, state: Option<&LifecycleState>) -> bool {
    matches!((viewer, state), (Viewer::Account(account), Some(state))
        if account.role == Role::Expert
            && state.experts.iter().chain(&state.consultants).any(|(u, _)| u == account.username.as_str()))
}

/// The division a city or county team works in, when it lies in `zone` (inside a member, or holding one).
pub fn local_team_in(viewer: &Viewer, zone: &Zone) -> Option<ttdz_domain::DivisionCode> {
    let Viewer::Account(account) = viewer else { return None };
    let team = account.local_team()?;
    zone.members.iter().any(|m| team.is_within(m) || m.is_within(&team)).then_some(team)
}

/// True when `viewer` oversees `zone`: the ministry, the zone's province (and its city or county teams within the
/// zone), or an expert assigned to the zone. They see what is not public yet (draft figures, policy checks, the
/// proposed verdict); experts without an assignment see no more than the public.
pub fn oversees(viewer: &Viewer, zone: &Zone, state: Option<&LifecycleState>) -> bool {
    viewer.governs(&zone.province) || local_team_in(viewer, zone).is_some() || assigned_expert(viewer, state)
}

/// `oversees`, asking the store for the zone's procedure.
pub async fn oversees_zone(ctx: &Context, viewer: &Viewer, zone: &Zone) -> Result<bool, ttdz_store::StoreError> {
    match viewer {
        Viewer::Public => return Ok(false),
        v if v.governs(&zone.province) => return Ok(true),
        _ => {}
    }
    let lifecycle = ctx.store().lifecycle(&zone.key).await?;
    Ok(oversees(viewer, zone, lifecycle.as_ref()))
}

/// The zones `viewer` may see, in the store's order.
pub async fn zones_for(ctx: &Context, viewer: &Viewer) -> Result<Vec<Zone>, ttdz_store::StoreError> {
    let mut visible = Vec::new();
    for zone in ctx.store().zones().await? {
        let lifecycle = ctx.store().lifecycle(&zone.key).await?;
        if may_see(viewer, &zone, lifecycle.as_ref()) {
            visible.push(zone);
        }
    }
    Ok(visible)
}

/// The zone with this key if `viewer` may see it; an invisible zone is as absent as an unknown one.
pub async fn zone_for(ctx: &Context, viewer: &Viewer, key: &str) -> Result<Option<Zone>, ttdz_store::StoreError> {
    let Ok(key) = ZoneKey::parse(key) else { return Ok(None) };
    let Some(zone) = ctx.store().zone(&key).await? else { return Ok(None) };
    let lifecycle = ctx.store().lifecycle(&zone.key).await?;
    Ok(may_see(viewer, &zone, lifecycle.as_ref()).then_some(zone))
}

/// The zone with this key as `viewer` may see it: a string that cannot be a key, an unknown key and a zone not yet
/// public to the viewer are all the same `NotFound`.
pub async fn visible_zone(ctx: &Context, viewer: &Viewer, key: &str) -> Result<Zone, crate::AppError> {
    zone_for(ctx, viewer, key).await?.ok_or_else(|| crate::AppError::NotFound(format!("no zone with key '{key}'")))
}
