//! Front-end speed on a feature-sized recipe: parsing, checking and formatting a
//! generated 10,000-line `soundtrack.sndtrk` (hundreds of stems, cues,
//! licences, buses and targets, with comments).
//!
//! `cargo bench --bench check`

use std::{fmt::Write, hint::black_box};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sndtrk::{
    resolve::resolve_text, syntax::format::format, syntax::parse::parse, syntax::span::SourceId,
};

/// A recipe of at least `lines` lines in canonical layout.
fn recipe(lines: usize) -> String {
    let mut text = String::from(
        "// A generated feature: reels of stems and cues.\n\n\
         project \"Feature\" {\n    frame_rate 24\n    sample_rate 48kHz\n    \
         picture_start 01:00:00:00\n    release 2027-03-14\n}\n\n\
         import \"std/layouts\"\nimport \"std/delivery/netflix\"\n",
    );
    let roles = ["dialogue", "effects", "foley", "ambience"];
    let mut reel = 0;
    while text.lines().count() < lines {
        reel += 1;
        let _ = write!(text, "\n// ---- reel {reel}\n");
        for (index, role) in roles.iter().cycle().take(24).enumerate() {
            let _ = write!(
                text,
                "\nstem r{reel}_s{index} {{\n    role {role}\n    layout 5.1\n    \
                 file \"stems/R{reel}_{index}.wav\" // the re-recorded stem\n    \
                 at 01:{reel:02}:00:00\n    gain -1.5dB\n    fade in 2s out 500ms\n}}\n"
            );
        }
        for cue in 1..=8 {
            let _ = write!(
                text,
                "\ncue {reel}M{cue} \"Cue {reel}M{cue}\" {{\n    type song\n    usage BI\n    \
                 file \"music/{reel}M{cue}.wav\"\n    at 01:{reel:02}:{cue:02}:00 to 01:{reel:02}:{cue:02}:12\n    \
                 writer \"A. Writer\" society ASCAP share 50%\n    \
                 writer \"B. Writer\" society BMI share 50%\n    \
                 publisher \"Harbor Songs\" society ASCAP share 100%\n    isrc \"USRC1760{reel:04}{cue}\"\n}}\n\n\
                 license sync_{reel}M{cue} {{\n    kind sync\n    cue {reel}M{cue}\n    \
                 licensor \"Harbor Songs\"\n    territory [GB, DE, FR, US]\n    media all\n    \
                 term 2026-01-01 to perpetuity\n    status executed\n}}\n"
            );
        }
        let _ = write!(text, "\nbus R{reel} 5.1 {{\n");
        for index in 0..24 {
            let _ = writeln!(text, "    r{reel}_s{index} -3dB");
        }
        text.push_str("}\n");
        let _ = write!(
            text,
            "\ntarget reel{reel} {{\n    from R{reel}\n    layout 2.0 downmix loro\n    \
             format wav 48kHz 24bit\n    spec netflix.stereo\n    media streaming\n    territory world\n}}\n"
        );
    }
    text
}

fn front_end(criterion: &mut Criterion) {
    let text = recipe(10_000);
    assert_eq!(format(&text).as_deref(), Ok(text.as_str()), "canonical");
    let one_line = text
        .lines()
        .map(|line| line.split("//").next().unwrap_or_default().trim())
        .collect::<Vec<_>>()
        .join(" ");
    let mut group = criterion.benchmark_group("10k-line recipe");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse", |bench| {
        bench.iter(|| parse(SourceId(0), black_box(&text)))
    });
    // `check`: parse, load the standard library, resolve every name and value.
    let resolved = resolve_text("soundtrack.sndtrk", None, &text);
    assert!(!resolved.has_errors(), "{:?}", resolved.diagnostics.first());
    group.bench_function("check (parse and resolve)", |bench| {
        bench.iter(|| resolve_text("soundtrack.sndtrk", None, black_box(&text)))
    });
    group.bench_function("format (canonical input)", |bench| {
        bench.iter(|| format(black_box(&text)))
    });
    group.bench_function("format (one-line input)", |bench| {
        bench.iter(|| format(black_box(&one_line)))
    });
    group.finish();
}

criterion_group!(benches, front_end);
criterion_main!(benches);
