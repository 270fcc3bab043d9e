//! `report:FILE`: the music cue sheet (CSV and JSON) and the rights
//! matrix, written to `out/reports/` by every build. Their text is computed
//! when the stages are made (the cue sheet reads the cue files' headers for
//! their lengths) and keyed by its hash, so a report is rewritten only when
//! it changes.

use std::{io::Write, path::Path};

use crate::{
    engine::key::Params,
    engine::stage::{RunContext, Stage},
    lower::{Report, ReportStage},
    model::Model,
    report::{cuesheet, rights},
};

/// A `report:FILE` stage: its text, made.
pub(super) struct ReportRender {
    spec: ReportStage,
    text: String,
    digest: String,
}

/// The texts of a model's reports, made once for all its report stages.
pub(super) struct Texts {
    /// `None` when a cue file cannot be read: the cue sheet is left out,
    /// and the bus that reads the file fails with the reason.
    cue_sheet: Option<cuesheet::CueSheet>,
    rights: Vec<rights::RightsEntry>,
}

impl Texts {
    pub fn of(model: &Model) -> Texts {
        Texts {
            cue_sheet: cuesheet::cue_sheet(model).ok(),
            rights: rights::matrix(model),
        }
    }
}

impl ReportRender {
    /// The stage of `spec`, or `None` when its text cannot be made.
    pub fn new(spec: &ReportStage, texts: &Texts) -> Option<ReportRender> {
        let text = match spec.report {
            Report::CueSheetCsv => cuesheet::to_csv(texts.cue_sheet.as_ref()?),
            Report::CueSheetJson => cuesheet::to_json(texts.cue_sheet.as_ref()?),
            Report::Rights => rights::to_json(&texts.rights),
        };
        Some(ReportRender {
            digest: blake3::hash(text.as_bytes()).to_hex().to_string(),
            spec: spec.clone(),
            text,
        })
    }
}

impl Stage for ReportRender {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn kind(&self) -> &str {
        "report"
    }

    fn inputs(&self) -> &[String] {
        &[]
    }

    fn output_path(&self) -> Option<&Path> {
        Some(&self.spec.output)
    }

    fn params(&self, params: &mut Params<'_>) {
        params.str("text", &self.digest);
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        context
            .output()
            .write_all(self.text.as_bytes())
            .map_err(|error| miette::miette!("writing the report: {error}"))
    }
}
