//! The table of every diagnostic code, the one place a code comes from (in
//! the manner of ruff's code registry): the code, its default severity, a
//! one-line summary and, where there is more to say, a doc.
//!
//! The ranges follow the pipeline: E01xx syntax, E02xx names and imports,
//! E03xx properties, values and ranges, E05xx audio files and operations,
//! E06xx signal processing, E07xx the build engine, E09xx the command line;
//! R (rights), C (cue sheet), D (delivery) and S (schedule: due dates) are
//! the lint rules, whose full docs live beside each rule in `lint/rules/`.
//!
//! A code is used through its constant here (`codes::E0101.code`); the audio
//! core's and engine's error enums name theirs in `#[diagnostic(code(…))]`
//! attributes, which a test holds to this table. Another test demands, for
//! every code of the table, a fixture with its whole rendered text.

use super::Severity;

/// One diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// The stable code, such as `E0101` or `R002`.
    pub code: &'static str,
    /// The severity it is reported with (a lint rule's can be configured).
    pub severity: Severity,
    /// One sentence: what it means.
    pub summary: &'static str,
}

impl Code {
    /// The entry for `code`, if the table has one.
    pub fn find(code: &str) -> Option<&'static Code> {
        CODES.iter().find(|entry| entry.code == code)
    }
}

macro_rules! codes {
    ($( $code:ident $severity:ident $summary:literal; )*) => {
        $(
            #[doc = $summary]
            pub const $code: Code = Code {
                code: stringify!($code),
                severity: Severity::$severity,
                summary: $summary,
            };
        )*
        /// Every code, in code order.
        pub static CODES: &[Code] = &[$($code),*];
    };
}

