//! Every deliverable is a Broadcast WAV whose `bext` chunk (EBU Tech 3285
//! v2) describes it and holds the loudness of the file as written (issue
//! 10, item 8): read by the independent parser of `reference.rs`, the
//! loudness fields checked against the reference meter there and against
//! `sndtrk measure` of the file. `interop::bext` repeats the loudness check
//! with ffmpeg and reads the chunk with ffprobe.

use std::path::Path;

use crate::{
    audio_support::project::build,
    outputs::outputs,
    reference::{self, Wav},
    test::Test,
};

/// A 2-pop, ten seconds of dialogue and effects, and a cue that swells in
/// and out: a normalised 5.1 print master (rendered on its own), a 16-bit
/// stereo mix and a 44.1 kHz one (both rendered in the bus's pass), and an
/// album track (resampled to 44.1 kHz, 16 bits).
pub(crate) const RECIPE: &str = r#"import "std/layouts"
import "std/delivery/netflix"
import "std/delivery/album"

project "Night Harbor" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}

stem pop {
    role sync
    layout 1.0
    pan C
    tone 1kHz -20dBFS for 1f
    at 00:59:58:00
}

stem dx {
    role dialogue
    layout 1.0
    pan C
    noise pink -30dBFS for 10s
    at 01:00:00:00
}

stem fx {
    role effects
    layout 5.1
    noise brown -42dBFS for 10s
    at 01:00:00:00
}

cue 1M1 "Harbor Lights" {
    type score
    usage BI
    tone 220Hz -22dBFS for 6s
    at 01:00:04:00
    fade in 1s out 2s
    writer "Ana Ruiz" society ASCAP share 100%
    publisher "Night Harbor Music" society ASCAP share 100%
}

bus PM 5.1 { pop dx fx cues }

target print_master {
    from PM
    layout 5.1
    format wav 48kHz 24bit
    spec netflix.surround
}

target stereo {
    from PM
    layout 2.0 downmix loro
    format wav 48kHz 16bit
}

target web {
    from PM
    layout 2.0 downmix loro
    format wav 44.1kHz 24bit
}

album ost "Night Harbor (Original Motion Picture Soundtrack)" {
    kind score
    track 1M1
    format wav 44.1kHz 16bit
    spec album.streaming
}
"#;

/// Every deliverable of [`RECIPE`]: file, description, time reference.
pub(crate) const DELIVERABLES: [(&str, &str, u64); 4] = [
    (
        "print_master.wav",
        "Night Harbor - print_master - 5.1 - netflix.surround",
        (3600 - 2) * 48_000,
    ),
    (
        "stereo.wav",
        "Night Harbor - stereo - 2.0",
        (3600 - 2) * 48_000,
    ),
    ("web.wav", "Night Harbor - web - 2.0", (3600 - 2) * 44_100),
    (
        "ost/01 Harbor Lights.wav",
        "Night Harbor - Night Harbor (Original Motion Picture Soundtrack) - 01 Harbor Lights",
        0,
    ),
];

/// The five loudness fields at offset 412, as stored.
pub(crate) fn loudness_fields(bext: &[u8]) -> [i16; 5] {
    [412, 414, 416, 418, 420].map(|at| i16::from_le_bytes([bext[at], bext[at + 1]]))
}

/// The NUL-terminated text of a field.
fn text(field: &[u8]) -> &str {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    std::str::from_utf8(&field[..end]).unwrap()
}

/// Builds [`RECIPE`] in a fresh project; returns it (kept alive) and its `out/`.
pub(crate) fn built() -> (Test, std::path::PathBuf) {
    let test = Test::new().recipe(RECIPE);
    let dir = test.path();
    build(&dir, &[]);
    (test, dir.join("out"))
}

