//! TTDZ's store on PostgreSQL: for deployments with several application instances on one database.
//!
//! Decimals are NUMERIC and are read back as text, so no value passes through a binary float. Migrations hold a
//! transaction-scoped advisory lock, so instances starting together migrate one after the other.

use std::str::FromStr;
use std::sync::OnceLock;
use std::time::Duration;

use sqlx::postgres::{PgArguments, PgConnectOptions, PgPoolOptions};
use sqlx::query::QueryAs;
use sqlx::{Connection, PgConnection, PgPool, Postgres};
use ttdz_store::bulk::{Column, Rows};
use ttdz_store::{Backend, ChangeRow, Dialect, Migration, Result, StoreError, shared_migrations};

const DIALECT: Dialect = Dialect {
    serial: "BIGSERIAL PRIMARY KEY",
    timestamp: "TIMESTAMPTZ",
    now: "now()",
    decimal: "NUMERIC",
    bytes: "BYTEA",
};

fn migrations() -> &'static [Migration] {
    static MIGRATIONS: OnceLock<Vec<Migration>> = OnceLock::new();
    MIGRATIONS.get_or_init(|| {
        let shared = |version, name, template| Migration::new(version, name, DIALECT.render(template));
        vec![
            shared(1, "reference", shared_migrations::REFERENCE).formerly(&["2eef152053a08932"]),
            shared(2, "batches", shared_migrations::BATCHES).formerly(&["faa3572d5b0dd4a3"]),
            shared(3, "accounts", shared_migrations::ACCOUNTS).formerly(&["e8ae57e4bf20cc50"]),
            Migration::new(
                4,
                "audit",
                DIALECT.render(shared_migrations::AUDIT) + "\n" + include_str!("../migrations/audit_append_only.sql"),
            )
            .formerly(&["fa201df43d6481bc"]),
            shared(5, "lifecycle", shared_migrations::LIFECYCLE).formerly(&["d3a6b4ceb36efa7c"]),
            shared(6, "reports", shared_migrations::REPORTS).formerly(&["635da7e75c0eeec2"]),
            shared(7, "policies", shared_migrations::POLICIES).formerly(&["4b3d2fdfbb88cbf1"]),
            shared(8, "review_fixes", shared_migrations::REVIEW_FIXES).formerly(&["fbfa610a5e113e69"]),
            Migration::new(9, "changes", include_str!("../migrations/changes.sql")),
            Migration::new(10, "row_locks", include_str!("../migrations/row_locks.sql")),
            shared(11, "jobs", shared_migrations::JOBS).formerly(&["ec85628e0176b0d1"]),
            shared(12, "report_returns", shared_migrations::REPORT_RETURNS),
            shared(13, "documents", shared_migrations::DOCUMENTS),
            shared(14, "expert_purposes", shared_migrations::EXPERT_PURPOSES),
            shared(15, "grades", shared_migrations::GRADES),
            shared(16, "report_progress", shared_migrations::REPORT_PROGRESS),
            shared(17, "information_records", shared_migrations::INFORMATION_RECORDS),
            shared(18, "contract_flows", shared_migrations::CONTRACT_FLOWS),
            shared(19, "contracts", shared_migrations::CONTRACTS),
            Migration::new(
                20,
                "registers",
                DIALECT.render(shared_migrations::REGISTERS)
                    + "\n"
                    + include_str!("../migrations/register_datasets.sql"),
            ),
            shared(21, "listings", shared_migrations::LISTINGS),
            shared(22, "reward_ledger", shared_migrations::REWARD_LEDGER),
            shared(23, "contract_sequences", shared_migrations::CONTRACT_SEQUENCES),
            shared(24, "contract_numbers", shared_migrations::CONTRACT_NUMBERS),
            Migration::new(25, "broker_role", include_str!("../migrations/broker_role.sql")),
        ]
    })
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The advisory lock migrations take ("ttdz" in ASCII).
const MIGRATION_LOCK: i64 = 0x7474_647a;

fn db(e: sqlx::Error) -> StoreError {
    StoreError::Database(e.to_string())
}

pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// A transaction for a write. Writers that must not interleave take a per-record lock inside it (`lock`).
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        self.pool.begin().await.map_err(db)
    }

    /// Connects to a `postgres://` URL and checks that the server answers within a few seconds.
    pub async fn connect(url: &str) -> Result<PgStore> {
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Unreachable(format!("bad PostgreSQL URL: {e}")))?
            .application_name("ttdz");
        Self::connect_with(options).await
    }

    pub async fn connect_with(options: PgConnectOptions) -> Result<PgStore> {
        let target = format!("{}:{}/{}", options.get_host(), options.get_port(), options.get_database().unwrap_or(""));
        let unreachable =
            |why: String| StoreError::Unreachable(format!("cannot connect to PostgreSQL at {target}: {why}"));
        // One direct connection first: the pool would only report a timeout, this reports why (refused, no such
        // database, authentication failed).
        let probe = tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options))
            .await
            .map_err(|_| unreachable(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs())))?
            .map_err(|e| unreachable(e.to_string()))?;
        probe.close().await.map_err(|e| unreachable(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(PgStore { pool })
    }
}

