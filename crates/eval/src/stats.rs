//! The statistics the pipeline needs, with the estimators COINr uses (so results compare to the digit).

/// Arithmetic mean of the present values; `None` when there are none.
pub fn mean(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    // A second pass removes most of the rounding of the first, as R's mean() does.
    Some(m + x.iter().map(|v| v - m).sum::<f64>() / n)
}

pub fn median(x: &[f64]) -> Option<f64> {
    if x.is_empty() {
        return None;
    }
    let mut v = x.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// Sample standard deviation (n − 1).
pub fn sd(x: &[f64]) -> Option<f64> {
    if x.len() < 2 {
        return None;
    }
    let m = mean(x)?;
    Some((x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() as f64 - 1.0)).sqrt())
}

/// Sample skewness, the "type 2" estimator (as e1071 and COINr compute it); `None` below 3 values.
pub fn skew(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 3 {
        return None;
    }
    let m = mean(x)?;
    let d: Vec<f64> = x.iter().map(|v| v - m).collect();
    let nf = n as f64;
    let y = nf.sqrt() * d.iter().map(|v| v.powi(3)).sum::<f64>() / d.iter().map(|v| v * v).sum::<f64>().powf(1.5);
    Some(y * (nf * (nf - 1.0)).sqrt() / (nf - 2.0))
}

/// Sample excess kurtosis, the "type 2" estimator; `None` below 4 values.
pub fn kurt(x: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 4 {
        return None;
    }
    let m = mean(x)?;
    let d: Vec<f64> = x.iter().map(|v| v - m).collect();
    let nf = n as f64;
    let r = nf * d.iter().map(|v| v.powi(4)).sum::<f64>() / d.iter().map(|v| v * v).sum::<f64>().powi(2);
    Some(((nf + 1.0) * (r - 3.0) + 6.0) * (nf - 1.0) / ((nf - 2.0) * (nf - 3.0)))
}

/// Scores this close (relative to the larger magnitude) are the same score: arithmetic on binary floats leaves
/// noise in the last digits (27.000000000000004 for 27), and a rank must not turn on it.
pub const TIE_TOLERANCE: f64 = 1e-9;

/// True when `a` and `b` are equal up to `TIE_TOLERANCE`.
pub fn tied(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= TIE_TOLERANCE * a.abs().max(b.abs())
}

/// Ranks from 1, lowest value first, ties (within `TIE_TOLERANCE`) sharing the lowest rank; missing values have
/// none.
pub fn rank_ascending(x: &[Option<f64>]) -> Vec<Option<u32>> {
    x.iter().map(|v| v.map(|v| 1 + x.iter().flatten().filter(|o| **o < v && !tied(**o, v)).count() as u32)).collect()
}

/// Ranks from 1, highest value first (1 = best), ties (within `TIE_TOLERANCE`) sharing the lowest rank.
pub fn rank_descending(x: &[Option<f64>]) -> Vec<Option<u32>> {
    x.iter().map(|v| v.map(|v| 1 + x.iter().flatten().filter(|o| **o > v && !tied(**o, v)).count() as u32)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimators_match_known_values() {
        // The same estimators as spreadsheet SKEW() and KURT() (type 2); sample sd.
        let x = [2.0, 4.0, 4.0, 5.0, 7.0, 9.0, 30.0];
        assert!((skew(&x).unwrap() - 2.352_152_948_920_278).abs() < 1e-9, "{:?}", skew(&x));
        assert!((kurt(&x).unwrap() - 5.792_588_171_833_217).abs() < 1e-9, "{:?}", kurt(&x));
        assert!((sd(&x).unwrap() - 9.655_987_533_033_338).abs() < 1e-9);
        assert_eq!(median(&x), Some(5.0));
        assert_eq!(rank_descending(&[Some(3.0), Some(5.0), Some(3.0), None]), [Some(2), Some(1), Some(2), None]);
        assert_eq!(rank_ascending(&[Some(3.0), Some(5.0), Some(3.0), None]), [Some(1), Some(3), Some(1), None]);
    }

    #[test]
    fn scores_equal_but_for_float_noise_share_a_rank() {
        // ASEM, rank normalisation, arithmetic mean: BRN 27.000000000000004 and FIN 27 in ConEcFin.
        let x = [Some(27.000_000_000_000_004), Some(27.0), Some(30.0), Some(26.999_99)];
        assert_eq!(rank_descending(&x), [Some(2), Some(2), Some(1), Some(4)]);
        assert_eq!(rank_ascending(&x), [Some(2), Some(2), Some(4), Some(1)]);
        assert!(tied(0.0, 0.0) && !tied(0.0, 1e-300) && !tied(1.0, 1.0 + 1e-8));
    }
}
