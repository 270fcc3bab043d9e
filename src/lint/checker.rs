//! What every rule reads: the model and what it derives once for all rules.

use std::collections::HashMap;

use crate::{
    diagnostic::Diagnostic,
    model::clearance::{contexts_of_cues, Context},
    model::reach::Reach,
    model::wav_header::{self, WavHeader},
    model::{AudioSource, Clip, Model},
    syntax::span::Span,
};

/// The resolved model with each target's mix, each cue's uses and the
/// header of every file a stem or cue names.
pub struct Checker<'m> {
    pub model: &'m Model,
    /// The stems and cues reaching each target, indexed like `model.targets`.
    pub mixes: &'m [Reach],
    /// The contexts each cue is used in, indexed like `model.cues`.
    pub uses: Vec<Vec<Context>>,
    /// The WAV header of each stem's and cue's `file`, by the span of the
    /// `file` property, or the diagnostic its reading gave (D003 reports it).
    headers: HashMap<Span, Result<WavHeader, Box<Diagnostic>>>,
}

impl<'m> Checker<'m> {
    /// Derives every target's mix and every cue's uses once, for all rules,
    /// and reads the header of every file once.
    pub fn new(model: &'m Model) -> Self {
        let mixes = Reach::of_all_targets(model);
        let uses = contexts_of_cues(model, mixes);
        let clips = model
            .stems
            .iter()
            .map(|stem| &stem.clip)
            .chain(model.cues.iter().map(|cue| &cue.clip))
            .chain(model.objects.iter().map(|object| &object.clip));
        let mut headers = HashMap::new();
        for clip in clips {
            let Some(audio) = &clip.audio else {
                continue;
            };
            let files = audio.value.files(audio.span);
            for (path, _, span) in &files {
                headers.entry(*span).or_insert_with(|| {
                    wav_header::read(&wav_header::resolve(model, audio.span, path), *span)
                });
            }
            if let AudioSource::MultiMono { .. } = &audio.value {
                let combined = combined(files.iter().map(|(_, _, span)| &headers[span]));
                headers.entry(audio.span).or_insert(combined);
            }
        }
        Self {
            model,
            mixes,
            uses,
            headers,
        }
    }

    /// The header of `clip`'s file, or the diagnostic reading it gave;
    /// `None` when the clip's audio is no file. A multi-mono set's is its
    /// first file's with a channel per file (or its first file's error).
    pub fn header(&self, clip: &Clip) -> Option<&Result<WavHeader, Box<Diagnostic>>> {
        self.headers.get(&clip.audio.as_ref()?.span)
    }
}

impl Checker<'_> {
    /// The header of the file at `span` (a `file` property, or one item of
    /// a multi-mono list), or the diagnostic reading it gave.
    pub fn file_header(&self, span: Span) -> Option<&Result<WavHeader, Box<Diagnostic>>> {
        self.headers.get(&span)
    }
}

/// A multi-mono set's header: its first file's, with one channel per file
/// and no mask; the first error if a file cannot be read.
fn combined<'a>(
    mut headers: impl Iterator<Item = &'a Result<WavHeader, Box<Diagnostic>>>,
) -> Result<WavHeader, Box<Diagnostic>> {
    let mut channels = 0;
    let mut first: Option<WavHeader> = None;
    for header in headers.by_ref() {
        let header = header.as_ref().map_err(|error| error.clone())?;
        channels += 1;
        first.get_or_insert(*header);
    }
    let first = first.ok_or_else(|| {
        Box::new(Diagnostic::error(
            wav_header::NOT_WAV,
            "a multi-mono source without files",
        ))
    })?;
    Ok(WavHeader {
        channels,
        mask: 0,
        ..first
    })
}
