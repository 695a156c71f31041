//! The contract numbers a registry file counted. They are kept beside the file's roll-ups so that a contract the
//! file counts is not registered in TTDZ, and counted, a second time; the roll-ups alone would not say which
//! contracts they hold.
//!
//! A national file holds millions of numbers, so they are kept in [`BUCKETS`] groups by a hash of the number, each
//! group one sorted text: a file is a few thousand stored rows however long, and a lookup reads one group.

use std::collections::BTreeMap;

use crate::registration;

/// How many groups the numbers are spread over.
pub const BUCKETS: u16 = 4096;

/// The group a number is kept in: the top 12 bits of the number's 64-bit FNV-1a hash after MurmurHash3's final
/// mix (FNV alone barely moves its top bits with the last characters, where consecutive numbers differ). The stored
/// groups depend on it, so it must never change.
pub fn bucket_of(number: &str) -> u16 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in number.bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    hash = (hash ^ (hash >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash = (hash ^ (hash >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    hash ^= hash >> 33;
    (hash >> 52) as u16
}

/// Whether a stored group (sorted numbers, one a line) holds `number`.
pub fn group_holds(group: &str, number: &str) -> bool {
    let numbers: Vec<&str> = group.split('\n').collect();
    numbers.binary_search(&number).is_ok()
}

/// Numbers as a file's readers find them, in any order and possibly repeated, grouped as they come.
#[derive(Debug, Clone)]
pub struct NumberCollector {
    groups: Vec<String>,
}

impl Default for NumberCollector {
    fn default() -> Self {
        NumberCollector { groups: vec![String::new(); usize::from(BUCKETS)] }
    }
}

impl NumberCollector {
    /// Notes one number. A number holding a line break cannot be kept (lines separate a group's numbers); a
    /// contracts file's reader never yields one, as its rows are lines.
    pub fn add(&mut self, number: &str) {
        if number.contains('\n') {
            return;
        }
        let group = &mut self.groups[usize::from(bucket_of(number))];
        group.push_str(number);
        group.push('\n');
    }
}

/// The distinct numbers of one file, by group, each group's sorted: what is stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CountedNumbers {
    groups: Vec<(u16, String)>,
    len: u64,
}

impl CountedNumbers {
    /// The numbers several collectors (one per reading thread) noted, each once. Each collector's memory is given
    /// back as its groups are merged.
    pub fn merge(mut collectors: Vec<NumberCollector>) -> CountedNumbers {
        let mut groups = Vec::new();
        let mut len = 0u64;
        for bucket in 0..BUCKETS {
            let mut text = String::new();
            for c in &mut collectors {
                text.push_str(&std::mem::take(&mut c.groups[usize::from(bucket)]));
            }
            let mut numbers: Vec<&str> = text.split_terminator('\n').collect();
            if numbers.is_empty() {
                continue;
            }
            numbers.sort_unstable();
            numbers.dedup();
            len += numbers.len() as u64;
            groups.push((bucket, numbers.join("\n")));
        }
        CountedNumbers { groups, len }
    }

    /// The numbers given, each once.
    pub fn of<'a>(numbers: impl IntoIterator<Item = &'a str>) -> CountedNumbers {
        let mut collector = NumberCollector::default();
        for n in numbers {
            collector.add(n);
        }
        CountedNumbers::merge(vec![collector])
    }

    /// The stored groups: (group, its numbers one a line, sorted).
    pub fn groups(&self) -> &[(u16, String)] {
        &self.groups
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn contains(&self, number: &str) -> bool {
        let bucket = bucket_of(number);
        self.groups.binary_search_by_key(&bucket, |(b, _)| *b).is_ok_and(|i| group_holds(&self.groups[i].1, number))
    }

    /// The highest sequence per locality and year among the numbers in TTDZ's scheme
    /// ([`registration::scheme_parts`]), by prefix: TTDZ numbers its own registrations after them.
    pub fn highest_in_scheme(&self) -> Vec<(String, u32)> {
        let mut highest: BTreeMap<&str, u32> = BTreeMap::new();
        for (_, group) in &self.groups {
            for (prefix, sequence) in group.split('\n').filter_map(registration::scheme_parts) {
                let top = highest.entry(prefix).or_default();
                *top = (*top).max(sequence);
            }
        }
        highest.into_iter().map(|(prefix, sequence)| (prefix.to_owned(), sequence)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_of_a_number_never_changes() {
        // Stored groups were made with these: a change of the hash would lose every kept number.
        assert_eq!((bucket_of(""), bucket_of("2026320100000001"), bucket_of("JS-2026-17")), (0xefd, 2269, 1394));
        let spread: std::collections::HashSet<u16> =
            (0..10_000).map(|i| bucket_of(&format!("2026320100{i:06}"))).collect();
        // 10,000 numbers thrown at random into 4,096 groups fill 3,740 of them on average.
        assert!(spread.len() > 3_650, "{} groups for 10,000 consecutive numbers", spread.len());
        assert!(spread.iter().all(|b| *b < BUCKETS));
    }

    #[test]
    fn numbers_from_several_readers_are_kept_once_and_found() {
        let mut a = NumberCollector::default();
        let mut b = NumberCollector::default();
        for n in ["2024110101000007", "X-17", "2024110101000003"] {
            a.add(n);
        }
        for n in ["2024110101000007", "2025110101000011", "line\nbreak"] {
            b.add(n);
        }
        let counted = CountedNumbers::merge(vec![a, b]);
        assert_eq!(counted.len(), 4);
        for n in ["2024110101000007", "X-17", "2024110101000003", "2025110101000011"] {
            assert!(counted.contains(n), "{n}");
        }
        for n in ["2024110101000008", "X-1", "", "line"] {
            assert!(!counted.contains(n), "{n}");
        }
        assert_eq!(counted, CountedNumbers::of(["X-17", "2025110101000011", "2024110101000003", "2024110101000007"]));
    }

    #[test]
    fn the_highest_sequence_per_locality_and_year_counts_only_numbers_in_the_scheme() {
        let counted =
            CountedNumbers::of(["2024110101000007", "2024110101000012", "2025110101000003", "2024110101X00099", "7"]);
        assert_eq!(counted.highest_in_scheme(), vec![("2024110101".into(), 12), ("2025110101".into(), 3)]);
    }
}
