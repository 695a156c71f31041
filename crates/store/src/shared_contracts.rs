//! [`ContractStore`](crate::ContractStore), written once for both backends.

/// Implements [`ContractStore`](crate::ContractStore) for `$store`; needs the backend's `write_tx`, `lock`,
/// `append_audit`, `record_dataset` and `dialect!`.
#[macro_export]
macro_rules! impl_contract_store {
    ($store:ty, $conn:ty) => {
        macro_rules! contract_columns {
            () => {
                "SELECT CAST(id AS BIGINT), status, filed_by, locality, CAST(year AS BIGINT), body, history,
                        CAST(version AS BIGINT) FROM contracts"
            };
        }

        /// Adds `sign` (1 or -1) times one contract's part to the batch `registry:live:YEAR`: its seller's and
        /// buyer's roll-ups, its flow and the data elements of both sides, inside the caller's transaction. Each
        /// row is read and written back in exact decimals (SQLite keeps them as text, so no sums in SQL); a group
        /// left without contracts goes, as a batch made from the registered contracts would not have it. A step
        /// touches a handful of rows however many contracts the year has.
        async fn shift_live(
            conn: &mut $conn,
            year: i32,
            f: &ttdz_domain::registration::ContractFiling,
            sign: i64,
        ) -> $crate::Result<()> {
            use $crate::ExactDecimal as Decimal;
            let dataset = format!("registry:live:{year}");
            let signed = |d: Decimal| if sign < 0 { -d } else { d };
            let decimal = |text: Option<String>| text.map_or(Ok(Decimal::ZERO), |t| $crate::rows::decimal(&t));
            let kind = f.contract_type.name_zh();
            for (side, division, tech) in
                [("seller", f.seller_division, f.tech_amount_yuan), ("buyer", f.buyer_division, f.tech_amount_yuan)]
            {
                // Taken out and put back with the contract's part: one statement each, the same on both databases.
                let row: Option<(i64, String, String)> = sqlx::query_as(
                    "DELETE FROM contract_rollups
                     WHERE dataset = $1 AND side = $2 AND division_code = $3 AND year = $4 AND contract_type = $5
                     RETURNING CAST(contracts AS BIGINT), CAST(turnover AS TEXT), CAST(tech_amount AS TEXT)",
                )
                .bind(&dataset)
                .bind(side)
                .bind(division.as_str())
                .bind(year)
                .bind(kind)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
                let (count, turnover, tech_sum) = match row {
                    Some((n, t, x)) => (n, decimal(Some(t))?, decimal(Some(x))?),
                    None => (0, Decimal::ZERO, Decimal::ZERO),
                };
                if count + sign > 0 {
                    sqlx::query(concat!(
                        "INSERT INTO contract_rollups
                           (dataset, side, division_code, year, contract_type, contracts, turnover, tech_amount)
                         VALUES ($1, $2, $3, $4, $5, $6, $7",
                        dialect!(numeric),
                        ", $8",
                        dialect!(numeric),
                        ")"
                    ))
                    .bind(&dataset)
                    .bind(side)
                    .bind(division.as_str())
                    .bind(year)
                    .bind(kind)
                    .bind(count + sign)
                    .bind((turnover + signed(f.turnover_yuan)).to_string())
                    .bind((tech_sum + signed(tech)).to_string())
                    .execute(&mut *conn)
                    .await
                    .map_err(db)?;
                }
            }
            let flow: Option<(i64, String)> = sqlx::query_as(
                "DELETE FROM contract_flows
                 WHERE dataset = $1 AND seller_division = $2 AND buyer_division = $3 AND year = $4
                 RETURNING CAST(contracts AS BIGINT), CAST(turnover AS TEXT)",
            )
            .bind(&dataset)
            .bind(f.seller_division.as_str())
            .bind(f.buyer_division.as_str())
            .bind(year)
            .fetch_optional(&mut *conn)
            .await
            .map_err(db)?;
            let (count, turnover) = match flow {
                Some((n, t)) => (n, decimal(Some(t))?),
                None => (0, Decimal::ZERO),
            };
            if count + sign > 0 {
                sqlx::query(concat!(
                    "INSERT INTO contract_flows (dataset, seller_division, buyer_division, year, contracts, turnover)
                     VALUES ($1, $2, $3, $4, $5, $6",
                    dialect!(numeric),
                    ")"
                ))
                .bind(&dataset)
                .bind(f.seller_division.as_str())
                .bind(f.buyer_division.as_str())
                .bind(year)
                .bind(count + sign)
                .bind((turnover + signed(f.turnover_yuan)).to_string())
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            }
            // The data elements each side's roll-ups make (see `contract_values`), its count first: whether the
            // count stays above zero says whether the division keeps any of them.
            let seller = [
                ("contract_count", Decimal::ONE),
                ("contract_turnover_yuan", f.turnover_yuan),
                ("contract_tech_amount_yuan", f.tech_amount_yuan),
            ];
            let buyer = [("absorbed_contract_count", Decimal::ONE), ("absorbed_contract_turnover_yuan", f.turnover_yuan)];
            for (division, elements) in [(f.seller_division, &seller[..]), (f.buyer_division, &buyer[..])] {
                let mut remains = true;
                for (i, (element, amount)) in elements.iter().enumerate() {
                    let value: Option<String> = sqlx::query_scalar(
                        "DELETE FROM element_values
                         WHERE element = $1 AND division_code = $2 AND year = $3 AND dataset = $4
                         RETURNING CAST(value AS TEXT)",
                    )
                    .bind(element)
                    .bind(division.as_str())
                    .bind(year)
                    .bind(&dataset)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db)?;
                    let value = decimal(value)? + signed(*amount);
                    if i == 0 {
                        remains = value > Decimal::ZERO;
                    }
                    if remains {
                        sqlx::query(concat!(
                            "INSERT INTO element_values (element, division_code, year, value, dataset)
                             VALUES ($1, $2, $3, $4",
                            dialect!(numeric),
                            ", $5)"
                        ))
                        .bind(element)
                        .bind(division.as_str())
                        .bind(year)
                        .bind(value.to_string())
                        .bind(&dataset)
                        .execute(&mut *conn)
                        .await
                        .map_err(db)?;
                    }
                }
            }
            Ok(())
        }

        /// Records the batch `registry:live:YEAR` as changed by a step on `contract`: its dataset (a new revision,
        /// so what is computed from the figures is computed again) and the trail's `import.batch` entry.
        async fn record_live(
            conn: &mut $conn,
            year: i32,
            contract: &$crate::StoredContract,
            change: i64,
            audit: &ttdz_domain::audit::AuditContext,
        ) -> $crate::Result<()> {
            let name = format!("registry:live:{year}");
            // The batch's row count moves with the step, instead of counting the year's contracts again.
            let before: Option<Option<i64>> = sqlx::query_scalar("SELECT CAST(rows AS BIGINT) FROM datasets WHERE name = $1")
                .bind(&name)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
            let registered = (before.flatten().unwrap_or(0) + change).max(0);
            let dataset = ttdz_domain::Dataset {
                name: name.clone(),
                files: Vec::new(),
                // Tells one state of the registry from the next.
                sha256: format!("{registered}-{}-{}", contract.id, contract.version),
                source: format!("technology contracts registered in TTDZ in {year} (技术合同认定登记)"),
            };
            let rows = u64::try_from(registered).unwrap_or(0);
            record_dataset(conn, &dataset, ttdz_domain::measure::SourceKind::Registry, Some("ttdz contract registry"), Some(rows))
                .await?;
            let after = serde_json::json!({
                "kind": "registry",
                "rows": registered,
                "contract": contract.id,
                "status": contract.status.as_str(),
            });
            append_audit(conn, audit, "import.batch", &name, None, Some(&after.to_string())).await
        }

        /// The contracts batch whose registry file counts `number`, if one does.
        async fn counting_batch(conn: &mut $conn, number: &str) -> $crate::Result<Option<String>> {
            let groups: Vec<(String, String)> =
                sqlx::query_as("SELECT dataset, numbers FROM contract_numbers WHERE bucket = $1 ORDER BY dataset")
                    .bind(i32::from(ttdz_domain::counted::bucket_of(number)))
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db)?;
            Ok(groups.into_iter().find(|(_, group)| ttdz_domain::counted::group_holds(group, number)).map(|(d, _)| d))
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
                // What the year's figures counted of this contract before the step.
                let counted_before = (contract.status == ContractStatus::Registered).then(|| contract.filing.clone());
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
                        Some(own) => {
                            // A number brought in the scheme keeps TTDZ from handing it out again.
                            if let Some((prefix, sequence)) = ttdz_domain::registration::scheme_parts(own) {
                                raise_sequence(&mut tx, prefix, sequence).await?;
                            }
                            own.clone()
                        }
                        None => {
                            let prefix = format!("{year}{locality}");
                            let next: i64 = sqlx::query_scalar(
                                "INSERT INTO contract_sequences (prefix, last) VALUES ($1, 1)
                                 ON CONFLICT (prefix) DO UPDATE SET last = contract_sequences.last + 1
                                 RETURNING CAST(last AS BIGINT)",
                            )
                            .bind(&prefix)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(db)?;
                            let next = u32::try_from(next).ok().filter(|n| *n <= 999_999).ok_or_else(|| {
                                $crate::StoreError::Conflict(format!(
                                    "{locality} has used every registration number of {year}"
                                ))
                            })?;
                            ttdz_domain::registration::registration_number(year, &locality, next)
                        }
                    };
                    // Against the registry files' numbers, under the lock their imports take (see `write_batch`).
                    lock(&mut tx, $crate::CONTRACT_NUMBERS_LOCK).await?;
                    if let Some(batch) = counting_batch(&mut tx, &number).await? {
                        return Err($crate::StoreError::Conflict($crate::counted_already(&number, &batch)));
                    }
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
                // The year's figures follow the registered contracts, in the same transaction: the contract's part
                // leaves them as it was and enters them as it is.
                let counted_after = (contract.status == ContractStatus::Registered).then_some(&contract.filing);
                if let Some(year) = contract.year
                    && (counted_before.is_some() || counted_after.is_some())
                {
                    lock(&mut tx, &format!("batch:registry:live:{year}")).await?;
                    // The dataset first: the batch's rows point at it.
                    let change = i64::from(counted_after.is_some()) - i64::from(counted_before.is_some());
                    record_live(&mut tx, year, &contract, change, audit).await?;
                    if let Some(was) = &counted_before {
                        shift_live(&mut tx, year, was, -1).await?;
                    }
                    if let Some(is) = counted_after {
                        shift_live(&mut tx, year, is, 1).await?;
                    }
                }
                tx.commit().await.map_err(db)?;
                Ok(contract)
            }

            async fn batch_counting(&self, contract_no: &str) -> $crate::Result<Option<String>> {
                let mut conn = self.pool.acquire().await.map_err(db)?;
                counting_batch(&mut conn, contract_no).await
            }

            async fn registered_contract_numbers(&self) -> $crate::Result<Vec<String>> {
                let mut conn = self.pool.acquire().await.map_err(db)?;
                registered_numbers(&mut conn).await
            }
        }
    };
}
