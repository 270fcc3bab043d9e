//! Region-level rebuilds: after an edit confined to a span of the timeline
//! (a cue's gain, fades, placement or trims; a cue's file swapped; a member
//! added or removed), each bus and deliverable re-renders only the chunks
//! the edit touches and keeps the rest of its previous output, and `out/`
//! is byte-identical to a clean build of the edited project.
//!
//! The buses are not kept (each deliverable mixes what it renders from
//! their members), unless the recipe has a target that takes another's
//! level (`Edit::keep`): that one keeps MX and PM, which then splice too.
//!
//! The programme is ten seconds (seven 65,536-frame chunks at 48 kHz): a
//! full-length dialogue stem and three music cues from files.

use std::{collections::BTreeMap, fs, path::Path};

use proptest::prelude::*;
use sndtrk::audio::{ChannelLayout, SampleFormat};

use crate::{audio_support::write_wav, outputs::outputs, test::Test};

const RATE: u32 = 48_000;
const CUES: usize = 3;
const GAINS: [&str; 4] = ["-9dB", "-6dB", "-3dB", "0dB"];

/// The recipe's variables: per cue, its file, gain, placement (in
/// frames of 24 fps after 01:00:00:00), fades, head trim and whether it is
/// in the MX bus.
#[derive(Debug, Clone, PartialEq)]
struct Edit {
    file: [usize; CUES],
    gain: [usize; CUES],
    at: [u32; CUES],
    fade: [bool; CUES],
    trim: [u32; CUES],
    member: [bool; CUES],
    /// Whether a target matching `r128`'s level reads MX (and, through
    /// `r128`, PM), so that both buses are kept.
    keep: bool,
}

impl Edit {
    fn initial() -> Edit {
        Edit {
            file: [0, 1, 2],
            gain: [3, 2, 1],
            at: [12, 80, 170],
            fade: [false, true, false],
            trim: [0, 0, 6],
            member: [true, true, true],
            keep: false,
        }
    }

    /// The same with MX and PM kept.
    fn kept() -> Edit {
        Edit {
            keep: true,
            ..Edit::initial()
        }
    }

    fn recipe(&self) -> String {
        let timecode = |frames: u32| format!("01:00:{:02}:{:02}", frames / 24, frames % 24);
        let mut text = String::from(
            "import \"std/layouts\"\nimport \"std/delivery/ebu\"\nimport \"std/delivery/netflix\"\n\n\
             project \"Regions\" {\n    frame_rate 24\n    sample_rate 48kHz\n    \
             picture_start 01:00:00:00\n}\n\n\
             stem dx {\n    role dialogue\n    layout 1.0\n    pan C\n    \
             file \"stems/dx.wav\"\n    at 01:00:00:00\n}\n\n",
        );
        for cue in 0..CUES {
            let mut body = format!(
                "    type score\n    usage BI\n    writer \"A. Composer\" society ASCAP share 100%\n    \
                 publisher \"Film Music\" society ASCAP share 100%\n    layout 1.0\n    pan {}\n    \
                 file \"music/m{}.wav\"\n    at {}\n    gain {}\n",
                ["L", "R", "C"][cue],
                self.file[cue],
                timecode(self.at[cue]),
                GAINS[self.gain[cue]]
            );
            if self.fade[cue] {
                body += "    fade in 250ms out 500ms\n";
            }
            if self.trim[cue] > 0 {
                body += &format!("    trim head {}f\n", self.trim[cue]);
            }
            text += &format!("cue {n}M1 \"Cue {n}\" {{\n{body}}}\n\n", n = cue + 1);
        }
        let members: Vec<String> = (0..CUES)
            .filter(|&cue| self.member[cue])
            .map(|cue| format!("{}M1", cue + 1))
            .collect();
        text += "bus DX 5.1 { dx }\n";
        text += &format!("bus MX 5.1 {{ {} }}\n", members.join(" "));
        text += "bus PM 5.1 { DX MX }\n\n";
        text += "target pm {\n    from PM\n    layout 5.1\n    format wav 48kHz 24bit\n}\n\n";
        text += "target loro {\n    from PM\n    layout 2.0 downmix loro\n    format wav 48kHz 16bit\n}\n\n";
        // Normalised: spliced while its quantised gain stays, rendered whole
        // when an edit moves it.
        text += "target r128 {\n    from PM\n    layout 2.0 downmix loro\n    format wav 48kHz 24bit\n    spec ebu.r128\n}\n\n";
        // Gated on dialogue: its mix and its dialogue gate measured chunk
        // by chunk.
        text += "target nf {\n    from PM\n    layout 2.0 downmix loro\n    format wav 48kHz 24bit\n    spec netflix.stereo\n}\n\n";
        if self.keep {
            text += "target mx_level {\n    from MX\n    layout 5.1\n    format wav 48kHz 24bit\n    match r128\n}\n\n";
        }
        text += "lint {\n    allow C006 R003\n}\n";
        text
    }
}

