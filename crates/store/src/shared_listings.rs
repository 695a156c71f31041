//! [`ListingStore`](crate::ListingStore), written once for both backends.

/// Implements [`ListingStore`](crate::ListingStore) for `$store`; needs the backend's `write_tx`, `append_audit`,
/// `dialect!` and the contract store's `insert_contract`.
#[macro_export]
macro_rules! impl_listing_store {
    ($store:ty, $conn:ty) => {
        macro_rules! listing_columns {
            () => {
                "SELECT CAST(id AS BIGINT), owner, status, body, CAST(winning_bid AS BIGINT),
                        CAST(contract_id AS BIGINT), reason, CAST(version AS BIGINT) FROM listings"
            };
        }
        macro_rules! bid_columns {
            () => {
                "SELECT CAST(id AS BIGINT), CAST(listing_id AS BIGINT), bidder, buyer_name, buyer_division,
                        CAST(amount_yuan AS TEXT), placed_at FROM listing_bids"
            };
        }

        async fn listing_in(conn: &mut $conn, id: i64) -> $crate::Result<Option<$crate::StoredListing>> {
            let row: Option<$crate::rows::ListingRow> = sqlx::query_as(concat!(listing_columns!(), " WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *conn)
                .await
                .map_err(db)?;
            let Some(row) = row else { return Ok(None) };
            let bids: Vec<$crate::rows::BidRow> =
                sqlx::query_as(concat!(bid_columns!(), " WHERE listing_id = $1 ORDER BY id"))
                    .bind(id)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(db)?;
            $crate::rows::listing(row, bids).map(Some)
        }

        /// Moves listing `id` on from version `based_on` while it is open; `Conflict` when something came first.
        async fn step_listing(conn: &mut $conn, id: i64, based_on: i64) -> $crate::Result<()> {
            let moved = sqlx::query(concat!(
                "UPDATE listings SET version = version + 1, updated_at = ",
                dialect!(now),
                " WHERE id = $1 AND version = $2 AND status = 'open'"
            ))
            .bind(id)
            .bind(based_on)
            .execute(&mut *conn)
            .await
            .map_err(db)?
            .rows_affected();
            if moved == 0 {
                return Err($crate::StoreError::Conflict(format!(
                    "listing {id} is no longer open at version {based_on}: reload it"
                )));
            }
            Ok(())
        }

        #[async_trait::async_trait]
        impl $crate::ListingStore for $store {
            async fn add_listing(
                &self,
                owner: &str,
                terms: &ttdz_domain::listing::ListingTerms,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<i64> {
                let mut tx = self.write_tx().await?;
                let body = serde_json::to_string(terms).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO listings (owner, status, method, seller_division, closes_on, body)
                     VALUES ($1, 'open', $2, $3, $4, $5) RETURNING CAST(id AS BIGINT)",
                )
                .bind(owner)
                .bind(terms.method.as_str())
                .bind(terms.seller_division.as_str())
                .bind(&terms.closes_on)
                .bind(&body)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                append_audit(&mut tx, audit, "listing.open", &id.to_string(), None, Some(&body)).await?;
                tx.commit().await.map_err(db)?;
                Ok(id)
            }

            async fn listing(&self, id: i64) -> $crate::Result<Option<$crate::StoredListing>> {
                let mut conn = self.pool.acquire().await.map_err(db)?;
                listing_in(&mut conn, id).await
            }

            async fn listings(&self, filter: &$crate::ListingFilter) -> $crate::Result<Vec<$crate::StoredListing>> {
                let rows: Vec<$crate::rows::ListingRow> = sqlx::query_as(concat!(
                    listing_columns!(),
                    " WHERE (CAST($1 AS TEXT) IS NULL OR status = $1)
                        AND (CAST($2 AS TEXT) IS NULL OR owner = $2)
                        AND (CAST($3 AS TEXT) IS NULL OR (status = 'open' AND closes_on < $3))
                      ORDER BY id DESC"
                ))
                .bind(filter.status.map(|s| s.as_str()))
                .bind(filter.owner.as_deref())
                .bind(filter.closed_before.as_deref())
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                let (Some(last), Some(first)) = (rows.first().map(|r| r.0), rows.last().map(|r| r.0)) else {
                    return Ok(Vec::new());
                };
                // The bids of the listings' id range, kept for the listings found.
                let bids: Vec<$crate::rows::BidRow> =
                    sqlx::query_as(concat!(bid_columns!(), " WHERE listing_id BETWEEN $1 AND $2 ORDER BY id"))
                        .bind(first)
                        .bind(last)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(db)?;
                let mut by_listing: std::collections::HashMap<i64, Vec<$crate::rows::BidRow>> =
                    rows.iter().map(|r| (r.0, Vec::new())).collect();
                for b in bids {
                    if let Some(list) = by_listing.get_mut(&b.1) {
                        list.push(b);
                    }
                }
                rows.into_iter()
                    .map(|row| {
                        let bids = by_listing.remove(&row.0).unwrap_or_default();
                        $crate::rows::listing(row, bids)
                    })
                    .collect()
            }

            async fn add_bid(
                &self,
                id: i64,
                based_on: i64,
                bid: &ttdz_domain::listing::Bid,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<$crate::StoredListing> {
                let mut tx = self.write_tx().await?;
                step_listing(&mut tx, id, based_on).await?;
                let bid_id: i64 = sqlx::query_scalar(concat!(
                    "INSERT INTO listing_bids (listing_id, bidder, buyer_name, buyer_division, amount_yuan, placed_at)
                     VALUES ($1, $2, $3, $4, $5",
                    dialect!(numeric),
                    ", $6) RETURNING CAST(id AS BIGINT)"
                ))
                .bind(id)
                .bind(&bid.bidder)
                .bind(&bid.buyer_name)
                .bind(bid.buyer_division.as_str())
                .bind(bid.amount_yuan.to_string())
                .bind(&bid.at)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                let after = serde_json::json!({
                    "bid": bid_id,
                    "buyer_name": bid.buyer_name,
                    "buyer_division": bid.buyer_division.as_str(),
                    "amount_yuan": bid.amount_yuan.to_string(),
                });
                append_audit(&mut tx, audit, "listing.bid", &id.to_string(), None, Some(&after.to_string())).await?;
                let listing = listing_in(&mut tx, id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Malformed(format!("there is no listing {id}")))?;
                tx.commit().await.map_err(db)?;
                Ok(listing)
            }

            async fn end_listing(
                &self,
                id: i64,
                based_on: i64,
                outcome: &$crate::ListingOutcome,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<$crate::StoredListing> {
                let mut tx = self.write_tx().await?;
                let Some(before) = listing_in(&mut tx, id).await? else {
                    return Err($crate::StoreError::Malformed(format!("there is no listing {id}")));
                };
                step_listing(&mut tx, id, based_on).await?;
                let contract_id = match &outcome.contract {
                    Some((filing, event)) => Some(insert_contract(&mut tx, &before.owner, filing, event, audit).await?),
                    None => None,
                };
                sqlx::query(
                    "UPDATE listings SET status = $2, winning_bid = $3, contract_id = $4, reason = $5 WHERE id = $1",
                )
                .bind(id)
                .bind(outcome.status.as_str())
                .bind(outcome.winning_bid)
                .bind(contract_id)
                .bind(outcome.reason.as_deref())
                .execute(&mut *tx)
                .await
                .map_err(db)?;
                let after = serde_json::json!({
                    "status": outcome.status.as_str(),
                    "winning_bid": outcome.winning_bid,
                    "contract": contract_id,
                    "reason": outcome.reason,
                });
                let action = match outcome.status {
                    ttdz_domain::listing::ListingStatus::Withdrawn => "listing.withdraw",
                    _ => "listing.close",
                };
                let before = serde_json::json!({ "status": before.status.as_str() }).to_string();
                append_audit(&mut tx, audit, action, &id.to_string(), Some(&before), Some(&after.to_string())).await?;
                let listing = listing_in(&mut tx, id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Malformed(format!("there is no listing {id}")))?;
                tx.commit().await.map_err(db)?;
                Ok(listing)
            }
        }
    };
}
