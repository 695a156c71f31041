//! Fresh, migrated stores for tests: a SQLite file in a temporary folder, or a PostgreSQL schema of its own in the
//! database named by `TTDZ_TEST_PG_URL`.
//!
//! Where `TTDZ_TEST_PG_URL` is unset the PostgreSQL half is skipped and says so on stderr, except when `CI=true`:
//! then it fails, because CI must run both halves.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use ttdz_domain::ReferenceData;
use ttdz_store::Store;
use ttdz_store_postgres::PgStore;
use ttdz_store_sqlite::SqliteStore;

pub const PG_URL_VAR: &str = "TTDZ_TEST_PG_URL";

/// A store for one test, and what must live as long as it.
pub struct TestStore {
    store: Arc<dyn Store>,
    cleanup: Cleanup,
}

enum Cleanup {
    /// The folder holding the SQLite file; removed when dropped.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        url: String,
        schema: String,
    },
}

impl TestStore {
    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    pub fn shared(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    /// The database URL that opens this same store (for running the `ttdz` binary against it).
    pub fn url(&self) -> String {
        match &self.cleanup {
            Cleanup::Sqlite(dir) => format!("sqlite://{}", dir.path().join("ttdz.sqlite3").display()),
            Cleanup::Postgres { url, schema } => with_search_path(url, schema),
        }
    }

    /// Another handle on the same database, as a second instance of a deployment has.
    pub async fn reopen(&self) -> Arc<dyn Store> {
        match &self.cleanup {
            Cleanup::Sqlite(_) => Arc::new(SqliteStore::open(&self.url()).await.expect("open SQLite again")),
            Cleanup::Postgres { .. } => Arc::new(PgStore::connect(&self.url()).await.expect("connect again")),
        }
    }

    /// Drops a PostgreSQL test schema. Call it at the end of a test; a failed test leaves its schema for a look.
    pub async fn cleanup(self) {
        if let Cleanup::Postgres { url, schema } = &self.cleanup {
            drop(self.store);
            let mut admin = admin_connection(url).await;
            let drop_schema = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            sqlx::raw_sql(sqlx::AssertSqlSafe(drop_schema)).execute(&mut admin).await.expect("drop the test schema");
        }
    }
}

/// The year tests migrate in and the instant their clock stands at (mid-June of it, Beijing time): tests never
/// depend on the day they run.
pub const TEST_YEAR: i32 = 2026;

/// A clock fixed at 2026-06-15 12:00 in Beijing.
pub fn test_clock() -> ttdz_domain::Clock {
    let at: jiff::Timestamp = "2026-06-15T04:00:00Z".parse().unwrap_or_else(|e| panic!("a fixed instant: {e}"));
    ttdz_domain::Clock::fixed(at, ttdz_domain::clock::DEFAULT_TIME_ZONE).unwrap_or_else(|e| panic!("{e}"))
}

pub fn reference() -> ReferenceData {
    ReferenceData::shipped().unwrap_or_else(|e| panic!("the shipped reference data does not parse:\n{e}"))
}

/// A migrated SQLite store in a fresh temporary folder.
pub async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("ttdz.sqlite3").display());
    let store = SqliteStore::open(&url).await.expect("open SQLite");
    store.migrate(&reference(), TEST_YEAR).await.expect("migrate SQLite");
    TestStore { store: Arc::new(store), cleanup: Cleanup::Sqlite(dir) }
}

/// The PostgreSQL URL for tests, or `None` (with a loud note) when the PostgreSQL half is skipped.
pub fn postgres_url() -> Option<String> {
    match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but {PG_URL_VAR} is unset: the PostgreSQL half of the suite must run in CI")
        }
        _ => {
            eprintln!("SKIPPED: the PostgreSQL half of the suite does not run because {PG_URL_VAR} is unset");
            None
        }
    }
}

/// A migrated PostgreSQL store in a schema of its own, or `None` when the PostgreSQL half is skipped.
pub async fn postgres() -> Option<TestStore> {
    let url = postgres_url()?;
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let schema = format!("ttdz_test_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    let mut admin = admin_connection(&url).await;
    let create = format!("CREATE SCHEMA \"{schema}\"");
    sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(&mut admin).await.expect("create a test schema");
    let store = PgStore::connect(&with_search_path(&url, &schema)).await.expect("connect to the test schema");
    store.migrate(&reference(), TEST_YEAR).await.expect("migrate PostgreSQL");
    Some(TestStore { store: Arc::new(store), cleanup: Cleanup::Postgres { url, schema } })
}

async fn admin_connection(url: &str) -> PgConnection {
    let options: PgConnectOptions = url.parse().unwrap_or_else(|e| panic!("{PG_URL_VAR} is not a PostgreSQL URL: {e}"));
    PgConnection::connect_with(&options)
        .await
        .unwrap_or_else(|e| panic!("{PG_URL_VAR} is set but PostgreSQL cannot be reached: {e}"))
}

fn with_search_path(url: &str, schema: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}options=-c%20search_path%3D{schema}")
}
