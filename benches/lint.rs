//! How long the lint rules, the rights matrix and the cue sheet take on a
//! feature-sized recipe: 400 stems, 120 cues (60 songs, each with sync,
//! master and album licences), nested buses, 5 targets and an album.
//!
//! Run with `cargo bench --bench lint`.

use std::fmt::Write;

use criterion::{criterion_group, criterion_main, Criterion};

/// A generated recipe that checks clean.
fn recipe(stems: usize, cues: usize) -> String {
    let mut text = String::from(
        "project \"Feature\" {\n    frame_rate 24\n    sample_rate 48kHz\n    picture_start 01:00:00:00\n    release 2027-03-14\n}\n\
         import \"std/layouts\"\nimport \"std/delivery/netflix\"\nimport \"std/delivery/ebu\"\nimport \"std/delivery/album\"\n",
    );
    let roles = ["dialogue", "effects", "foley", "ambience"];
    for stem in 0..stems {
        let role = roles[stem % roles.len()];
        let _ = writeln!(
            text,
            "stem s{stem} {{ role {role} layout 5.1 silence for 2s at 01:00:{:02}:00 }}",
            stem % 60
        );
    }
    for cue in 0..cues {
        let song = cue % 2 == 1;
        let _ = writeln!(
            text,
            "cue {reel}M{cue} \"Cue {cue}\" {{ type {kind} usage {usage} silence for 2s at 01:{minute:02}:00:00 \
             writer \"W{cue}\" society ASCAP share 50% writer \"V{cue}\" society BMI share 50% \
             publisher \"P{cue}\" society ASCAP share 100% {extra}}}",
            reel = cue % 9 + 1,
            kind = if song { "song" } else { "score" },
            usage = if song { "VV" } else { "BI" },
            minute = cue % 60,
            extra = if song {
                "artist \"A\" label \"L\" isrc \"USRC17607839\" "
            } else {
                ""
            },
        );
        if song {
            for kind in ["sync", "master", "album"] {
                let _ = writeln!(
                    text,
                    "license {kind}_{cue} {{ kind {kind} cue {reel}M{cue} licensor \"R\" territory world media all term 2026-01-01 to perpetuity status executed }}",
                    reel = cue % 9 + 1,
                );
            }
        }
    }
    for (bus, role) in ["DX", "FX", "FO", "AM"].iter().zip(roles) {
        let members: Vec<String> = (0..stems)
            .filter(|stem| roles[stem % roles.len()] == role)
            .map(|stem| format!("s{stem}"))
            .collect();
        let _ = writeln!(text, "bus {bus} 5.1 {{ {} }}", members.join(" "));
    }
    text.push_str("bus MX 5.1 { cues }\nbus ME 5.1 { MX FX FO AM }\nbus PM 5.1 { DX ME }\n");
    for (name, from, layout, spec, media) in [
        ("print_master", "PM", "5.1", "netflix.surround", "streaming"),
        (
            "stereo",
            "PM",
            "2.0 downmix loro",
            "netflix.stereo",
            "streaming",
        ),
        (
            "broadcast",
            "PM",
            "2.0 downmix loro",
            "ebu.r128",
            "broadcast",
        ),
        ("me", "ME", "5.1", "netflix.me", "all"),
        ("surround_me", "MX FX FO AM", "5.1", "netflix.me", "all"),
    ] {
        let _ = writeln!(
            text,
            "target {name} {{ from {from} layout {layout} format wav 48kHz 24bit spec {spec} media {media} territory world }}"
        );
    }
    text.push_str("album ost \"Feature\" { kind soundtrack ");
    for cue in 0..cues {
        let _ = write!(text, "track {}M{cue} ", cue % 9 + 1);
    }
    text.push_str("format wav 44.1kHz 16bit spec album.cd }\n");
    text
}

fn bench(c: &mut Criterion) {
    let text = recipe(400, 120);
    let resolved = sndtrk::resolve::resolve_text("soundtrack.sndtrk", None, &text);
    assert!(!resolved.has_errors(), "{:?}", resolved.diagnostics);
    let found = sndtrk::lint::check(&resolved.model);
    assert!(found.is_empty(), "{found:?}");
    let model = &resolved.model;
    c.bench_function("lint: 400 stems, 120 cues, 5 targets, album", |b| {
        b.iter(|| sndtrk::lint::check(model))
    });
    c.bench_function("rights matrix: 120 cues x 6 contexts", |b| {
        b.iter(|| sndtrk::report::rights::matrix(model))
    });
    c.bench_function("cue sheet: 120 cues", |b| {
        b.iter(|| sndtrk::report::cuesheet::cue_sheet(model))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
