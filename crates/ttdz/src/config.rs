//! Settings from flags, TTDZ_* environment variables, an optional TOML file and defaults, in that order.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Fatal;
use crate::cli::{GlobalOptions, ServeArgs};

const DEFAULT_PORT: u16 = 8080;

/// The optional config file. Unknown keys are an error: a misspelt setting must not be silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    log: Option<String>,
    admin_token: Option<String>,
    /// MM-DD each year's annual report is due by; the guideline says the end of December.
    report_due: Option<String>,
    /// The IANA time zone deadlines are judged in (default Asia/Shanghai).
    time_zone: Option<String>,
    /// The address users reach the platform at; an https one marks the session cookie Secure.
    public_url: Option<String>,
    /// Mark the session cookie Secure (default: true when public_url is https).
    secure_cookies: Option<bool>,
    /// Static CJK font files (or collections) documents are set in (default: Debian's Noto Sans CJK).
    fonts: Option<Vec<PathBuf>>,
    #[serde(default)]
    server: ServerFile,
    #[serde(default)]
    verdict: VerdictFile,
    #[serde(default)]
    evaluation: EvaluationFile,
}

/// The performance groups of the comparative evaluation, by score relative to the all-zone average (= 100).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct EvaluationFile {
    leader_above: Option<f64>,
    strong_above: Option<f64>,
    moderate_above: Option<f64>,
}

impl EvaluationFile {
    fn groups(self) -> Result<ttdz_app::GroupThresholds, Fatal> {
        let d = ttdz_app::GroupThresholds::default();
        let g = ttdz_app::GroupThresholds {
            leader: self.leader_above.unwrap_or(d.leader),
            strong: self.strong_above.unwrap_or(d.strong),
            moderate: self.moderate_above.unwrap_or(d.moderate),
        };
        if !(g.moderate.is_finite() && g.moderate <= g.strong && g.strong <= g.leader && g.leader.is_finite()) {
            return Err(Fatal::environment(
                "config: [evaluation] needs moderate_above <= strong_above <= leader_above".to_owned(),
            ));
        }
        Ok(g)
    }
}

/// The thresholds of the proposed end-of-term verdict; each one left out keeps its default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerdictFile {
    revoke_below_attainment: Option<toml::Value>,
    rectify_below_attainment: Option<toml::Value>,
    min_growth: Option<f64>,
    max_late_reports: Option<u32>,
    revoke_from_missing_reports: Option<u32>,
    min_policy_score: Option<toml::Value>,
    main_indicators: Option<Vec<String>>,
}

/// A threshold written as a number or a string, read exactly (0.6 is six tenths, not the float nearest to it).
fn decimal(key: &str, value: Option<toml::Value>) -> Result<Option<rust_decimal::Decimal>, Fatal> {
    use std::str::FromStr;
    let text = match value {
        None => return Ok(None),
        Some(toml::Value::Integer(i)) => i.to_string(),
        Some(toml::Value::Float(f)) => f.to_string(),
        Some(toml::Value::String(s)) => s,
        Some(other) => other.to_string(),
    };
    rust_decimal::Decimal::from_str(&text)
        .map(Some)
        .map_err(|_| Fatal::environment(format!("config: [verdict] {key} = {text} is not a number")))
}

impl VerdictFile {
    fn settings(self) -> Result<ttdz_app::VerdictSettings, Fatal> {
        let mut v = ttdz_app::VerdictSettings::default();
        let t = &mut v.thresholds;
        t.revoke_below_attainment =
            decimal("revoke_below_attainment", self.revoke_below_attainment)?.unwrap_or(t.revoke_below_attainment);
        t.rectify_below_attainment =
            decimal("rectify_below_attainment", self.rectify_below_attainment)?.unwrap_or(t.rectify_below_attainment);
        t.min_growth = self.min_growth.unwrap_or(t.min_growth);
        t.max_late_reports = self.max_late_reports.unwrap_or(t.max_late_reports);
        t.revoke_from_missing_reports = self.revoke_from_missing_reports.unwrap_or(t.revoke_from_missing_reports);
        t.min_policy_score = decimal("min_policy_score", self.min_policy_score)?.unwrap_or(t.min_policy_score);
        let bad = |m: String| Err(Fatal::environment(format!("config: [verdict] {m}")));
        if t.revoke_below_attainment > t.rectify_below_attainment {
            return bad("revoke_below_attainment cannot exceed rectify_below_attainment".into());
        }
        if t.revoke_below_attainment.is_sign_negative()
            || t.rectify_below_attainment > rust_decimal::Decimal::ONE_HUNDRED
        {
            return bad("attainment thresholds are percentages from 0 to 100".into());
        }
        if t.min_policy_score.is_sign_negative() || t.min_policy_score > rust_decimal::Decimal::ONE {
            return bad("min_policy_score is from 0 to 1".into());
        }
        if !t.min_growth.is_finite() {
            return bad("min_growth must be a number".into());
        }
        if t.revoke_from_missing_reports == 0 {
            return bad("revoke_from_missing_reports must be at least 1".into());
        }
        if let Some(codes) = self.main_indicators {
            v.main_indicators = codes;
        }
        Ok(v)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ServerFile {
    bind: Option<IpAddr>,
    port: Option<u16>,
}

/// Where the data lives. The PostgreSQL form may carry a password, which `Debug` and `Display` never show.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(String),
    Postgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, Fatal> {
        let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => Ok(DatabaseUrl::Sqlite(url.to_owned())),
            Some("postgres" | "postgresql") => Ok(DatabaseUrl::Postgres(url.to_owned())),
            Some(other) => Err(Fatal::environment(format!(
                "unsupported database URL scheme '{other}:' (use sqlite:PATH or postgres://USER@HOST/DB)"
            ))),
            None => Err(Fatal::environment(format!(
                "'{}' is not a database URL (use sqlite:PATH or postgres://USER@HOST/DB)",
                redact(url)
            ))),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            DatabaseUrl::Sqlite(u) | DatabaseUrl::Postgres(u) => u,
        }
    }
}