/// A mono tone of `seconds` whose pitch and level the file's index sets.
fn write_music(dir: &Path, index: usize, seconds: f32) {
    let frames = (RATE as f32 * seconds) as usize;
    let frequency = 196.0 * (1.0 + index as f32 * 0.25);
    let samples: Vec<f32> = (0..frames)
        .map(|n| 0.2 * (2.0 * std::f32::consts::PI * frequency * n as f32 / RATE as f32).sin())
        .collect();
    let path = dir.join(format!("music/m{index}.wav"));
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    write_wav(
        &path,
        &samples,
        ChannelLayout::mono(),
        SampleFormat::Int24,
        RATE,
        None,
    );
}

fn write_project(dir: &Path, edit: &Edit) {
    fs::write(dir.join("soundtrack.sndtrk"), edit.recipe()).unwrap();
    let dx = dir.join("stems/dx.wav");
    if !dx.exists() {
        fs::create_dir_all(dx.parent().unwrap()).unwrap();
        let frames = RATE as usize * 10;
        let samples: Vec<f32> = (0..frames)
            .map(|n| 0.1 * ((n as f32 * 0.013).sin() + (n as f32 * 0.0021).cos()))
            .collect();
        write_wav(
            &dx,
            &samples,
            ChannelLayout::mono(),
            SampleFormat::Int24,
            RATE,
            None,
        );
        for (index, seconds) in [(0, 1.5), (1, 2.0), (2, 1.2), (3, 1.7)] {
            write_music(dir, index, seconds);
        }
    }
}

/// Builds `dir`; each stage's status and notes.
fn build(dir: &Path) -> BTreeMap<String, (String, Vec<String>)> {
    build_with(dir, &[])
}

/// `sndtrk build --format json ARGS` in `dir`: each stage's line.
fn stage_lines(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let stdout = Test::at(dir)
        .args(["build", "--format", "json"])
        .args(args.iter().copied())
        .stdout_any()
        .stderr_any()
        .run()
        .stdout;
    stdout
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|value| value.get("summary").is_none())
        .collect()
}

