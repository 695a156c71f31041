//! Technology contract registration in the browser (`/contracts`): an institution files the contracts it sells and
//! follows them; a registrar sees its locality's contracts with a form for each step it may take (register, with
//! the technical part corrected if need be; refuse, revoke or cancel, with a reason); a province and the ministry
//! read them. Every form posts to the API, which calls the same use cases.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use ttdz_app::registration::ContractView;
use ttdz_domain::account::Role;
use ttdz_domain::contract::ContractType;

use super::{Desk, Page, PageError, csrf_of, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "contracts.html")]
struct ContractsTemplate {
    page: Page,
    csrf: String,
    institution: bool,
    /// The institution's own division, the seller's by default.
    own_division: String,
    types: Vec<&'static str>,
    kinds: [&'static str; 5],
    contracts: Vec<ContractView>,
}

impl ContractsTemplate {
    fn action_label(&self, action: &str) -> &'static str {
        match action {
            "register" => self.page.t.contracts_register,
            "refuse" => self.page.t.contracts_refuse,
            "revoke" => self.page.t.contracts_revoke,
            _ => self.page.t.contracts_cancel,
        }
    }

    /// The contract's terms as an amendment starts from: the form's fields replace some of them, the rest (the
    /// seller, the non-technical items, the tax flags) stay as they are.
    fn amend_body(&self, c: &ContractView) -> String {
        serde_json::json!({
            "contract": {
                "title": c.title,
                "contract_type": c.contract_type,
                "seller_name": c.seller_name,
                "buyer_name": c.buyer_name,
                "seller_division": c.seller_division,
                "buyer_division": c.buyer_division,
                "seller_kind": c.seller_kind,
                "field": c.field,
                "signed_on": c.signed_on,
                "turnover_yuan": c.turnover_yuan,
                "tech_amount_yuan": c.tech_amount_yuan,
                "non_technical": c.non_technical.iter().map(|(name, yuan)| serde_json::json!({"name": name, "amount_yuan": yuan})).collect::<Vec<_>>(),
                "vat_exempt": c.vat_exempt,
                "transfer_income": c.transfer_income,
            }
        })
        .to_string()
    }
}

pub async fn desk(State(state): State<AppState>, Desk { page, caller, role }: Desk) -> Result<Response, PageError> {
    let viewer = caller.viewer();
    let contracts = allowed!(page, ttdz_app::registration::list(state.app(), &viewer, None).await);
    let own_division = match &viewer {
        ttdz_app::Viewer::Account(a) => a.division.map(|d| d.to_string()).unwrap_or_default(),
        _ => String::new(),
    };
    Ok(render(&ContractsTemplate {
        csrf: csrf_of(&state, &caller).await,
        institution: role == Role::Institution,
        own_division,
        types: ContractType::ALL.iter().map(|t| t.name_zh()).collect(),
        kinds: ["企业", "高校", "科研院所", "医疗机构", "其他"],
        contracts,
        page,
    }))
}
