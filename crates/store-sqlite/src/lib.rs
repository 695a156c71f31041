//! TTDZ's store on an embedded SQLite file: the default, for one machine and for development.
//!
//! Decimals are kept as exact decimal text. Writers take the database lock up front (`BEGIN IMMEDIATE`) so that
//! two writers never deadlock on a lock upgrade.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use ttdz_domain::audit::{AuditContext, AuditEntry, AuditQuery};
use ttdz_domain::contract::{ContractRollup, Side};
use ttdz_domain::measure::{SourceKind, SourcedValue};
use ttdz_domain::reference::DemoData;
use ttdz_domain::{
    Dataset, DivisionSet, ElementCode, Indicator, PublishedFigure, ReferenceData, Vintage, Zone, ZoneKey,
};
use ttdz_store::rows::{
    self, AuditRow, DatasetRow, DivisionRow, FigureRow, IndicatorRow, RollupRow, SourcedRow, ZoneRow,
};
use ttdz_store::{
    Backend, Batch, BatchReport, Change, DatasetRecord, DemoReport, DivisionValue, Migration, MigrationReport, Result,
    Store, StoreError, SyncStep, VintageInfo, ZoneValue, check_applied, reference_sync_plan,
};

const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "reference", sql: include_str!("../migrations/0001_reference.sql") },
    Migration { version: 2, name: "batches", sql: include_str!("../migrations/0002_batches.sql") },
    Migration { version: 3, name: "accounts", sql: include_str!("../migrations/0003_accounts.sql") },
    Migration { version: 4, name: "audit", sql: include_str!("../migrations/0004_audit.sql") },
    Migration { version: 5, name: "lifecycle", sql: include_str!("../migrations/0005_lifecycle.sql") },
    Migration { version: 6, name: "reports", sql: include_str!("../migrations/0006_reports.sql") },
    Migration { version: 7, name: "policies", sql: include_str!("../migrations/0007_policies.sql") },
    Migration { version: 8, name: "review_fixes", sql: include_str!("../migrations/0008_review_fixes.sql") },
    Migration { version: 9, name: "changes", sql: include_str!("../migrations/0009_changes.sql") },
    Migration { version: 10, name: "jobs", sql: include_str!("../migrations/0010_jobs.sql") },
];

const DELETE_VALUES: &str = "DELETE FROM element_values WHERE dataset = $1";
const DELETE_ZONE_VALUES: &str = "DELETE FROM zone_values WHERE dataset = $1";
const DELETE_ROLLUPS: &str = "DELETE FROM contract_rollups WHERE dataset = $1";

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

/// Records a dataset as the newest one (its revision is one above every other).
async fn record_dataset(
    conn: &mut SqliteConnection,
    d: &Dataset,
    kind: SourceKind,
    recorded_by: Option<&str>,
    rows: Option<u64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO datasets (name, files, sha256, source, kind, recorded_by, rows, revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COALESCE(MAX(revision), 0) + 1 FROM datasets))
         ON CONFLICT (name) DO UPDATE SET files = excluded.files, sha256 = excluded.sha256, source = excluded.source,
             kind = excluded.kind, recorded_by = excluded.recorded_by, rows = excluded.rows,
             revision = excluded.revision, loaded_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
    )
    .bind(&d.name)
    .bind(d.files.join(
        "
",
    ))
    .bind(&d.sha256)
    .bind(&d.source)
    .bind(kind.as_str())
    .bind(recorded_by)
    .bind(rows.map(|r| r as i64))
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn insert_divisions(conn: &mut SqliteConnection, set: &DivisionSet, dataset: &Dataset) -> Result<()> {
    let vintage = set.vintage().year();
    let exists: Option<i64> = sqlx::query_scalar("SELECT vintage FROM division_vintages WHERE vintage = $1")
        .bind(vintage)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!(
            "division vintage {vintage} is already stored; vintages are never rewritten"
        )));
    }
    record_dataset(conn, dataset, SourceKind::Reference, None, None).await?;
    sqlx::query("INSERT INTO division_vintages (vintage, dataset) VALUES ($1, $2)")
        .bind(vintage)
        .bind(&dataset.name)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    // Ordered by code, so every parent is inserted before its children (also within one statement: SQLite checks
    // the parent key row by row).
    for rows in set.divisions().chunks(ROWS_PER_INSERT) {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO divisions (vintage, code, name_zh, parent_code, grouping_zh) ");
        q.push_values(rows, |mut b, d| {
            b.push_bind(vintage)
                .push_bind(d.code.as_str())
                .push_bind(d.name_zh.as_str())
                .push_bind(d.parent.as_ref().map(|p| p.as_str()))
                .push_bind(d.grouping_zh.as_deref());
        });
        q.build().execute(&mut *conn).await.map_err(db)?;
    }
    Ok(())
}

