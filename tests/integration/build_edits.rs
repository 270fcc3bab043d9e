//! A property test of incremental builds: random sequences of edits to a
//! small recipe and its source files (gains, placements, bus members, a
//! stem's source file swapped or rewritten, a target's layout and downmix,
//! a stem deliverable matching the normalised print master or normalising
//! on its own, an album track's edit, which moves the album's one gain).
//! After every edit the incremental build's `out/` must be byte-identical to
//! a clean build's of the same tree (in a fresh copy of the project), and
//! every stage the incremental build ran must have been reported stale by
//! `sndtrk plan` just before.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::Path,
};

use proptest::prelude::*;
use sndtrk::audio::{ChannelLayout, SampleFormat};

use crate::{
    audio_support::{project::statuses, write_wav},
    outputs::outputs,
    test::Test,
};

const RATE: u32 = 48_000;
/// File stems in the recipe, and the source files they can point at.
const STEMS: usize = 4;
const FILES: usize = 4;
const CUES: usize = 2;
const GAINS: [&str; 5] = ["-12dB", "-6dB", "-3dB", "0dB", "2.5dB"];
const PANS: [&str; 3] = ["C", "L", "R"];
/// A target's layout line: the 5.1 bus as is, or a stereo downmix.
const LAYOUTS: [&str; 3] = ["5.1", "2.0 downmix loro", "2.0 downmix ltrt"];

/// What the recipe and its files say, rendered by [`State::recipe`].
#[derive(Debug, Clone)]
struct State {
    /// Per stem: source file index, gain index, placement in frames after
    /// picture start (24 fps).
    stem_file: [usize; STEMS],
    stem_gain: [usize; STEMS],
    stem_at: [u32; STEMS],
    /// Whether each stem is in bus DX (else in FX); stem 3 is always in FX
    /// and DX always keeps at least one member, so neither bus is empty.
    in_dx: [bool; STEMS],
    cue_gain: [usize; CUES],
    cue_at: [u32; CUES],
    /// Layout of the two targets, indices into [`LAYOUTS`].
    layouts: [usize; 2],
    /// Per source file: a seed for its content (tone and length).
    file_seed: [u32; FILES],
    /// Whether the DX stem deliverable takes the print master's gain
    /// (`match pm`), else normalises on its own.
    stem_matches: bool,
    /// Per cue: whether its album track is the film's edit (with the cue's
    /// gain), else the whole recording.
    film_edit: [bool; CUES],
}

impl State {
    fn initial() -> Self {
        Self {
            stem_file: [0, 1, 2, 3],
            stem_gain: [3, 2, 1, 3],
            stem_at: [0, 6, 12, 3],
            in_dx: [true, true, false, false],
            cue_gain: [3, 1],
            cue_at: [2, 10],
            layouts: [0, 1],
            file_seed: [0, 1, 2, 3],
            stem_matches: true,
            film_edit: [true, false],
        }
    }