#[test]
fn every_deliverable_has_a_version_2_bext_chunk_describing_it() {
    let (_test, out) = built();
    for (file, description, time_reference) in DELIVERABLES {
        let wav = Wav::read(&out.join(file));
        // bext first, as Tech 3285 lays a BWF file out (after the JUNK
        // chunk that reserves room for ds64), then fmt, then data.
        assert_eq!(
            wav.chunks,
            [*b"JUNK", *b"bext", *b"fmt ", *b"data"],
            "{file}"
        );
        let bext = wav.bext.as_ref().unwrap();
        assert_eq!(bext.len(), 602, "{file}: no CodingHistory");
        assert_eq!(text(&bext[..256]), description, "{file}");
        assert!(bext[..256].iter().all(|b| b.is_ascii()), "{file}");
        assert_eq!(text(&bext[256..288]), "sndtrk", "{file}");
        assert_eq!(
            text(&bext[288..320]),
            format!("sndtrk {}", env!("CARGO_PKG_VERSION")),
            "{file}"
        );
        // No date or time of origination: they would differ build by build.
        assert!(bext[320..338].iter().all(|&b| b == 0), "{file}");
        assert_eq!(wav.time_reference(), Some(time_reference), "{file}");
        assert_eq!(u16::from_le_bytes([bext[346], bext[347]]), 2, "{file}");
        assert!(bext[348..412].iter().all(|&b| b == 0), "{file}: no UMID");
        assert!(bext[422..602].iter().all(|&b| b == 0), "{file}: reserved");
        assert!(
            loudness_fields(bext).iter().all(|&field| field != 0x7FFF),
            "{file}: every loudness field measured"
        );
    }
}

/// The Tech 3285 representation of a measured value: ×100, rounded to
/// nearest with ties away from zero.
fn x100(value: f64) -> f64 {
    (value * 100.0).round()
}

#[test]
fn the_loudness_fields_are_the_measurement_of_the_file_as_written() {
    let (test, out) = built();
    for (file, _, _) in DELIVERABLES {
        let path = out.join(file);
        let wav = Wav::read(&path);
        let [integrated, range, true_peak, momentary, short_term] =
            loudness_fields(wav.bext.as_ref().unwrap()).map(f64::from);

        // The reference meter of `reference.rs` on the samples read back.
        let weights = reference::mask_weights(wav.channel_mask.unwrap());
        let samples = wav.samples();
        let rate = wav.sample_rate;
        let near = |what: &str, field: f64, value: f64, tolerance: f64| {
            assert!(
                (field / 100.0 - value).abs() <= 0.005 + tolerance,
                "{file}: {what} {} in bext, {value:.4} by the reference",
                field / 100.0
            );
        };
        near(
            "integrated",
            integrated,
            reference::integrated_lufs(&samples, &weights, rate),
            0.005,
        );
        near(
            "momentary max",
            momentary,
            reference::momentary_max_lufs(&samples, &weights, rate),
            0.005,
        );
        near(
            "short-term max",
            short_term,
            reference::short_term_max_lufs(&samples, &weights, rate),
            0.005,
        );
        let peak = 20.0 * reference::true_peak_4x(&samples, weights.len()).log10();
        near("true peak", true_peak, peak, 0.05);
        // Tech 3342 leaves the percentiles' rank open: the reference gives
        // the range of the usual choices.
        let (low, high) = reference::loudness_range_lu(&samples, &weights, rate);
        assert!(
            range / 100.0 >= low - 0.01 && range / 100.0 <= high + 0.01,
            "{file}: LRA {} in bext, {low:.3} to {high:.3} by the reference",
            range / 100.0
        );

        // And exactly what `sndtrk measure` reads in the file.
        let ran = Test::at(&test.path())
            .args(["measure", "--format", "json", path.to_str().unwrap()])
            .stdout_any()
            .run();
        let json: serde_json::Value = serde_json::from_str(&ran.stdout).unwrap();
        let measured = |key: &str| x100(json[0][key].as_f64().unwrap());
        assert_eq!(
            [integrated, range, true_peak, momentary, short_term],
            [
                measured("integrated_lufs"),
                measured("lra_lu"),
                measured("true_peak_dbtp"),
                measured("momentary_max_lufs"),
                measured("short_term_max_lufs"),
            ],
            "{file}"
        );
    }
}

#[test]
fn two_builds_give_identical_bytes() {
    let (_first, out) = built();
    let (_second, again) = built();
    let (first, second) = (
        outputs(out.parent().unwrap()),
        outputs(again.parent().unwrap()),
    );
    // With the QC report (`reports/index.html`).
    assert_eq!(first.len(), 8);
    for (path, bytes) in &first {
        assert!(
            second.get(path) == Some(bytes),
            "{} differs between two builds",
            path.display()
        );
    }
    // Rendered again after `clean` in the same project: the same bytes.
    let dir = out.parent().unwrap();
    Test::at(dir).arg("clean").stdout_any().stderr_any().run();
    fresh_build(dir);
    assert_eq!(outputs(dir), first);
}

/// Builds without the cache: `.sndtrk/` removed first.
fn fresh_build(dir: &Path) {
    std::fs::remove_dir_all(dir.join(".sndtrk")).unwrap();
    build(dir, &["-j", "1"]);
}
