//! Accounts' secrets and sessions: passwords kept as Argon2id hashes, session tokens as SHA-256 digests, logins
//! throttled per client address and username.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use ttdz_domain::account::{Account, Username};
use ttdz_domain::audit::AuditContext;
use ttdz_store::LOGIN_FAILURE_MEMORY_SECONDS;

use crate::{AppError, Context, Viewer};

/// An Argon2id hash in PHC form, with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Checks a password against a stored hash, or (with `None`) against a dummy one, so that an unknown user takes
/// as long as a known one.
pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password(&new_token()).unwrap_or_default());
    let ok = PasswordHash::new(hash.unwrap_or(dummy))
        .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok());
    ok && hash.is_some()
}

/// 256 random bits as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Sessions last a working day.
pub const SESSION_SECONDS: i64 = 12 * 3600;
/// Failures allowed before each further try must wait.
pub const FREE_LOGIN_FAILURES: usize = 5;
/// The longest wait between tries.
pub const MAX_LOGIN_DELAY_SECONDS: u64 = 900;

/// Seconds still to wait at `now` after the failures at `times` (oldest first), if any: after the free ones,
/// 2^(n - free) seconds from the last failure.
pub fn login_delay(times: &[i64], now: i64) -> Option<u64> {
    let beyond = times.len().checked_sub(FREE_LOGIN_FAILURES)?;
    let delay = 1u64.checked_shl(u32::try_from(beyond).ok()?).unwrap_or(u64::MAX).min(MAX_LOGIN_DELAY_SECONDS);
    let last = *times.last()?;
    let until = last.saturating_add(i64::try_from(delay).unwrap_or(i64::MAX));
    (now < until).then(|| u64::try_from(until - now).unwrap_or(1))
}

/// A new session: its token (kept only as a digest), the CSRF token writes with the session cookie repeat, and
/// when it ends (Unix seconds).
#[derive(Debug)]
pub struct Session {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// Logs in from `origin`. A wrong username, a wrong password and a disabled account are the same
/// `Unauthorized`, in the same time; failures are counted per origin and username, and after
/// `FREE_LOGIN_FAILURES` each further try must wait twice as long as the last (`TooManyRequests`), while the same
/// user from elsewhere is not held up.
pub async fn log_in(ctx: &Context, origin: &str, username: &str, password: &str) -> Result<Session, AppError> {
    let store = ctx.store();
    let at = ctx.clock().unix();
    let wrong = || AppError::Unauthorized("wrong username or password".into());
    // A name no account can have is checked like any other (same time, same answer) but never stored.
    let Ok(username) = Username::parse(username) else {
        verify_password(password, None);
        return Err(wrong());
    };
    let subject = format!("{origin} {username}");
    let failures = store.login_failure_times(&subject, at - LOGIN_FAILURE_MEMORY_SECONDS).await?;
    if let Some(wait) = login_delay(&failures, at) {
        return Err(AppError::TooManyRequests {
            wait,
            message: format!("too many failed logins for {username} from this address; try again in {wait} s"),
        });
    }
    let credentials = store.account_credentials(username.as_str()).await?;
    let valid = verify_password(password, credentials.as_ref().map(|(_, hash)| hash.as_str()));
    let audit = |actor: String| AuditContext { actor, origin: origin.to_owned(), zone: None, province: None };
    let account = match credentials {
        Some((account, _)) if valid && !account.disabled => account,
        _ => {
            store.record_login_failure(&subject, username.as_str(), at, &audit(Viewer::Public.label())).await?;
            return Err(wrong());
        }
    };
    let session = Session { token: new_token(), csrf_token: new_token(), expires_at: at + SESSION_SECONDS };
    let actor = Viewer::Account(account).label();
    let digest = token_digest(&session.token);
    store.create_session(&digest, username.as_str(), &session.csrf_token, session.expires_at, &audit(actor)).await?;
    Ok(session)
}

/// The account and CSRF token of the session whose token has this digest, if it is still valid.
pub async fn session(ctx: &Context, token_digest: &str) -> Result<Option<(Account, String)>, AppError> {
    Ok(ctx.store().session(token_digest, ctx.clock().unix()).await?)
}

/// Ends the session whose token has this digest.
pub async fn log_out(ctx: &Context, viewer: &Viewer, origin: &str, token_digest: &str) -> Result<(), AppError> {
    let audit = crate::audit(viewer, origin, None);
    Ok(ctx.store().delete_session(token_digest, &audit).await?)
}

/// Passwords shorter than this are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;

fn administer(viewer: &Viewer) -> Result<(), AppError> {
    viewer.must_be_ministry("administers accounts")
}

/// An account named from outside: a name no account can have is no account.
fn existing_name(username: &str) -> Result<Username, AppError> {
    Username::parse(username).map_err(|_| AppError::NotFound(format!("there is no account {username:?}")))
}

/// Creates an account; its province, division and zone must exist, and its password be long enough.
pub async fn create(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    account: &Account,
    password: &str,
) -> Result<(), AppError> {
    administer(viewer)?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::Invalid(format!("the password needs at least {MIN_PASSWORD_CHARS} characters")));
    }
    let tree = ctx.tree(None).await?;
    if let Some(code) = account.province.iter().chain(&account.division).find(|c| tree.get(c).is_none()) {
        return Err(AppError::Invalid(format!("{code} is not a division")));
    }
    if let Some(zone) = &account.zone
        && ctx.store().zone(zone).await?.is_none()
    {
        return Err(AppError::Invalid(format!("unknown zone '{zone}'")));
    }
    let hash = hash_password(password).map_err(AppError::Environment)?;
    ctx.store().add_account(account, &hash, &crate::audit(viewer, origin, account.province)).await?;
    Ok(())
}

