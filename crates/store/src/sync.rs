//! Which shipped reference datasets a store must (re)load, decided from the checksums it recorded.

use ttdz_domain::{Dataset, DivisionSet, Indicator, ReferenceData, Zone};

use crate::{DivisionValue, Result, StoreError, population_values};

/// One dataset to write. Backends apply the steps in order inside the migration transaction, then record the
/// dataset with its checksum.
#[derive(Debug)]
pub enum SyncStep<'a> {
    /// A division vintage not stored yet.
    Divisions { set: &'a DivisionSet, dataset: &'a Dataset },
    /// Upsert by code; rows are never deleted (later data refers to them).
    Indicators { indicators: &'a [Indicator], dataset: &'a Dataset },
    /// Upsert by key, members replaced.
    Zones { zones: &'a [Zone], dataset: &'a Dataset },
    /// Upsert of element values.
    Values { values: Vec<DivisionValue>, dataset: &'a Dataset },
}

impl SyncStep<'_> {
    pub fn dataset(&self) -> &Dataset {
        match self {
            SyncStep::Divisions { dataset, .. }
            | SyncStep::Indicators { dataset, .. }
            | SyncStep::Zones { dataset, .. }
            | SyncStep::Values { dataset, .. } => dataset,
        }
    }
}

/// `recorded` holds (dataset name, sha256) of what the store has.
pub fn reference_sync_plan<'a>(
    recorded: &[(String, String)],
    reference: &'a ReferenceData,
) -> Result<Vec<SyncStep<'a>>> {
    let stored_sha = |d: &Dataset| recorded.iter().find(|(name, _)| *name == d.name).map(|(_, sha)| sha.as_str());
    let mut steps = Vec::new();

    let divisions = &reference.divisions_dataset;
    match stored_sha(divisions) {
        None => steps.push(SyncStep::Divisions { set: &reference.divisions, dataset: divisions }),
        Some(sha) if sha == divisions.sha256 => {}
        Some(_) => {
            return Err(StoreError::Conflict(format!(
                "the stored division list {} differs from the one this build ships; a vintage is never rewritten",
                divisions.name
            )));
        }
    }
    if stored_sha(&reference.indicators_dataset) != Some(reference.indicators_dataset.sha256.as_str()) {
        steps.push(SyncStep::Indicators { indicators: &reference.indicators, dataset: &reference.indicators_dataset });
    }
    if stored_sha(&reference.zones_dataset) != Some(reference.zones_dataset.sha256.as_str()) {
        steps.push(SyncStep::Zones { zones: &reference.zones, dataset: &reference.zones_dataset });
    }
    let population = &reference.population_dataset;
    if stored_sha(population) != Some(population.sha256.as_str()) {
        steps.push(SyncStep::Values { values: population_values(&reference.population)?, dataset: population });
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_store_loads_everything_and_a_synced_one_nothing() {
        let reference = ReferenceData::shipped().unwrap();
        assert_eq!(reference_sync_plan(&[], &reference).unwrap().len(), 4);
        let recorded: Vec<(String, String)> = [
            &reference.divisions_dataset,
            &reference.indicators_dataset,
            &reference.zones_dataset,
            &reference.population_dataset,
        ]
        .iter()
        .map(|d| (d.name.clone(), d.sha256.clone()))
        .collect();
        assert!(reference_sync_plan(&recorded, &reference).unwrap().is_empty());
    }

    #[test]
    fn a_changed_zone_file_reloads_zones_but_a_changed_vintage_is_refused() {
        let reference = ReferenceData::shipped().unwrap();
        let recorded = vec![
            (reference.divisions_dataset.name.clone(), reference.divisions_dataset.sha256.clone()),
            (reference.zones_dataset.name.clone(), "older".to_owned()),
        ];
        let steps = reference_sync_plan(&recorded, &reference).unwrap();
        assert!(steps.iter().any(|s| matches!(s, SyncStep::Zones { .. })));
        assert!(!steps.iter().any(|s| matches!(s, SyncStep::Divisions { .. })));
        let recorded = vec![(reference.divisions_dataset.name.clone(), "other".to_owned())];
        assert!(matches!(reference_sync_plan(&recorded, &reference), Err(StoreError::Conflict(_))));
    }
}
