//! Loudness range (LRA) per EBU Tech 3342 from short-term energies.
//!
//! libebur128 forms its LRA distribution from one short-term value per
//! second; ffmpeg's `ebur128` filter and the 10 Hz short-term rate of EBU
//! Tech 3341 use one per 100 ms. On programme with level changes the two
//! differ by tenths of an LU, so sndtrk computes LRA here from the 10 Hz
//! short-term values, as ffmpeg does.

use crate::audio::block_energy::{energy_to_loudness, loudness_to_energy};

/// Absolute gate of the LRA distribution, LUFS.
pub const LRA_ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Relative gate, LU below the absolutely gated mean energy.
pub const LRA_RELATIVE_GATE_LU: f64 = -20.0;

/// The loudness range in LU of a series of 3 s short-term energies (one per
/// 100 ms): the spread between the 10th and 95th percentiles of the
/// short-term loudness values that pass the absolute (-70 LUFS) and the
/// relative (-20 LU) gates. Returns 0 when no value passes.
pub fn loudness_range(short_term_energies: &[f64]) -> f64 {
    let absolute = loudness_to_energy(LRA_ABSOLUTE_GATE_LUFS);
    let above: Vec<f64> = short_term_energies
        .iter()
        .copied()
        .filter(|&e| e >= absolute)
        .collect();
    if above.is_empty() {
        return 0.0;
    }
    let mean = above.iter().sum::<f64>() / above.len() as f64;
    let relative = loudness_to_energy(energy_to_loudness(mean) + LRA_RELATIVE_GATE_LU);
    let mut gated: Vec<f64> = above.into_iter().filter(|&e| e >= relative).collect();
    if gated.is_empty() {
        return 0.0;
    }
    gated.sort_by(f64::total_cmp);
    let low = gated[nearest_rank(gated.len(), 0.10)];
    let high = gated[nearest_rank(gated.len(), 0.95)];
    energy_to_loudness(high) - energy_to_loudness(low)
}

/// The 0-based index of the `p` percentile of `n` sorted values by nearest
/// rank: rank `floor(p·n + 0.5)`, at least 1, the rule ffmpeg's filter uses.
fn nearest_rank(n: usize, p: f64) -> usize {
    let rank = (p * n as f64 + 0.5) as usize;
    rank.clamp(1, n) - 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn energies(lufs: &[f64]) -> Vec<f64> {
        lufs.iter().map(|&l| loudness_to_energy(l)).collect()
    }

    #[test]
    fn steady_level_has_no_range() {
        assert!(loudness_range(&energies(&[-23.0; 50])).abs() < 1e-9);
    }

    #[test]
    fn percentiles_of_a_ramp() {
        // 101 values from -40 to -20 LUFS in 0.2 LU steps, all within the
        // relative gate: rank 10 is -38.2 LUFS, rank 96 is -21.
        let ramp: Vec<f64> = (0..=100).map(|i| -40.0 + 0.2 * f64::from(i)).collect();
        let lra = loudness_range(&energies(&ramp));
        assert!((lra - 17.2).abs() < 1e-9, "{lra}");
    }

    #[test]
    fn gates_drop_quiet_values() {
        // Values below -70 LUFS and more than 20 LU under the mean are ignored.
        let mut values = vec![-80.0; 40];
        values.extend([-50.0; 10]);
        values.extend([-20.0; 50]);
        values.extend([-25.0; 50]);
        let lra = loudness_range(&energies(&values));
        assert!((lra - 5.0).abs() < 1e-9, "{lra}");
    }

    #[test]
    fn silence_has_no_range() {
        assert_eq!(loudness_range(&[0.0; 10]), 0.0);
        assert_eq!(loudness_range(&[]), 0.0);
    }
}
