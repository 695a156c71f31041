//! [`ContractStore`](crate::ContractStore), written once for both backends.

/// Implements [`ContractStore`](crate::ContractStore) for `$store`; needs the backend's `write_tx`, `lock`,
/// `append_audit` and `write_batch`.
#[macro_export]
macro_rules! impl_contract_store {
    ($store:ty, $conn:ty) => {
        macro_rules! contract_columns {
            () => {
                "SELECT CAST(id AS BIGINT), status, filed_by, locality, CAST(year AS BIGINT), body, history,
                        CAST(version AS BIGINT) FROM contracts"
            };
        }

        /// The registered contracts of `year`, as the live batch is made of them.
        async fn registered_in(conn: &mut $conn, year: i32) -> $crate::Result<Vec<$crate::StoredContract>> {
            let rows: Vec<$crate::rows::ContractRow> =
                sqlx::query_as(concat!(contract_columns!(), " WHERE status = 'registered' AND year = $1 ORDER BY id"))
                    .bind(year)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db)?;
            rows.into_iter().map($crate::rows::contract).collect()
        }

        /// Files a contract inside the caller's transaction; answers its id.
        async fn insert_contract(
            conn: &mut $conn,
            filed_by: &str,
            filing: &ttdz_domain::registration::ContractFiling,
            event: &$crate::ContractEvent,
            audit: &ttdz_domain::audit::AuditContext,
        ) -> $crate::Result<i64> {
            let body = serde_json::to_string(filing).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
            let history = serde_json::to_string(&[event]).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO contracts (status, filed_by, seller_division, body, history)
                 VALUES ('filed', $1, $2, $3, $4) RETURNING CAST(id AS BIGINT)",
            )
            .bind(filed_by)
            .bind(filing.seller_division.as_str())
            .bind(&body)
            .bind(&history)
            .fetch_one(&mut *conn)
            .await
            .map_err(db)?;
            append_audit(conn, audit, "contract.file", &id.to_string(), None, Some(&body)).await?;
            Ok(id)
        }

        #[async_trait::async_trait]
        impl $crate::ContractStore for $store {
            async fn add_contract(
                &self,
                filed_by: &str,
                filing: &ttdz_domain::registration::ContractFiling,
                event: &$crate::ContractEvent,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let mut tx = self.write_tx().await?;
                let id = insert_contract(&mut tx, filed_by, filing, event, audit).await?;
                tx.commit().await.map_err(db)?;
                Ok(id)
            }

            async fn contract(&self, id: i64) -> $crate::Result<Option<$crate::StoredContract>> {
                let row: Option<$crate::rows::ContractRow> =
                    sqlx::query_as(concat!(contract_columns!(), " WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(db)?;
                row.map($crate::rows::contract).transpose()
            }

            async fn contracts(&self, filter: &$crate::ContractFilter) -> $crate::Result<Vec<$crate::StoredContract>> {
                let rows: Vec<$crate::rows::ContractRow> = sqlx::query_as(concat!(
                    contract_columns!(),
                    " WHERE (CAST($1 AS TEXT) IS NULL OR status = $1)
                        AND (CAST($2 AS TEXT) IS NULL OR seller_division LIKE $2)
                        AND (CAST($3 AS TEXT) IS NULL OR filed_by = $3)
                        AND (CAST($4 AS BIGINT) IS NULL OR year = $4)
                      ORDER BY id DESC"
                ))
                .bind(filter.status.map(|s| s.as_str()))
                .bind(filter.seller_prefix.as_ref().map(|p| format!("{p}%")))
                .bind(filter.filed_by.as_deref())
                .bind(filter.year.map(i64::from))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter().map($crate::rows::contract).collect()
            }

            async fn decide_contract(
                &self,
                id: i64,
                based_on: i64,
                decision: &$crate::ContractDecision,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<$crate::StoredContract> {
                use ttdz_domain::registration::ContractStatus;
                let mut tx = self.write_tx().await?;
                let row: Option<$crate::rows::ContractRow> =
                    sqlx::query_as(concat!(contract_columns!(), " WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db)?;
                let Some(mut contract) = row.map($crate::rows::contract).transpose()? else {
                    return Err($crate::StoreError::Malformed(format!("there is no contract {id}")));
                };
                if contract.version != based_on {
                    return Err($crate::StoreError::Conflict(format!(
                        "contract {id} is at version {}, not {based_on}: reload it",
                        contract.version
                    )));
                }
                // An amendment's trail keeps the terms before and after; any other step's, the status.
                let before = match &decision.filing {
                    Some(_) => {
                        serde_json::to_string(&contract.filing).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?
                    }
                    None => contract.status.as_str().to_owned(),
                };
                if let Some(filing) = &decision.filing {
                    let number = contract.filing.contract_no.take();
                    contract.filing = filing.clone();
                    contract.filing.contract_no = number.or_else(|| filing.contract_no.clone());
                }
                if let Some(tech) = decision.tech_amount {
                    contract.filing.tech_amount_yuan = tech;
                }
                if let Some((locality, year)) = decision.registration {
                    // One number at a time per locality and year.
                    lock(&mut tx, &format!("contracts:{year}:{locality}")).await?;
                    let number = match &contract.filing.contract_no {
                        Some(own) => own.clone(),
                        None => {
                            // The next after the highest number of the locality and year (numbers a contract
                            // brought from elsewhere may stand among them).
                            let prefix = format!("{year}{locality}");
                            let highest: Option<String> = sqlx::query_scalar(
                                "SELECT max(contract_no) FROM contracts
                                 WHERE contract_no LIKE $1 AND length(contract_no) = $2",
                            )
                            .bind(format!("{prefix}%"))
                            .bind((prefix.len() + 6) as i32)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(db)?;
                            let last = highest.and_then(|n| n[prefix.len()..].parse::<u32>().ok()).unwrap_or(0);
                            ttdz_domain::registration::registration_number(year, &locality, last + 1)
                        }
                    };
                    let registered: Option<i64> =
                        sqlx::query_scalar("SELECT CAST(id AS BIGINT) FROM contracts WHERE contract_no = $1")
                            .bind(&number)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db)?;
                    if let Some(other) = registered {
                        return Err($crate::StoreError::Conflict(format!(
                            "contract_no {number} is registered already (contract {other})"
                        )));
                    }
                    contract.filing.contract_no = Some(number);
                    contract.locality = Some(locality);
                    contract.year = Some(year);
                }
                contract.status = decision.status;
                contract.history.push(decision.event.clone());
                contract.version += 1;
                let body =
                    serde_json::to_string(&contract.filing).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                let history =
                    serde_json::to_string(&contract.history).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                sqlx::query(concat!(
                    "UPDATE contracts SET status = $2, contract_no = $3, locality = $4, year = $5, body = $6,
                         history = $7, version = $8, seller_division = $9, updated_at = ",
                    dialect!(now),
                    " WHERE id = $1"
                ))
                .bind(id)
                .bind(contract.status.as_str())
                .bind(if contract.status == ContractStatus::Refused { None } else { contract.filing.contract_no.as_deref() })
                .bind(contract.locality.as_ref().map(|l| l.as_str()))
                .bind(contract.year)
                .bind(&body)
                .bind(&history)
                .bind(contract.version)
                .bind(contract.filing.seller_division.as_str())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                let mut after = serde_json::json!({
                    "status": contract.status.as_str(),
                    "contract_no": contract.filing.contract_no,
                    "reason": decision.event.reason,
                });
                if decision.filing.is_some() {
                    after["contract"] = serde_json::to_value(&contract.filing)
                        .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                }
                let action = format!("contract.{}", decision.event.action);
                append_audit(&mut tx, audit, &action, &id.to_string(), Some(&before), Some(&after.to_string())).await?;
                // The year's figures follow the registered contracts, in the same transaction.
                if let (Some(year), true) = (contract.year, contract.status != ContractStatus::Refused) {
                    lock(&mut tx, &format!("batch:registry:live:{year}")).await?;
                    let registered = registered_in(&mut tx, year).await?;
                    write_batch(&mut tx, &$crate::live_contracts_batch(year, &registered), audit).await?;
                }
                tx.commit().await.map_err(db)?;
                Ok(contract)
            }

            async fn registered_contract_numbers(&self) -> $crate::Result<Vec<String>> {
                sqlx::query_scalar("SELECT contract_no FROM contracts WHERE status = 'registered' ORDER BY contract_no")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db)
            }
        }
    };
}
