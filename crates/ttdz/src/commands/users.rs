//! `ttdz user add | list | disable`.

use std::io::BufRead;

use ttdz_domain::account::{Account, Role, Username};
use ttdz_domain::{DivisionCode, ZoneKey};

use super::open_store;
use crate::Fatal;
use crate::cli::UserCommand;
use crate::config::Settings;

/// Passwords shorter than this are refused.
const MIN_PASSWORD: usize = 10;

pub async fn run(settings: &Settings, command: UserCommand) -> Result<(), Fatal> {
    match command {
        UserCommand::Add { username, role, province, division, zone, password_stdin: _ } => {
            let code = |c: Option<String>| c.as_deref().map(DivisionCode::parse).transpose().map_err(Fatal::data);
            let account = Account::new(
                Username::parse(&username).map_err(Fatal::data)?,
                Role::parse(&role).map_err(Fatal::data)?,
                code(province)?,
                code(division)?,
                zone.as_deref().map(ZoneKey::parse).transpose().map_err(Fatal::data)?,
            )
            .map_err(Fatal::data)?;
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .map_err(|e| Fatal::data(format!("cannot read the password: {e}")))?;
            let password = password.trim_end_matches(['\n', '\r']);
            if password.chars().count() < MIN_PASSWORD {
                return Err(Fatal::data(format!("the password needs at least {MIN_PASSWORD} characters")));
            }
            let store = open_store(settings).await?;
            let tree = super::import::current_tree(&*store).await?;
            for code in account.province.iter().chain(&account.division) {
                if tree.get(code).is_none() {
                    return Err(Fatal::data(format!("{code} is not a division")));
                }
            }
            if let Some(z) = &account.zone
                && store.zone(z).await?.is_none()
            {
                return Err(Fatal::data(format!("unknown zone '{z}'")));
            }
            let hash = ttdz_app::accounts::hash_password(password).map_err(Fatal::environment)?;
            store.add_account(&account, &hash, &super::cli_audit(None, account.province)).await?;
            println!("account {} ({}) created", account.username, account.role);
        }
        UserCommand::List => {
            let store = open_store(settings).await?;
            println!("{:<24} {:<12} {:<8} {:<8} {:<20} status", "username", "role", "province", "division", "zone");
            for a in store.accounts().await? {
                let opt = |c: Option<String>| c.unwrap_or_else(|| "-".to_owned());
                println!(
                    "{:<24} {:<12} {:<8} {:<8} {:<20} {}",
                    a.username.as_str(),
                    a.role.as_str(),
                    opt(a.province.map(|p| p.to_string())),
                    opt(a.division.map(|d| d.to_string())),
                    opt(a.zone.map(|z| z.to_string())),
                    if a.disabled { "disabled" } else { "active" }
                );
            }
        }
        UserCommand::Disable { username } => {
            let store = open_store(settings).await?;
            if !store.set_account_disabled(&username, true, &super::cli_audit(None, None)).await? {
                return Err(Fatal::data(format!("there is no account {username}")));
            }
            println!("account {username} disabled");
        }
    }
    Ok(())
}