/// Every account, by username.
pub async fn list(ctx: &Context, viewer: &Viewer) -> Result<Vec<Account>, AppError> {
    administer(viewer)?;
    Ok(ctx.store().accounts().await?)
}

/// Disables an account: it can no longer log in.
pub async fn disable(ctx: &Context, viewer: &Viewer, origin: &str, username: &str) -> Result<(), AppError> {
    administer(viewer)?;
    let username = existing_name(username)?;
    if !ctx.store().set_account_disabled(username.as_str(), true, &crate::audit(viewer, origin, None)).await? {
        return Err(AppError::NotFound(format!("there is no account {username}")));
    }
    Ok(())
}

/// Enables a disabled account again.
pub async fn enable(ctx: &Context, viewer: &Viewer, origin: &str, username: &str) -> Result<(), AppError> {
    administer(viewer)?;
    let username = existing_name(username)?;
    if !ctx.store().set_account_disabled(username.as_str(), false, &crate::audit(viewer, origin, None)).await? {
        return Err(AppError::NotFound(format!("there is no account {username}")));
    }
    Ok(())
}

fn check_new_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::Rejected(format!("new_password: at least {MIN_PASSWORD_CHARS} characters")));
    }
    Ok(())
}

/// Sets a new password for an account (the ministry, for someone who lost theirs); its sessions end.
pub async fn reset_password(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    username: &str,
    new_password: &str,
) -> Result<(), AppError> {
    administer(viewer)?;
    let username = existing_name(username)?;
    check_new_password(new_password)?;
    let hash = hash_password(new_password).map_err(AppError::Environment)?;
    if !ctx.store().set_password(username.as_str(), &hash, &crate::audit(viewer, origin, None)).await? {
        return Err(AppError::NotFound(format!("there is no account {username}")));
    }
    Ok(())
}

/// Changes the viewer's own password, given the current one; every session of the account ends, this one too.
pub async fn change_password(
    ctx: &Context,
    viewer: &Viewer,
    origin: &str,
    current: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let Viewer::Account(account) = viewer else {
        return Err(AppError::Forbidden("only an account has a password to change".into()));
    };
    let stored = ctx.store().account_credentials(account.username.as_str()).await?;
    if !verify_password(current, stored.as_ref().map(|(_, hash)| hash.as_str())) {
        return Err(AppError::Rejected("current_password: this is not your current password".into()));
    }
    check_new_password(new_password)?;
    if new_password == current {
        return Err(AppError::Rejected("new_password: choose a password other than the current one".into()));
    }
    let hash = hash_password(new_password).map_err(AppError::Environment)?;
    ctx.store().set_password(account.username.as_str(), &hash, &crate::audit(viewer, origin, account.province)).await?;
    Ok(())
}

/// The active expert accounts, for the province and the ministry to assign to a plan.
pub async fn experts(ctx: &Context, viewer: &Viewer) -> Result<Vec<Account>, AppError> {
    if !matches!(viewer.role(), Some(ttdz_domain::account::Role::Ministry | ttdz_domain::account::Role::Province)) {
        return Err(AppError::Forbidden("only the ministry and the provinces assign experts".into()));
    }
    let accounts = ctx.store().accounts().await?;
    Ok(accounts.into_iter().filter(|a| a.role == ttdz_domain::account::Role::Expert && !a.disabled).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_beyond_five_doubles_the_wait() {
        assert_eq!(login_delay(&[100, 101, 102, 103], 104), None);
        assert_eq!(login_delay(&[100, 101, 102, 103, 104], 104), Some(1));
        assert_eq!(login_delay(&[100, 101, 102, 103, 104], 105), None);
        assert_eq!(login_delay(&[100, 101, 102, 103, 104, 105, 106], 106), Some(4));
        assert_eq!(login_delay(&[0; 80], 0), Some(MAX_LOGIN_DELAY_SECONDS));
    }
}
