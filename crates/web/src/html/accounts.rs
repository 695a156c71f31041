//! Accounts in the browser: the ministry's administration (`/accounts`: create, disable, enable, reset a password)
//! and everyone's own account (`/account`: change the password, see one's own recent actions).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use ttdz_domain::account::{Account, Role};
use ttdz_domain::audit::AuditEntry;

use super::{Desk, Page, PageError, csrf_of, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsTemplate {
    page: Page,
    csrf: String,
    accounts: Vec<Account>,
    zones: Vec<(String, String)>,
    provinces: Vec<(String, String)>,
}

pub async fn administration(
    State(state): State<AppState>,
    Desk { page, caller, .. }: Desk,
) -> Result<Response, PageError> {
    let (ctx, viewer) = (state.app(), caller.viewer());
    let accounts = allowed!(page, ttdz_app::accounts::list(ctx, &viewer).await);
    let tree = attempt!(page, state.tree(None).await);
    let provinces = tree.provinces().map(|p| (p.code.to_string(), p.name_zh.clone())).collect();
    let zones = attempt!(page, ttdz_app::visibility::zones_for(ctx, &viewer).await)
        .into_iter()
        .map(|z| (z.key.to_string(), z.short_name_zh))
        .collect();
    Ok(render(&AccountsTemplate { csrf: csrf_of(&state, &caller).await, accounts, zones, provinces, page }))
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountTemplate {
    page: Page,
    csrf: String,
    who: String,
    role: &'static str,
    has_password: bool,
    actions: Vec<AuditEntry>,
}

pub async fn own_account(
    State(state): State<AppState>,
    Desk { page, caller, role }: Desk,
) -> Result<Response, PageError> {
    let role = role.as_str();
    let limit = crate::api::OWN_ACTIONS;
    let actions = attempt!(page, ttdz_app::catalog::own_actions(state.app(), &caller.viewer(), limit).await);
    Ok(render(&AccountTemplate {
        csrf: csrf_of(&state, &caller).await,
        who: caller.label(),
        role,
        has_password: matches!(caller, Caller::Account { .. }),
        actions,
        page,
    }))
}

impl AccountsTemplate {
    fn role_label(&self, role: impl std::borrow::Borrow<Role>) -> &'static str {
        role_label(self.page.lang, *role.borrow())
    }

    /// An account's role as the list shows it: a province account scoped to a division is a city or county team.
    fn account_role(&self, account: &Account) -> &'static str {
        match (account.local_team(), self.page.lang) {
            (Some(_), Lang::Zh) => "市县工作队伍",
            (Some(_), Lang::En) => "city or county team",
            (None, _) => self.role_label(account.role),
        }
    }
}

impl AccountTemplate {
    fn role_label(&self) -> &'static str {
        Role::parse(self.role).map_or(self.role, |r| role_label(self.page.lang, r))
    }
}

fn role_label(lang: Lang, role: Role) -> &'static str {
    match (lang, role) {
        (Lang::Zh, Role::Ministry) => "科技部",
        (Lang::Zh, Role::Province) => "省级科技管理部门",
        (Lang::Zh, Role::Expert) => "专家",
        (Lang::Zh, Role::Institution) => "高校院所和企业",
        (Lang::Zh, Role::Registrar) => "技术合同登记机构",
        (Lang::Zh, Role::Broker) => "技术经纪人",
        (Lang::En, role) => role.as_str(),
    }
}