/// The URL with any password replaced by ***.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, tail) = rest.split_once('/').map_or((rest, None), |(a, t)| (a, Some(t)));
    let Some((credentials, host)) = authority.rsplit_once('@') else { return url.to_owned() };
    let user = credentials.split_once(':').map_or(credentials, |(u, _)| u);
    let masked = if credentials.contains(':') { format!("{user}:***") } else { user.to_owned() };
    match tail {
        Some(t) => format!("{scheme}://{masked}@{host}/{t}"),
        None => format!("{scheme}://{masked}@{host}"),
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(self.as_str()))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// A secret that never shows in logs or `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: DatabaseUrl,
    pub log: String,
    /// Bearer token for writes through the API (TTDZ_ADMIN_TOKEN or the file's admin_token; never a flag, which
    /// other users of the machine could read). Without it the API is read-only.
    pub admin_token: Option<Secret>,
    /// (month, day) each year's annual report is due by.
    pub report_due: (u32, u32),
    /// How the end-of-term verdict is proposed.
    pub verdict: ttdz_app::VerdictSettings,
    /// The performance groups of the comparative evaluation.
    pub groups: ttdz_app::GroupThresholds,
    /// The clock, read in the configured time zone.
    pub clock: ttdz_domain::Clock,
    /// Mark the session cookie Secure.
    pub secure_cookies: bool,
    /// The search index in the data directory, and the users' dictionary beside it if there is one.
    pub search: ttdz_app::information::SearchSettings,
    /// The CJK fonts PDF documents and the charts in Word are set in.
    pub fonts: Vec<PathBuf>,
    file: FileServer,
}

/// The file's server section, kept until `serve` asks for it.
#[derive(Debug, Clone, Default)]
struct FileServer {
    bind: Option<IpAddr>,
    port: Option<u16>,
}

impl Settings {
    pub fn load(global: &GlobalOptions) -> Result<Settings, Fatal> {
        let file = match &global.config {
            Some(path) => read_config(path)?,
            None => FileConfig::default(),
        };
        let data_dir = global.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("ttdz-data"));
        let database_url = match global.database_url.clone().or(file.database_url) {
            Some(url) => DatabaseUrl::parse(&url)?,
            None => DatabaseUrl::Sqlite(format!("sqlite://{}", data_dir.join("ttdz.sqlite3").display())),
        };
        let report_due = match file.report_due.as_deref() {
            None => (12, 31),
            Some(md) => md
                .split_once('-')
                .and_then(|(m, d)| Some((m.parse::<u32>().ok()?, d.parse::<u32>().ok()?)))
                .filter(|(m, d)| (1..=12).contains(m) && (1..=31).contains(d))
                .ok_or_else(|| Fatal::environment(format!("config: report_due = \"{md}\" is not MM-DD")))?,
        };
        let zone = std::env::var("TTDZ_TIME_ZONE")
            .ok()
            .or(file.time_zone)
            .unwrap_or_else(|| ttdz_domain::clock::DEFAULT_TIME_ZONE.to_owned());
        let clock =
            ttdz_domain::Clock::system(&zone).map_err(|e| Fatal::environment(format!("config: time_zone: {e}")))?;
        let https = file.public_url.as_deref().is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
        let dictionary = data_dir.join("search-dictionary.txt");
        let search = ttdz_app::information::SearchSettings {
            dir: Some(data_dir.join("search-index")),
            dictionaries: if dictionary.exists() { vec![dictionary] } else { Vec::new() },
        };
        Ok(Settings {
            search,
            fonts: file
                .fonts
                .unwrap_or_else(|| ttdz_docs::Typesetter::DEFAULT_FONTS.iter().map(PathBuf::from).collect()),
            report_due,
            clock,
            secure_cookies: file.secure_cookies.unwrap_or(https),
            verdict: file.verdict.settings()?,
            groups: file.evaluation.groups()?,
            database_url,
            log: global.log.clone().or(file.log).unwrap_or_else(|| "info".to_owned()),
            admin_token: std::env::var("TTDZ_ADMIN_TOKEN")
                .ok()
                .or(file.admin_token)
                .filter(|t| !t.trim().is_empty())
                .map(Secret),
            file: FileServer { bind: file.server.bind, port: file.server.port },
        })
    }

    pub fn listen_address(&self, args: &ServeArgs) -> SocketAddr {
        let ip = args.bind.or(self.file.bind).unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        SocketAddr::new(ip, args.port.or(self.file.port).unwrap_or(DEFAULT_PORT))
    }
}