/// Serialises the transactions that write the record `key` names (a batch, a zone's procedure, a zone-year's report),
/// and only those: an import of millions of rows holds up no other zone's report. The lock ends with the
/// transaction. (Migrations take `MIGRATION_LOCK`, which no other writer does.)
async fn lock(conn: &mut PgConnection, key: &str) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(key)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    Ok(())
}

/// Loads rows with one INSERT over `UNNEST` of one array per column: a single statement and a single round trip
/// however many rows, and no limit on bound parameters.
async fn insert_rows(conn: &mut PgConnection, rows: Rows<'_>) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = rows.columns.iter().map(|(name, _)| *name).collect();
    let mut arrays = Vec::new();
    let mut selected = Vec::new();
    for (i, (name, column)) in rows.columns.iter().enumerate() {
        let (array, value) = match column {
            Column::Text(_) => ("text[]", name.to_string()),
            Column::Int(_) => ("bigint[]", name.to_string()),
            Column::Decimal(_) => ("text[]", format!("{name}::numeric")),
        };
        arrays.push(format!("${}::{array}", i + 1));
        selected.push(value);
    }
    let sql = format!(
        "{}SELECT {} FROM UNNEST({}) AS t ({}){}",
        rows.insert_into(),
        selected.join(", "),
        arrays.join(", "),
        names.join(", "),
        rows.on_conflict
    );
    // Built only from the column names and clauses of `ttdz_store::bulk`, never from data.
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    // One column at a time is gathered, encoded and dropped: a registry batch is not held twice.
    let len = rows.len;
    for (_, column) in rows.columns {
        query = match column {
            Column::Text(value) => query.bind((0..len).map(value).collect::<Vec<_>>()),
            Column::Int(value) => query.bind((0..len).map(value).collect::<Vec<_>>()),
            Column::Decimal(value) => query.bind((0..len).map(value).collect::<Vec<_>>()),
        };
    }
    query.execute(&mut *conn).await.map_err(db)?;
    Ok(())
}

/// Only instances of ttdz take this lock, and only to migrate: two starting together migrate one after the other.
async fn migration_lock(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await.map_err(db)?;
    Ok(())
}

/// Where PostgreSQL's SQL differs from SQLite's (see `ttdz_store::impl_store!`). Times are `timestamptz`, read as
/// ISO 8601 text in UTC; decimals are NUMERIC.
macro_rules! dialect {
    (next_revision) => {
        "nextval('dataset_revision')"
    };
    (iso_utc $column:literal) => {
        concat!("to_char(", $column, " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')")
    };
    (now) => {
        "now()"
    };
    (numeric) => {
        "::numeric"
    };
    (now_seconds) => {
        "date_trunc('second', now())"
    };
    (published_after_2_3) => {
        "(published_at > CAST($2 AS timestamptz) OR (published_at = CAST($2 AS timestamptz) AND id > $3))"
    };
    (at_since_3) => {
        "at >= CAST($3 AS TIMESTAMPTZ)"
    };
    (migrations_table) => {
        "CREATE TABLE IF NOT EXISTS ttdz_migrations (
             version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    };
    (has_migrations_table) => {
        "SELECT count(*) FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_name = 'ttdz_migrations'"
    };
}

ttdz_store::impl_store!(PgStore, PgConnection, Backend::Postgres);

/// Only transactions older than every one still running: none of them can commit a change before these. The
/// cursor is the (transaction, id) of the last change read.
fn change_page(after: Option<&str>, limit: u32) -> Result<QueryAs<'static, Postgres, ChangeRow, PgArguments>> {
    let malformed = |c: &str| StoreError::Malformed(format!("'{c}' is not a change cursor"));
    let (tx, id): (String, i64) = match after {
        None => ("0".to_owned(), 0),
        Some(c) => {
            let (tx, id) = c.split_once(':').ok_or_else(|| malformed(c))?;
            if tx.is_empty() || !tx.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed(c));
            }
            (tx.to_owned(), id.parse().map_err(|_| malformed(c))?)
        }
    };
    let query = concat!(
        "SELECT tx::text || ':' || id, kind, key, action, ",
        dialect!(iso_utc "at"),
        " FROM changes
         WHERE (tx, id) > ($1::xid8, $2) AND tx < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY tx, id LIMIT $3"
    );
    Ok(sqlx::query_as(query).bind(tx).bind(id).bind(i64::from(limit)))
}
