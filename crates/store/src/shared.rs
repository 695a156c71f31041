//! Statements both databases run unchanged, written once. Each macro expands, inside a backend crate, to the
//! implementation of one part of the store; where the databases differ, the backend keeps its own.
//!
//! What the invoking crate provides, by these names: `sqlx`, `serde_json` and `async_trait` (dependencies); `db`,
//! turning a `sqlx::Error` into a `StoreError`; the helpers of [`shared_writes!`](crate::shared_writes), expanded
//! over its connection type; and on the store type, a `pool` field and `write_tx()`, a transaction for a write
//! (SQLite's `BEGIN IMMEDIATE`, PostgreSQL's default). SQL here is the common dialect: `$n` parameters,
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

            async fn save_grade(
                &self,
                grade: &ttdz_domain::policy::Grade,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<()> {
                let policies =
                    serde_json::to_string(&grade.policies).map_err(|e| $crate::StoreError::Database(e.to_string()))?;
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO grades (zone_key, year, annex_row, username, score, reasons, evidence, policies)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (zone_key, year, annex_row, username) DO UPDATE SET score = excluded.score,
                         reasons = excluded.reasons, evidence = excluded.evidence, policies = excluded.policies",
                )
                .bind(grade.zone.as_str())
                .bind(grade.year)
                .bind(i32::from(grade.annex_row))
                .bind(&grade.graded_by)
                .bind(i32::from(grade.score))
                .bind(&grade.reasons)
                .bind(&grade.evidence)
                .bind(policies)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                let subject = format!("{}-{}-row{}", grade.zone, grade.year, grade.annex_row);
                let after = serde_json::json!({ "by": grade.graded_by, "score": grade.score }).to_string();
                append_audit(&mut tx, audit, "grade.save", &subject, None, Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(())
            }

            async fn grades(&self) -> $crate::Result<Vec<ttdz_domain::policy::Grade>> {
                type Row = (String, i64, i64, String, i64, String, String, String, String);
                let rows: Vec<Row> = sqlx::query_as(concat!(
                    "SELECT zone_key, CAST(year AS BIGINT), CAST(annex_row AS BIGINT), username, CAST(score AS BIGINT),
                            reasons, evidence, policies, ",
                    dialect!(iso_utc "graded_at"),
                    " FROM grades"
                ))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                let corrupt = |what: &str| $crate::StoreError::Corrupt(format!("grade: {what}"));
                let mut grades = rows
                    .into_iter()
                    .map(|(zone, year, row, by, score, reasons, evidence, policies, at)| {
                        Ok(ttdz_domain::policy::Grade {
                            zone: ttdz_domain::ZoneKey::parse(&zone).map_err(|e| corrupt(&e.0))?,
                            year: i32::try_from(year).map_err(|_| corrupt("year"))?,
                            annex_row: u8::try_from(row).map_err(|_| corrupt("row"))?,
                            graded_by: by,
                            score: u8::try_from(score).map_err(|_| corrupt("score"))?,
                            reasons,
                            evidence,
                            policies: serde_json::from_str(&policies).map_err(|e| corrupt(&e.to_string()))?,
                            graded_at: at,
                        })
                    })
                    .collect::<$crate::Result<Vec<_>>>()?;
                // In byte order, whatever collation the database has.
                grades.sort_by(|a, b| {
                    (a.zone.as_str(), a.year, a.annex_row, &a.graded_by)
                        .cmp(&(b.zone.as_str(), b.year, b.annex_row, &b.graded_by))
                });
                Ok(grades)
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

/// Implements [`AccountStore`](crate::AccountStore) for a backend's store type.
#[macro_export]
macro_rules! impl_account_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::AccountStore for $store {
            async fn add_account(
                &self,
                account: &ttdz_domain::account::Account,
                password_hash: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<()> {
                let mut tx = self.write_tx().await?;
                let result = sqlx::query(
                    "INSERT INTO accounts
                       (username, role, province_code, division_code, zone_key, password_hash, disabled)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(account.username.as_str())
                .bind(account.role.as_str())
                .bind(account.province.as_ref().map(|c| c.as_str()))
                .bind(account.division.as_ref().map(|c| c.as_str()))
                .bind(account.zone.as_ref().map(|z| z.as_str()))
                .bind(password_hash)
                .bind(i32::from(account.disabled))
                .execute(&mut *tx)
                .await;
                match result {
                    Ok(_) => {
                        let after = $crate::account_audit_state(account);
                        append_audit(&mut tx, audit, "account.add", account.username.as_str(), None, Some(&after))
                            .await?;
                        tx.commit().await.map_err(db)
                    }
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                        Err($crate::StoreError::Conflict(format!("the username {} is taken", account.username)))
                    }
                    Err(e) => Err(db(e)),
                }
            }

            async fn accounts(&self) -> $crate::Result<Vec<ttdz_domain::account::Account>> {
                let rows: Vec<$crate::rows::AccountRow> = sqlx::query_as(
                    "SELECT username, role, province_code, division_code, zone_key, CAST(disabled AS BIGINT)
                     FROM accounts",
                )
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                // By username in byte order, as the trait promises, whatever collation the database has.
                let mut accounts = rows.into_iter().map($crate::rows::account).collect::<$crate::Result<Vec<_>>>()?;
                accounts.sort_by(|a, b| a.username.as_str().cmp(b.username.as_str()));
                Ok(accounts)
            }

            async fn account_credentials(
                &self,
                username: &str,
            ) -> $crate::Result<Option<(ttdz_domain::account::Account, String)>> {
                let row: Option<(String, String, Option<String>, Option<String>, Option<String>, i64, String)> =
                    sqlx::query_as(
                        "SELECT username, role, province_code, division_code, zone_key, CAST(disabled AS BIGINT),
                                password_hash
                         FROM accounts WHERE username = $1",
                    )
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db)?;
                row.map(|(u, r, p, d, z, x, hash)| Ok(($crate::rows::account((u, r, p, d, z, x))?, hash))).transpose()
            }

            async fn set_account_disabled(
                &self,
                username: &str,
                disabled: bool,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<bool> {
                let mut tx = self.write_tx().await?;
                let before: Option<i64> =
                    sqlx::query_scalar("SELECT CAST(disabled AS BIGINT) FROM accounts WHERE username = $1")
                        .bind(username)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                let Some(before) = before else { return Ok(false) };
                sqlx::query("UPDATE accounts SET disabled = $2 WHERE username = $1")
                    .bind(username)
                    .bind(i32::from(disabled))
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                let state = |d: bool| serde_json::json!({ "disabled": d }).to_string();
                let action = if disabled { "account.disable" } else { "account.enable" };
                append_audit(&mut tx, audit, action, username, Some(&state(before != 0)), Some(&state(disabled)))
                    .await?;
                tx.commit().await.map_err(db)?;
                Ok(true)
            }

            async fn set_password(
                &self,
                username: &str,
                password_hash: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<bool> {
                let mut tx = self.write_tx().await?;
                let changed = sqlx::query("UPDATE accounts SET password_hash = $2 WHERE username = $1")
                    .bind(username)
                    .bind(password_hash)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?
                    .rows_affected();
                if changed == 0 {
                    return Ok(false);
                }
                // Whoever signed in with the old password is signed out.
                sqlx::query("DELETE FROM sessions WHERE username = $1")
                    .bind(username)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                append_audit(&mut tx, audit, "account.password", username, None, None).await?;
                tx.commit().await.map_err(db)?;
                Ok(true)
            }

            async fn create_session(
                &self,
                token_sha256: &str,
                username: &str,
                csrf_token: &str,
                expires_at: i64,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<()> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO sessions (token_sha256, username, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(token_sha256)
                .bind(username)
                .bind(csrf_token)
                .bind(expires_at)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                let after = serde_json::json!({ "expires_at": expires_at }).to_string();
                append_audit(&mut tx, audit, "auth.login", username, None, Some(&after)).await?;
                tx.commit().await.map_err(db)
            }

            async fn session(
                &self,
                token_sha256: &str,
                now: i64,
            ) -> $crate::Result<Option<(ttdz_domain::account::Account, String)>> {
                let row: Option<(String, String, Option<String>, Option<String>, Option<String>, i64, String)> =
                    sqlx::query_as(
                        "SELECT a.username, a.role, a.province_code, a.division_code, a.zone_key,
                                CAST(a.disabled AS BIGINT), s.csrf_token
                         FROM sessions s JOIN accounts a ON a.username = s.username
                         WHERE s.token_sha256 = $1 AND s.expires_at > $2 AND a.disabled = 0",
                    )
                    .bind(token_sha256)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db)?;
                row.map(|(u, r, p, d, z, x, csrf)| Ok(($crate::rows::account((u, r, p, d, z, x))?, csrf))).transpose()
            }

            async fn delete_session(
                &self,
                token_sha256: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<()> {
                let mut tx = self.write_tx().await?;
                let username: Option<String> =
                    sqlx::query_scalar("DELETE FROM sessions WHERE token_sha256 = $1 RETURNING username")
                        .bind(token_sha256)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                if let Some(username) = username {
                    append_audit(&mut tx, audit, "auth.logout", &username, None, None).await?;
                }
                tx.commit().await.map_err(db)
            }

            async fn record_login_failure(
                &self,
                subject: &str,
                username: &str,
                at: i64,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<()> {
                let mut tx = self.write_tx().await?;
                sqlx::query("DELETE FROM login_failures WHERE at < $1")
                    .bind(at - $crate::LOGIN_FAILURE_MEMORY_SECONDS)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                sqlx::query("INSERT INTO login_failures (subject, at) VALUES ($1, $2)")
                    .bind(subject)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                append_audit(&mut tx, audit, "auth.login_failed", username, None, None).await?;
                tx.commit().await.map_err(db)
            }

            async fn login_failure_times(&self, subject: &str, since: i64) -> $crate::Result<Vec<i64>> {
                sqlx::query_scalar("SELECT at FROM login_failures WHERE subject = $1 AND at >= $2 ORDER BY at")
                    .bind(subject)
                    .bind(since)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db)
            }
        }
    };
}

/// Implements [`JobStore`](crate::JobStore) for a backend's store type.
#[macro_export]
macro_rules! impl_job_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::JobStore for $store {
            async fn claim_job(
                &self,
                job: &str,
                period: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<bool> {
                let mut tx = self.write_tx().await?;
                let claimed = sqlx::query("INSERT INTO job_runs (job, period) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(job)
                    .bind(period)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?
                    .rows_affected()
                    == 1;
                if claimed {
                    append_audit(&mut tx, audit, "job.run", &format!("{job} {period}"), None, None).await?;
                }
                tx.commit().await.map_err(db)?;
                Ok(claimed)
            }

            async fn add_todo(
                &self,
                todo: &$crate::Todo,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<bool> {
                let mut tx = self.write_tx().await?;
                let added = sqlx::query(
                    "INSERT INTO todos (zone_key, province_code, kind, subject, due_on) VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT DO NOTHING",
                )
                .bind(todo.zone.as_str())
                .bind(todo.province.as_str())
                .bind(&todo.kind)
                .bind(&todo.subject)
                .bind(&todo.due_on)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected()
                    == 1;
                if added {
                    let subject = format!("{} {} {}", todo.zone, todo.kind, todo.subject);
                    let after = serde_json::json!({ "due_on": todo.due_on }).to_string();
                    append_audit(&mut tx, audit, "todo.add", &subject, None, Some(&after)).await?;
                }
                tx.commit().await.map_err(db)?;
                Ok(added)
            }

            async fn todos(&self, province: Option<&ttdz_domain::DivisionCode>) -> $crate::Result<Vec<$crate::Todo>> {
                let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
                    "SELECT zone_key, province_code, kind, subject, due_on FROM todos
                     WHERE $1 IS NULL OR province_code = $1 ORDER BY due_on DESC, zone_key, kind",
                )
                .bind(province.map(|p| p.as_str()))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter()
                    .map(|(zone, province, kind, subject, due_on)| {
                        Ok($crate::Todo {
                            zone: ttdz_domain::ZoneKey::parse(&zone).map_err(|e| $crate::StoreError::Corrupt(e.0))?,
                            province: $crate::rows::code(&province)?,
                            kind,
                            subject,
                            due_on,
                        })
                    })
                    .collect()
            }
        }
    };
}

/// The helpers every write uses, over a backend's connection type: `append_audit` (and with it the change log),
/// `record_change`, `write_batch` (which calls `record_dataset` of [`shared_data_writes!`](crate::shared_data_writes)
/// and the backend's own `insert_rows`) and `seed_lifecycle`.
#[macro_export]
macro_rules! shared_writes {
    ($conn:ty) => {
        /// The real zones enter the procedure under construction, with the approval the sources confirm and an assumed
        /// current term of three years from this one (the shortest the guideline allows), marked as assumed: annual
        /// reporting works on them from the first day.
        async fn seed_lifecycle(conn: &mut $conn, year: i32) -> $crate::Result<()> {
            let missing: Vec<(String, Option<String>, String, String)> = sqlx::query_as(
                "SELECT key, approved, approval_note, source FROM zones
                 WHERE key NOT IN (SELECT zone_key FROM zone_lifecycle) ORDER BY key",
            )
            .fetch_all(&mut *conn)
            .await
            .map_err(db)?;
            let (start, end) = $crate::assumed_term(year);
            for (key, approved, note, source) in missing {
                sqlx::query(
                    "INSERT INTO zone_lifecycle (zone_key, stage, term_start, term_end, term_assumed, version)
                     VALUES ($1, 'under_construction', $2, $3, 1, 1)",
                )
                .bind(&key)
                .bind(&start)
                .bind(&end)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
                let approval = serde_json::json!({ "approved": approved, "note": note, "source": source }).to_string();
                let term = serde_json::json!({ "term_start": start, "term_end": end, "assumed": true }).to_string();
                for (action, from, to, document) in [
                    ("approve_plan", None, "approved", approval),
                    ("start_construction", Some("approved"), "under_construction", term),
                ] {
                    sqlx::query(
                        "INSERT INTO lifecycle_events (zone_key, action, actor, from_stage, to_stage, document)
                         VALUES ($1, $2, 'reference:data/zones.csv', $3, $4, $5)",
                    )
                    .bind(&key)
                    .bind(action)
                    .bind(from)
                    .bind(to)
                    .bind(document)
                    .execute(&mut *conn)
                    .await
                    .map_err(db)?;
                }
            }
            Ok(())
        }

        /// Writes a batch, replacing its earlier contribution, inside the caller's transaction.
        async fn write_batch(
            conn: &mut $conn,
            batch: &$crate::Batch,
            audit: &ttdz_domain::audit::AuditContext,
        ) -> $crate::Result<$crate::BatchReport> {
            let name = &batch.dataset.name;
            let stored: Option<(String, Option<i64>, Option<String>)> =
                sqlx::query_as("SELECT sha256, CAST(rows AS BIGINT), scope FROM datasets WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db)?;
            $crate::check_batch_owner(batch, stored.as_ref().map(|s| s.2.as_deref()))?;
            let stored = stored.map(|(sha, rows, _)| (sha, rows));
            if stored.as_ref().map(|(sha, _)| sha.as_str()) == Some(batch.dataset.sha256.as_str()) {
                return Ok($crate::BatchReport { changed: false, replaced: false });
            }
            if !batch.contract_numbers.is_empty() {
                // A contract registered in TTDZ after the file was read (which left out the rows of those registered
                // before) would count twice; registrations take the same lock, so none can slip in after this look.
                lock(conn, $crate::CONTRACT_NUMBERS_LOCK).await?;
                let registered = registered_numbers(conn).await?;
                if let Some(number) = registered.iter().find(|n| batch.contract_numbers.contains(n)) {
                    return Err($crate::StoreError::Conflict(format!(
                        "contract_no {number} of {} was registered in TTDZ while the file was read: import the file \
                         again, and that row is left out",
                        batch.dataset.files.join(", ")
                    )));
                }
            }
            for delete in [
                "DELETE FROM element_values WHERE dataset = $1",
                "DELETE FROM zone_values WHERE dataset = $1",
                "DELETE FROM contract_rollups WHERE dataset = $1",
                "DELETE FROM contract_flows WHERE dataset = $1",
                "DELETE FROM contract_numbers WHERE dataset = $1",
            ] {
                sqlx::query(delete).bind(name).execute(&mut *conn).await.map_err(db)?;
            }
            record_dataset(conn, &batch.dataset, batch.kind, Some(&batch.recorded_by), Some(batch.rows)).await?;
            sqlx::query("UPDATE datasets SET scope = $2 WHERE name = $1")
                .bind(name)
                .bind(batch.scope.as_ref().map(|s| s.as_str()))
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            insert_rows(conn, $crate::bulk::division_values(&batch.division_values, name)).await?;
            insert_rows(conn, $crate::bulk::zone_values(&batch.zone_values, name)).await?;
            insert_rows(conn, $crate::bulk::rollups(&batch.rollups, name)).await?;
            insert_rows(conn, $crate::bulk::flows(&batch.flows, name)).await?;
            insert_rows(conn, $crate::bulk::contract_numbers(&batch.contract_numbers, name)).await?;
            for (prefix, sequence) in batch.contract_numbers.highest_in_scheme() {
                raise_sequence(conn, &prefix, sequence).await?;
            }
            let (before, after) = $crate::batch_audit_states(stored.as_ref(), batch);
            append_audit(conn, audit, "import.batch", name, before.as_deref(), Some(&after)).await?;
            Ok($crate::BatchReport { changed: true, replaced: stored.is_some() })
        }

        /// The numbers of every contract registered in TTDZ, in order.
        async fn registered_numbers(conn: &mut $conn) -> $crate::Result<Vec<String>> {
            sqlx::query_scalar("SELECT contract_no FROM contracts WHERE status = 'registered' ORDER BY contract_no")
                .fetch_all(&mut *conn)
                .await
                .map_err(db)
        }

        /// Raises the locality and year's last registration number to `sequence` where it is lower.
        async fn raise_sequence(conn: &mut $conn, prefix: &str, sequence: u32) -> $crate::Result<()> {
            sqlx::query(
                "INSERT INTO contract_sequences (prefix, last) VALUES ($1, $2)
                 ON CONFLICT (prefix) DO UPDATE SET last = CASE WHEN excluded.last > contract_sequences.last
                     THEN excluded.last ELSE contract_sequences.last END",
            )
            .bind(prefix)
            .bind(i64::from(sequence))
            .execute(&mut *conn)
            .await
            .map_err(db)?;
            Ok(())
        }

        /// Appends to the audit trail, inside the caller's transaction.
        async fn append_audit(
            conn: &mut $conn,
            audit: &ttdz_domain::audit::AuditContext,
            action: &str,
            subject: &str,
            before: Option<&str>,
            after: Option<&str>,
        ) -> $crate::Result<()> {
            sqlx::query(
                "INSERT INTO audit_log
                   (actor, origin, action, zone_key, province_code, subject, before_json, after_json)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&audit.actor)
            .bind(&audit.origin)
            .bind(action)
            .bind(audit.zone.as_ref().map(|z| z.as_str()))
            .bind(audit.province.as_ref().map(|p| p.as_str()))
            .bind(subject)
            .bind(before)
            .bind(after)
            .execute(&mut *conn)
            .await
            .map_err(db)?;
            // Every audited write of data is a change; logins and logouts change no data.
            if let Some(kind) = $crate::change_kind(action) {
                record_change(conn, kind, subject, action).await?;
            }
            Ok(())
        }

        /// Appends to the change log, inside the caller's transaction.
        async fn record_change(conn: &mut $conn, kind: &str, key: &str, action: &str) -> $crate::Result<()> {
            sqlx::query("INSERT INTO changes (kind, key, action) VALUES ($1, $2, $3)")
                .bind(kind)
                .bind(key)
                .bind(action)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            Ok(())
        }
    };
}

/// Implements [`ReportStore`](crate::ReportStore) for a backend's store type. Besides the common names it needs
/// `lock(conn, key)`, which serialises the writers of one record (a no-op where the database serialises all writes).
#[macro_export]
macro_rules! impl_report_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::ReportStore for $store {
            async fn annual_report(
                &self,
                zone: &ttdz_domain::ZoneKey,
                year: i32,
            ) -> $crate::Result<Option<$crate::AnnualReport>> {
                type ReportRow = (
                    String,
                    i64,
                    String,
                    String,
                    Option<String>,
                    Option<String>,
                    Option<String>,
                    i64,
                    Option<String>,
                    String,
                );
                let row: Option<ReportRow> = sqlx::query_as(
                    "SELECT status, CAST(version AS BIGINT), report_text, values_json, snapshot, returned_snapshot,
                            submitted_at, CAST(late AS BIGINT), comment, progress_json
                     FROM annual_reports WHERE zone_key = $1 AND year = $2",
                )
                .bind(zone.as_str())
                .bind(year)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
                let Some((
                    status,
                    version,
                    text,
                    values_json,
                    snapshot,
                    returned_snapshot,
                    submitted_at,
                    late,
                    comment,
                    progress_json,
                )) = row
                else {
                    return Ok(None);
                };
                Ok(Some($crate::AnnualReport {
                    zone: zone.clone(),
                    year,
                    status: ttdz_domain::report::ReportStatus::parse(&status)
                        .map_err(|e| $crate::StoreError::Corrupt(e.0))?,
                    version,
                    text,
                    values_json,
                    snapshot,
                    returned_snapshot,
                    progress_json,
                    submitted_at,
                    late: late != 0,
                    comment,
                }))
            }

            async fn save_annual_report(
                &self,
                report: &$crate::AnnualReport,
                based_on: i64,
                values: Option<&$crate::Batch>,
                action: &str,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let mut tx = self.write_tx().await?;
                lock(&mut tx, &format!("report:{}-{}", report.zone, report.year)).await?;
                if let Some(batch) = values {
                    // In the order every writer of that batch takes its locks: the report's, then the batch's.
                    lock(&mut tx, &format!("batch:{}", batch.dataset.name)).await?;
                }
                let current: Option<(i64, String)> = sqlx::query_as(
                    "SELECT CAST(version AS BIGINT), status FROM annual_reports WHERE zone_key = $1 AND year = $2",
                )
                .bind(report.zone.as_str())
                .bind(report.year)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
                let found = current.as_ref().map_or(0, |c| c.0);
                if found != based_on {
                    return Err($crate::StoreError::Conflict(format!(
                        "the {} report of {} has moved on (version {found}; the change was based on version \
                         {based_on})",
                        report.year, report.zone
                    )));
                }
                if let Some(batch) = values {
                    write_batch(&mut tx, batch, audit).await?;
                }
                let version = found + 1;
                sqlx::query(
                    "INSERT INTO annual_reports (zone_key, year, status, version, report_text, values_json,
                                                 snapshot, submitted_at, late, comment, returned_snapshot,
                                                 progress_json)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                     ON CONFLICT (zone_key, year) DO UPDATE SET status = excluded.status, version = excluded.version,
                         report_text = excluded.report_text, values_json = excluded.values_json,
                         snapshot = excluded.snapshot, submitted_at = excluded.submitted_at, late = excluded.late,
                         comment = excluded.comment, returned_snapshot = excluded.returned_snapshot,
                         progress_json = excluded.progress_json",
                )
                .bind(report.zone.as_str())
                .bind(report.year)
                .bind(report.status.as_str())
                .bind(version)
                .bind(&report.text)
                .bind(&report.values_json)
                .bind(report.snapshot.as_deref())
                .bind(report.submitted_at.as_deref())
                .bind(i32::from(report.late))
                .bind(report.comment.as_deref())
                .bind(report.returned_snapshot.as_deref())
                .bind(&report.progress_json)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                let before = current.map(|(v, s)| serde_json::json!({ "status": s, "version": v }).to_string());
                let after =
                    serde_json::json!({ "status": report.status.as_str(), "version": version, "late": report.late })
                        .to_string();
                let subject = format!("{}-{}", report.zone, report.year);
                append_audit(&mut tx, audit, &format!("report.{action}"), &subject, before.as_deref(), Some(&after))
                    .await?;
                tx.commit().await.map_err(db)?;
                Ok(version)
            }
        }
    };
}

/// Implements [`LifecycleStore`](crate::LifecycleStore) for a backend's store type; besides the common names it
/// needs `lock` and `upsert_zones(conn, zones)`.
#[macro_export]
macro_rules! impl_lifecycle_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::LifecycleStore for $store {
            async fn lifecycle(&self, zone: &ttdz_domain::ZoneKey) -> $crate::Result<Option<$crate::LifecycleState>> {
                let row: Option<(String, Option<String>, Option<String>, i64, i64)> = sqlx::query_as(
                    "SELECT stage, term_start, term_end, CAST(term_assumed AS BIGINT), CAST(version AS BIGINT)
                     FROM zone_lifecycle WHERE zone_key = $1",
                )
                .bind(zone.as_str())
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
                let Some((stage, start, end, assumed, version)) = row else { return Ok(None) };
                let events: Vec<(i64, String, String, String, Option<String>, String, String)> =
                    sqlx::query_as(concat!(
                        "SELECT id, action, actor, ",
                        dialect!(iso_utc "at"),
                        ", from_stage, to_stage, document FROM lifecycle_events WHERE zone_key = $1 ORDER BY id"
                    ))
                    .bind(zone.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db)?;
                let mut assigned: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT purpose, username, CAST(reviewed AS BIGINT) FROM expert_assignments WHERE zone_key = $1",
                )
                .bind(zone.as_str())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                // By username in byte order, whatever collation the database has.
                assigned.sort();
                let of = |purpose: &str| -> Vec<(String, bool)> {
                    assigned.iter().filter(|a| a.0 == purpose).map(|(_, u, r)| (u.clone(), *r != 0)).collect()
                };
                Ok(Some($crate::LifecycleState {
                    stage: ttdz_domain::lifecycle::Stage::parse(&stage)
                        .map_err(|e| $crate::StoreError::Corrupt(e.0))?,
                    term: match (start, end) {
                        (Some(s), Some(e)) => Some((s, e, assumed != 0)),
                        _ => None,
                    },
                    version,
                    history: events
                        .into_iter()
                        .map(|(id, action, actor, at, from, to, document)| $crate::LifecycleEvent {
                            id,
                            action,
                            actor,
                            at,
                            from,
                            to,
                            document,
                        })
                        .collect(),
                    experts: of("plan_review"),
                    consultants: of("consultation"),
                }))
            }

            async fn apply_lifecycle(
                &self,
                step: &$crate::LifecycleStep,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let key = step.zone.as_str();
                let mut tx = self.write_tx().await?;
                lock(&mut tx, &format!("lifecycle:{key}")).await?;
                let current: Option<i64> =
                    sqlx::query_scalar("SELECT CAST(version AS BIGINT) FROM zone_lifecycle WHERE zone_key = $1")
                        .bind(key)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                let found = current.unwrap_or(0);
                if found != step.based_on {
                    return Err($crate::StoreError::Conflict(format!(
                        "zone {key} has moved on (version {found}; the step was based on version {})",
                        step.based_on
                    )));
                }
                if let Some(zone) = &step.new_zone {
                    let taken: Option<String> = sqlx::query_scalar("SELECT key FROM zones WHERE key = $1")
                        .bind(key)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                    if taken.is_some() {
                        return Err($crate::StoreError::Conflict(format!("the zone key {key} is taken")));
                    }
                    upsert_zones(&mut tx, std::slice::from_ref(zone)).await?;
                }
                let version = found + 1;
                let (start, end) = (step.term.as_ref().map(|t| t.0.as_str()), step.term.as_ref().map(|t| t.1.as_str()));
                // Both take the same parameters: the zone, its new stage, the term if the step sets one, the version.
                let statement = if current.is_none() {
                    "INSERT INTO zone_lifecycle (zone_key, stage, term_start, term_end, term_assumed, version)
                     VALUES ($1, $2, $3, $4, 0, $5)"
                } else {
                    "UPDATE zone_lifecycle SET stage = $2, version = $5,
                         term_start = COALESCE(CAST($3 AS TEXT), term_start),
                         term_end = COALESCE(CAST($4 AS TEXT), term_end),
                         term_assumed = CASE WHEN CAST($3 AS TEXT) IS NULL THEN term_assumed ELSE 0 END
                     WHERE zone_key = $1"
                };
                sqlx::query(statement)
                    .bind(key)
                    .bind(step.to.as_str())
                    .bind(start)
                    .bind(end)
                    .bind(version)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                sqlx::query(
                    "INSERT INTO lifecycle_events (zone_key, action, actor, from_stage, to_stage, document)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(key)
                .bind(step.action.as_str())
                .bind(&audit.actor)
                .bind(step.from.map(|s| s.as_str()))
                .bind(step.to.as_str())
                .bind(&step.document)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                let assignments = step.assign_experts.iter().map(|e| (e, "plan_review"));
                for (expert, purpose) in assignments.chain(step.appoint_consultants.iter().map(|e| (e, "consultation"))) {
                    sqlx::query(
                        "INSERT INTO expert_assignments (zone_key, username, purpose) VALUES ($1, $2, $3)
                         ON CONFLICT (zone_key, username) DO UPDATE SET reviewed = 0, purpose = excluded.purpose",
                    )
                    .bind(key)
                    .bind(expert)
                    .bind(purpose)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
                let done = step.reviewed_by.iter().map(|e| (e, "plan_review"));
                for (expert, purpose) in done.chain(step.consulted_by.iter().map(|e| (e, "consultation"))) {
                    sqlx::query(
                        "UPDATE expert_assignments SET reviewed = 1
                         WHERE zone_key = $1 AND username = $2 AND purpose = $3",
                    )
                    .bind(key)
                    .bind(expert)
                    .bind(purpose)
                    .execute(&mut *tx)
                    .await
                    .map_err(db)?;
                }
                let (before, after) = $crate::lifecycle_audit_states(step);
                let action = format!("lifecycle.{}", step.action.as_str());
                append_audit(&mut tx, audit, &action, key, before.as_deref(), Some(&after)).await?;
                tx.commit().await.map_err(db)?;
                Ok(version)
            }
        }
    };
}
