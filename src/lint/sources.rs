//! What a stem's or cue's sources must be, as far as their headers tell,
//! checked by `sndtrk check` before anything is built: a multi-mono set
//! gives every channel of its layout once (E0320, E0321), in mono files
//! (E0322) of one rate and one length (E0323) and one time stamp (E0326);
//! `at bext` places a file that has a `bext` time stamp (E0324); a stamped
//! file is placed by `at` or `at bext`, not by default (E0325).

use crate::{
    diagnostic::{codes, Diagnostic},
    lint::Checker,
    model::{AudioSource, Clip, MonoFile, Named, Placement, Spanned},
    syntax::span::Span,
};

/// The layout a clip plays in: its `layout`, else 1.0 when it is panned,
/// else 2.0 (as the build lowers it).
pub fn clip_layout(clip: &Clip) -> &str {
    match &clip.layout {
        Some(layout) => &layout.name,
        None if clip.pan.is_some() => "1.0",
        None => "2.0",
    }
}

/// Checks every stem's and cue's sources.
pub fn check(checker: &Checker<'_>, diagnostics: &mut Vec<Diagnostic>) {
    let model = checker.model;
    let stems = model
        .stems
        .iter()
        .map(|stem| (format!("stem `{}`", stem.name.name), &stem.name, &stem.clip));
    let cues = model
        .cues
        .iter()
        .map(|cue| (format!("cue {}", cue.id.name), &cue.id, &cue.clip));
    for (what, name, clip) in stems.chain(cues) {
        let Some(audio) = &clip.audio else {
            continue;
        };
        if let AudioSource::MultiMono { files } = &audio.value {
            multi_mono(checker, &what, clip, audio.span, files, diagnostics);
        }
        placement(checker, &what, name, clip, audio, diagnostics);
    }
}

/// A multi-mono set against its layout and its files' headers.
fn multi_mono(
    checker: &Checker<'_>,
    what: &str,
    clip: &Clip,
    span: Span,
    files: &[MonoFile],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let layout = clip_layout(clip);
    let channels: Vec<&str> = checker
        .model
        .layouts
        .get(layout)
        .map(|layout| layout.channels.iter().map(|c| c.name.as_str()).collect())
        .unwrap_or_default();
    let listed = channels.join(" ");
    for (index, file) in files.iter().enumerate() {
        let channel = &file.channel.name;
        if let Some(earlier) = files[..index].iter().find(|f| f.channel.name == *channel) {
            diagnostics.push(
                Diagnostic::error(
                    codes::E0321.code,
                    format!("{what} gives channel `{channel}` twice"),
                )
                .at(file.channel.span, "again")
                .related(earlier.channel.span, "first")
                .help(format!(
                    "give each channel of {layout} ({listed}) exactly one file"
                )),
            );
        } else if !channels.is_empty() && !channels.contains(&channel.as_str()) {
            let mut diagnostic = Diagnostic::error(
                codes::E0321.code,
                format!("{what} is {layout}, which has no channel `{channel}`"),
            )
            .at(file.channel.span, format!("not a channel of {layout}"));
            let close = channels
                .iter()
                .find(|known| known.eq_ignore_ascii_case(channel))
                .map(|known| format!("write `{known}` for `{}`; ", file.written))
                .unwrap_or_default();
            diagnostic = diagnostic.help(format!("{close}the channels of {layout} are {listed}"));
            diagnostics.push(diagnostic);
        }
    }
    for channel in &channels {
        if !files.iter().any(|file| file.channel.name == *channel) {
            diagnostics.push(
                Diagnostic::error(
                    codes::E0320.code,
                    format!("{what} is {layout}, but its files give no channel `{channel}`"),
                )
                .at(span, format!("no `{channel}`"))
                .help(format!(
                    "add `{channel} \"FILE\"` to the list: {layout} needs one mono file for each of {listed}"
                )),
            );
        }
    }
    let mut first: Option<(&MonoFile, crate::model::wav_header::WavHeader)> = None;
    for file in files {
        let Some(Ok(header)) = checker.file_header(file.span) else {
            continue;
        };
        if header.channels != 1 {
            diagnostics.push(
                Diagnostic::error(
                    codes::E0322.code,
                    format!(
                        "`{}` has {} channels, but a multi-mono set takes mono files",
                        file.written, header.channels
                    ),
                )
                .at(file.span, format!("{} channels", header.channels))
                .help(format!(
                    "point `{}` at the mono file of that channel, or name the interleaved file alone: `file \"{}\"`",
                    file.channel.name, file.written
                )),
            );
        }
        let Some((reference, expected)) = first else {
            first = Some((file, *header));
            continue;
        };
        let differs = if header.sample_rate != expected.sample_rate {
            Some(format!(
                "is at {} Hz but `{}` is at {} Hz",
                header.sample_rate, reference.written, expected.sample_rate
            ))
        } else if header.frames != expected.frames {
            Some(format!(
                "is {} samples long but `{}` is {}",
                header.frames, reference.written, expected.frames
            ))
        } else {
            None
        };
        if let Some(differs) = differs {
            diagnostics.push(
                Diagnostic::error(codes::E0323.code, format!("`{}` {differs}", file.written))
                    .at(file.span, "differs")
                    .related(reference.span, "the set's first file")
                    .help("export every file of the set from the same session, range and rate"),
            );
        } else if header.time_reference != expected.time_reference {
            diagnostics.push(
                Diagnostic::error(
                    codes::E0326.code,
                    format!(
                        "`{}` is stamped {} but `{}` is stamped {}",
                        file.written,
                        stamp(checker, header.time_reference, header.sample_rate),
                        reference.written,
                        stamp(checker, expected.time_reference, expected.sample_rate)
                    ),
                )
                .at(file.span, "another time stamp")
                .related(reference.span, "the set's first file")
                .help("export every file of the set from the same session and range"),
            );
        }
    }
}

