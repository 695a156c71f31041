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
    let assigned_expert = matches!(caller, Caller::Account { account, .. }
        if account.role == Role::Expert && state.experts.iter().any(|(u, _)| u == account.username.as_str()));
    state.stage.is_public() || caller.governs(&zone.province) || assigned_expert
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
