//! D003 `file-contradicts-recipe`.

use crate::{
    diagnostic::Diagnostic,
    lint::{sources, Checker},
    model::{AudioSource, Clip, Named},
};

declare_rule! {
    /// ## What it checks
    /// A stem's or cue's `file` whose WAV header contradicts the recipe: its
    /// channel count differs from the channels of its layout (the declared
    /// `layout`, or without one 2.0, 1.0 when it is panned), or its channel
    /// mask says other loudspeakers than the layout's (a 5.1 file may use
    /// the back pair, 0x3F, or the side pair, 0x60F). A file without a mask
    /// is read in the layout's order. A file at another sample rate than
    /// the project's is no contradiction: the build resamples it in a
    /// `resample:` stage of its own. Only the header is read. A file that
    /// cannot be opened (E0501) or is not a WAV file (E0502) is reported as
    /// an error of its own, as are multi-mono sets and `bext` placements
    /// that the headers contradict (E0320–E0326).
    ///
    /// ## Why
    /// A stereo file declared as 5.1, or a file whose mask says 7.1 side
    /// and rear channels where 5.1 is declared, is a wrong export or the
    /// wrong file: the mix would place the channels wrongly.
    ///
    /// ## Example
    /// ```text
    /// project "Night Harbor" { sample_rate 48kHz … }
    /// stem fx { role effects layout 5.1 file "stems/fx.wav" }
    /// // D003 when stems/fx.wav holds 2 channels, or its mask is not 5.1's
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
    // What else the headers tell: multi-mono sets and time stamps.
    sources::check(checker, diagnostics);
    // And objects: mono files, paths within them (E0367, E0363).
    crate::lint::scene::check(checker, diagnostics);
}

fn check_clip(
    checker: &Checker<'_>,
    what: &str,
    name: &Named,
    clip: &Clip,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let model = checker.model;
    let Some(audio) = &clip.audio else {
        return;
    };
    let files = audio.value.files(audio.span);
    let mut readable = true;
    for (_, _, span) in &files {
        if let Some(Err(diagnostic)) = checker.file_header(*span) {
            diagnostics.push((**diagnostic).clone());
            readable = false;
        }
    }
    let (AudioSource::File { written, .. }, true) = (&audio.value, readable) else {
        // A multi-mono set's channels are checked one by one (`sources`).
        return;
    };
    let span = &audio.span;
    let Some(Ok(header)) = checker.header(clip) else {
        return;
    };
    let layout_name = sources::clip_layout(clip);
    let Some(declared) = model.layouts.get(layout_name) else {
        return;
    };
    let channels = declared.channels.len();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if header.channels != channels {
        let mut diagnostic = match &clip.layout {
            Some(layout) => Diagnostic::error(
                RULE.code,
                format!(
                    "`{written}` has {} channel{}, but {what} `{}` is declared {} ({channels} channel{})",
                    header.channels,
                    plural(header.channels),
                    name.name,
                    layout.name,
                    plural(channels),
                ),
            )
            .at(*span, format!("{} channels", header.channels))
            .related(layout.span, format!("{channels} channels")),
            None => Diagnostic::error(
                RULE.code,
                format!(
                    "`{written}` has {} channel{}, but {what} `{}` declares no `layout`, so it is {layout_name} ({channels} channel{})",
                    header.channels,
                    plural(header.channels),
                    name.name,
                    plural(channels),
                ),
            )
            .at(*span, format!("{} channels", header.channels)),
        };
        diagnostic = match (&clip.layout, layout_for(checker, *header)) {
            (None, Some(layout)) => diagnostic.help(format!(
                "declare `layout {layout}`, the layout of the file, or point `file` at the {layout_name} export"
            )),
            (None, None) => diagnostic.help(format!(
                "declare the layout the file has, or point `file` at the {layout_name} export"
            )),
            (Some(_), _) => diagnostic.help(format!(
                "point `file` at the {layout_name} export, or declare the layout the file has"
            )),
        };
        diagnostics.push(diagnostic);
        return;
    }
    if let Some(mask) = declared.mask {
        if header.mask != 0 && !masks_agree(header.mask, mask) {
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    format!(
                        "`{written}`'s channel mask {:#X} is not {layout_name}'s ({mask:#X}): its channels are other loudspeakers",
                        header.mask
                    ),
                )
                .at(*span, format!("mask {:#X}", header.mask))
                .help(format!(
                    "point `file` at the {layout_name} export, or declare the layout whose mask is {:#X}",
                    header.mask
                )),
            );
        }
    }
}

/// Whether a file's channel mask is a layout's: the same, or the same
/// with the back pair (BL BR, 0x30) for the side pair (SL SR, 0x600),
/// which 5.1 files use either way.
fn masks_agree(file: u32, layout: u32) -> bool {
    const BACK: u32 = 0x30;
    const SIDE: u32 = 0x600;
    let swap = |mask: u32| match (mask & BACK == BACK, mask & SIDE == SIDE) {
        (true, false) => mask & !BACK | SIDE,
        (false, true) => mask & !SIDE | BACK,
        _ => mask,
    };
    file == layout || swap(file) == layout
}

/// The name of a layout the recipe knows with the file's channels (and
/// its mask, when it has one).
fn layout_for(
    checker: &Checker<'_>,
    header: crate::model::wav_header::WavHeader,
) -> Option<String> {
    let layouts = &checker.model.layouts;
    let fits = |layout: &crate::model::Layout| {
        layout.channels.len() == header.channels
            && (header.mask == 0
                || layout
                    .mask
                    .is_some_and(|mask| masks_agree(header.mask, mask)))
    };
    ["1.0", "2.0", "5.1", "7.1", "7.1.4"]
        .iter()
        .filter_map(|name| layouts.get(name))
        .chain(layouts.iter())
        .find(|layout| fits(layout))
        .map(|layout| layout.name.name.clone())
}

#[cfg(test)]
mod tests {
    use super::masks_agree;

    #[test]
    fn a_5_1_file_may_use_the_back_or_the_side_pair() {
        assert!(masks_agree(0x3F, 0x60F));
        assert!(masks_agree(0x60F, 0x60F));
        assert!(masks_agree(0x63F, 0x63F));
        assert!(!masks_agree(0xC0F, 0x60F));
        assert!(!masks_agree(0x6000F, 0x63F));
    }
}
