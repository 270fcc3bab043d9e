//! `measure:NAME`: a deliverable with a spec, measured as delivered (its
//! integrated loudness, true and sample peaks, loudness range), as JSON.
//! A build checks the measurement against the spec (D004).

use std::io::Write;

use miette::IntoDiagnostic;
use serde::{Deserialize, Serialize};

use crate::{
    audio::{loudness::LoudnessMeter, Source, WavReader, BLOCK_FRAMES},
    engine::key::Params,
    engine::stage::{RunContext, Stage},
    lower::MeasureStage,
};

/// What `measure:NAME` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    pub integrated_lufs: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    pub lra_lu: Option<f64>,
}

/// A `measure:NAME` stage.
pub(super) struct MeasureRender {
    spec: MeasureStage,
    inputs: Vec<String>,
}

impl MeasureRender {
    pub fn new(spec: &MeasureStage) -> MeasureRender {
        MeasureRender {
            inputs: vec![spec.target.to_string()],
            spec: spec.clone(),
        }
    }
}

impl Stage for MeasureRender {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn kind(&self) -> &str {
        "measure"
    }

    fn inputs(&self) -> &[String] {
        &self.inputs
    }

    fn params(&self, params: &mut Params<'_>) {
        params
            .str("channels", &self.spec.channels.join(" "))
            .u64("sample_rate", u64::from(self.spec.sample_rate));
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let mut reader = WavReader::open(&context.inputs()[0].path).into_diagnostic()?;
        let channels = reader.channels();
        let mut meter = LoudnessMeter::for_labels(&self.spec.channels, reader.format().sample_rate)
            .into_diagnostic()?;
        let mut block = vec![0.0f32; BLOCK_FRAMES * channels];
        loop {
            let frames = reader.read(&mut block).into_diagnostic()?;
            if frames == 0 {
                break;
            }
            meter.push(&block[..frames * channels]).into_diagnostic()?;
        }
        let report = meter.report();
        let finite = |value: f64| value.is_finite().then_some(value);
        let measurement = Measurement {
            integrated_lufs: finite(report.integrated_lufs),
            true_peak_dbtp: finite(report.true_peak_dbtp),
            sample_peak_dbfs: finite(report.sample_peak_dbfs),
            lra_lu: finite(report.loudness_range_lu),
        };
        let text = serde_json::to_string(&measurement).into_diagnostic()?;
        context
            .output()
            .write_all(text.as_bytes())
            .into_diagnostic()
    }
}