async fn upsert_indicators(conn: &mut SqliteConnection, indicators: &[Indicator]) -> Result<()> {
    for i in indicators {
        sqlx::query(
            "INSERT INTO indicators (code, seq, category_zh, category_en, name_zh, unit_zh, name_en, unit_en, kind,
                                     numerator, denominator, factor, direction)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (code) DO UPDATE SET seq = excluded.seq, category_zh = excluded.category_zh,
                 category_en = excluded.category_en, name_zh = excluded.name_zh, unit_zh = excluded.unit_zh,
                 name_en = excluded.name_en, unit_en = excluded.unit_en, kind = excluded.kind,
                 numerator = excluded.numerator, denominator = excluded.denominator, factor = excluded.factor,
                 direction = excluded.direction",
        )
        .bind(i.code.as_str())
        .bind(i64::from(i.seq))
        .bind(&i.category_zh)
        .bind(&i.category_en)
        .bind(&i.name_zh)
        .bind(&i.unit_zh)
        .bind(&i.name_en)
        .bind(&i.unit_en)
        .bind(i.kind.as_str())
        .bind(i.numerator.as_ref().map(|e| e.as_str()))
        .bind(i.denominator.as_ref().map(|e| e.as_str()))
        .bind(i.factor.map(|f| f.to_string()))
        .bind(i.direction.map(|d| d.symbol()))
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

async fn upsert_zones(conn: &mut SqliteConnection, zones: &[Zone]) -> Result<()> {
    for z in zones {
        sqlx::query(
            "INSERT INTO zones (key, name_zh, short_name_zh, province_code, approved, approval_note, source,
                                approval_note_zh, source_zh)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (key) DO UPDATE SET name_zh = excluded.name_zh, short_name_zh = excluded.short_name_zh,
                 province_code = excluded.province_code, approved = excluded.approved,
                 approval_note = excluded.approval_note, source = excluded.source,
                 approval_note_zh = excluded.approval_note_zh, source_zh = excluded.source_zh",
        )
        .bind(z.key.as_str())
        .bind(&z.name_zh)
        .bind(&z.short_name_zh)
        .bind(z.province.as_str())
        .bind(z.approved.map(|d| d.to_string()))
        .bind(&z.approval_note)
        .bind(&z.source)
        .bind(&z.approval_note_zh)
        .bind(&z.source_zh)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
        sqlx::query("DELETE FROM zone_members WHERE zone_key = $1")
            .bind(z.key.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        for (position, member) in z.members.iter().enumerate() {
            sqlx::query("INSERT INTO zone_members (zone_key, position, division_code) VALUES ($1, $2, $3)")
                .bind(z.key.as_str())
                .bind(position as i64)
                .bind(member.as_str())
                .execute(&mut *conn)
                .await
                .map_err(db)?;
        }
    }
    Ok(())
}

/// Rows per INSERT: well under SQLite's 32,766 bound parameters for the widest table here (8 columns).
const ROWS_PER_INSERT: usize = 1000;

/// Runs one INSERT per chunk of `items`, building the next chunk's statement while SQLite (on its own thread) runs
/// the current one: a registry import writes hundreds of thousands of rows, and this keeps both cores busy.
async fn insert_chunks<'a, T>(
    conn: &mut SqliteConnection,
    items: &'a [T],
    build: impl Fn(&'a [T]) -> QueryBuilder<Sqlite>,
) -> Result<()> {
    let mut chunks = items.chunks(ROWS_PER_INSERT);
    let mut next = chunks.next().map(&build);
    while let Some(mut q) = next.take() {
        let (done, following) = tokio::join!(q.build().execute(&mut *conn), async { chunks.next().map(&build) });
        done.map_err(db)?;
        next = following;
    }
    Ok(())
}

async fn insert_values(conn: &mut SqliteConnection, values: &[DivisionValue], dataset: &str) -> Result<()> {
    insert_chunks(conn, values, |rows| {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO element_values (element, division_code, year, value, dataset, note) ",
        );
        q.push_values(rows, |mut b, v| {
            b.push_bind(v.element.as_str())
                .push_bind(v.division.as_str())
                .push_bind(i64::from(v.year))
                .push_bind(v.value.to_string())
                .push_bind(dataset)
                .push_bind(v.note.as_deref());
        });
        q.push(" ON CONFLICT (element, division_code, year, dataset) DO UPDATE SET value = excluded.value, note = excluded.note");
        q
    })
    .await
}

