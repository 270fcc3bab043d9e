//! The argument checks every test-signal generator ([`super::Tone`],
//! [`super::Noise`]) makes, with the same words.

use super::error::AudioError;

/// At least one channel and a non-zero sample rate; `what` names the
/// generator ("tone").
pub(crate) fn check_shape(
    what: &'static str,
    sample_rate: u32,
    channels: usize,
) -> Result<(), AudioError> {
    if channels == 0 || sample_rate == 0 {
        return Err(AudioError::InvalidValue {
            what,
            detail: "it needs at least one channel and a non-zero sample rate".into(),
            help: format!("give the {what} at least 1 channel and a sample rate above 0 Hz"),
        });
    }
    Ok(())
}

/// A level from -200 to 0 dBFS; `what` names it ("tone level") and
/// `measure` says how it is measured ("peak", "RMS").
pub(crate) fn check_level(
    what: &'static str,
    level_dbfs: f64,
    measure: &str,
) -> Result<(), AudioError> {
    if !((-200.0..=0.0).contains(&level_dbfs)) {
        return Err(AudioError::InvalidValue {
            what,
            detail: format!("{level_dbfs} dBFS (expected -200 to 0 dBFS {measure})"),
            help: format!("give a {what} from -200 to 0 dBFS {measure}"),
        });
    }
    Ok(())
}
