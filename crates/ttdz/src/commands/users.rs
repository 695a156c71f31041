//! `ttdz user add | list | disable`.

use std::io::BufRead;

use ttdz_domain::account::{Account, Role, Username};
use ttdz_domain::{DivisionCode, ZoneKey};

use super::open_store;
use crate::Fatal;
use crate::cli::UserCommand;
use crate::config::Settings;

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
            let ctx = super::context(settings, open_store(settings).await?);
            ttdz_app::accounts::create(&ctx, &super::operator(), "cli", &account, password).await?;
            println!("account {} ({}) created", account.username, account.role);
        }
        UserCommand::List => {
            let ctx = super::context(settings, open_store(settings).await?);
            println!("{:<24} {:<12} {:<8} {:<8} {:<20} status", "username", "role", "province", "division", "zone");
            for a in ttdz_app::accounts::list(&ctx, &super::operator()).await? {
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
            let ctx = super::context(settings, open_store(settings).await?);
            ttdz_app::accounts::disable(&ctx, &super::operator(), "cli", &username).await?;
            println!("account {username} disabled");
        }
    }
    Ok(())
}