    fn recipe(&self) -> String {
        let timecode = |frames: u32| format!("01:00:{:02}:{:02}", frames / 24, frames % 24);
        let mut text = String::from(
            "import \"std/layouts\"\nimport \"std/delivery/ebu\"\nimport \"std/delivery/album\"\n\n\
             project \"Edits\" {\n    frame_rate 24\n    sample_rate 48kHz\n    \
             picture_start 01:00:00:00\n}\n\n",
        );
        for stem in 0..STEMS {
            text += &format!(
                "stem s{stem} {{\n    role effects\n    layout 1.0\n    pan {}\n    \
                 file \"stems/src{}.wav\"\n    at {}\n    gain {}\n}}\n\n",
                PANS[stem % PANS.len()],
                self.stem_file[stem],
                timecode(self.stem_at[stem]),
                GAINS[self.stem_gain[stem]],
            );
        }
        let tones = ["220Hz -24dBFS for 1s", "440Hz -26dBFS for 500ms"];
        for cue in 0..CUES {
            text += &format!(
                "cue {n}M1 \"Cue {n}\" {{\n    type score\n    usage BI\n    writer \"A. Composer\" society ASCAP share 100%\n    publisher \"Film Music\" society ASCAP share 100%\n    tone {}\n    \
                 at {}\n    gain {}\n}}\n\n",
                tones[cue],
                timecode(self.cue_at[cue]),
                GAINS[self.cue_gain[cue]],
                n = cue + 1,
            );
        }
        let members = |dx: bool| {
            (0..STEMS)
                .filter(|&stem| self.in_dx[stem] == dx)
                .map(|stem| format!("s{stem}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        text += &format!("bus DX 5.1 {{ {} }}\n", members(true));
        text += &format!("bus FX 5.1 {{ {} }}\n", members(false));
        text += "bus MX 5.1 { cues }\nbus PM 5.1 { DX MX FX }\n\n";
        for (index, name) in ["main", "alt"].iter().enumerate() {
            text += &format!(
                "target {name} {{\n    from PM\n    layout {}\n    format wav 48kHz 24bit\n}}\n\n",
                LAYOUTS[self.layouts[index]]
            );
        }
        text += "target pm {\n    from PM\n    layout 5.1\n    format wav 48kHz 24bit\n    spec ebu.r128\n}\n\n";
        text += &format!(
            "target dx_stem {{\n    from DX\n    layout 5.1\n    format wav 48kHz 24bit\n    {}\n}}\n\n",
            if self.stem_matches { "match pm" } else { "spec ebu.r128" }
        );
        text += "album ost \"Edits (Original Score)\" {\n    kind score\n";
        for cue in 0..CUES {
            let edit = if self.film_edit[cue] {
                " edit film"
            } else {
                ""
            };
            text += &format!("    track {}M1{edit}\n", cue + 1);
        }
        text += "    format wav 44.1kHz 16bit\n    spec album.streaming\n}\n";
        // The edits move the cues across each other: an overlap is what
        // they test, not a mistake (C006).
        text += "\nlint {\n    allow C006\n}\n";
        text
    }

    /// Applies `edit`; false if it changes nothing worth building.
    fn apply(&mut self, edit: &Edit) -> bool {
        let before = format!("{self:?}");
        match *edit {
            Edit::StemGain(stem, gain) => self.stem_gain[stem] = gain,
            Edit::CueGain(cue, gain) => self.cue_gain[cue] = gain,
            Edit::MoveStem(stem, at) => self.stem_at[stem] = at,
            Edit::MoveCue(cue, at) => self.cue_at[cue] = at,
            Edit::ToggleMember(stem) => {
                let dx = self.in_dx.iter().filter(|&&dx| dx).count();
                if !(self.in_dx[stem] && dx == 1) {
                    self.in_dx[stem] = !self.in_dx[stem];
                }
            }
            Edit::SwapFile(stem, file) => self.stem_file[stem] = file,
            Edit::RewriteFile(file, seed) => self.file_seed[file] = seed,
            Edit::Layout(target, layout) => self.layouts[target] = layout,
            Edit::StemMatches(matches) => self.stem_matches = matches,
            Edit::TrackVersion(cue, film) => {
                self.film_edit[cue] = film;
                // A cue played at 0 dB, with no trims, fades or `to`, is
                // the same clip in the film and on the album: no key moves.
                if GAINS[self.cue_gain[cue]] == "0dB" {
                    return false;
                }
            }
        }
        format!("{self:?}") != before
    }
}

/// One edit to the recipe or a source file.
#[derive(Debug, Clone)]
enum Edit {
    StemGain(usize, usize),
    CueGain(usize, usize),
    MoveStem(usize, u32),
    MoveCue(usize, u32),
    /// Moves a stem between buses DX and FX (removing it from one, adding
    /// it to the other).
    ToggleMember(usize),
    /// Points a stem at another source file.
    SwapFile(usize, usize),
    /// Rewrites a source file in place with other content.
    RewriteFile(usize, u32),
    Layout(usize, usize),
    /// `match pm` on the DX stem deliverable (else its own spec).
    StemMatches(bool),
    /// A cue's album track: the film's edit, or the whole recording.
    TrackVersion(usize, bool),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..STEMS, 0..GAINS.len()).prop_map(|(s, g)| Edit::StemGain(s, g)),
        (0..CUES, 0..GAINS.len()).prop_map(|(c, g)| Edit::CueGain(c, g)),
        (0..STEMS, 0u32..24).prop_map(|(s, at)| Edit::MoveStem(s, at)),
        (0..CUES, 0u32..24).prop_map(|(c, at)| Edit::MoveCue(c, at)),
        (0..3usize).prop_map(Edit::ToggleMember),
        (0..STEMS, 0..FILES).prop_map(|(s, f)| Edit::SwapFile(s, f)),
        (0..FILES, 4u32..1000).prop_map(|(f, seed)| Edit::RewriteFile(f, seed)),
        (0..2usize, 0..LAYOUTS.len()).prop_map(|(t, l)| Edit::Layout(t, l)),
        any::<bool>().prop_map(Edit::StemMatches),
        (0..CUES, any::<bool>()).prop_map(|(c, film)| Edit::TrackVersion(c, film)),
    ]
}

/// Writes source file `index` with the content `seed` selects: a tone whose
/// frequency, level and length (0.4 to 0.9 s) depend on the seed.
fn write_source(dir: &Path, index: usize, seed: u32) {
    let frames = (RATE as usize / 10) * (4 + (seed as usize % 6));
    let frequency = 110.0 + 37.0 * seed as f32;
    let amplitude = 0.05 + 0.01 * (seed % 7) as f32;
    let samples: Vec<f32> = (0..frames)
        .map(|n| {
            amplitude * (2.0 * std::f32::consts::PI * frequency * n as f32 / RATE as f32).sin()
        })
        .collect();
    let path = dir.join(format!("stems/src{index}.wav"));
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

/// Writes the recipe and every source file of `state` into `dir`.
fn write_project(dir: &Path, state: &State) {
    fs::write(dir.join("soundtrack.sndtrk"), state.recipe()).unwrap();
    for (index, &seed) in state.file_seed.iter().enumerate() {
        write_source(dir, index, seed);
    }
}

/// Runs `sndtrk ARGS` in `dir`; its stdout, after checking it succeeded.
fn sndtrk(dir: &Path, args: &[&str]) -> String {
    Test::at(dir)
        .args(args.iter().copied())
        .stdout_any()
        .stderr_any()
        .run()
        .stdout
}

fn with_status<'a>(statuses: &'a BTreeMap<String, String>, wanted: &str) -> BTreeSet<&'a str> {
    statuses
        .iter()
        .filter(|(_, status)| *status == wanted)
        .map(|(id, _)| id.as_str())
        .collect()
}

