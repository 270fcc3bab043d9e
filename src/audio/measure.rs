//! Measuring a WAV file: its format and layout, loudness and peaks, read
//! block by block so memory stays flat whatever the file's length.
//!
//! This is the library side of `sndtrk measure`. The channel roles come
//! from the file's speaker mask (through [`ChannelLayout`]), falling back
//! like ffmpeg does when the mask says nothing
//! (`ChannelRole::for_layout`).

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use thiserror::Error;

use crate::audio::{
    channel_role::ChannelRole,
    dsp_error::DspError,
    error::AudioError,
    layout::ChannelLayout,
    loudness::{LoudnessMeter, LoudnessReport},
    source::{Source, BLOCK_FRAMES},
    wav_format::WavFormat,
    wav_reader::WavReader,
};

/// Everything `sndtrk measure` reports about one file.
#[derive(Debug, Clone)]
pub struct FileMeasurement {
    /// The file as given.
    pub path: PathBuf,
    /// Its format as read from the header.
    pub format: WavFormat,
    /// Its channel layout.
    pub layout: ChannelLayout,
    /// Its loudness and peaks.
    pub loudness: LoudnessReport,
}

/// Why a file could not be measured.
#[derive(Debug, Error, Diagnostic)]
pub enum MeasureError {
    /// The file could not be read (missing, truncated, not a WAV …).
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] AudioError),

    /// The file was read but its format cannot be metered.
    #[error("`{path}` cannot be metered: {reason}")]
    #[diagnostic(
        code(E0611),
        help("loudness needs 1 to 64 channels and a sample rate from 16 Hz up")
    )]
    Meter {
        /// The file concerned.
        path: PathBuf,
        /// What the meter refused (shown in the message, not as a cause).
        reason: DspError,
    },
}

/// Reads the file at `path` to its end and measures it.
pub fn measure_file(path: &Path) -> Result<FileMeasurement, MeasureError> {
    let mut reader = WavReader::open(path)?;
    let format = reader.format().clone();
    let layout = format.layout();
    let roles = ChannelRole::for_layout(layout.labels());
    let mut meter =
        LoudnessMeter::new(&roles, format.sample_rate).map_err(|reason| MeasureError::Meter {
            path: path.to_path_buf(),
            reason,
        })?;
    let channels = format.channels;
    let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
    loop {
        let frames = reader.read(&mut block)?;
        if frames == 0 {
            break;
        }
        meter
            .push(&block[..frames * channels])
            .map_err(|reason| MeasureError::Meter {
                path: path.to_path_buf(),
                reason,
            })?;
    }
    Ok(FileMeasurement {
        path: path.to_path_buf(),
        format,
        layout,
        loudness: meter.report(),
    })
}
