//! Hover: for a stem or cue, its audio (format, channels, rate, duration),
//! its layout and where each use is placed; for a cue also its writers,
//! publishers and clearance in every target and album that uses it; for a
//! spec its numbers; for a literal with a unit, its value in the base unit.

use std::fmt::Write as _;

use crate::{
    lint::sources::clip_layout,
    lsp::{analysis::Analysis, index::Kind},
    model::{
        clearance::{self, Context, Outcome},
        reach::Reach,
        timing, wav_header, AudioSource, Clip, Model, NoiseColor,
    },
    syntax::ast::{Argument, Body, Value},
    syntax::span::{SourceId, Span},
    syntax::unit::Unit,
};

/// The markdown shown over `offset` of `source`, and the span it is about.
pub fn hover(analysis: &Analysis, source: SourceId, offset: usize) -> Option<(String, Span)> {
    let model = &analysis.resolved.model;
    if let Some(occurrence) = analysis.index.at(source, offset) {
        let text = match occurrence.kind {
            Kind::Stem => model.stems.get(&occurrence.name).map(|stem| {
                let mut text = format!(
                    "**stem `{}`** — role {}, layout {}\n\n",
                    stem.name.name,
                    stem.role.name,
                    clip_layout(&stem.clip)
                );
                clip(model, &stem.clip, &mut text);
                text
            }),
            Kind::Cue => model
                .cues
                .index(&occurrence.name)
                .map(|index| cue(model, index)),
            Kind::Spec => model.specs.get(&occurrence.name).map(|spec| {
                let mut text = format!("**spec `{}`**\n\n", spec.name.name);
                spec_numbers(spec, &mut text);
                text
            }),
            Kind::Bus => model.buses.get(&occurrence.name).map(|bus| {
                let members: Vec<&str> = bus.members.iter().map(|m| m.name.name.as_str()).collect();
                format!(
                    "**bus `{}`** {}\n\nmembers: {}",
                    bus.name.name,
                    bus.layout.name,
                    members.join(", ")
                )
            }),
            Kind::Layout => model.layouts.get(&occurrence.name).map(|layout| {
                let channels: Vec<&str> = layout.channels.iter().map(|c| c.name.as_str()).collect();
                format!(
                    "**layout `{}`**\n\nchannels: {}",
                    layout.name.name,
                    channels.join(" ")
                )
            }),
            Kind::License => model.licenses.get(&occurrence.name).map(license),
            Kind::Target => model.targets.get(&occurrence.name).map(target),
            kind => Some(format!("**{} `{}`**", kind.word(), occurrence.name)),
        }?;
        return Some((text, occurrence.span));
    }
    let argument = literal_at(analysis, source, offset)?;
    let text = unit_value(model, &argument.value)?;
    Some((text, argument.span))
}

/// The audio, layout and placement of a stem's or cue's clip.
fn clip(model: &Model, clip: &Clip, text: &mut String) {
    let rate = model
        .project
        .as_ref()
        .map_or(48_000, |project| project.sample_rate);
    let frame_rate = model.project.as_ref().map(|project| project.frame_rate);
    let layout = clip_layout(clip);
    let layout_channels = model
        .layouts
        .get(layout)
        .map(|layout| layout.channels.len());
    let _ = writeln!(text, "- layout: {layout}");
    match clip.audio.as_ref().map(|audio| (&audio.value, audio.span)) {
        Some((AudioSource::File { path, written }, span)) => {
            let path = wav_header::resolve(model, span, path);
            match wav_header::read(&path, span) {
                Ok(header) => {
                    let kind = if header.float { "float" } else { "integer" };
                    let _ = writeln!(
                        text,
                        "- source: `{written}`, WAV {}-bit {kind}, {} channels, {} Hz, duration {}",
                        header.bits,
                        header.channels,
                        header.sample_rate,
                        as_duration(header.seconds(), frame_rate)
                    );
                }
                Err(error) => {
                    let _ = writeln!(text, "- source: `{written}`: {}", error.message);
                }
            }
        }
        Some((AudioSource::MultiMono { files }, span)) => {
            let first = files
                .first()
                .map(|file| wav_header::read(&wav_header::resolve(model, span, &file.path), span));
            let _ = write!(text, "- source: {} mono WAV files", files.len());
            if let Some(Ok(header)) = first {
                let _ = write!(
                    text,
                    ", {}-bit, {} Hz, duration {}",
                    header.bits,
                    header.sample_rate,
                    as_duration(header.seconds(), frame_rate)
                );
            }
            text.push('\n');
        }
        Some((generator, _)) => {
            let (what, duration) = match generator {
                AudioSource::Tone {
                    frequency_hz,
                    level_dbfs,
                    duration,
                } => (
                    format!("tone {frequency_hz} Hz at {level_dbfs} dBFS"),
                    *duration,
                ),
                AudioSource::Noise {
                    color,
                    level_dbfs,
                    duration,
                } => {
                    let color = match color {
                        NoiseColor::White => "white",
                        NoiseColor::Pink => "pink",
                        NoiseColor::Brown => "brown",
                    };
                    (format!("{color} noise at {level_dbfs} dBFS"), *duration)
                }
                AudioSource::Silence { duration } => ("silence".to_owned(), *duration),
                _ => return,
            };
            let length = frame_rate.map_or(0.0, |frames| duration.seconds(frames));
            let channels = layout_channels.map_or_else(|| "?".to_owned(), |n| n.to_string());
            let _ = writeln!(
                text,
                "- source: generator, {what}, {channels} channels, {rate} Hz, duration {}",
                as_duration(length, frame_rate)
            );
        }
        None => {
            let _ = writeln!(text, "- source: none");
        }
    }
    match timing::placements(model, clip) {
        Ok(placements) if !placements.is_empty() => {
            for placement in placements {
                let _ = writeln!(
                    text,
                    "- placed {}–{} ({})",
                    placement.start,
                    placement.end,
                    as_duration(placement.seconds, frame_rate)
                );
            }
        }
        Ok(_) => {
            let _ = writeln!(text, "- not placed (no `at`)");
        }
        Err(_) => {}
    }
}

