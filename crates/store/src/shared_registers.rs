//! [`RegisterStore`](crate::RegisterStore), written once for both backends.

/// Implements [`RegisterStore`](crate::RegisterStore) for `$store`; needs the backend's `write_tx`, `lock`,
/// `append_audit` and `write_batch`.
#[macro_export]
macro_rules! impl_register_store {
    ($store:ty, $conn:ty) => {
        macro_rules! entry_columns {
            () => {
                "SELECT CAST(id AS BIGINT), body, CAST(version AS BIGINT), created_by FROM register_entries"
            };
        }

        async fn entries_of(
            conn: &mut $conn,
            register: ttdz_domain::register::Register,
            within: Option<&str>,
        ) -> $crate::Result<Vec<$crate::StoredEntry>> {
            let rows: Vec<$crate::rows::EntryRow> = sqlx::query_as(concat!(
                entry_columns!(),
                " WHERE register = $1 AND (CAST($2 AS TEXT) IS NULL OR division LIKE $2) ORDER BY id"
            ))
            .bind(register.as_str())
            .bind(within.map(|w| format!("{w}%")))
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
            rows.into_iter().map($crate::rows::register_entry).collect()
        }

        /// The entry `id` of `register` at version `based_on`, or why not.
        async fn entry_at(
            conn: &mut $conn,
            register: ttdz_domain::register::Register,
            id: i64,
            based_on: i64,
        ) -> $crate::Result<$crate::StoredEntry> {
            let row: Option<$crate::rows::EntryRow> =
                sqlx::query_as(concat!(entry_columns!(), " WHERE id = $1 AND register = $2"))
                    .bind(id)
                    .bind(register.as_str())
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db)?;
            let Some(stored) = row.map($crate::rows::register_entry).transpose()? else {
                return Err($crate::StoreError::Malformed(format!(
                    "there is no entry {id} in the register {}",
                    register.as_str()
                )));
            };
            if stored.version != based_on {
                return Err($crate::StoreError::Conflict(format!(
                    "entry {id} is at version {}, not {based_on}: reload it",
                    stored.version
                )));
            }
            Ok(stored)
        }

        #[async_trait::async_trait]
        impl $crate::RegisterStore for $store {
            async fn register_entries(
                &self,
                register: ttdz_domain::register::Register,
                within: Option<&str>,
            ) -> $crate::Result<Vec<$crate::StoredEntry>> {
                let mut conn = self.pool.acquire().await.map_err(db)?;
                entries_of(&mut conn, register, within).await
            }

            async fn register_entry(&self, id: i64) -> $crate::Result<Option<$crate::StoredEntry>> {
                let row: Option<$crate::rows::EntryRow> = sqlx::query_as(concat!(entry_columns!(), " WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db)?;
                row.map($crate::rows::register_entry).transpose()
            }

            async fn change_register(
                &self,
                register: ttdz_domain::register::Register,
                change: &$crate::RegisterChange,
                audit: &ttdz_domain::audit::AuditContext,
                batch: &(dyn for<'e> Fn(&'e [$crate::StoredEntry]) -> $crate::Batch + Send + Sync),
            ) -> $crate::Result<i64> {
                use $crate::RegisterChange;
                let to_json = |e: &ttdz_domain::register::Entry| {
                    serde_json::to_string(e).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))
                };
                let mut tx = self.write_tx().await?;
                // One change to a register at a time: its batch is made from all of its entries.
                lock(&mut tx, &format!("batch:{}", register.batch_name())).await?;
                let (id, action, before, after) = match change {
                    RegisterChange::Add(entry) => {
                        let body = to_json(entry)?;
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO register_entries
                               (register, division, name, valid_from, valid_until, body, created_by)
                             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING CAST(id AS BIGINT)",
                        )
                        .bind(register.as_str())
                        .bind(entry.division.as_str())
                        .bind(&entry.name)
                        .bind(&entry.from)
                        .bind(entry.until.as_deref())
                        .bind(&body)
                        .bind(&audit.actor)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(db)?;
                        (id, "register.add", None, Some(body))
                    }
                    RegisterChange::Replace { id, based_on, entry } => {
                        let stored = entry_at(&mut tx, register, *id, *based_on).await?;
                        let body = to_json(entry)?;
                        sqlx::query(concat!(
                            "UPDATE register_entries SET division = $2, name = $3, valid_from = $4,
                                 valid_until = $5, body = $6, version = version + 1, updated_at = ",
                            dialect!(now),
                            " WHERE id = $1"
                        ))
                        .bind(id)
                        .bind(entry.division.as_str())
                        .bind(&entry.name)
                        .bind(&entry.from)
                        .bind(entry.until.as_deref())
                        .bind(&body)
                        .execute(&mut *tx)
                        .await
                        .map_err(db)?;
                        (*id, "register.change", Some(to_json(&stored.entry)?), Some(body))
                    }
                    RegisterChange::Remove { id, based_on } => {
                        let stored = entry_at(&mut tx, register, *id, *based_on).await?;
                        sqlx::query("DELETE FROM register_entries WHERE id = $1")
                            .bind(id)
                            .execute(&mut *tx)
                            .await
                            .map_err(db)?;
                        (*id, "register.remove", Some(to_json(&stored.entry)?), None)
                    }
                };
                let subject = format!("{}/{id}", register.as_str());
                append_audit(&mut tx, audit, action, &subject, before.as_deref(), after.as_deref()).await?;
                let entries = entries_of(&mut tx, register, None).await?;
                let counts = batch(&entries);
                write_batch(&mut tx, &counts, audit).await?;
                tx.commit().await.map_err(db)?;
                Ok(id)
            }

            async fn recount_register(
                &self,
                register: ttdz_domain::register::Register,
                audit: &ttdz_domain::audit::AuditContext,
                batch: &(dyn for<'e> Fn(&'e [$crate::StoredEntry]) -> $crate::Batch + Send + Sync),
            ) -> $crate::Result<bool> {
                let mut tx = self.write_tx().await?;
                lock(&mut tx, &format!("batch:{}", register.batch_name())).await?;
                let entries = entries_of(&mut tx, register, None).await?;
                if entries.is_empty() {
                    return Ok(false);
                }
                let counts = batch(&entries);
                let report = write_batch(&mut tx, &counts, audit).await?;
                tx.commit().await.map_err(db)?;
                Ok(report.changed)
            }
        }
    };
}
