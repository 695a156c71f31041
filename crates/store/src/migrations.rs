//! Schema migrations: each backend lists its own SQL; the bookkeeping rules are shared.

use crate::{Result, StoreError};

/// One schema step. Applied migrations are recorded with their checksum, so an edited migration is caught
/// instead of silently diverging databases.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    /// FNV-1a over the SQL text, as hex: a change detector, not a security measure.
    pub fn checksum(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in self.sql.bytes() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }

    pub fn label(&self) -> String {
        format!("{:04} {}", self.version, self.name)
    }
}

/// What to apply, after checking what the database already has.
#[derive(Debug)]
pub struct MigrationPlan<'a> {
    pub pending: Vec<&'a Migration>,
}

/// Compares the migrations a database recorded (version, checksum) with those this build knows.
pub fn check_applied<'a>(known: &'a [Migration], applied: &[(i64, String)]) -> Result<MigrationPlan<'a>> {
    for (version, checksum) in applied {
        match known.iter().find(|m| m.version == *version) {
            None => {
                return Err(StoreError::Schema(format!(
                    "the database has migration {version}, which this build does not know: it was migrated by a newer ttdz"
                )));
            }
            Some(m) if m.checksum() != *checksum => {
                return Err(StoreError::Schema(format!("migration {} was changed after it was applied", m.label())));
            }
            Some(_) => {}
        }
    }
    let mut pending: Vec<&Migration> = known.iter().filter(|m| !applied.iter().any(|(v, _)| *v == m.version)).collect();
    pending.sort_by_key(|m| m.version);
    Ok(MigrationPlan { pending })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: Migration = Migration { version: 1, name: "one", sql: "CREATE TABLE a (x INT);" };
    const TWO: Migration = Migration { version: 2, name: "two", sql: "CREATE TABLE b (x INT);" };

    #[test]
    fn pending_are_the_unapplied_in_order() {
        let plan = check_applied(&[TWO, ONE], &[]).unwrap();
        assert_eq!(plan.pending.iter().map(|m| m.version).collect::<Vec<_>>(), [1, 2]);
        let plan = check_applied(&[ONE, TWO], &[(1, ONE.checksum())]).unwrap();
        assert_eq!(plan.pending.iter().map(|m| m.version).collect::<Vec<_>>(), [2]);
    }

    #[test]
    fn edited_or_unknown_migrations_are_refused() {
        assert!(matches!(check_applied(&[ONE], &[(1, TWO.checksum())]), Err(StoreError::Schema(_))));
        assert!(matches!(
            check_applied(&[ONE], &[(1, ONE.checksum()), (2, TWO.checksum())]),
            Err(StoreError::Schema(_))
        ));
    }
}
