//! The rest of the store written once: reference data, values and batches, the audit trail, schema migrations,
//! and [`impl_store!`](crate::impl_store), which expands every part in a backend crate. Same contract as
//! [`shared`](crate::shared).

/// The writers of reference data and datasets every write path shares, over a backend's connection type.
#[macro_export]
macro_rules! shared_data_writes {
    ($conn:ty) => {
        /// The columns of `information_records` in the order of `rows::RecordRow`.
        macro_rules! record_columns {
            () => {
                concat!(
                    "SELECT CAST(id AS BIGINT), kind, external_id, status, owner, division_code, batch, body, comment,
                            CAST(version AS BIGINT), ",
                    dialect!(iso_utc "created_at"),
                    ", ",
                    dialect!(iso_utc "updated_at"),
                    ", ",
                    dialect!(iso_utc "published_at"),
                    " FROM information_records"
                )
            };
        }

        /// The kind of record `id`, which must exist.
        async fn record_kind(conn: &mut $conn, id: i64) -> $crate::Result<String> {
            let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM information_records WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
            kind.ok_or_else(|| $crate::StoreError::Malformed(format!("there is no record {id}")))
        }

        /// A change based on a version someone else has changed since.
        fn moved(id: i64, based_on: i64) -> $crate::StoreError {
            $crate::StoreError::Conflict(format!("record {id} has changed since version {based_on}: reload it"))
        }

        /// Records a dataset as the newest one.
        async fn record_dataset(
            conn: &mut $conn,
            d: &ttdz_domain::Dataset,
            kind: ttdz_domain::measure::SourceKind,
            recorded_by: Option<&str>,
            rows: Option<u64>,
        ) -> $crate::Result<()> {
            sqlx::query(concat!(
                "INSERT INTO datasets (name, files, sha256, source, kind, recorded_by, rows, revision)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, ",
                dialect!(next_revision),
                ")
                 ON CONFLICT (name) DO UPDATE SET files = excluded.files, sha256 = excluded.sha256,
                     source = excluded.source, kind = excluded.kind, recorded_by = excluded.recorded_by,
                     rows = excluded.rows, revision = excluded.revision, loaded_at = ",
                dialect!(now)
            ))
            .bind(&d.name)
            .bind(d.files.join("\n"))
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

        async fn insert_divisions(
            conn: &mut $conn,
            set: &ttdz_domain::DivisionSet,
            dataset: &ttdz_domain::Dataset,
        ) -> $crate::Result<()> {
            let vintage = set.vintage().year();
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT CAST(vintage AS BIGINT) FROM division_vintages WHERE vintage = $1")
                    .bind(vintage)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db)?;
            if exists.is_some() {
                return Err($crate::StoreError::Conflict(format!(
                    "division vintage {vintage} is already stored; vintages are never rewritten"
                )));
            }
            record_dataset(conn, dataset, ttdz_domain::measure::SourceKind::Reference, None, None).await?;
            sqlx::query("INSERT INTO division_vintages (vintage, dataset) VALUES ($1, $2)")
                .bind(vintage)
                .bind(&dataset.name)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            insert_rows(conn, $crate::bulk::divisions(set)).await
        }

        async fn upsert_indicators(conn: &mut $conn, indicators: &[ttdz_domain::Indicator]) -> $crate::Result<()> {
            for i in indicators {
                sqlx::query(concat!(
                    "INSERT INTO indicators (code, seq, category_zh, category_en, name_zh, unit_zh, name_en, unit_en,
                                             kind, numerator, denominator, factor, direction)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12",
                    dialect!(numeric),
                    ", $13)
                     ON CONFLICT (code) DO UPDATE SET seq = excluded.seq, category_zh = excluded.category_zh,
                         category_en = excluded.category_en, name_zh = excluded.name_zh, unit_zh = excluded.unit_zh,
                         name_en = excluded.name_en, unit_en = excluded.unit_en, kind = excluded.kind,
                         numerator = excluded.numerator, denominator = excluded.denominator, factor = excluded.factor,
                         direction = excluded.direction"
                ))
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

        async fn upsert_zones(conn: &mut $conn, zones: &[ttdz_domain::Zone]) -> $crate::Result<()> {
            for z in zones {
                sqlx::query(
                    "INSERT INTO zones (key, name_zh, short_name_zh, province_code, approved, approval_note, source,
                                        approval_note_zh, source_zh)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (key) DO UPDATE SET name_zh = excluded.name_zh,
                         short_name_zh = excluded.short_name_zh, province_code = excluded.province_code,
                         approved = excluded.approved, approval_note = excluded.approval_note,
                         source = excluded.source, approval_note_zh = excluded.approval_note_zh,
                         source_zh = excluded.source_zh",
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
                insert_rows(conn, $crate::bulk::zone_members(z)).await?;
            }
            Ok(())
        }
    };
}

/// Implements [`ReferenceStore`](crate::ReferenceStore): division lists, the indicator catalog, zones and the demo's
/// published figures.
#[macro_export]
macro_rules! impl_reference_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::ReferenceStore for $store {
            async fn vintages(&self) -> $crate::Result<Vec<$crate::VintageInfo>> {
                let rows: Vec<(i64, i64, String)> = sqlx::query_as(
                    "SELECT CAST(v.vintage AS BIGINT), (SELECT count(*) FROM divisions d WHERE d.vintage = v.vintage),
                            v.dataset
                     FROM division_vintages v ORDER BY v.vintage",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter()
                    .map(|(v, n, dataset)| {
                        Ok($crate::VintageInfo {
                            vintage: ttdz_domain::Vintage::new(v).map_err(|e| $crate::StoreError::Corrupt(e.0))?,
                            divisions: n as u64,
                            dataset,
                        })
                    })
                    .collect()
            }

            async fn divisions(
                &self,
                vintage: ttdz_domain::Vintage,
            ) -> $crate::Result<Option<ttdz_domain::DivisionSet>> {
                let rows: Vec<$crate::rows::DivisionRow> = sqlx::query_as(
                    "SELECT code, name_zh, parent_code, grouping_zh FROM divisions WHERE vintage = $1 ORDER BY code",
                )
                .bind(vintage.year())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                if rows.is_empty() {
                    return Ok(None);
                }
                let divisions = rows.into_iter().map($crate::rows::division).collect::<$crate::Result<Vec<_>>>()?;
                ttdz_domain::DivisionSet::new(vintage, divisions)
                    .map(Some)
                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))
            }

            async fn add_division_vintage(
                &self,
                set: &ttdz_domain::DivisionSet,
                dataset: &ttdz_domain::Dataset,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<()> {
                let mut tx = self.write_tx().await?;
                insert_divisions(&mut tx, set, dataset).await?;
                let after = serde_json::json!({
                    "vintage": set.vintage().year(), "divisions": set.divisions().len(), "sha256": dataset.sha256
                })
                .to_string();
                append_audit(&mut tx, audit, "divisions.add_vintage", &dataset.name, None, Some(&after)).await?;
                tx.commit().await.map_err(db)
            }

            async fn indicators(&self) -> $crate::Result<Vec<ttdz_domain::Indicator>> {
                let rows: Vec<$crate::rows::IndicatorRow> = sqlx::query_as(
                    "SELECT CAST(seq AS BIGINT), code, category_zh, category_en, name_zh, unit_zh, name_en, unit_en,
                            kind, numerator, denominator, CAST(factor AS TEXT), direction
                     FROM indicators ORDER BY seq",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter().map($crate::rows::indicator).collect()
            }

            async fn zones(&self) -> $crate::Result<Vec<ttdz_domain::Zone>> {
                let rows: Vec<$crate::rows::ZoneRow> = sqlx::query_as(concat!($crate::zone_columns!(), " FROM zones"))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db)?;
                let members: Vec<(String, String)> =
                    sqlx::query_as("SELECT zone_key, division_code FROM zone_members ORDER BY zone_key, position")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?;
                $crate::rows::zones(rows, &members)
            }

            async fn zone(&self, key: &ttdz_domain::ZoneKey) -> $crate::Result<Option<ttdz_domain::Zone>> {
                let row: Option<$crate::rows::ZoneRow> =
                    sqlx::query_as(concat!($crate::zone_columns!(), " FROM zones WHERE key = $1"))
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
                $crate::rows::zone(row, &members).map(Some)
            }

            async fn load_demo(
                &self,
                demo: &ttdz_domain::reference::DemoData,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<$crate::DemoReport> {
                let dataset = &demo.figures_dataset;
                let mut tx = self.write_tx().await?;
                // Two instances loading demo data at once would otherwise both insert the same rows.
                lock(&mut tx, &format!("batch:{}", dataset.name)).await?;
                let stored: Option<String> = sqlx::query_scalar("SELECT sha256 FROM datasets WHERE name = $1")
                    .bind(&dataset.name)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db)?;
                let figures = demo.figures.len() as u64;
                let report = $crate::DemoReport { figures, changed: stored.as_deref() != Some(&dataset.sha256) };
                if !report.changed {
                    return Ok(report);
                }
                record_dataset(&mut tx, dataset, ttdz_domain::measure::SourceKind::Demo, None, Some(figures)).await?;
                sqlx::query("DELETE FROM published_figures WHERE dataset = $1")
                    .bind(&dataset.name)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                insert_rows(&mut tx, $crate::bulk::figures(&demo.figures, &dataset.name)).await?;
                let after = serde_json::json!({ "sha256": dataset.sha256, "figures": figures }).to_string();
                append_audit(&mut tx, audit, "demo.load", &dataset.name, None, Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(report)
            }

            async fn published_figures(&self) -> $crate::Result<Vec<ttdz_domain::PublishedFigure>> {
                let rows: Vec<$crate::rows::FigureRow> = sqlx::query_as(
                    "SELECT stat, division_code, name_zh, CAST(year AS BIGINT), CAST(value AS TEXT), unit_zh,
                            source_url, note
                     FROM published_figures ORDER BY row_index",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                let mut figures = rows.into_iter().map($crate::rows::figure).collect::<$crate::Result<Vec<_>>>()?;
                // Stable, so figures of one division, statistic and year keep their order in the file.
                figures.sort_by(|a, b| (&a.division, &a.stat, a.year).cmp(&(&b.division, &b.stat, b.year)));
                Ok(figures)
            }
        }
    };
}

/// The columns of a zone row, in the order [`rows::ZoneRow`](crate::rows::ZoneRow) reads them.
#[doc(hidden)]
#[macro_export]
macro_rules! zone_columns {
    () => {
        "SELECT key, name_zh, short_name_zh, province_code, approved, approval_note, source, approval_note_zh, source_zh"
    };
}

/// Implements [`ValueStore`](crate::ValueStore): datasets, values, batches and contract roll-ups.
#[macro_export]
macro_rules! impl_value_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::ValueStore for $store {
            async fn datasets(&self) -> $crate::Result<Vec<$crate::DatasetRecord>> {
                let rows: Vec<$crate::rows::DatasetRow> = sqlx::query_as(concat!(
                    "SELECT name, files, sha256, source, kind, CAST(revision AS BIGINT), recorded_by,
                            CAST(rows AS BIGINT), ",
                    dialect!(iso_utc "loaded_at"),
                    ", scope FROM datasets"
                ))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                let mut datasets = rows.into_iter().map($crate::rows::dataset).collect::<$crate::Result<Vec<_>>>()?;
                // By name in byte order, whatever collation the database has.
                datasets.sort_unstable_by(|a, b| a.dataset.name.cmp(&b.dataset.name));
                Ok(datasets)
            }

            async fn sourced_values(
                &self,
                element: &ttdz_domain::ElementCode,
            ) -> $crate::Result<Vec<ttdz_domain::measure::SourcedValue>> {
                let rows: Vec<$crate::rows::SourcedRow> = sqlx::query_as(
                    "SELECT 'division', v.division_code, CAST(v.year AS BIGINT), CAST(v.value AS TEXT), v.dataset,
                            d.kind, CAST(d.revision AS BIGINT), v.note
                     FROM element_values v JOIN datasets d ON d.name = v.dataset WHERE v.element = $1
                     UNION ALL
                     SELECT 'zone', z.zone_key, CAST(z.year AS BIGINT), CAST(z.value AS TEXT), z.dataset, d.kind,
                            CAST(d.revision AS BIGINT), z.note
                     FROM zone_values z JOIN datasets d ON d.name = z.dataset WHERE z.element = $1",
                )
                .bind(element.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter().map($crate::rows::sourced_value).collect()
            }

            async fn replace_batch(
                &self,
                batch: &$crate::Batch,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<$crate::BatchReport> {
                let mut tx = self.write_tx().await?;
                lock(&mut tx, &format!("batch:{}", batch.dataset.name)).await?;
                let report = write_batch(&mut tx, batch, audit).await?;
                if report.changed {
                    tx.commit().await.map_err(db)?;
                }
                Ok(report)
            }

            async fn contract_rollups(
                &self,
                side: ttdz_domain::contract::Side,
                prefix: &str,
            ) -> $crate::Result<Vec<ttdz_domain::contract::ContractRollup>> {
                let rows: Vec<$crate::rows::RollupRow> = sqlx::query_as(
                    "SELECT side, division_code, CAST(year AS BIGINT), contract_type, CAST(contracts AS BIGINT),
                            CAST(turnover AS TEXT), CAST(tech_amount AS TEXT)
                     FROM contract_rollups WHERE side = $1 AND division_code LIKE $2",
                )
                .bind(side.as_str())
                .bind(format!("{prefix}%"))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                let rollups = rows.into_iter().map($crate::rows::rollup).collect::<$crate::Result<Vec<_>>>()?;
                Ok($crate::sum_rollups(rollups))
            }

            async fn contract_flows(
                &self,
                year: i32,
            ) -> $crate::Result<Vec<(String, ttdz_domain::contract::ContractFlow)>> {
                let rows: Vec<(String, String, String, i64, String)> = sqlx::query_as(
                    "SELECT dataset, seller_division, buyer_division, CAST(contracts AS BIGINT), CAST(turnover AS TEXT)
                     FROM contract_flows WHERE year = $1 ORDER BY dataset, seller_division, buyer_division",
                )
                .bind(year)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter().map(|row| $crate::rows::flow(row, year)).collect()
            }

            async fn contract_flow_years(&self) -> $crate::Result<Vec<i32>> {
                let years: Vec<i64> =
                    sqlx::query_scalar("SELECT DISTINCT CAST(year AS BIGINT) FROM contract_flows ORDER BY 1")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?;
                Ok(years.into_iter().filter_map(|y| i32::try_from(y).ok()).collect())
            }
        }
    };
}

/// Implements [`AuditStore`](crate::AuditStore); the backend's own `change_page(after, limit)` is the query that
/// reads a page of the change log, its parameters bound.
#[macro_export]
macro_rules! impl_audit_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::AuditStore for $store {
            async fn audit(
                &self,
                query: &ttdz_domain::audit::AuditQuery,
            ) -> $crate::Result<Vec<ttdz_domain::audit::AuditEntry>> {
                let rows: Vec<$crate::rows::AuditRow> = sqlx::query_as(concat!(
                    "SELECT CAST(id AS BIGINT), ",
                    dialect!(iso_utc "at"),
                    ", actor, origin, action, zone_key, province_code, subject, before_json, after_json
                     FROM audit_log
                     WHERE (CAST($1 AS TEXT) IS NULL OR zone_key = $1) AND (CAST($2 AS TEXT) IS NULL OR actor = $2)
                       AND (CAST($3 AS TEXT) IS NULL OR ",
                    dialect!(at_since_3),
                    ") AND (CAST($4 AS TEXT) IS NULL OR province_code = $4)
                     ORDER BY id LIMIT $5"
                ))
                .bind(query.zone.as_ref().map(|z| z.as_str()))
                .bind(query.actor.as_deref())
                .bind(query.since.as_deref())
                .bind(query.province.as_ref().map(|p| p.as_str()))
                .bind(i64::from(query.limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter().map($crate::rows::audit_entry).collect()
            }

            async fn changes(&self, after: Option<&str>, limit: u32) -> $crate::Result<Vec<$crate::Change>> {
                let rows = change_page(after, limit)?.fetch_all(&self.pool).await.map_err(db)?;
                Ok(rows.into_iter().map($crate::Change::from).collect())
            }

            async fn data_revision(&self) -> $crate::Result<i64> {
                // Rows are only ever added, so their number grows with every commit that adds one, whatever its id.
                sqlx::query_scalar("SELECT count(*) FROM changes").fetch_one(&self.pool).await.map_err(db)
            }
        }
    };
}

/// Implements [`DocumentStore`](crate::DocumentStore).
#[macro_export]
macro_rules! impl_document_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::DocumentStore for $store {
            async fn add_document(
                &self,
                document: &$crate::NewDocument,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let sha256 = ttdz_domain::reference::sha256_hex(&document.content);
                let mut tx = self.write_tx().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO documents (zone_key, year, kind, file_name, media_type, sha256, size, content,
                                            uploaded_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(document.zone.as_str())
                .bind(document.year)
                .bind(&document.kind)
                .bind(&document.file_name)
                .bind(&document.media_type)
                .bind(&sha256)
                .bind(document.content.len() as i64)
                .bind(&document.content)
                .bind(&audit.actor)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                let after = serde_json::json!({
                    "id": id, "kind": document.kind, "year": document.year, "file_name": document.file_name,
                    "sha256": sha256, "size": document.content.len(),
                })
                .to_string();
                append_audit(&mut tx, audit, "document.attach", &id.to_string(), None, Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(id)
            }

            async fn documents(&self, zone: &ttdz_domain::ZoneKey) -> $crate::Result<Vec<$crate::DocumentRecord>> {
                let rows: Vec<$crate::rows::DocumentRow> = sqlx::query_as(concat!(
                    "SELECT CAST(id AS BIGINT), zone_key, CAST(year AS BIGINT), kind, file_name, media_type, sha256,
                            CAST(size AS BIGINT), uploaded_by, ",
                    dialect!(iso_utc "uploaded_at"),
                    " FROM documents WHERE zone_key = $1 ORDER BY id"
                ))
                .bind(zone.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter().map($crate::rows::document).collect()
            }

            async fn document(&self, id: i64) -> $crate::Result<Option<($crate::DocumentRecord, Vec<u8>)>> {
                type Row = (i64, String, Option<i64>, String, String, String, String, i64, String, String, Vec<u8>);
                let row: Option<Row> = sqlx::query_as(concat!(
                    "SELECT CAST(id AS BIGINT), zone_key, CAST(year AS BIGINT), kind, file_name, media_type, sha256,
                            CAST(size AS BIGINT), uploaded_by, ",
                    dialect!(iso_utc "uploaded_at"),
                    ", content FROM documents WHERE id = $1"
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
                let Some((id, zone, year, kind, file_name, media_type, sha256, size, by, at, content)) = row else {
                    return Ok(None);
                };
                let record =
                    $crate::rows::document((id, zone, year, kind, file_name, media_type, sha256, size, by, at))?;
                Ok(Some((record, content)))
            }
        }
    };
}

/// Implements [`InformationStore`](crate::InformationStore).
#[macro_export]
macro_rules! impl_information_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::InformationStore for $store {
            async fn add_record(
                &self,
                record: &$crate::NewRecord,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let mut tx = self.write_tx().await?;
                let kind = record.kind.as_str();
                let taken: Option<i64> = sqlx::query_scalar(
                    "SELECT CAST(id AS BIGINT) FROM information_records WHERE kind = $1 AND external_id = $2",
                )
                .bind(kind)
                .bind(&record.external_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
                if let Some(id) = taken {
                    return Err($crate::StoreError::Conflict(format!(
                        "the {kind} id '{}' is taken (record {id})",
                        record.external_id
                    )));
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO information_records (kind, external_id, status, owner, division_code, body)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING CAST(id AS BIGINT)",
                )
                .bind(kind)
                .bind(&record.external_id)
                .bind(record.status.as_str())
                .bind(record.owner.as_deref())
                .bind(record.division.as_ref().map(|d| d.as_str()))
                .bind(&record.body)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                let after = serde_json::json!({"external_id": record.external_id, "status": record.status.as_str()});
                append_audit(&mut tx, audit, &format!("{kind}.add"), &id.to_string(), None, Some(&after.to_string()))
                    .await?;
                tx.commit().await.map_err(db)?;
                Ok(id)
            }

            async fn import_records(
                &self,
                records: &[$crate::NewRecord],
                name: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<$crate::RecordImport> {
                let mut tx = self.write_tx().await?;
                let mut report = $crate::RecordImport::default();
                let batch = format!("batch:{name}");
                for record in records {
                    let version: i64 = sqlx::query_scalar(concat!(
                        "INSERT INTO information_records
                             (kind, external_id, status, owner, division_code, batch, body, published_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $3 = 'published' THEN ",
                        dialect!(now_seconds),
                        " END)
                         ON CONFLICT (kind, external_id) DO UPDATE SET
                             status = excluded.status, owner = excluded.owner,
                             division_code = excluded.division_code, batch = excluded.batch, body = excluded.body,
                             comment = NULL, version = information_records.version + 1, updated_at = ",
                        dialect!(now),
                        ", published_at = CASE WHEN information_records.status = 'published'
                                           AND excluded.status = 'published'
                                          THEN information_records.published_at ELSE excluded.published_at END
                         RETURNING CAST(version AS BIGINT)"
                    ))
                    .bind(record.kind.as_str())
                    .bind(&record.external_id)
                    .bind(record.status.as_str())
                    .bind(record.owner.as_deref())
                    .bind(record.division.as_ref().map(|d| d.as_str()))
                    .bind(&batch)
                    .bind(&record.body)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db)?;
                    if version == 1 {
                        report.added += 1;
                    } else {
                        report.updated += 1;
                    }
                }
                let kinds: std::collections::BTreeSet<&str> = records.iter().map(|r| r.kind.as_str()).collect();
                for kind in kinds {
                    let after = serde_json::json!({"added": report.added, "updated": report.updated}).to_string();
                    append_audit(&mut tx, audit, &format!("{kind}.import"), &batch, None, Some(&after)).await?;
                }
                tx.commit().await.map_err(db)?;
                Ok(report)
            }

            async fn update_record(
                &self,
                id: i64,
                based_on: i64,
                division: Option<&ttdz_domain::DivisionCode>,
                body: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let mut tx = self.write_tx().await?;
                let kind = record_kind(&mut tx, id).await?;
                let version: Option<i64> = sqlx::query_scalar(concat!(
                    "UPDATE information_records SET body = $1, division_code = $2, version = version + 1,
                         updated_at = ",
                    dialect!(now),
                    " WHERE id = $3 AND version = $4 RETURNING CAST(version AS BIGINT)"
                ))
                .bind(body)
                .bind(division.map(|d| d.as_str()))
                .bind(id)
                .bind(based_on)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
                let version = version.ok_or_else(|| moved(id, based_on))?;
                append_audit(&mut tx, audit, &format!("{kind}.edit"), &id.to_string(), None, None).await?;
                tx.commit().await.map_err(db)?;
                Ok(version)
            }

            async fn set_record_status(
                &self,
                id: i64,
                based_on: i64,
                status: ttdz_domain::achievement::RecordStatus,
                comment: Option<&str>,
                action: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let mut tx = self.write_tx().await?;
                record_kind(&mut tx, id).await?;
                let before: Option<String> =
                    sqlx::query_scalar("SELECT status FROM information_records WHERE id = $1 AND version = $2")
                        .bind(id)
                        .bind(based_on)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                let before = before.ok_or_else(|| moved(id, based_on))?;
                let version: i64 = sqlx::query_scalar(concat!(
                    "UPDATE information_records SET status = $1, comment = $2, version = version + 1, updated_at = ",
                    dialect!(now),
                    ", published_at = CASE WHEN $1 = 'published' THEN ",
                    dialect!(now_seconds),
                    " ELSE published_at END WHERE id = $3 RETURNING CAST(version AS BIGINT)"
                ))
                .bind(status.as_str())
                .bind(comment)
                .bind(id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                let (before, after) = (
                    serde_json::json!({"status": before}).to_string(),
                    serde_json::json!({"status": status.as_str(), "comment": comment}).to_string(),
                );
                append_audit(&mut tx, audit, action, &id.to_string(), Some(&before), Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(version)
            }

            async fn record(&self, id: i64) -> $crate::Result<Option<$crate::InformationRecord>> {
                let row: Option<$crate::rows::RecordRow> =
                    sqlx::query_as(concat!(record_columns!(), " WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db)?;
                row.map($crate::rows::information_record).transpose()
            }

            async fn records(&self, filter: &$crate::RecordFilter) -> $crate::Result<Vec<$crate::InformationRecord>> {
                let rows: Vec<$crate::rows::RecordRow> = sqlx::query_as(concat!(
                    record_columns!(),
                    " WHERE kind = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR owner = $3)
                        AND ($4 IS NULL OR division_code LIKE $4) AND id > $5
                      ORDER BY id LIMIT $6"
                ))
                .bind(filter.kind.as_str())
                .bind(filter.status.map(|s| s.as_str()))
                .bind(filter.owner.as_deref())
                .bind(filter.province.map(|p| format!("{}%", &p.as_str()[..2])))
                .bind(filter.after.unwrap_or(0))
                .bind(i64::from(filter.limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter().map($crate::rows::information_record).collect()
            }

            async fn published_after(
                &self,
                kind: ttdz_domain::achievement::RecordKind,
                after: Option<(&str, i64)>,
                limit: u32,
            ) -> $crate::Result<Vec<$crate::InformationRecord>> {
                let (at, id) = after.unwrap_or(("1970-01-01T00:00:00Z", 0));
                let rows: Vec<$crate::rows::RecordRow> = sqlx::query_as(concat!(
                    record_columns!(),
                    " WHERE kind = $1 AND status = 'published' AND ",
                    dialect!(published_after_2_3),
                    " ORDER BY published_at, id LIMIT $4"
                ))
                .bind(kind.as_str())
                .bind(at)
                .bind(id)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter().map($crate::rows::information_record).collect()
            }

            async fn add_assessment(
                &self,
                record_id: i64,
                body: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let mut tx = self.write_tx().await?;
                record_kind(&mut tx, record_id).await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO assessments (record_id, assessor, body) VALUES ($1, $2, $3) RETURNING CAST(id AS BIGINT)",
                )
                .bind(record_id)
                .bind(&audit.actor)
                .bind(body)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                let subject = format!("{record_id}:{id}");
                append_audit(&mut tx, audit, "assessment.add", &subject, None, Some(body)).await?;
                tx.commit().await.map_err(db)?;
                Ok(id)
            }

            async fn assessments(&self, record_id: i64) -> $crate::Result<Vec<$crate::AssessmentRecord>> {
                let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(concat!(
                    "SELECT CAST(id AS BIGINT), CAST(record_id AS BIGINT), assessor, body, ",
                    dialect!(iso_utc "assessed_at"),
                    " FROM assessments WHERE record_id = $1 ORDER BY id"
                ))
                .bind(record_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                Ok(rows
                    .into_iter()
                    .map(|(id, record_id, assessor, body, assessed_at)| $crate::AssessmentRecord {
                        id,
                        record_id,
                        assessor,
                        body,
                        assessed_at,
                    })
                    .collect())
            }

            async fn subscription(
                &self,
                username: &str,
                kind: ttdz_domain::achievement::RecordKind,
            ) -> $crate::Result<Option<$crate::Subscription>> {
                type Row = (String, String, Option<String>);
                let row: Option<Row> =
                    sqlx::query_as("SELECT fields, areas, read_until FROM subscriptions WHERE username = $1 AND kind = $2")
                        .bind(username)
                        .bind(kind.as_str())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db)?;
                let Some((fields, areas, read)) = row else { return Ok(None) };
                let list = |json: &str| -> $crate::Result<Vec<String>> {
                    serde_json::from_str(json)
                        .map_err(|e| $crate::StoreError::Corrupt(format!("subscription of {username}: {e}")))
                };
                let read = read.and_then(|r| {
                    let (at, id) = r.split_once('|')?;
                    Some((at.to_owned(), id.parse().ok()?))
                });
                Ok(Some($crate::Subscription {
                    username: username.to_owned(),
                    kind,
                    fields: list(&fields)?,
                    areas: list(&areas)?,
                    read,
                }))
            }

            async fn save_subscription(
                &self,
                subscription: &$crate::Subscription,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<()> {
                let mut tx = self.write_tx().await?;
                let json = |list: &[String]| serde_json::Value::from(list.to_vec()).to_string();
                sqlx::query(
                    "INSERT INTO subscriptions (username, kind, fields, areas) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (username, kind) DO UPDATE SET fields = excluded.fields, areas = excluded.areas",
                )
                .bind(&subscription.username)
                .bind(subscription.kind.as_str())
                .bind(json(&subscription.fields))
                .bind(json(&subscription.areas))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                let after = serde_json::json!({"fields": subscription.fields, "areas": subscription.areas}).to_string();
                let subject = format!("{}:{}", subscription.username, subscription.kind.as_str());
                append_audit(&mut tx, audit, "subscription.save", &subject, None, Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(())
            }

            async fn mark_read(
                &self,
                username: &str,
                kind: ttdz_domain::achievement::RecordKind,
                read_at: &str,
                read_id: i64,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<()> {
                let mut tx = self.write_tx().await?;
                let read = format!("{read_at}|{read_id}");
                let updated = sqlx::query("UPDATE subscriptions SET read_until = $1 WHERE username = $2 AND kind = $3")
                    .bind(&read)
                    .bind(username)
                    .bind(kind.as_str())
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?
                    .rows_affected();
                if updated == 0 {
                    return Err($crate::StoreError::Malformed(format!("{username} follows no {}", kind.as_str())));
                }
                let subject = format!("{username}:{}", kind.as_str());
                append_audit(&mut tx, audit, "subscription.read", &subject, None, Some(&read)).await?;
                tx.commit().await.map_err(db)?;
                Ok(())
            }

            async fn records_of_batch(&self, name: &str) -> $crate::Result<Vec<$crate::InformationRecord>> {
                let rows: Vec<$crate::rows::RecordRow> =
                    sqlx::query_as(concat!(record_columns!(), " WHERE batch = $1 ORDER BY id"))
                        .bind(name)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?;
                rows.into_iter().map($crate::rows::information_record).collect()
            }
        }
    };
}

/// Implements [`Store`](crate::Store) itself: which backend, whether it answers, and migrations. The backend
/// provides `migrations()` (its list, rendered once) and `migration_lock(conn)`, which keeps instances starting
/// together from migrating at once.
#[macro_export]
macro_rules! impl_schema_store {
    ($store:ty, $backend:expr) => {
        #[async_trait::async_trait]
        impl $crate::Store for $store {
            fn backend(&self) -> $crate::Backend {
                $backend
            }

            async fn ping(&self) -> $crate::Result<()> {
                sqlx::query("SELECT 1")
                    .execute(&self.pool)
                    .await
                    .map_err(|e| $crate::StoreError::Unreachable(e.to_string()))?;
                Ok(())
            }

            async fn migrate(
                &self,
                reference: &ttdz_domain::ReferenceData,
                this_year: i32,
            ) -> $crate::Result<$crate::MigrationReport> {
                let mut tx = self.write_tx().await?;
                migration_lock(&mut tx).await?;
                sqlx::raw_sql(dialect!(migrations_table)).execute(&mut *tx).await.map_err(db)?;
                let applied: Vec<(i64, String)> =
                    sqlx::query_as("SELECT CAST(version AS BIGINT), checksum FROM ttdz_migrations")
                        .fetch_all(&mut *tx)
                        .await
                        .map_err(db)?;
                let mut report = $crate::MigrationReport::default();
                for m in $crate::check_applied(migrations(), &applied)?.pending {
                    sqlx::raw_sql(m.sql.as_str())
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| $crate::StoreError::Schema(format!("migration {} failed: {e}", m.label())))?;
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
                for step in $crate::reference_sync_plan(&recorded, reference)? {
                    // Recorded first: the rows written next refer to it.
                    let dataset = step.dataset();
                    record_dataset(&mut tx, dataset, ttdz_domain::measure::SourceKind::Reference, None, None).await?;
                    match &step {
                        $crate::SyncStep::Divisions { set, dataset } => insert_divisions(&mut tx, set, dataset).await?,
                        $crate::SyncStep::Indicators { indicators, .. } => {
                            upsert_indicators(&mut tx, indicators).await?
                        }
                        $crate::SyncStep::Zones { zones, .. } => upsert_zones(&mut tx, zones).await?,
                        $crate::SyncStep::Values { values, dataset } => {
                            insert_rows(&mut tx, $crate::bulk::division_values(values, &dataset.name)).await?
                        }
                    }
                    record_change(&mut tx, "reference", &dataset.name, "reference.load").await?;
                    report.datasets_loaded.push(dataset.name.clone());
                }
                seed_lifecycle(&mut tx, this_year).await?;
                tx.commit().await.map_err(db)?;
                Ok(report)
            }

            async fn pending_migrations(&self) -> $crate::Result<Vec<String>> {
                let exists: i64 =
                    sqlx::query_scalar(dialect!(has_migrations_table)).fetch_one(&self.pool).await.map_err(db)?;
                let applied: Vec<(i64, String)> = if exists > 0 {
                    sqlx::query_as("SELECT CAST(version AS BIGINT), checksum FROM ttdz_migrations")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?
                } else {
                    Vec::new()
                };
                Ok($crate::check_applied(migrations(), &applied)?.pending.iter().map(|m| m.label()).collect())
            }
        }
    };
}

/// Implements the whole store for a backend's store type over its connection type, every statement written once.
///
/// What the invoking crate provides, besides the names of [`shared`](crate::shared): `insert_rows(conn, rows)`
/// (how its database loads many rows fastest), `change_page(after, limit)` (how a reader follows its change log
/// without skipping a commit), `migration_lock(conn)`, `migrations()`, and a `dialect!` macro, defined before
/// the invocation, with an arm for each literal fragment where the SQL of the two databases differs:
/// - `(next_revision)`: a new dataset revision, one above every other;
/// - `(now)`: the current time as a `loaded_at` column stores it;
/// - `(numeric)`: appended to a text parameter to make it an exact decimal (empty where decimals are text);
/// - `(iso_utc "column")`: a time column read as ISO 8601 text in UTC;
/// - `(now_seconds)`: the current time to the second, for times readers compare with what they read;
/// - `(published_after_2_3)`: `(published_at, id)` after the ISO 8601 text `$2` and the id `$3`;
/// - `(at_since_3)`: `at` compared with the ISO 8601 text parameter `$3`;
/// - `(migrations_table)`: the DDL of the migrations' bookkeeping table, if it does not exist;
/// - `(has_migrations_table)`: a count that is 1 when that table exists.
#[macro_export]
macro_rules! impl_store {
    ($store:ty, $conn:ty, $backend:expr) => {
        $crate::shared_writes!($conn);
        $crate::shared_data_writes!($conn);
        $crate::impl_account_store!($store);
        $crate::impl_audit_store!($store);
        $crate::impl_contract_store!($store, $conn);
        $crate::impl_document_store!($store);
        $crate::impl_information_store!($store);
        $crate::impl_job_store!($store);
        $crate::impl_lifecycle_store!($store);
        $crate::impl_listing_store!($store, $conn);
        $crate::impl_policy_store!($store);
        $crate::impl_reference_store!($store);
        $crate::impl_register_store!($store, $conn);
        $crate::impl_report_store!($store);
        $crate::impl_reward_store!($store);
        $crate::impl_value_store!($store);
        $crate::impl_schema_store!($store, $backend);
    };
}
