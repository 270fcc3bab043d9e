//! Digital silence stays digital silence in a delivered file (issue 10,
//! item 7): the leader between the 2-pop and the first frame of action is
//! exact zeros at 16 and 24 bits, whether the deliverable is normalised
//! (rendered on its own) or not (rendered in its bus's pass), while the
//! 2-pop and the programme are dithered as before. Read back by the
//! independent parser of `reference.rs`.

use crate::{audio_support::project::build, reference::Wav, test::Test};

/// A 2-pop (one frame of 1 kHz at -20 dBFS, two seconds before picture
/// start), then two seconds of programme from 01:00:00:00.
const RECIPE: &str = r#"import "std/layouts"
import "std/delivery/netflix"

project "Leader" {
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
    noise pink -30dBFS for 2s
    at 01:00:00:00
}

stem fx {
    role effects
    layout 2.0
    noise brown -40dBFS for 2s
    at 01:00:00:00
}

bus PM 5.1 { pop dx fx }

target pm {
    from PM
    layout 5.1
    format wav 48kHz 24bit
    spec netflix.surround
}

target stereo16 {
    from PM
    layout 2.0 downmix loro
    format wav 48kHz 16bit
}

target pm24 {
    from PM
    layout 5.1
    format wav 48kHz 24bit
}

target web {
    from PM
    layout 2.0 downmix loro
    format wav 44.1kHz 16bit
}
"#;

/// Frames of the 2-pop (one frame at 24 fps, 48 kHz) and of pop and leader
/// together (two seconds).
const POP: usize = 2_000;
const ACTION: usize = 96_000;

#[test]
fn the_leader_between_the_2_pop_and_the_first_frame_of_action_is_exact_zeros() {
    let test = Test::new().recipe(RECIPE);
    let dir = test.path();
    build(&dir, &[]);
    for (file, channels, bits) in [
        ("pm.wav", 6, 24),
        ("stereo16.wav", 2, 16),
        ("pm24.wav", 6, 24),
    ] {
        let wav = Wav::read(&dir.join("out").join(file));
        assert_eq!(
            (usize::from(wav.channels), wav.bits),
            (channels, bits),
            "{file}"
        );
        // The file starts with the 2-pop, at 00:59:58:00.
        assert_eq!(wav.time_reference(), Some((3600 - 2) * 48_000), "{file}");
        let samples = wav.samples();
        assert_eq!(samples.len(), 4 * 48_000 * channels, "{file}");
        let frame = |n: usize| &samples[n * channels..(n + 1) * channels];
        // The leader: every sample of every channel exactly 0.
        for n in POP..ACTION {
            assert!(
                frame(n).iter().all(|&s| s == 0.0),
                "{file}: frame {n} of the leader is {:?}",
                frame(n)
            );
        }
        // The 2-pop is there (in C, or folded into L and R).
        let pop_peak = (0..POP)
            .flat_map(|n| frame(n).iter())
            .fold(0.0f32, |m, s| m.max(s.abs()));
        assert!(pop_peak > 0.01, "{file}: 2-pop peak {pop_peak}");
        // The programme plays in L, R (and C).
        let programme = &samples[ACTION * channels..];
        for c in 0..channels.min(3) {
            assert!(
                programme
                    .iter()
                    .skip(c)
                    .step_by(channels)
                    .any(|&s| s != 0.0),
                "{file}: channel {c} of the programme is silent"
            );
        }
    }
    // Resampled, the 2-pop and the first frame of action ring through the
    // resampler's filter for a few milliseconds; beyond its reach the
    // leader is exact zeros too.
    let web = Wav::read(&dir.join("out/web.wav"));
    assert_eq!(web.sample_rate, 44_100);
    let samples = web.samples();
    let (from, to) = ((1_838 + 2_205) * 2, (88_200 - 2_205) * 2);
    assert!(
        samples[from..to].iter().all(|&s| s == 0.0),
        "web.wav: the leader, 50 ms from its ends, is not digital silence"
    );
    assert!(samples[to..].iter().any(|&s| s != 0.0));
    // Nothing reaches the LFE and surrounds of the 5.1 deliverables: they
    // are all zeros, not dither noise.
    for file in ["pm.wav", "pm24.wav"] {
        let samples = Wav::read(&dir.join("out").join(file)).samples();
        for c in 3..6 {
            assert!(
                samples.iter().skip(c).step_by(6).all(|&s| s == 0.0),
                "{file}: channel {c} is not digital silence"
            );
        }
    }
}

#[test]
fn silent_stretches_are_the_same_bytes_whatever_the_thread_count() {
    let mut files = Vec::new();
    for jobs in ["1", "4"] {
        let test = Test::new().recipe(RECIPE);
        let dir = test.path();
        build(&dir, &["-j", jobs]);
        files.push(crate::outputs::outputs(&dir));
    }
    assert_eq!(files[0], files[1]);
}