/// A duration in seconds and, at the project's frame rate, as a timecode.
fn as_duration(seconds: f64, frame_rate: Option<crate::model::FrameRate>) -> String {
    match frame_rate {
        Some(rate) => format!(
            "{seconds:.3} s = {}",
            timing::duration_timecode(rate.seconds_to_frames(seconds), rate)
        ),
        None => format!("{seconds:.3} s"),
    }
}

/// A cue: its clip, writers and publishers, and its clearance.
fn cue(model: &Model, index: usize) -> String {
    let cue = &model.cues[index];
    let kind = if cue.is_song() { "song" } else { "score" };
    let mut text = format!(
        "**cue {} \"{}\"** — {kind}, layout {}\n\n",
        cue.id.name,
        cue.title,
        clip_layout(&cue.clip)
    );
    clip(model, &cue.clip, &mut text);
    for (role, parties) in [("writer", &cue.writers), ("publisher", &cue.publishers)] {
        for party in parties {
            let share = party.share.map_or_else(
                || "no share".to_owned(),
                |share| format!("{}%", share.value),
            );
            let society = party
                .society
                .as_ref()
                .map_or_else(String::new, |society| format!(" ({})", society.name));
            let _ = writeln!(text, "- {role}: {}{society}, {share}", party.name);
        }
    }
    let mixes = Reach::of_all_targets(model);
    let contexts = clearance::contexts_of_cues(model, mixes);
    let Some(contexts) = contexts.get(index) else {
        return text;
    };
    if contexts.is_empty() {
        text.push_str("\nused by no target or album\n");
    }
    for context in contexts {
        let needs = clearance::needs(model, index, *context);
        let what = match context {
            Context::Target(_) | Context::Album(_) => context.describe(model),
        };
        if needs.is_empty() {
            let _ = writeln!(text, "- {what}: cleared (score, the composer agreement)");
            continue;
        }
        let parts: Vec<String> = needs
            .iter()
            .map(|need| {
                let kind = clearance::kind_name(need.kind);
                match &need.outcome {
                    Outcome::Cleared(license) => {
                        format!("{kind} cleared by `{}`", model.licenses[*license].name.name)
                    }
                    Outcome::Missing { .. } => format!("{kind} missing"),
                    Outcome::Uncovered { license, .. } => format!(
                        "{kind} not covered by `{}`",
                        model.licenses[*license].name.name
                    ),
                }
            })
            .collect();
        let _ = writeln!(text, "- {what}: {}", parts.join(", "));
    }
    text
}

/// A licence: what it clears, for which cue, from whom, and its status.
fn license(license: &crate::model::License) -> String {
    let mut text = format!("**license `{}`**\n\n", license.name.name);
    if let Some(kind) = license.kind {
        let _ = writeln!(text, "- kind: {}", clearance::kind_name(kind.value));
    }
    if let Some(cue) = &license.cue {
        let _ = writeln!(text, "- cue: {}", cue.name);
    }
    if let Some(licensor) = &license.licensor {
        let _ = writeln!(text, "- licensor: {}", licensor.value);
    }
    if let Some(term) = &license.term {
        let end = term
            .end
            .map_or_else(|| "perpetuity".to_owned(), |end| end.to_string());
        let _ = writeln!(text, "- term: {} to {end}", term.start);
    }
    if let Some(status) = license.status {
        let _ = writeln!(text, "- status: {}", clearance::status_name(status.value));
    }
    text
}

