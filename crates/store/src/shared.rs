//! Statements both databases run unchanged, written once. Each macro expands, inside a backend crate, to the
//! implementation of one part of the store; where the databases differ, the backend keeps its own.
//!
//! What the invoking crate provides, by these names: `sqlx` and `async_trait` (dependencies); `db`, turning a
//! `sqlx::Error` into a `StoreError`; `append_audit(conn, audit, action, subject, before, after)`, appending to the
//! audit trail inside a transaction; and on the store type, a `pool` field and `write_tx()`, a transaction for a
//! write (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's default). SQL here is the common dialect: `$n` parameters,
//! `CAST(.. AS BIGINT)` rather than `::bigint`, `RETURNING`.

/// Implements [`PolicyStore`](crate::PolicyStore) for a backend's store type.
#[macro_export]
macro_rules! impl_policy_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::PolicyStore for $store {
            async fn add_policy(
                &self,
                policy: &ttdz_domain::policy::Policy,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let mut tx = self.write_tx().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO policies (zone_key, level, issuer, number, issued, title, provisions)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(policy.zone.as_str())
                .bind(policy.level.as_str())
                .bind(&policy.issuer)
                .bind(&policy.number)
                .bind(policy.issued.to_string())
                .bind(&policy.title)
                .bind(&policy.provisions)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                let after = serde_json::json!({ "id": id, "number": policy.number, "title": policy.title }).to_string();
                append_audit(&mut tx, audit, "policy.add", &policy.number, None, Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(id)
            }

            async fn policy(&self, id: i64) -> $crate::Result<Option<ttdz_domain::policy::Policy>> {
                let row: Option<$crate::PolicyRow> = sqlx::query_as(
                    "SELECT id, zone_key, level, issuer, number, issued, title, provisions FROM policies WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
                row.map($crate::policy_from_row).transpose()
            }

            async fn policies(
                &self,
                zone: &ttdz_domain::ZoneKey,
            ) -> $crate::Result<Vec<(ttdz_domain::policy::Policy, Vec<ttdz_domain::policy::PolicyCheck>)>> {
                let rows: Vec<$crate::PolicyRow> = sqlx::query_as(
                    "SELECT id, zone_key, level, issuer, number, issued, title, provisions FROM policies
                     WHERE zone_key = $1 ORDER BY id",
                )
                .bind(zone.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                let checks: Vec<$crate::CheckRow> = sqlx::query_as(
                    "SELECT c.policy_id, c.checked_on, c.checked_by, c.finding, c.evidence, CAST(c.annex_row AS BIGINT)
                     FROM policy_checks c JOIN policies p ON p.id = c.policy_id WHERE p.zone_key = $1 ORDER BY c.id",
                )
                .bind(zone.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                let checks = checks.into_iter().map($crate::check_from_row).collect::<$crate::Result<Vec<_>>>()?;
                rows.into_iter()
                    .map(|r| {
                        let policy = $crate::policy_from_row(r)?;
                        let mine = checks.iter().filter(|c| c.policy == policy.id).cloned().collect();
                        Ok((policy, mine))
                    })
                    .collect()
            }

            async fn add_policy_check(
                &self,
                check: &ttdz_domain::policy::PolicyCheck,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<()> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO policy_checks (policy_id, checked_on, checked_by, finding, evidence, annex_row)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(check.policy)
                .bind(check.checked_on.to_string())
                .bind(&check.checked_by)
                .bind(check.finding.as_str())
                .bind(&check.evidence)
                .bind(check.annex_row.map(i64::from))
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                let after =
                    serde_json::json!({ "policy": check.policy, "finding": check.finding.as_str() }).to_string();
                append_audit(&mut tx, audit, "policy.check", &check.policy.to_string(), None, Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(())
            }

            async fn add_experience(
                &self,
                experience: &ttdz_domain::policy::Experience,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let mut tx = self.write_tx().await?;
                let policies = serde_json::to_string(&experience.policies)
                    .map_err(|e| $crate::StoreError::Database(e.to_string()))?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO experiences (zone_key, title, summary, policies) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(experience.zone.as_str())
                .bind(&experience.title)
                .bind(&experience.summary)
                .bind(policies)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                let after = serde_json::json!({ "id": id, "title": experience.title }).to_string();
                append_audit(&mut tx, audit, "experience.propose", &id.to_string(), None, Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(id)
            }

            async fn publish_experience(
                &self,
                id: i64,
                on: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<bool> {
                let mut tx = self.write_tx().await?;
                let done =
                    sqlx::query("UPDATE experiences SET published_on = $2 WHERE id = $1 AND published_on IS NULL")
                        .bind(id)
                        .bind(on)
                        .execute(&mut *tx)
                        .await
                        .map_err(db)?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                let after = serde_json::json!({ "published_on": on }).to_string();
                append_audit(&mut tx, audit, "experience.publish", &id.to_string(), None, Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(true)
            }

            async fn experiences(&self) -> $crate::Result<Vec<ttdz_domain::policy::Experience>> {
                let rows: Vec<$crate::ExperienceRow> = sqlx::query_as(
                    "SELECT id, zone_key, title, summary, policies, published_on FROM experiences ORDER BY id",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter().map($crate::experience_from_row).collect()
            }
        }
    };
}
