//! Which zones a caller may see. A zone is public from its approval on; before that (a demand, a plan under review)
//! only the ministry, its province and its assigned experts see it, on every surface: lists, pages, indicators,
//! templates and the comparative evaluation.

use ttdz_domain::account::Role;
use ttdz_domain::{Zone, ZoneKey};
use ttdz_store::LifecycleState;

use crate::auth::Caller;
use crate::state::AppState;

/// True when `caller` may see `zone`, whose procedure stands at `state` (`None`: a zone with no procedure recorded,
/// which is public like the confirmed zones).
pub fn may_see(caller: &Caller, zone: &Zone, state: Option<&LifecycleState>) -> bool {
    let Some(state) = state else { return true };
    state.stage.is_public() || oversees(caller, zone, Some(state))
}

/// True when `caller` is an expert assigned to the zone whose procedure stands at `state`.
fn assigned_expert(caller: &Caller, state: Option<&LifecycleState>) -> bool {
    matches!((caller, state), (Caller::Account { account, .. }, Some(state))
        if account.role == Role::Expert && state.experts.iter().any(|(u, _)| u == account.username.as_str()))
}

/// True when `caller` oversees `zone`: the ministry, the zone's province, or an expert assigned to the zone.
/// They see what is not public yet (draft figures, policy checks, the proposed verdict); experts without an
/// assignment see no more than the public.
pub fn oversees(caller: &Caller, zone: &Zone, state: Option<&LifecycleState>) -> bool {
    caller.governs(&zone.province) || assigned_expert(caller, state)
}

/// `oversees`, asking the store for the zone's procedure.
pub async fn oversees_zone(state: &AppState, caller: &Caller, zone: &Zone) -> Result<bool, ttdz_store::StoreError> {
    if caller.governs(&zone.province) {
        return Ok(true);
    }
    let lifecycle = state.store().lifecycle(&zone.key).await?;
    Ok(oversees(caller, zone, lifecycle.as_ref()))
}

/// The zones `caller` may see, in the store's order.
pub async fn zones_for(state: &AppState, caller: &Caller) -> Result<Vec<Zone>, ttdz_store::StoreError> {
    let mut visible = Vec::new();
    for zone in state.store().zones().await? {
        let lifecycle = state.store().lifecycle(&zone.key).await?;
        if may_see(caller, &zone, lifecycle.as_ref()) {
            visible.push(zone);
        }
    }
    Ok(visible)
}

/// The zone with this key if `caller` may see it; an invisible zone is as absent as an unknown one.
pub async fn zone_for(state: &AppState, caller: &Caller, key: &str) -> Result<Option<Zone>, ttdz_store::StoreError> {
    let Ok(key) = ZoneKey::parse(key) else { return Ok(None) };
    let Some(zone) = state.store().zone(&key).await? else { return Ok(None) };
    let lifecycle = state.store().lifecycle(&zone.key).await?;
    Ok(may_see(caller, &zone, lifecycle.as_ref()).then_some(zone))
}
