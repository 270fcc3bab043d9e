//! `measure:NAME`: a deliverable with a spec, measured as delivered (its
//! integrated loudness, dialogue-gated where its spec is, true and sample
//! peaks, loudness range), as JSON.
//! A build checks the measurement against the spec (D004).

use std::io::Write;

use miette::IntoDiagnostic;
use serde::{Deserialize, Serialize};

use crate::{
    audio::WavReader,
    engine::key::Params,
    engine::stage::{RunContext, Stage},
    lower::MeasureStage,
    stages::loudness,
};

/// What `measure:NAME` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Measurement {
    pub integrated_lufs: Option<f64>,
    /// The loudness over the dialogue, for a dialogue-gated spec whose
    /// deliverable has enough dialogue to gate on (`None` otherwise: the
    /// spec then measures the whole programme).
    #[serde(default)]
    pub dialogue_gated_lufs: Option<f64>,
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
        let mut inputs = vec![spec.target.to_string()];
        inputs.extend(spec.dialogue.iter().map(|id| id.to_string()));
        MeasureRender {
            inputs,
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
            .u64("sample_rate", u64::from(self.spec.sample_rate))
            // 2: the measurement records the dialogue-gated loudness.
            .u64("version", 2);
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        let mut reader = WavReader::open(&context.inputs()[0].path).into_diagnostic()?;
        let rate = reader.format().sample_rate;
        // The dialogue gate is on the project's timeline at its rate: a
        // deliverable resampled to another rate is measured ungated.
        let speech = match context.inputs().get(1) {
            Some(gate) => {
                let speech = WavReader::open(&gate.path).into_diagnostic()?;
                (speech.format().sample_rate == rate).then_some(speech)
            }
            None => None,
        };
        let measured = match speech {
            Some(mut speech) => {
                loudness::gated(&mut reader, &mut speech, &self.spec.channels, rate)?
            }
            None => loudness::plain(&mut reader, &self.spec.channels, rate)?,
        };
        let report = measured.report;
        let finite = |value: f64| value.is_finite().then_some(value);
        let measurement = Measurement {
            integrated_lufs: finite(report.integrated_lufs),
            dialogue_gated_lufs: measured.dialogue_gated_lufs,
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