async fn insert_zone_values(conn: &mut SqliteConnection, values: &[ZoneValue], dataset: &str) -> Result<()> {
    insert_chunks(conn, values, |rows| {
        let mut q =
            QueryBuilder::<Sqlite>::new("INSERT INTO zone_values (element, zone_key, year, value, dataset, note) ");
        q.push_values(rows, |mut b, v| {
            b.push_bind(v.element.as_str())
                .push_bind(v.zone.as_str())
                .push_bind(i64::from(v.year))
                .push_bind(v.value.to_string())
                .push_bind(dataset)
                .push_bind(v.note.as_deref());
        });
        q
    })
    .await
}

async fn insert_rollups(conn: &mut SqliteConnection, rollups: &[ContractRollup], dataset: &str) -> Result<()> {
    insert_chunks(conn, rollups, |rows| {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO contract_rollups (dataset, side, division_code, year, contract_type, contracts, turnover, tech_amount) ",
        );
        q.push_values(rows, |mut b, r| {
            b.push_bind(dataset)
                .push_bind(r.side.as_str())
                .push_bind(r.division.as_str())
                .push_bind(i64::from(r.year))
                .push_bind(r.contract_type.name_zh())
                .push_bind(r.contracts as i64)
                .push_bind(r.turnover.to_string())
                .push_bind(r.tech_amount.to_string());
        });
        q
    })
    .await
}

impl SqliteStore {
    async fn zone_members(&self, key: &str) -> Result<Vec<String>> {
        sqlx::query_scalar("SELECT division_code FROM zone_members WHERE zone_key = $1 ORDER BY position")
            .bind(key)
            .fetch_all(&self.pool)
            .await
            .map_err(db)
    }
}

ttdz_store::shared_writes!(SqliteConnection);