/// The recipe checks with no diagnostic at all.
fn assert_checks_clean(dir: &Path) {
    // Exit 0 and nothing on either stream.
    let _ = Test::at(dir).arg("check").run();
}

/// Applies `edits` one by one to a built project, checking each rebuild.
fn check_edits(edits: &[Edit]) {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    let mut state = State::initial();
    write_project(dir, &state);
    assert_checks_clean(dir);
    sndtrk(dir, &["build", "--format", "json"]);
    // Recipes built before: returning to one (a member toggled twice) is a
    // revert, which the cache restores without running anything.
    let mut built_recipes = std::collections::HashSet::from([state.recipe()]);
    for (step, edit) in edits.iter().enumerate() {
        if !state.apply(edit) {
            continue;
        }
        let new_recipe = built_recipes.insert(state.recipe());
        match edit {
            Edit::RewriteFile(file, seed) => write_source(dir, *file, *seed),
            _ => fs::write(dir.join("soundtrack.sndtrk"), state.recipe()).unwrap(),
        }
        assert_checks_clean(dir);
        let plan = statuses(&sndtrk(dir, &["plan", "--format", "json"]));
        let stale = with_status(&plan, "stale");
        let progress = sndtrk(dir, &["build", "--format", "json"]);
        let built = statuses(&progress);
        let ran = with_status(&built, "ran");
        assert!(
            ran.is_subset(&stale),
            "step {step} ({edit:?}): ran {:?}, which plan did not report stale ({stale:?})",
            ran.difference(&stale).collect::<Vec<_>>()
        );
        if new_recipe && !matches!(edit, Edit::RewriteFile(..)) {
            // Every edit to a recipe not built before changes some key: that
            // stage runs, or (early cutoff: a stem moved back between two
            // buses that sum to the same print master, after a target
            // change) the cache already holds its output under the new key.
            let restored = progress
                .lines()
                .filter(|line| line.contains(r#""reason":"restored from the cache""#))
                .count();
            assert!(
                !ran.is_empty() || restored > 0,
                "step {step} ({edit:?}) ran nothing and restored nothing"
            );
        }
        assert!(
            built
                .values()
                .all(|status| status == "ran" || status == "fresh"),
            "{built:?}"
        );

        let clean = tempfile::tempdir().unwrap();
        write_project(clean.path(), &state);
        let clean_built = statuses(&sndtrk(clean.path(), &["build", "--format", "json"]));
        assert_eq!(
            built.keys().collect::<Vec<_>>(),
            clean_built.keys().collect::<Vec<_>>(),
            "step {step} ({edit:?}): the same stages"
        );
        let incremental = outputs(dir);
        let expected = outputs(clean.path());
        // The four targets, the two album tracks and the four reports (cue
        // sheet CSV and JSON, rights, the QC report).
        assert_eq!(
            expected.len(),
            10,
            "every deliverable and the reports rendered"
        );
        assert_eq!(
            incremental.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "step {step} ({edit:?}): the same files under out/"
        );
        for (path, bytes) in &expected {
            assert!(
                incremental[path] == *bytes,
                "step {step} ({edit:?}): out/{} differs from a clean build's",
                path.display()
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4,
        max_shrink_iters: 8,
        ..ProptestConfig::default()
    })]

    #[test]
    fn incremental_builds_equal_clean_builds_after_random_edits(
        edits in proptest::collection::vec(edit(), 4)
    ) {
        check_edits(&edits);
    }
}

/// Each kind of edit at least once, in a fixed order, so a regression in
/// one of them does not depend on the random draw.
#[test]
fn every_kind_of_edit_rebuilds_like_a_clean_build() {
    check_edits(&[
        Edit::StemGain(0, 0),
        Edit::CueGain(1, 4),
        Edit::MoveStem(2, 20),
        Edit::MoveCue(0, 17),
        Edit::ToggleMember(2),
        Edit::ToggleMember(0),
        Edit::SwapFile(1, 3),
        Edit::RewriteFile(3, 77),
        Edit::Layout(0, 2),
        Edit::Layout(1, 0),
        Edit::StemMatches(false),
        Edit::CueGain(0, 0),
        Edit::TrackVersion(1, true),
        Edit::StemMatches(true),
        Edit::StemGain(1, 4),
        Edit::TrackVersion(0, false),
    ]);
}