codes! {
    E0101 Error "The text does not follow the grammar.";
    E0102 Error "A `/*` comment is never closed.";
    E0103 Error "A string is not closed before the end of its line.";
    E0104 Error "A number is too large to represent.";
    E0105 Error "A `\\u{…}` escape is not a character.";
    E0106 Error "A reserved word stands where a name belongs.";
    E0107 Error "A word in a property's place is not a property.";

    E0201 Error "Two declarations of one kind share a name.";
    E0202 Error "An imported file does not exist.";
    E0203 Error "Files import each other in a cycle.";
    E0204 Error "A name that nothing declares.";
    E0205 Error "A name of the wrong kind of thing.";
    E0206 Error "A bus contains itself.";
    E0207 Error "A second `project` declaration.";
    E0208 Error "A recipe with stems, cues, targets or albums but no `project`.";
    E0209 Error "The recipe file cannot be read.";
    E0220 Error "A `lint` block names a code that is no lint rule.";
    E0221 Error "A malformed or misplaced `// sndtrk:` comment.";
    E0222 Error "A target `match`es a target that sets no level: it neither normalises to a loudness spec nor matches one that does.";
    E0223 Error "Targets `match` each other in a cycle.";
    E0224 Error "A `dialogue_gate` names a stem or bus that carries more than dialogue.";

    E0301 Error "A property that this kind of declaration does not take.";
    E0302 Error "A property given twice.";
    E0303 Error "A required property is missing.";
    E0304 Error "An argument of the wrong kind or unit.";
    E0305 Error "A value out of its range.";
    E0306 Error "A timecode that does not exist at the frame rate.";
    E0307 Error "A date that does not exist.";
    E0308 Error "A property lacks an argument.";
    E0309 Error "A property has more arguments than it takes.";
    E0310 Error "A stem or cue with two audio sources.";
    E0311 Error "Layouts that do not fit together.";
    E0320 Error "A multi-mono `file` list lacks a channel of its layout.";
    E0321 Error "A multi-mono `file` list names a channel twice, or one its layout does not have.";
    E0322 Error "A file of a multi-mono set is not mono.";
    E0323 Error "The files of a multi-mono set differ in sample rate or length.";
    E0324 Error "`at bext` places a source that has no `bext` time stamp.";
    E0325 Error "A Broadcast WAV with a time stamp is placed by neither `at` nor `at bext`.";
    E0326 Error "The files of a multi-mono set carry different `bext` time stamps.";

    E0330 Error "A `pan_law` that is not one of 0dB, -3dB, -4.5dB and -6dB.";
    E0331 Error "A `pan` to a channel that the bus or album it reaches does not have.";
    E0332 Error "A `pan` azimuth into a layout with no loudspeakers around the listener to pan between.";
    E0333 Error "A bus member names a downmix that does not convert its layout to the bus's.";
    E0334 Error "Two downmixes for the same pair of layouts are both the `default`.";
    E0335 Error "Several downmixes convert one layout to another and none is the `default`.";
    E0340 Error "Two uses of one stem or cue start on the same frame.";
    E0350 Error "Two reels overlap in timecode.";
    E0351 Error "A project with reels also gives its programme an `end`.";

    E0360 Error "An object's coordinate is outside the room (X and Y from -1 to 1, Z from 0 to 1).";
    E0361 Error "An object has both a `position` and a `path`, or neither.";
    E0362 Error "The times of an object's path do not increase.";
    E0363 Error "A point of an object's path falls outside the object's clip.";
    E0364 Error "A scene has more objects than the Dolby Atmos Master ADM Profile allows (118).";
    E0365 Error "A scene has more tracks than the Dolby Atmos Master ADM Profile allows (128).";
    E0366 Error "A scene's bed has a layout the Dolby Atmos Master ADM Profile does not allow.";
    E0367 Error "An object's source is not mono.";
    E0368 Error "An ADM master's rate or depth is not one the Dolby Atmos Master ADM Profile allows.";
    E0369 Error "A scene names an object twice, or an ADM target is not rendered from one scene.";
    E0370 Error "A scene is re-rendered to a layout the BS.2127 renderer does not target, or through a downmix.";
    E0371 Error "An object that plays a cue also gives audio, placement or processing of its own.";

    E0501 Error "A file cannot be opened, read or written.";
    E0502 Error "A file is not a WAV file.";
    E0503 Error "A WAV file is truncated.";
    E0504 Error "A WAV file's layout or length cannot be handled.";
    E0505 Error "A WAV file uses an unsupported sample format.";
    E0506 Error "A WAV file's header is invalid.";
    E0507 Error "A file's channel count is not the one declared.";
    E0508 Error "A file's sample rate is not the one declared.";
    E0510 Error "An invalid channel layout.";
    E0511 Error "An invalid timecode.";
    E0512 Error "An audio operation got the wrong number of channels.";
    E0513 Error "An invalid downmix matrix.";
    E0514 Error "A pan to a channel the layout does not have.";
    E0515 Error "An invalid audio parameter (gain, fade, frequency, length).";

    E0601 Error "An unknown channel label.";
    E0602 Error "No default channel layout for this many channels.";
    E0603 Error "A signal that cannot be metered.";
    E0604 Error "A block that does not hold whole frames.";
    E0605 Error "Normalising would break the true-peak ceiling.";
    E0606 Error "A silent programme cannot be normalised.";
    E0607 Error "A resampling that cannot be done.";
    E0608 Error "A bit depth that cannot be dithered to.";
    E0609 Error "A dialogue stream that does not match its mix.";
    E0610 Error "A processing parameter out of range.";
    E0611 Error "A file that cannot be metered.";
    E0612 Error "A limited deliverable that misses its loudness or its true-peak ceiling.";

    E0701 Error "The project cannot be locked.";
    E0702 Error "The build state or cache cannot be read or written.";
    E0703 Error "A source file cannot be read.";
    E0704 Error "Two stages have one id.";
    E0705 Error "A stage consumes an output no stage produces.";
    E0706 Error "A stage depends on itself.";
    E0707 Error "No stage or target has the name given.";
    E0708 Error "The build failed.";
    E0709 Error "A stage crashed.";
    E0710 Warning "A damaged or unknown build state or stat cache was discarded.";
    E0720 Warning "Requests to the remote cache failed; the stages were rendered locally.";
    E0721 Warning "The remote cache served damaged objects; they were discarded.";
    E0722 Warning "The remote cache token was withheld from a plain HTTP server.";
    E0723 Error "A required remote cache failed.";
    E0724 Error "The remote cache settings are not usable.";

    E0901 Error "An invalid size on the command line.";
    E0911 Error "A path on the command line does not exist.";
    E0912 Error "A directory on the command line cannot be read.";
    E0913 Error "A recipe file cannot be read.";
    E0914 Error "A recipe file is not UTF-8 text.";
    E0915 Error "A recipe file cannot be written.";

    E0930 Error "`sndtrk diff` runs outside a git repository.";
    E0931 Error "`sndtrk diff` is given a revision git does not know.";
    E0932 Error "The `git` command cannot be run, or fails.";
    E0933 Error "A revision's files cannot be written to a temporary directory.";

    R001 Error "A song reaches a target's mix without an executed sync licence.";
    R002 Error "A song reaches a target's mix without an executed master licence.";
    R003 Error "A song on an album has no executed album licence.";
    R004 Error "A licence a target or album relies on does not cover its media.";
    R005 Error "A licence a target or album relies on does not cover its territory.";
    R006 Error "A licence's term does not include the release date.";
    R007 Warning "A licence is quoted or pending, not executed.";
    R008 Warning "A licence covers a cue that no target or album uses.";
    R009 Error "A score album holds a song.";

    C001 Error "A cue's writer shares do not sum to 100% (or it has no writer).";
    C002 Error "A cue's publisher shares do not sum to 100%.";
    C003 Error "A cue has no usage code, or a cue in the picture has no `at`.";
    C004 Warning "A song has no ISRC, or an ISRC or ISWC is malformed.";
    C005 Warning "A writer or publisher has no performing-rights society.";
    C006 Warning "Two uses of music cues overlap in the picture.";
    C007 Warning "A clip runs past the end of its reel or of the programme, and is cut there.";

    D001 Error "A target's layout, rate or depth breaks its spec.";
    D002 Error "An M&E target contains a dialogue or ADR stem.";
    D003 Error "A stem's or cue's file contradicts what the recipe declares.";
    D004 Error "A deliverable measures outside its spec's loudness or true peak (after a build).";
    D005 Warning "A stem or cue is used by no bus, or a bus by nothing.";
    D006 Error "An album's format breaks its spec.";
    D007 Error "A deliverable clips: a sample at full scale or a true peak above 0 dBTP (after a build).";
    D008 Warning "A stem or M&E from a normalised target's mix neither normalises nor `match`es it.";
    D009 Error "A stem's or cue's trims remove more than its audio holds, or a fade is longer than the clip.";
    D010 Warning "A stem's or cue's `to` lies a frame or more past the end of its audio, its trims leave nothing, or its fades overlap.";

    S001 Error "A deliverable is due after its release date.";
    S002 Warning "A deliverable is due within 7 days (or overdue) and is not ready.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_in_order() {
        for pair in CODES.windows(2) {
            let rank = |code: &str| {
                let class = "ERCDS".find(&code[..1]).unwrap_or(9);
                (class, code.to_owned())
            };
            assert!(
                rank(pair[0].code) < rank(pair[1].code),
                "{} then {}",
                pair[0].code,
                pair[1].code
            );
        }
    }

    #[test]
    fn every_summary_is_one_sentence() {
        for code in CODES {
            assert!(code.summary.ends_with('.'), "{}", code.code);
            assert!(!code.summary.contains('\n'), "{}", code.code);
        }
    }
}