/// The writers of one record need no lock of their own here: `write_tx` takes the database's write lock
/// (`BEGIN IMMEDIATE`) for every write.
async fn lock(_conn: &mut SqliteConnection, _key: &str) -> Result<()> {
    Ok(())
}
ttdz_store::impl_account_store!(SqliteStore);
ttdz_store::impl_job_store!(SqliteStore);
ttdz_store::impl_lifecycle_store!(SqliteStore, at = "at");
ttdz_store::impl_policy_store!(SqliteStore);
ttdz_store::impl_report_store!(SqliteStore);

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(|e| StoreError::Unreachable(e.to_string()))?;
        Ok(())
    }

    async fn migrate(&self, reference: &ReferenceData, this_year: i32) -> Result<MigrationReport> {
        let mut tx = self.write_tx().await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS ttdz_migrations (
                 version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
                 applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))",
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let applied: Vec<(i64, String)> =
            sqlx::query_as("SELECT version, checksum FROM ttdz_migrations").fetch_all(&mut *tx).await.map_err(db)?;
        let mut report = MigrationReport::default();
        for m in check_applied(MIGRATIONS, &applied)?.pending {
            sqlx::raw_sql(m.sql)
                .execute(&mut *tx)
                .await
                .map_err(|e| StoreError::Schema(format!("migration {} failed: {e}", m.label())))?;
            sqlx::query("INSERT INTO ttdz_migrations (version, name, checksum) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(m.checksum())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            report.applied.push(m.label());
        }
        let recorded: Vec<(String, String)> =
            sqlx::query_as("SELECT name, sha256 FROM datasets").fetch_all(&mut *tx).await.map_err(db)?;
        for step in reference_sync_plan(&recorded, reference)? {
            // Recorded first: the rows written next refer to it.
            record_dataset(&mut tx, step.dataset(), SourceKind::Reference, None, None).await?;
            match &step {
                SyncStep::Divisions { set, dataset } => insert_divisions(&mut tx, set, dataset).await?,
                SyncStep::Indicators { indicators, .. } => upsert_indicators(&mut tx, indicators).await?,
                SyncStep::Zones { zones, .. } => upsert_zones(&mut tx, zones).await?,
                SyncStep::Values { values, dataset } => insert_values(&mut tx, values, &dataset.name).await?,
            }
            record_change(&mut tx, "reference", &step.dataset().name, "reference.load").await?;
            report.datasets_loaded.push(step.dataset().name.clone());
        }
        seed_lifecycle(&mut tx, this_year).await?;
        tx.commit().await.map_err(db)?;
        Ok(report)
    }

    async fn pending_migrations(&self) -> Result<Vec<String>> {
        let exists: i64 =
            sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ttdz_migrations'")
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
        let applied: Vec<(i64, String)> = if exists > 0 {
            sqlx::query_as("SELECT version, checksum FROM ttdz_migrations").fetch_all(&self.pool).await.map_err(db)?
        } else {
            Vec::new()
        };
        Ok(check_applied(MIGRATIONS, &applied)?.pending.iter().map(|m| m.label()).collect())
    }

    async fn datasets(&self) -> Result<Vec<DatasetRecord>> {
        let rows: Vec<DatasetRow> =
            sqlx::query_as("SELECT name, files, sha256, source, kind, revision, recorded_by, rows, loaded_at, scope FROM datasets ORDER BY name")
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows.into_iter().map(rows::dataset).collect()
    }

    async fn vintages(&self) -> Result<Vec<VintageInfo>> {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT v.vintage, (SELECT count(*) FROM divisions d WHERE d.vintage = v.vintage), v.dataset
             FROM division_vintages v ORDER BY v.vintage",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|(v, n, dataset)| {
                Ok(VintageInfo {
                    vintage: Vintage::new(v).map_err(|e| StoreError::Corrupt(e.0))?,
                    divisions: n as u64,
                    dataset,
                })
            })
            .collect()
    }

    async fn divisions(&self, vintage: Vintage) -> Result<Option<DivisionSet>> {
        let rows: Vec<DivisionRow> = sqlx::query_as(
            "SELECT code, name_zh, parent_code, grouping_zh FROM divisions WHERE vintage = $1 ORDER BY code",
        )
        .bind(vintage.year())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        if rows.is_empty() {
            return Ok(None);
        }
        let divisions = rows.into_iter().map(rows::division).collect::<Result<Vec<_>>>()?;
        DivisionSet::new(vintage, divisions).map(Some).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    async fn add_division_vintage(&self, set: &DivisionSet, dataset: &Dataset, audit: &AuditContext) -> Result<()> {
        let mut tx = self.write_tx().await?;
        insert_divisions(&mut tx, set, dataset).await?;
        let after = serde_json::json!({ "vintage": set.vintage().year(), "divisions": set.divisions().len(), "sha256": dataset.sha256 })
            .to_string();
        append_audit(&mut tx, audit, "divisions.add_vintage", &dataset.name, None, Some(&after)).await?;
        tx.commit().await.map_err(db)
    }

    async fn indicators(&self) -> Result<Vec<Indicator>> {
        let rows: Vec<IndicatorRow> = sqlx::query_as(
            "SELECT seq, code, category_zh, category_en, name_zh, unit_zh, name_en, unit_en, kind, numerator,
                    denominator, factor, direction
             FROM indicators ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(rows::indicator).collect()
    }

    async fn zones(&self) -> Result<Vec<Zone>> {
        let rows: Vec<ZoneRow> = sqlx::query_as(
            "SELECT key, name_zh, short_name_zh, province_code, approved, approval_note, source, approval_note_zh, source_zh FROM zones",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let members: Vec<(String, String)> =
            sqlx::query_as("SELECT zone_key, division_code FROM zone_members ORDER BY zone_key, position")
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows::zones(rows, &members)
    }

    async fn zone(&self, key: &ZoneKey) -> Result<Option<Zone>> {
        let row: Option<ZoneRow> = sqlx::query_as(
            "SELECT key, name_zh, short_name_zh, province_code, approved, approval_note, source, approval_note_zh, source_zh FROM zones WHERE key = $1",
        )
            .bind(key.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let members = self.zone_members(key.as_str()).await?;
        rows::zone(row, &members).map(Some)
    }

    async fn sourced_values(&self, element: &ElementCode) -> Result<Vec<SourcedValue>> {
        let rows: Vec<SourcedRow> = sqlx::query_as(
            "SELECT 'division', v.division_code, v.year, v.value, v.dataset, d.kind, d.revision, v.note
             FROM element_values v JOIN datasets d ON d.name = v.dataset WHERE v.element = $1
             UNION ALL
             SELECT 'zone', z.zone_key, z.year, z.value, z.dataset, d.kind, d.revision, z.note
             FROM zone_values z JOIN datasets d ON d.name = z.dataset WHERE z.element = $1",
        )
        .bind(element.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(rows::sourced_value).collect()
    }

    async fn replace_batch(&self, batch: &Batch, audit: &AuditContext) -> Result<BatchReport> {
        let mut tx = self.write_tx().await?;
        let report = write_batch(&mut tx, batch, audit).await?;
        if report.changed {
            tx.commit().await.map_err(db)?;
        }
        Ok(report)
    }

    async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, at, actor, origin, action, zone_key, province_code, subject, before_json, after_json
             FROM audit_log
             WHERE ($1 IS NULL OR zone_key = $1) AND ($2 IS NULL OR actor = $2)
               AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR province_code = $4)
             ORDER BY id LIMIT $5",
        )
        .bind(query.zone.as_ref().map(|z| z.as_str()))
        .bind(query.actor.as_deref())
        .bind(query.since.as_deref())
        .bind(query.province.as_ref().map(|p| p.as_str()))
        .bind(i64::from(query.limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(rows::audit_entry).collect()
    }

    async fn contract_rollups(&self, side: Side, prefix: &str) -> Result<Vec<ContractRollup>> {
        let rows: Vec<RollupRow> = sqlx::query_as(
            "SELECT side, division_code, year, contract_type, contracts, turnover, tech_amount
             FROM contract_rollups WHERE side = $1 AND division_code LIKE $2",
        )
        .bind(side.as_str())
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        let rollups = rows.into_iter().map(rows::rollup).collect::<Result<Vec<_>>>()?;
        Ok(ttdz_store::sum_rollups(rollups))
    }

    async fn load_demo(&self, demo: &DemoData, audit: &AuditContext) -> Result<DemoReport> {
        let dataset = &demo.figures_dataset;
        let mut tx = self.write_tx().await?;
        let stored: Option<String> = sqlx::query_scalar("SELECT sha256 FROM datasets WHERE name = $1")
            .bind(&dataset.name)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        let report =
            DemoReport { figures: demo.figures.len() as u64, changed: stored.as_deref() != Some(&dataset.sha256) };
        if !report.changed {
            return Ok(report);
        }
        record_dataset(&mut tx, dataset, SourceKind::Demo, None, Some(demo.figures.len() as u64)).await?;
        sqlx::query("DELETE FROM published_figures WHERE dataset = $1")
            .bind(&dataset.name)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        for (i, f) in demo.figures.iter().enumerate() {
            sqlx::query(
                "INSERT INTO published_figures (dataset, row_index, stat, division_code, name_zh, year, value, unit_zh,
                                                source_url, note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&dataset.name)
            .bind(i as i64 + 1)
            .bind(&f.stat)
            .bind(f.division.as_ref().map(|d| d.as_str()))
            .bind(&f.name_zh)
            .bind(i64::from(f.year))
            .bind(f.value.to_string())
            .bind(&f.unit_zh)
            .bind(f.source_url.as_deref())
            .bind(&f.note)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        let after = serde_json::json!({ "sha256": dataset.sha256, "figures": demo.figures.len() }).to_string();
        append_audit(&mut tx, audit, "demo.load", &dataset.name, None, Some(&after)).await?;
        tx.commit().await.map_err(db)?;
        Ok(report)
    }

    async fn published_figures(&self) -> Result<Vec<PublishedFigure>> {
        let rows: Vec<FigureRow> = sqlx::query_as(
            "SELECT stat, division_code, name_zh, year, value, unit_zh, source_url, note FROM published_figures
             ORDER BY division_code NULLS FIRST, stat, year, row_index",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(rows::figure).collect()
    }

    async fn changes(&self, after: Option<&str>, limit: u32) -> Result<Vec<Change>> {
        // One writer at a time: ids follow commit order, and the cursor is the last id read.
        let after: i64 = match after {
            None => 0,
            Some(c) => c.parse().map_err(|_| StoreError::Malformed(format!("'{c}' is not a change cursor")))?,
        };
        let rows: Vec<(i64, String, String, String, String)> =
            sqlx::query_as("SELECT id, kind, key, action, at FROM changes WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|(id, kind, key, action, at)| Change { cursor: id.to_string(), kind, key, action, at })
            .collect())
    }

    async fn data_revision(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT count(*) FROM changes").fetch_one(&self.pool).await.map_err(db)
    }
}