/// Builds `dir` with `args` too; each stage's status and notes.
fn build_with(dir: &Path, args: &[&str]) -> BTreeMap<String, (String, Vec<String>)> {
    stage_lines(dir, args)
        .into_iter()
        .map(|value| {
            let notes = value["notes"]
                .as_array()
                .map(|notes| {
                    notes
                        .iter()
                        .filter_map(|note| note.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            (
                value["stage"].as_str().unwrap().to_owned(),
                (value["status"].as_str().unwrap().to_owned(), notes),
            )
        })
        .collect()
}

/// Each `measure:` stage's output digest in `dir`, from a build that
/// finds everything fresh.
fn measurements(dir: &Path) -> BTreeMap<String, String> {
    stage_lines(dir, &[])
        .into_iter()
        .filter_map(|value| {
            let stage = value.get("stage")?.as_str()?.to_owned();
            assert_eq!(value["status"], "fresh", "{stage}");
            stage.starts_with("measure:").then(|| {
                (
                    stage,
                    value["output"].as_str().unwrap_or_default().to_owned(),
                )
            })
        })
        .collect()
}

/// The frames a bus's run re-rendered, from its note (`None`: all of it).
fn rerendered(notes: &[String]) -> Option<(u64, u64)> {
    part_of(notes, "re-rendered ", " frames")
}

/// The frames a normalised target's measurement read of its mix, from its
/// note (`None`: all of it).
fn measured(notes: &[String]) -> Option<(u64, u64)> {
    part_of(notes, "measured ", " frames of its mix")
}

/// `N of M` from the note `{prefix}N of M{suffix}`.
fn part_of(notes: &[String], prefix: &str, suffix: &str) -> Option<(u64, u64)> {
    notes.iter().find_map(|note| {
        let rest = note.strip_prefix(prefix)?.strip_suffix(suffix)?;
        let (part, whole) = rest.split_once(" of ")?;
        Some((part.parse().ok()?, whole.parse().ok()?))
    })
}

/// The stats part of a region index (after its magic, header digest,
/// frames, chunk length, count, keys and flags), if it has stats; then,
/// for a normalised deliverable, the stats part of its mix's index, which
/// follows. (Its mix's keys are left out: like any index's, they describe
/// the bytes under the recipe that made them.)
fn stats_of(index: &[u8]) -> Option<Vec<u8>> {
    let count = u64::from_le_bytes(index.get(65..73)?.try_into().ok()?) as usize;
    let flags = *index.get(73 + 32 * count)?;
    let rest = index.get(73 + 32 * count + 1..)?;
    if flags & 1 == 0 {
        return None;
    }
    if flags & 2 == 0 {
        return Some(rest.to_vec());
    }
    let magic = &index[..17];
    let at = rest.windows(magic.len()).position(|w| w == magic)?;
    let mut stats = rest[..at].to_vec();
    stats.extend(stats_of(&rest[at..])?);
    Some(stats)
}

/// Applies `edits` one after the other to a built project; after each,
/// `out/` must equal a clean build's. Returns, per edit, the frames the MX
/// and PM buses and the two deliverables re-rendered, and the frames the
/// R128 Lo/Ro's measurement read of its mix (`None` when one rendered or
/// read everything or did not run).
fn check(edits: &[Edit]) -> Vec<[Option<(u64, u64)>; 6]> {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let mut current = Edit {
        keep: edits.first().is_some_and(|edit| edit.keep),
        ..Edit::initial()
    };
    write_project(dir, &current);
    build(dir);
    let mut spans = Vec::new();
    for (step, edit) in edits.iter().enumerate() {
        // Whether the buses are kept stays as it began (a target removed
        // leaves its file in `out/`).
        let edit = Edit {
            keep: current.keep,
            ..edit.clone()
        };
        if edit == current {
            continue;
        }
        current = edit.clone();
        write_project(dir, &current);
        let built = build(dir);
        let [mx, pm, pm_target, loro] = ["bus:MX", "bus:PM", "target:pm", "target:loro"]
            .map(|id| built.get(id).and_then(|(_, notes)| rerendered(notes)));
        let [r128, nf] = ["target:r128", "target:nf"]
            .map(|id| built.get(id).and_then(|(_, notes)| measured(notes)));
        spans.push([mx, pm, pm_target, loro, r128, nf]);
        // A spliced bus or deliverable (nothing else uses its previous
        // output but its own stale file in `out/`) is patched in place: it
        // writes the chunks it re-renders, not the rest.
        for (id, spliced) in [
            ("bus:MX", mx),
            ("bus:PM", pm),
            ("target:pm", pm_target),
            ("target:loro", loro),
        ] {
            // An unkept bus is named by its keys, and holds no audio.
            if id.starts_with("bus:") && !current.keep {
                if let Some((status, notes)) = built.get(id) {
                    assert!(
                        status != "ran" || notes.iter().any(|note| note.starts_with("not kept")),
                        "step {step}: {id} was kept: {notes:?}"
                    );
                }
                continue;
            }
            if spliced.is_some() {
                let notes = &built[id].1;
                assert!(
                    notes
                        .iter()
                        .any(|note| note == "patched its previous output in place"),
                    "step {step}: {id} copied its previous output: {notes:?}"
                );
            }
        }
        let clean = tempfile::tempdir().unwrap();
        write_project(clean.path(), &current);
        build(clean.path());
        // Every measurement (the Netflix one gated on dialogue from the
        // chunks its index keeps) is the clean build's, byte for byte.
        assert_eq!(
            measurements(dir),
            measurements(clean.path()),
            "step {step} ({edit:?})"
        );
        let (incremental, expected) = (outputs(dir), outputs(clean.path()));
        assert_eq!(
            incremental.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "step {step}"
        );
        for (path, bytes) in &expected {
            assert!(
                incremental[path] == *bytes,
                "step {step} ({edit:?}): out/{} differs from a clean build's",
                path.display()
            );
        }
        // Every deliverable's measurement chunk by chunk (the stats its
        // region index keeps, at full precision) is the clean build's, bit
        // for bit. (The chunk keys may differ where two recipes give the
        // same bytes: an index describes its output under the recipe that
        // made it, which is enough to splice from it.)
        for entry in fs::read_dir(clean.path().join(".sndtrk/regions")).unwrap() {
            let entry = entry.unwrap();
            // An object's tree of block hashes, beside its index.
            if entry.file_name().to_string_lossy().ends_with(".tree") {
                continue;
            }
            let theirs = fs::read(entry.path()).unwrap();
            let Some(stats) = stats_of(&theirs) else {
                continue;
            };
            let mine = fs::read(dir.join(".sndtrk/regions").join(entry.file_name())).ok();
            assert!(
                mine.as_deref().and_then(stats_of) == Some(stats.clone()),
                "step {step} ({edit:?}): the stats of {:?} differ from a clean build's",
                entry.file_name()
            );
        }
    }
    spans
}

/// Each kind of region edit once: only the chunks the edited cue covers
/// (before and after) are re-rendered, and every build equals a clean one,
/// with the buses unkept, and kept.
#[test]
fn region_edits_re_render_only_their_chunks_and_equal_clean_builds() {
    for keep in [false, true] {
        region_edits_of_each_kind(keep);
    }
}

fn region_edits_of_each_kind(keep: bool) {
    let mut edits = Vec::new();
    let mut edit = Edit {
        keep,
        ..Edit::initial()
    };
    edit.gain[1] = 0; // a gain
    edits.push(edit.clone());
    edit.at[1] = 100; // moved
    edits.push(edit.clone());
    edit.trim[2] = 12; // trimmed
    edits.push(edit.clone());
    edit.fade[0] = true; // faded
    edits.push(edit.clone());
    edit.file[0] = 3; // another file
    edits.push(edit.clone());
    edit.member[2] = false; // a member removed
    edits.push(edit.clone());
    edit.member[2] = true; // and added again (a revert: the buses patched
                           // in place are spliced back, the rest restored)
    edits.push(edit.clone());
    // A cue that ends in the last 200 ms of a chunk (6.25 s, in the chunk
    // of 4.8 s to 6.4 s): the next chunk is copied, but measured again,
    // since its measurement reads back into the edited one.
    edit.at[1] = 102;
    edits.push(edit.clone());
    edit.gain[1] = 2;
    edits.push(edit.clone());
    let spans = check(&edits);
    let total = 10 * RATE as u64;
    for (step, stages) in spans.iter().enumerate().take(6) {
        // The R128 Lo/Ro's measurement reads only those chunks of its mix
        // (its gain may move, and then it is rendered whole); the Netflix
        // one's those of its mix and of its dialogue gate.
        let (gated, both) = stages[5].unwrap_or_else(|| panic!("step {step}: nf measured whole"));
        assert_eq!(
            both,
            2 * total,
            "step {step}: nf measures its mix and its dialogue"
        );
        assert!(gated < total, "step {step}: nf: {gated} of {both} frames");
        for (stage, span) in [
            "bus:MX",
            "bus:PM",
            "target:pm",
            "target:loro",
            "target:r128",
        ]
        .iter()
        .zip(stages)
        {
            if stage.starts_with("bus:") && !keep {
                continue;
            }
            let (part, whole) =
                span.unwrap_or_else(|| panic!("step {step}: {stage} rendered whole"));
            assert_eq!(whole, total, "step {step}: {stage}");
            // At most the cue's chunks before and after: under five seconds.
            assert!(
                part < total / 2,
                "step {step}: {stage}: {part} of {whole} frames"
            );
        }
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        proptest::array::uniform3(0..4usize),
        proptest::array::uniform3(0..GAINS.len()),
        proptest::array::uniform3(0..200u32),
        proptest::array::uniform3(any::<bool>()),
        proptest::array::uniform3(0..10u32),
        proptest::array::uniform3(any::<bool>()),
        any::<bool>(),
    )
        .prop_map(|(file, gain, at, fade, trim, member, keep)| Edit {
            file,
            gain,
            at,
            fade,
            trim,
            member,
            keep,
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2,
        max_shrink_iters: 4,
        ..ProptestConfig::default()
    })]

    /// Random region edits, several at once: incremental equals clean.
    #[test]
    fn random_region_edits_equal_clean_builds(edits in proptest::collection::vec(edit(), 3)) {
        check(&edits);
    }
}

/// A region index is a hint: damaged, cut short or removed, the next build
/// renders whole and its outputs still equal a clean build's; a stage that
/// rendered whole leaves its index again, so its next edit splices (the
/// stages downstream of a fresh stage whose index was lost render whole
/// until that one runs again).
#[test]
fn a_damaged_or_missing_index_costs_a_whole_render_never_a_wrong_output() {
    for keep in [false, true] {
        a_damaged_or_missing_index_with(keep);
    }
}

fn a_damaged_or_missing_index_with(keep: bool) {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let mut edit = Edit {
        keep,
        ..Edit::initial()
    };
    write_project(dir, &edit);
    build(dir);
    let regions = dir.join(".sndtrk/regions");
    let indexes: Vec<_> = fs::read_dir(&regions)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_none())
        .collect();
    // The four timeline stages leave one each (the timeline leaves none).
    assert!(indexes.len() >= 4, "{indexes:?}");
    for (n, path) in indexes.iter().enumerate() {
        match n % 3 {
            0 => fs::write(path, b"not an index").unwrap(),
            1 => {
                let bytes = fs::read(path).unwrap();
                fs::write(path, &bytes[..bytes.len() / 2]).unwrap();
            }
            _ => fs::remove_file(path).unwrap(),
        }
    }
    edit.gain[0] = 0;
    write_project(dir, &edit);
    let built = build(dir);
    for stage in ["bus:MX", "bus:PM", "target:pm", "target:loro"] {
        assert_eq!(built[stage].0, "ran", "{stage}");
        assert_eq!(
            rerendered(&built[stage].1),
            None,
            "{stage} spliced from a bad index"
        );
    }
    let clean = tempfile::tempdir().unwrap();
    write_project(clean.path(), &edit);
    build(clean.path());
    assert_eq!(outputs(dir), outputs(clean.path()));
    edit.gain[0] = 1;
    write_project(dir, &edit);
    let built = build(dir);
    // A kept bus left its index again. (Unkept, PM's keys need DX's
    // index, which stays lost while DX is fresh: PM is written whole, and
    // its deliverables render whole, until DX runs again.)
    if keep {
        assert!(rerendered(&built["bus:MX"].1).is_some(), "{built:?}");
    }
    let clean = tempfile::tempdir().unwrap();
    write_project(clean.path(), &edit);
    build(clean.path());
    assert_eq!(outputs(dir), outputs(clean.path()));
}

/// A clone that fetched everything from the remote cache splices at its
/// first edit as the clone that rendered it would: each stage's region
/// index came down with its output.
#[test]
fn a_project_fetched_from_the_remote_cache_splices_at_its_first_edit() {
    let server = crate::remote_server::CacheServer::start();
    let first = tempfile::tempdir().unwrap();
    write_project(first.path(), &Edit::kept());
    build_with(
        first.path(),
        &["--remote-cache", &server.url, "--remote-upload"],
    );
    let second = tempfile::tempdir().unwrap();
    write_project(second.path(), &Edit::kept());
    let fetched = build_with(second.path(), &["--remote-cache", &server.url]);
    assert!(
        fetched.values().all(|(status, _)| status == "fetched"),
        "{fetched:?}"
    );
    let mut edit = Edit::kept();
    edit.gain[1] = 0;
    write_project(second.path(), &edit);
    let built = build(second.path());
    let total = 10 * RATE as u64;
    for id in ["bus:MX", "bus:PM", "target:pm", "target:loro"] {
        let (part, whole) = built
            .get(id)
            .and_then(|(_, notes)| rerendered(notes))
            .unwrap_or_else(|| panic!("{id} rendered whole: {built:?}"));
        assert!(
            whole == total && part < total / 2,
            "{id}: {part} of {whole}"
        );
    }
    let clean = tempfile::tempdir().unwrap();
    write_project(clean.path(), &edit);
    build(clean.path());
    assert!(
        outputs(second.path()) == outputs(clean.path()),
        "out/ differs from a clean build's"
    );
}

/// A previous output that another stage's output also is (two buses that
/// mix the same) is copied from, never patched in place: the other stage
/// still has it. A deliverable's stale file in `out/` is withdrawn for its
/// patch and the new one delivered.
#[test]
fn a_previous_output_another_stage_shares_is_copied_not_patched() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let mut edit = Edit::kept();
    let twin = "\nbus MX2 5.1 { 1M1 2M1 3M1 }\n\
                target mx2 {\n    from MX2\n    layout 5.1\n    format wav 48kHz 24bit\n    match r128\n}\n";
    write_project(dir, &edit);
    let recipe = |edit: &Edit| edit.recipe() + twin;
    fs::write(dir.join("soundtrack.sndtrk"), recipe(&edit)).unwrap();
    build(dir);
    edit.gain[1] = 0;
    fs::write(dir.join("soundtrack.sndtrk"), recipe(&edit)).unwrap();
    let built = build(dir);
    for id in ["bus:MX", "bus:MX2"] {
        let (status, notes) = &built[id];
        assert_eq!(status, "ran", "{id}");
        assert!(
            rerendered(notes).is_some(),
            "{id} rendered whole: {notes:?}"
        );
        assert!(
            !notes.iter().any(|note| note.contains("in place")),
            "{id} took an object MX2 or MX still had: {notes:?}"
        );
    }
    // PM's previous output is its own: patched.
    assert!(built["bus:PM"]
        .1
        .iter()
        .any(|note| note.contains("in place")));
    let clean = tempfile::tempdir().unwrap();
    write_project(clean.path(), &edit);
    fs::write(clean.path().join("soundtrack.sndtrk"), recipe(&edit)).unwrap();
    build(clean.path());
    assert_eq!(outputs(dir), outputs(clean.path()));
    // Nothing left to do, and every object the build recorded is there.
    let again = build(dir);
    assert!(
        again.values().all(|(status, _)| status == "fresh"),
        "{again:?}"
    );
}

