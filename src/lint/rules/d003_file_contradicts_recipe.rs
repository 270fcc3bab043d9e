//! D003 `file-contradicts-recipe`.

use crate::{
    diagnostic::Diagnostic,
    lint::Checker,
    model::{AudioSource, Clip, Named, Spanned},
};

use super::d001_target_breaks_spec::hertz;

declare_rule! {
    /// ## What it checks
    /// A stem's or cue's `file` whose WAV header contradicts the recipe: its
    /// channel count differs from the channels of the declared `layout`, or
    /// (for a stem) its sample rate differs from the project's `sample_rate`.
    /// Stems are the production's own exports at the project rate; a cue's
    /// master (a licensed recording at 44.1 kHz, say) is resampled by the
    /// build, so its rate is not a contradiction. Only the header is read. A file that cannot be opened (E0501) or is not a WAV
    /// file (E0502) is reported as an error of its own.
    ///
    /// ## Why
    /// A stereo file declared as 5.1, or a 44.1 kHz file in a 48 kHz
    /// project, is a wrong export or the wrong file: the mix would place the
    /// channels wrongly or play at the wrong speed.
    ///
    /// ## Example
    /// ```text
    /// project "Night Harbor" { sample_rate 48kHz … }
    /// stem fx { role effects layout 5.1 file "stems/fx.wav" }
    /// // D003 when stems/fx.wav holds 2 channels, or is at 44.1 kHz
    /// ```
    pub static RULE {
        code: D003,
        name: "file-contradicts-recipe",
        check: check,
    }
}

fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    for stem in &model.stems {
        check_clip(checker, "stem", &stem.name, &stem.clip, diagnostics);
    }
    for cue in &model.cues {
        check_clip(checker, "cue", &cue.id, &cue.clip, diagnostics);
    }
}

fn check_clip(
    checker: &Checker<'_>,
    what: &str,
    name: &Named,
    clip: &Clip,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let model = checker.model;
    let Some(Spanned {
        value: AudioSource::File { written, .. },
        span,
    }) = &clip.audio
    else {
        return;
    };
    let header = match checker.header(clip) {
        Some(Ok(header)) => *header,
        Some(Err(diagnostic)) => {
            diagnostics.push((**diagnostic).clone());
            return;
        }
        None => return,
    };
    if let Some(layout) = &clip.layout {
        if let Some(declared) = model.layouts.get(&layout.name) {
            let channels = declared.channels.len();
            if header.channels != channels {
                diagnostics.push(
                    Diagnostic::error(
                        RULE.code,
                        format!(
                            "`{written}` has {} channel{}, but {what} `{}` is declared {} ({channels} channel{})",
                            header.channels,
                            if header.channels == 1 { "" } else { "s" },
                            name.name,
                            layout.name,
                            if channels == 1 { "" } else { "s" },
                        ),
                    )
                    .at(*span, format!("{} channels", header.channels))
                    .related(layout.span, format!("{channels} channels"))
                    .help(format!(
                        "point `file` at the {} export, or declare the layout the file has",
                        layout.name
                    )),
                );
            }
        }
    }
    if let Some(project) = model.project.as_ref().filter(|_| what == "stem") {
        if header.sample_rate != project.sample_rate {
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!(
                        "`{written}` is at {} but the project runs at {}",
                        hertz(header.sample_rate),
                        hertz(project.sample_rate)
                    ),
                )
                .at(*span, hertz(header.sample_rate))
                .help(format!(
                    "export the stem at the project's {}",
                    hertz(project.sample_rate)
                )),
            );
        }
    }
}
