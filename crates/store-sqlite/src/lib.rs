//! TTDZ's store on an embedded SQLite file: the default, for one machine and for development.
//!
//! Decimals are kept as exact decimal text. Writers take the database lock up front (`BEGIN IMMEDIATE`) so that
//! two writers never deadlock on a lock upgrade.

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use sqlx::query::QueryAs;
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use ttdz_store::bulk::{Column, Rows};
use ttdz_store::{Backend, ChangeRow, Dialect, Migration, Result, StoreError, shared_migrations};

/// Times as ISO 8601 text in UTC, which also sorts and compares in time order; decimals as exact decimal text.
const DIALECT: Dialect = Dialect {
    serial: "INTEGER PRIMARY KEY AUTOINCREMENT",
    timestamp: "TEXT",
    now: "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
    decimal: "TEXT",
    bytes: "BLOB",
};

fn migrations() -> &'static [Migration] {
    static MIGRATIONS: OnceLock<Vec<Migration>> = OnceLock::new();
    MIGRATIONS.get_or_init(|| {
        let shared = |version, name, template| Migration::new(version, name, DIALECT.render(template));
        let with_own =
            |version, name, template, own: &str| Migration::new(version, name, DIALECT.render(template) + "\n" + own);
        vec![
            shared(1, "reference", shared_migrations::REFERENCE).formerly(&["4cb80be8edac3b17"]),
            shared(2, "batches", shared_migrations::BATCHES).formerly(&["fcccd63c51ecc8c1"]),
            shared(3, "accounts", shared_migrations::ACCOUNTS).formerly(&["6ca74dbc4f63d45a"]),
            with_own(4, "audit", shared_migrations::AUDIT, include_str!("../migrations/audit_append_only.sql"))
                .formerly(&["34696397164bf253"]),
            shared(5, "lifecycle", shared_migrations::LIFECYCLE).formerly(&["1192503004540f7d"]),
            shared(6, "reports", shared_migrations::REPORTS).formerly(&["725edf1195f3e309"]),
            shared(7, "policies", shared_migrations::POLICIES).formerly(&["083f2ae73e65bc46"]),
            with_own(
                8,
                "review_fixes",
                shared_migrations::REVIEW_FIXES,
                include_str!("../migrations/keyed_tables.sql"),
            )
            .formerly(&["6028643013ea0c06"]),
            Migration::new(9, "changes", include_str!("../migrations/changes.sql")),
            shared(10, "jobs", shared_migrations::JOBS).formerly(&["9aebbc5d35bd96bd"]),
            shared(11, "report_returns", shared_migrations::REPORT_RETURNS),
            shared(12, "documents", shared_migrations::DOCUMENTS),
            shared(13, "expert_purposes", shared_migrations::EXPERT_PURPOSES),
            shared(14, "grades", shared_migrations::GRADES),
            shared(15, "report_progress", shared_migrations::REPORT_PROGRESS),
            shared(16, "information_records", shared_migrations::INFORMATION_RECORDS),
            shared(17, "contract_flows", shared_migrations::CONTRACT_FLOWS),
            shared(18, "contracts", shared_migrations::CONTRACTS),
            with_own(
                19,
                "registers",
                shared_migrations::REGISTERS,
                include_str!("../migrations/register_datasets.sql"),
            ),
            shared(20, "listings", shared_migrations::LISTINGS),
            shared(21, "reward_ledger", shared_migrations::REWARD_LEDGER),
            shared(22, "contract_sequences", shared_migrations::CONTRACT_SEQUENCES),
            shared(23, "contract_numbers", shared_migrations::CONTRACT_NUMBERS),
            Migration::new(24, "broker_role", include_str!("../migrations/broker_role.sql")),
        ]
    })
}