/// A time reference at `rate` as a timecode on the project's clock and in
/// samples, or "without a time stamp".
fn stamp(checker: &Checker<'_>, reference: Option<u64>, rate: u32) -> String {
    let Some(samples) = reference else {
        return "without a time stamp".to_owned();
    };
    match &checker.model.project {
        Some(project) => {
            let at = crate::model::time_reference_at(samples, rate, project.sample_rate);
            let timecode = crate::model::Timecode::from_samples(
                at,
                project.frame_rate,
                project.picture_start.drop_frame,
                project.sample_rate,
            );
            format!("{timecode} (sample {samples})")
        }
        None => format!("sample {samples}"),
    }
}

/// `at bext` against the file's header, and a stamped file placed by
/// default.
fn placement(
    checker: &Checker<'_>,
    what: &str,
    name: &Named,
    clip: &Clip,
    audio: &Spanned<AudioSource>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let files = audio.value.files(audio.span);
    let header = match files.first() {
        Some((_, _, span)) => match checker.file_header(*span) {
            Some(Ok(header)) => Some(*header),
            // Unreadable: D003 reports the file's own error.
            Some(Err(_)) | None => return,
        },
        None => None,
    };
    let written = files.first().map_or("", |(_, written, _)| *written);
    // A use at `bext` needs a stamp; a clip with no use at all must not
    // ignore one.
    let bext = clip
        .uses
        .iter()
        .map(|one| one.at)
        .find(|at| at.value == Placement::Bext);
    match bext.or(clip.at()) {
        Some(Spanned {
            value: Placement::Bext,
            span,
        }) => {
            let stamped = header.is_some_and(|header| header.time_reference.is_some());
            if stamped {
                return;
            }
            let message = match header {
                Some(_) => format!("`{written}` has no `bext` time stamp to place {what} by"),
                None => format!("{what} has no file, so no `bext` time stamp to place it by"),
            };
            diagnostics.push(
                Diagnostic::error(codes::E0324.code, message)
                    .at(span, "no time stamp")
                    .related(audio.span, "the source")
                    .help(
                        "place it with `at TIMECODE`, or point `file` at the Broadcast WAV export",
                    ),
            );
        }
        Some(_) => {}
        None => {
            let Some(header) = header else {
                return;
            };
            let Some(reference) = header.time_reference else {
                return;
            };
            let Some(project) = &checker.model.project else {
                return;
            };
            let samples =
                crate::model::time_reference_at(reference, header.sample_rate, project.sample_rate);
            let timecode = crate::model::Timecode::from_samples(
                samples,
                project.frame_rate,
                project.picture_start.drop_frame,
                project.sample_rate,
            );
            diagnostics.push(
                Diagnostic::error(
                    codes::E0325.code,
                    format!(
                        "`{written}` is stamped {timecode}, but {what} has no `at`: it would play from the picture start"
                    ),
                )
                .at(audio.span, format!("stamped {timecode}"))
                .related(name.span, format!("{what} has no `at`"))
                .help(format!(
                    "write `at bext` to place it at its time stamp ({timecode}), or `at {}` to keep it at the picture start",
                    project.picture_start
                )),
            );
        }
    }
}