/// A target: its sources, layout, format and spec.
fn target(target: &crate::model::Target) -> String {
    let mut text = format!("**target `{}`**\n\n", target.name.name);
    let from: Vec<&str> = target.from.iter().map(|from| from.name.as_str()).collect();
    let _ = writeln!(text, "- from: {}", from.join(", "));
    if let Some(layout) = &target.layout {
        let _ = writeln!(text, "- layout: {}", layout.name);
    }
    if let Some(format) = &target.format {
        let _ = writeln!(
            text,
            "- format: {} Hz, {}-bit{}",
            format.sample_rate,
            format.bits,
            if format.float { " float" } else { "" }
        );
    }
    if let Some(spec) = &target.spec {
        let _ = writeln!(text, "- spec: {}", spec.name);
    }
    if let Some(matched) = &target.matches {
        let _ = writeln!(text, "- matches: {}", matched.name);
    }
    text
}

/// The numbers of a spec.
fn spec_numbers(spec: &crate::model::Spec, text: &mut String) {
    if !spec.layouts.is_empty() {
        let layouts: Vec<&str> = spec.layouts.iter().map(|l| l.name.as_str()).collect();
        let _ = writeln!(text, "- layout: {}", layouts.join(", "));
    }
    if let Some(rate) = spec.sample_rate {
        let _ = writeln!(text, "- rate: {} Hz", rate.value);
    }
    if let Some(bits) = spec.bits {
        let _ = writeln!(text, "- depth: {} bit", bits.value);
    }
    if let Some(loudness) = &spec.loudness {
        let gate = match loudness.gate {
            crate::model::LoudnessGate::Programme => "programme",
            crate::model::LoudnessGate::Dialogue => "dialogue-gated",
        };
        let _ = writeln!(
            text,
            "- loudness: {} LUFS ± {} LU ({gate})",
            loudness.lufs, loudness.tolerance_lu
        );
    }
    if let Some(peak) = spec.true_peak_dbtp {
        let _ = writeln!(text, "- true peak: at most {} dBTP", peak.value);
    }
    if let Some(peak) = spec.sample_peak_dbfs {
        let _ = writeln!(text, "- sample peak: at most {} dBFS", peak.value);
    }
    if let Some(lra) = spec.lra {
        let _ = writeln!(text, "- loudness range: {}–{} LU", lra.value.0, lra.value.1);
    }
    if spec.is_me {
        text.push_str("- music and effects (no dialogue)\n");
    }
    if spec.limiter {
        text.push_str("- limiter\n");
    }
}

/// The literal with a unit at `offset`, from the file's syntax tree.
fn literal_at(analysis: &Analysis, source: SourceId, offset: usize) -> Option<Argument> {
    let (file, _) = crate::syntax::parse::parse(source, analysis.text(source));
    let inside = |span: Span| (span.start as usize) <= offset && offset <= span.end as usize;
    let mut found = None;
    let mut visit = |argument: &Argument| {
        if inside(argument.span) && matches!(argument.value, Value::Quantity { .. }) {
            found = Some(argument.clone());
        }
    };
    for declaration in file.declarations.iter().filter(|d| inside(d.span)) {
        match &declaration.body {
            Body::Block { properties, .. } => {
                for argument in properties.iter().flat_map(|property| &property.arguments) {
                    visit(argument);
                    if let Value::List(items) = &argument.value {
                        items
                            .iter()
                            .flat_map(|item| &item.values)
                            .for_each(&mut visit);
                    }
                }
            }
            Body::Members { members, .. } => {
                members
                    .iter()
                    .filter_map(|member| member.gain.as_ref())
                    .for_each(&mut visit);
            }
            Body::None => {}
        }
    }
    found
}

/// A quantity in its base unit.
fn unit_value(model: &Model, value: &Value) -> Option<String> {
    let Value::Quantity { value, unit, raw } = value else {
        return None;
    };
    let value = *value;
    let said = match unit {
        Unit::Db => format!(
            "{value} dB: a gain of ×{:.4} in amplitude",
            10f64.powf(value / 20.0)
        ),
        Unit::Dbfs => format!(
            "{value} dBFS: {:.6} of full scale in amplitude",
            10f64.powf(value / 20.0)
        ),
        Unit::Dbtp => format!(
            "{value} dBTP: a true peak of {:.6} of full scale",
            10f64.powf(value / 20.0)
        ),
        Unit::Lufs | Unit::Lkfs => format!("{value} LUFS (LKFS and LUFS are one scale)"),
        Unit::Lu => format!("{value} LU (1 LU = 1 dB of loudness)"),
        Unit::Hz => format!("{value} Hz"),
        Unit::KHz => format!("{} Hz", value * 1000.0),
        Unit::Bit => format!("{value} bits per sample"),
        Unit::Ms => format!("{} s", value / 1000.0),
        Unit::S => format!("{value} s"),
        Unit::Min => format!("{} s", value * 60.0),
        Unit::Frames => match &model.project {
            Some(project) => {
                let seconds = crate::model::Duration::Frames(value).seconds(project.frame_rate);
                format!("{seconds:.6} s at {} fps", project.frame_rate.as_written())
            }
            None => format!("{value} video frames"),
        },
        Unit::Percent => format!("{}", value / 100.0),
        Unit::Deg => format!("an azimuth of {value}° (0 front, positive to the left)"),
    };
    Some(format!("`{raw}` = {said}"))
}
