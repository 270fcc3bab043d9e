//! Errors of the loudness and DSP operations (codes E06xx).
//!
//! Every variant carries a stable diagnostic code and a help text that says
//! what to do, so a failed normalisation or a badly labelled layout reads the
//! same in `sndtrk build`, `sndtrk check` and `sndtrk measure`.

use miette::Diagnostic;
use thiserror::Error;

/// An error from loudness measurement, normalisation, resampling or dither.
#[derive(Debug, Clone, PartialEq, Error, Diagnostic)]
pub enum DspError {
    /// A channel label that names no known loudspeaker position.
    #[error("unknown channel label `{label}`")]
    #[diagnostic(
        code(E0601),
        help("use one of M L R C LFE Ls Rs Lss Rss Lrs Rrs Cs Lc Rc Ltf Rtf Ctf Tc Ltr Rtr Ctr")
    )]
    UnknownChannelLabel {
        /// The label as given.
        label: String,
    },

    /// A channel count without labels that has no default layout.
    #[error("no default channel layout for {channels} channels")]
    #[diagnostic(
        code(E0602),
        help("defaults exist for 1 to 8 and 12 channels; give the channel labels explicitly")
    )]
    NoDefaultLayout {
        /// The channel count.
        channels: usize,
    },

    /// A sample rate or channel count outside what the meter supports.
    #[error("cannot measure {channels} channels at {sample_rate} Hz")]
    #[diagnostic(
        code(E0603),
        help("loudness needs 1 to 64 channels and a sample rate between 16 Hz and 2.8 MHz")
    )]
    UnsupportedFormat {
        /// The channel count.
        channels: usize,
        /// The sample rate in Hz.
        sample_rate: u32,
    },

    /// A block of interleaved samples that does not hold whole frames.
    #[error("a block of {samples} samples does not hold whole frames of {channels} channels")]
    #[diagnostic(
        code(E0604),
        help("pass interleaved blocks whose length is a multiple of the channel count")
    )]
    PartialFrame {
        /// The number of samples in the block.
        samples: usize,
        /// The channel count.
        channels: usize,
    },

    /// Normalising to the target would push the true peak over the ceiling.
    #[error(
        "normalising to {target_lufs:.1} LUFS needs {gain_db:+.2} dB of gain, which puts the true peak at {predicted_peak_dbtp:.2} dBTP, above the ceiling of {ceiling_dbtp:.1} dBTP"
    )]
    #[diagnostic(
        code(E0605),
        help("lower the target loudness, reduce the peaks in the mix, or allow the limiter for this target")
    )]
    TruePeakCeiling {
        /// The target integrated loudness.
        target_lufs: f64,
        /// The gain that would reach it.
        gain_db: f64,
        /// The true peak after that gain.
        predicted_peak_dbtp: f64,
        /// The ceiling that it breaks.
        ceiling_dbtp: f64,
    },

    /// A programme too quiet to have an integrated loudness.
    #[error("the programme is silent (every block is below the -70 LUFS gate), so it cannot be normalised")]
    #[diagnostic(
        code(E0606),
        help("check that the mix has content; silence has no loudness to normalise")
    )]
    SilentProgramme,

    /// A limited programme that the limiter cannot bring to its target
    /// loudness under its ceiling in the passes it is allowed.
    #[error(
        "limited to {ceiling_dbtp:.1} dBTP, the programme measures {measured_lufs:.2} LUFS with its true peak at {true_peak_dbtp:.2} dBTP after {passes} passes (at {gain_db:+.2} dB of gain, up to {max_reduction_db:.1} dB of gain reduction); it must land within 0.1 LU of {target_lufs:.1} LUFS under the ceiling"
    )]
    #[diagnostic(
        code(E0612),
        help("the limiter takes back the gain that would reach this loudness (the loudness is in the peaks it holds down): reduce the peaks in the mix, lower the target loudness, or render the mix as it is with `normalize off`")
    )]
    LimiterMissed {
        /// The target integrated loudness.
        target_lufs: f64,
        /// What the last limited pass measured.
        measured_lufs: f64,
        /// Its true peak.
        true_peak_dbtp: f64,
        /// The ceiling the limiter holds.
        ceiling_dbtp: f64,
        /// The gain of the last pass.
        gain_db: f64,
        /// The limited passes made.
        passes: usize,
        /// The most gain reduction of the last pass.
        max_reduction_db: f64,
    },

    /// A sample-rate conversion that cannot be set up.
    #[error("cannot resample {channels} channels from {from_hz} Hz to {to_hz} Hz: {reason}")]
    #[diagnostic(
        code(E0607),
        help("both rates must be positive and the channel count between 1 and 64")
    )]
    Resampler {
        /// The input rate.
        from_hz: u32,
        /// The output rate.
        to_hz: u32,
        /// The channel count.
        channels: usize,
        /// What the resampler reported.
        reason: String,
    },

    /// A bit depth the quantiser does not produce.
    #[error("cannot dither to {bits} bits")]
    #[diagnostic(code(E0608), help("dither to 16 or 24 bits"))]
    UnsupportedBitDepth {
        /// The requested depth.
        bits: u16,
    },

    /// A dialogue stream that does not match the mix it gates.
    #[error("the dialogue stream ({dialogue_channels} channels at {dialogue_rate} Hz) does not match the mix ({mix_channels} channels at {mix_rate} Hz) in {what}")]
    #[diagnostic(
        code(E0609),
        help(
            "feed the dialogue at the mix's sample rate and push the same number of frames of both"
        )
    )]
    DialogueMismatch {
        /// What differs (the length of a pushed block).
        what: &'static str,
        /// The dialogue's channel count.
        dialogue_channels: usize,
        /// The dialogue's sample rate.
        dialogue_rate: u32,
        /// The mix's channel count.
        mix_channels: usize,
        /// The mix's sample rate.
        mix_rate: u32,
    },

    /// A value outside its meaningful range (a NaN target, a ceiling above 0 dBTP …).
    #[error("{what} is {value}, which is out of range")]
    #[diagnostic(code(E0610), help("{help}"))]
    OutOfRange {
        /// The quantity.
        what: &'static str,
        /// Its value.
        value: f64,
        /// What range is meaningful.
        help: &'static str,
    },
}
