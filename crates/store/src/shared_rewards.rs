//! [`RewardStore`](crate::RewardStore), written once for both backends.

/// Implements [`RewardStore`](crate::RewardStore) for `$store`; needs the backend's `write_tx`, `append_audit` and
/// `dialect!`.
#[macro_export]
macro_rules! impl_reward_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::RewardStore for $store {
            async fn add_distribution(
                &self,
                owner: &str,
                division: &ttdz_domain::DivisionCode,
                distribution: &ttdz_domain::reward::Distribution,
                audit: &ttdz_domain::audit::AuditContext,
            ) -> $crate::Result<$crate::StoredDistribution> {
                let mut tx = self.write_tx().await?;
                let body =
                    serde_json::to_string(distribution).map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                let (id, recorded_at): (i64, String) = sqlx::query_as(concat!(
                    "INSERT INTO reward_distributions (owner, division, achievement, mode, year, body)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING CAST(id AS BIGINT), ",
                    dialect!(iso_utc "recorded_at")
                ))
                .bind(owner)
                .bind(division.as_str())
                .bind(&distribution.achievement)
                .bind(distribution.mode.as_str())
                .bind(distribution.year)
                .bind(&body)
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
                append_audit(&mut tx, audit, "reward.record", &id.to_string(), None, Some(&body)).await?;
                tx.commit().await.map_err(db)?;
                Ok($crate::StoredDistribution {
                    id,
                    owner: owner.to_owned(),
                    division: *division,
                    distribution: distribution.clone(),
                    recorded_at,
                })
            }

            async fn distributions(
                &self,
                owner: Option<&str>,
                within: Option<&str>,
            ) -> $crate::Result<Vec<$crate::StoredDistribution>> {
                let rows: Vec<(i64, String, String, String, String)> = sqlx::query_as(concat!(
                    "SELECT CAST(id AS BIGINT), owner, division, body, ",
                    dialect!(iso_utc "recorded_at"),
                    " FROM reward_distributions
                     WHERE (CAST($1 AS TEXT) IS NULL OR owner = $1)
                       AND (CAST($2 AS TEXT) IS NULL OR division LIKE $2)
                     ORDER BY id"
                ))
                .bind(owner)
                .bind(within.map(|w| format!("{w}%")))
                .fetch_all(&self.pool)
                .await
                .map_err(db)?;
                rows.into_iter()
                    .map(|(id, owner, division, body, recorded_at)| {
                        Ok($crate::StoredDistribution {
                            id,
                            owner,
                            division: $crate::rows::code(&division)?,
                            distribution: serde_json::from_str(&body)
                                .map_err(|e| $crate::StoreError::Corrupt(format!("distribution {id}: {e}")))?,
                            recorded_at,
                        })
                    })
                    .collect()
            }
        }
    };
}
