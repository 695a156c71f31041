//! TTDZ's store on PostgreSQL: for deployments with several application instances on one database.
//!
//! Decimals are NUMERIC and are read back as text, so no value passes through a binary float. Migrations hold a
//! transaction-scoped advisory lock, so instances starting together migrate one after the other.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
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
    Migration { version: 10, name: "row_locks", sql: include_str!("../migrations/0010_row_locks.sql") },
    Migration { version: 11, name: "jobs", sql: include_str!("../migrations/0011_jobs.sql") },
];

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Serialises migrations, demo loads and batch writes across instances ("ttdz" in ASCII): batches take their
/// revision numbers one at a time.
const MIGRATION_LOCK: i64 = 0x7474_647a;

const DELETE_VALUES: &str = "DELETE FROM element_values WHERE dataset = $1";
const DELETE_ZONE_VALUES: &str = "DELETE FROM zone_values WHERE dataset = $1";
const DELETE_ROLLUPS: &str = "DELETE FROM contract_rollups WHERE dataset = $1";

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

/// Records a dataset as the newest one (its revision is one above every other).
async fn record_dataset(
    conn: &mut PgConnection,
    d: &Dataset,
    kind: SourceKind,
    recorded_by: Option<&str>,
    rows: Option<u64>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO datasets (name, files, sha256, source, kind, recorded_by, rows, revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, nextval('dataset_revision'))
         ON CONFLICT (name) DO UPDATE SET files = excluded.files, sha256 = excluded.sha256, source = excluded.source,
             kind = excluded.kind, recorded_by = excluded.recorded_by, rows = excluded.rows,
             revision = excluded.revision, loaded_at = now()",
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

async fn insert_divisions(conn: &mut PgConnection, set: &DivisionSet, dataset: &Dataset) -> Result<()> {
    let vintage = set.vintage().year();
    let exists: Option<i64> = sqlx::query_scalar("SELECT vintage::bigint FROM division_vintages WHERE vintage = $1")
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
    let divisions = set.divisions();
    let codes: Vec<&str> = divisions.iter().map(|d| d.code.as_str()).collect();
    let names: Vec<&str> = divisions.iter().map(|d| d.name_zh.as_str()).collect();
    let parents: Vec<Option<&str>> = divisions.iter().map(|d| d.parent.as_ref().map(|p| p.as_str())).collect();
    let groupings: Vec<Option<&str>> = divisions.iter().map(|d| d.grouping_zh.as_deref()).collect();
    // One statement for the whole list; the foreign key to the parent is checked at its end.
    sqlx::query(
        "INSERT INTO divisions (vintage, code, name_zh, parent_code, grouping_zh)
         SELECT $1, * FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[])",
    )
    .bind(vintage)
    .bind(codes)
    .bind(names)
    .bind(parents)
    .bind(groupings)
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn upsert_indicators(conn: &mut PgConnection, indicators: &[Indicator]) -> Result<()> {
    for i in indicators {
        sqlx::query(
            "INSERT INTO indicators (code, seq, category_zh, category_en, name_zh, unit_zh, name_en, unit_en, kind,
                                     numerator, denominator, factor, direction)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::numeric, $13)
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

async fn upsert_zones(conn: &mut PgConnection, zones: &[Zone]) -> Result<()> {
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
        let members: Vec<&str> = z.members.iter().map(|m| m.as_str()).collect();
        sqlx::query("DELETE FROM zone_members WHERE zone_key = $1")
            .bind(z.key.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db)?;
        sqlx::query(
            "INSERT INTO zone_members (zone_key, position, division_code)
             SELECT $1, m.ord - 1, m.code FROM UNNEST($2::text[]) WITH ORDINALITY AS m (code, ord)",
        )
        .bind(z.key.as_str())
        .bind(members)
        .execute(&mut *conn)
        .await
        .map_err(db)?;
    }
    Ok(())
}

async fn insert_values(conn: &mut PgConnection, values: &[DivisionValue], dataset: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO element_values (element, division_code, year, value, dataset, note)
         SELECT e, d, y, v::numeric, $5, n FROM UNNEST($1::text[], $2::text[], $3::int[], $4::text[], $6::text[]) AS t (e, d, y, v, n)
         ON CONFLICT (element, division_code, year, dataset) DO UPDATE SET value = excluded.value, note = excluded.note",
    )
    .bind(values.iter().map(|v| v.element.as_str()).collect::<Vec<_>>())
    .bind(values.iter().map(|v| v.division.as_str()).collect::<Vec<_>>())
    .bind(values.iter().map(|v| v.year).collect::<Vec<_>>())
    .bind(values.iter().map(|v| v.value.to_string()).collect::<Vec<_>>())
    .bind(dataset)
    .bind(values.iter().map(|v| v.note.as_deref()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn insert_zone_values(conn: &mut PgConnection, values: &[ZoneValue], dataset: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO zone_values (element, zone_key, year, value, dataset, note)
         SELECT e, z, y, v::numeric, $5, n FROM UNNEST($1::text[], $2::text[], $3::int[], $4::text[], $6::text[]) AS t (e, z, y, v, n)",
    )
    .bind(values.iter().map(|v| v.element.as_str()).collect::<Vec<_>>())
    .bind(values.iter().map(|v| v.zone.as_str()).collect::<Vec<_>>())
    .bind(values.iter().map(|v| v.year).collect::<Vec<_>>())
    .bind(values.iter().map(|v| v.value.to_string()).collect::<Vec<_>>())
    .bind(dataset)
    .bind(values.iter().map(|v| v.note.as_deref()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

async fn insert_rollups(conn: &mut PgConnection, rollups: &[ContractRollup], dataset: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO contract_rollups (dataset, side, division_code, year, contract_type, contracts, turnover, tech_amount)
         SELECT $1, s, d, y, t, n, a::numeric, b::numeric
         FROM UNNEST($2::text[], $3::text[], $4::int[], $5::text[], $6::bigint[], $7::text[], $8::text[])
              AS r (s, d, y, t, n, a, b)",
    )
    .bind(dataset)
    .bind(rollups.iter().map(|r| r.side.as_str()).collect::<Vec<_>>())
    .bind(rollups.iter().map(|r| r.division.as_str()).collect::<Vec<_>>())
    .bind(rollups.iter().map(|r| r.year).collect::<Vec<_>>())
    .bind(rollups.iter().map(|r| r.contract_type.name_zh()).collect::<Vec<_>>())
    .bind(rollups.iter().map(|r| r.contracts as i64).collect::<Vec<_>>())
    .bind(rollups.iter().map(|r| r.turnover.to_string()).collect::<Vec<_>>())
    .bind(rollups.iter().map(|r| r.tech_amount.to_string()).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await
    .map_err(db)?;
    Ok(())
}

ttdz_store::shared_writes!(PgConnection);
ttdz_store::impl_account_store!(PgStore);
ttdz_store::impl_job_store!(PgStore);
// Event times are `timestamptz` here; the shared statements read them as ISO 8601 text in UTC.
ttdz_store::impl_lifecycle_store!(PgStore, at = "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
ttdz_store::impl_policy_store!(PgStore);
ttdz_store::impl_report_store!(PgStore);

#[async_trait]
impl Store for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map_err(|e| StoreError::Unreachable(e.to_string()))?;
        Ok(())
    }

    async fn migrate(&self, reference: &ReferenceData, this_year: i32) -> Result<MigrationReport> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut *tx).await.map_err(db)?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS ttdz_migrations (
                 version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
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
        let exists: i64 = sqlx::query_scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'ttdz_migrations'")
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
        let rows: Vec<DatasetRow> = sqlx::query_as(
            "SELECT name, files, sha256, source, kind, revision, recorded_by, rows,
                    to_char(loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS loaded_at, scope
             FROM datasets ORDER BY name COLLATE \"C\"",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(rows::dataset).collect()
    }

    async fn vintages(&self) -> Result<Vec<VintageInfo>> {
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT v.vintage::bigint, (SELECT count(*) FROM divisions d WHERE d.vintage = v.vintage), v.dataset
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        insert_divisions(&mut tx, set, dataset).await?;
        let after = serde_json::json!({ "vintage": set.vintage().year(), "divisions": set.divisions().len(), "sha256": dataset.sha256 })
            .to_string();
        append_audit(&mut tx, audit, "divisions.add_vintage", &dataset.name, None, Some(&after)).await?;
        tx.commit().await.map_err(db)
    }

    async fn indicators(&self) -> Result<Vec<Indicator>> {
        let rows: Vec<IndicatorRow> = sqlx::query_as(
            "SELECT seq::bigint AS seq, code, category_zh, category_en, name_zh, unit_zh, name_en, unit_en, kind,
                    numerator, denominator, factor::text AS factor, direction
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
        let members: Vec<String> =
            sqlx::query_scalar("SELECT division_code FROM zone_members WHERE zone_key = $1 ORDER BY position")
                .bind(key.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
        rows::zone(row, &members).map(Some)
    }

    async fn sourced_values(&self, element: &ElementCode) -> Result<Vec<SourcedValue>> {
        let rows: Vec<SourcedRow> = sqlx::query_as(
            "SELECT 'division', v.division_code, v.year::bigint, v.value::text, v.dataset, d.kind, d.revision, v.note
             FROM element_values v JOIN datasets d ON d.name = v.dataset WHERE v.element = $1
             UNION ALL
             SELECT 'zone', z.zone_key, z.year::bigint, z.value::text, z.dataset, d.kind, d.revision, z.note
             FROM zone_values z JOIN datasets d ON d.name = z.dataset WHERE z.element = $1",
        )
        .bind(element.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(rows::sourced_value).collect()
    }

    async fn replace_batch(&self, batch: &Batch, audit: &AuditContext) -> Result<BatchReport> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        lock(&mut tx, &format!("batch:{}", batch.dataset.name)).await?;
        let report = write_batch(&mut tx, batch, audit).await?;
        if report.changed {
            tx.commit().await.map_err(db)?;
        }
        Ok(report)
    }

    async fn audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id::bigint, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), actor, origin, action, zone_key, province_code, subject, before_json, after_json
             FROM audit_log
             WHERE ($1::text IS NULL OR zone_key = $1) AND ($2::text IS NULL OR actor = $2)
               AND ($3::text IS NULL OR at >= $3::timestamptz) AND ($4::text IS NULL OR province_code = $4)
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
            "SELECT side, division_code, year::bigint, contract_type, contracts, turnover::text, tech_amount::text
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
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Two instances loading demo data at once would otherwise both insert the same rows.
        lock(&mut tx, &format!("batch:{}", dataset.name)).await?;
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
        let figures = &demo.figures;
        sqlx::query(
            "INSERT INTO published_figures (dataset, row_index, stat, division_code, name_zh, year, value, unit_zh,
                                            source_url, note)
             SELECT $1, t.ord, t.stat, t.division_code, t.name_zh, t.year, t.value::numeric, t.unit_zh, t.source_url, t.note
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[])
                  WITH ORDINALITY AS t (stat, division_code, name_zh, year, value, unit_zh, source_url, note, ord)",
        )
        .bind(&dataset.name)
        .bind(figures.iter().map(|f| f.stat.as_str()).collect::<Vec<_>>())
        .bind(figures.iter().map(|f| f.division.as_ref().map(|d| d.as_str())).collect::<Vec<_>>())
        .bind(figures.iter().map(|f| f.name_zh.as_str()).collect::<Vec<_>>())
        .bind(figures.iter().map(|f| f.year).collect::<Vec<_>>())
        .bind(figures.iter().map(|f| f.value.to_string()).collect::<Vec<_>>())
        .bind(figures.iter().map(|f| f.unit_zh.as_str()).collect::<Vec<_>>())
        .bind(figures.iter().map(|f| f.source_url.as_deref()).collect::<Vec<_>>())
        .bind(figures.iter().map(|f| f.note.as_str()).collect::<Vec<_>>())
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let after = serde_json::json!({ "sha256": dataset.sha256, "figures": demo.figures.len() }).to_string();
        append_audit(&mut tx, audit, "demo.load", &dataset.name, None, Some(&after)).await?;
        tx.commit().await.map_err(db)?;
        Ok(report)
    }

    async fn published_figures(&self) -> Result<Vec<PublishedFigure>> {
        let rows: Vec<FigureRow> = sqlx::query_as(
            "SELECT stat, division_code, name_zh, year::bigint AS year, value::text AS value, unit_zh, source_url, note
             FROM published_figures ORDER BY division_code COLLATE \"C\" NULLS FIRST, stat COLLATE \"C\", year, row_index",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.into_iter().map(rows::figure).collect()
    }

    async fn changes(&self, after: Option<&str>, limit: u32) -> Result<Vec<Change>> {
        // Only transactions older than every one still running: none of them can commit a change before these.
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
        let rows: Vec<(String, i64, String, String, String, String)> = sqlx::query_as(
            "SELECT tx::text, id, kind, key, action,
                    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')
             FROM changes
             WHERE (tx, id) > ($1::xid8, $2) AND tx < pg_snapshot_xmin(pg_current_snapshot())
             ORDER BY tx, id LIMIT $3",
        )
        .bind(tx)
        .bind(id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|(tx, id, kind, key, action, at)| Change { cursor: format!("{tx}:{id}"), kind, key, action, at })
            .collect())
    }

    async fn data_revision(&self) -> Result<i64> {
        // Rows are only ever added, so their number grows with every commit that adds one, whatever its id.
        sqlx::query_scalar("SELECT count(*) FROM changes").fetch_one(&self.pool).await.map_err(db)
    }
}