fn read_config(path: &Path) -> Result<FileConfig, Fatal> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Fatal::environment(format!("cannot read config file {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| Fatal::environment(format!("config file {}: {}", path.display(), e.message())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let url = DatabaseUrl::parse("postgres://ttdz:s3cret@db.example:5432/ttdz?sslmode=require").unwrap();
        assert_eq!(url.to_string(), "postgres://ttdz:***@db.example:5432/ttdz?sslmode=require");
        assert!(!format!("{url:?}").contains("s3cret"));
        let no_password = DatabaseUrl::parse("postgres://postgres@127.0.0.1/test").unwrap();
        assert_eq!(no_password.to_string(), "postgres://postgres@127.0.0.1/test");
    }

    #[test]
    fn the_scheme_picks_the_backend() {
        assert!(matches!(DatabaseUrl::parse("sqlite://x.db"), Ok(DatabaseUrl::Sqlite(_))));
        assert!(matches!(DatabaseUrl::parse("postgresql://h/db"), Ok(DatabaseUrl::Postgres(_))));
        let err = DatabaseUrl::parse("mysql://root@localhost/db").unwrap_err();
        assert_eq!(
            err.message(),
            "unsupported database URL scheme 'mysql:' (use sqlite:PATH or postgres://USER@HOST/DB)"
        );
    }

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let dir = std::env::temp_dir().join(format!("ttdz-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("ttdz.toml");
        std::fs::write(&file, "data_dir = \"/srv/ttdz\"\nlog = \"debug\"\n[server]\nport = 9000\n").unwrap();
        let global = GlobalOptions { config: Some(file.clone()), log: Some("warn".into()), ..Default::default() };
        let settings = Settings::load(&global).unwrap();
        assert_eq!(settings.database_url.as_str(), "sqlite:///srv/ttdz/ttdz.sqlite3");
        assert_eq!(settings.log, "warn");
        let serve = ServeArgs { bind: None, port: None, demo: false, no_migrate: false, no_jobs: false };
        assert_eq!(settings.listen_address(&serve).port(), 9000);
        let serve = ServeArgs { port: Some(8081), ..serve };
        assert_eq!(settings.listen_address(&serve).port(), 8081);

        std::fs::write(&file, "admin_token = \"s3cret-token\"\n").unwrap();
        let settings = Settings::load(&global).unwrap();
        assert_eq!(settings.admin_token.as_ref().map(Secret::expose), Some("s3cret-token"));
        assert!(!format!("{settings:?}").contains("s3cret"));

        std::fs::write(&file, "[verdict]\nrectify_below_attainment = 85\nmin_policy_score = 0.7\nmin_growth = 0.05\n")
            .unwrap();
        let verdict = Settings::load(&global).unwrap().verdict;
        assert_eq!(verdict.thresholds.rectify_below_attainment, rust_decimal::Decimal::from(85));
        assert_eq!(verdict.thresholds.min_policy_score, rust_decimal::Decimal::new(7, 1), "read exactly");
        assert_eq!(verdict.thresholds.min_growth, 0.05);
        assert_eq!(verdict.thresholds.max_late_reports, 1, "the rest keep their defaults");
        std::fs::write(&file, "[evaluation]\nleader_above = 150\n").unwrap();
        assert_eq!(Settings::load(&global).unwrap().groups.leader, 150.0);
        std::fs::write(&file, "[evaluation]\nstrong_above = 200\n").unwrap();
        assert!(Settings::load(&global).is_err(), "strong above leader");
        std::fs::write(&file, "[verdict]\nrevoke_below_attainment = 95\n").unwrap();
        let err = Settings::load(&global).unwrap_err();
        assert_eq!(err.message(), "config: [verdict] revoke_below_attainment cannot exceed rectify_below_attainment");

        std::fs::write(&file, "data_dri = \"/srv/ttdz\"\n").unwrap();
        let err = Settings::load(&global).unwrap_err();
        assert!(err.message().contains("unknown field `data_dri`"), "{}", err.message());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