/// An object's tree of block hashes (what a patch in place rehashes only
/// the blocks it wrote with) that is damaged, or is another object's, is
/// not trusted: the patched object is hashed whole, and named by its
/// bytes.
#[test]
fn a_damaged_tree_of_block_hashes_costs_a_whole_hash_never_a_wrong_name() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let mut edit = Edit::kept();
    write_project(dir, &edit);
    build(dir);
    let trees: Vec<_> = fs::read_dir(dir.join(".sndtrk/regions"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "tree")
        })
        .collect();
    assert!(trees.len() >= 4, "{trees:?}");
    for (n, path) in trees.iter().enumerate() {
        let mut bytes = fs::read(path).unwrap();
        match n % 2 {
            // Well formed, one block's hash wrong.
            0 => *bytes.last_mut().unwrap() ^= 1,
            _ => bytes.truncate(bytes.len() - 5),
        }
        fs::write(path, bytes).unwrap();
    }
    edit.gain[0] = 0;
    write_project(dir, &edit);
    let built = build(dir);
    for stage in ["bus:MX", "bus:PM", "target:pm", "target:loro"] {
        let notes = &built[stage].1;
        assert!(
            notes.iter().any(|note| note.contains("in place")),
            "{stage}: {notes:?}"
        );
    }
    // Every object is named by its bytes.
    let objects = dir.join(".sndtrk/objects");
    for shard in fs::read_dir(&objects).unwrap() {
        let shard = shard.unwrap().path();
        if !shard.is_dir() || shard.ends_with("tmp") {
            continue;
        }
        for object in fs::read_dir(&shard).unwrap() {
            let object = object.unwrap().path();
            let name = format!(
                "{}{}",
                shard.file_name().unwrap().to_string_lossy(),
                object.file_name().unwrap().to_string_lossy()
            );
            let bytes = fs::read(&object).unwrap();
            assert_eq!(
                blake3::hash(&bytes).to_hex().as_str(),
                name,
                "{}",
                object.display()
            );
        }
    }
    let clean = tempfile::tempdir().unwrap();
    write_project(clean.path(), &edit);
    build(clean.path());
    assert_eq!(outputs(dir), outputs(clean.path()));
}