fn db(e: sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

pub struct SqliteStore {
    pool: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite:` URL such as `sqlite:///var/lib/ttdz/ttdz.sqlite3`
    /// or `sqlite::memory:`.
    pub async fn open(url: &str) -> Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unreachable(format!("bad SQLite URL '{url}': {e}")))?
            .create_if_missing(true)
            .foreign_keys(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10));
        // An in-memory database lives as long as its one connection: keep exactly one, forever.
        let in_memory = url.contains(":memory:");
        let pool = SqlitePoolOptions::new()
            .max_connections(if in_memory { 1 } else { 8 })
            .min_connections(if in_memory { 1 } else { 0 })
            .idle_timeout(if in_memory { None } else { Some(Duration::from_secs(600)) })
            .max_lifetime(if in_memory { None } else { Some(Duration::from_secs(3600)) })
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unreachable(format!("cannot open SQLite database {url}: {e}")))?;
        Ok(SqliteStore { pool })
    }

    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(db)
    }
}

/// Bound parameters per statement: SQLite allows 32,766; a thousand rows of the widest table stay well under.
const PARAMETERS_PER_INSERT: usize = 10_000;

/// Runs one multi-row INSERT per chunk of rows, building the next chunk's statement while SQLite (on its own
/// thread) runs the current one: a registry import writes hundreds of thousands of rows, and this keeps both cores
/// busy.
async fn insert_rows(conn: &mut SqliteConnection, rows: Rows<'_>) -> Result<()> {
    let per_insert = (PARAMETERS_PER_INSERT / rows.columns.len().max(1)).max(1);
    let head = rows.insert_into();
    let build = |range: std::ops::Range<usize>| {
        let mut q = QueryBuilder::<Sqlite>::new(&head);
        q.push_values(range, |mut b, i| {
            for (_, column) in &rows.columns {
                match column {
                    Column::Text(value) => b.push_bind(value(i)),
                    Column::Int(value) => b.push_bind(value(i)),
                    Column::Decimal(value) => b.push_bind(value(i)),
                };
            }
        });
        q.push(rows.on_conflict);
        q
    };
    let len = rows.len;
    let mut starts = (0..len).step_by(per_insert);
    let chunk = |start: usize| start..(start + per_insert).min(len);
    let mut next = starts.next().map(|s| build(chunk(s)));
    while let Some(mut q) = next.take() {
        let (done, following) =
            tokio::join!(q.build().execute(&mut *conn), async { starts.next().map(|s| build(chunk(s))) });
        done.map_err(db)?;
        next = following;
    }
    Ok(())
}

/// The writers of one record need no lock of their own here: `write_tx` takes the database's write lock
/// (`BEGIN IMMEDIATE`) for every write.
async fn lock(_conn: &mut SqliteConnection, _key: &str) -> Result<()> {
    Ok(())
}

/// Nothing to add: the migration's transaction began with `BEGIN IMMEDIATE`, which already excludes every other
/// writer.
async fn migration_lock(_conn: &mut SqliteConnection) -> Result<()> {
    Ok(())
}

/// Where SQLite's SQL differs from PostgreSQL's (see `ttdz_store::impl_store!`). Times are ISO 8601 text in UTC,
/// which also compares in time order; decimals are exact decimal text.
macro_rules! dialect {
    (next_revision) => {
        "(SELECT COALESCE(MAX(revision), 0) + 1 FROM datasets)"
    };
    (iso_utc $column:literal) => {
        $column
    };
    (now) => {
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
    };
    (numeric) => {
        ""
    };
    (now_seconds) => {
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
    };
    (published_after_2_3) => {
        "(published_at > $2 OR (published_at = $2 AND id > $3))"
    };
    (at_since_3) => {
        "at >= $3"
    };
    (migrations_table) => {
        "CREATE TABLE IF NOT EXISTS ttdz_migrations (
             version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
             applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
    };
    (has_migrations_table) => {
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ttdz_migrations'"
    };
}

ttdz_store::impl_store!(SqliteStore, SqliteConnection, Backend::Sqlite);

/// One writer at a time: ids follow commit order, and the cursor is the last id read.
fn change_page(after: Option<&str>, limit: u32) -> Result<QueryAs<'static, Sqlite, ChangeRow, SqliteArguments>> {
    let after: i64 = match after {
        None => 0,
        Some(c) => c.parse().map_err(|_| StoreError::Malformed(format!("'{c}' is not a change cursor")))?,
    };
    let query = "SELECT CAST(id AS TEXT), kind, key, action, at FROM changes WHERE id > $1 ORDER BY id LIMIT $2";
    Ok(sqlx::query_as(query).bind(after).bind(i64::from(limit)))
}
