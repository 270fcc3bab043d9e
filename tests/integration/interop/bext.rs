//! The `bext` chunk of the deliverables against ffmpeg and ffprobe: the
//! integrated loudness and true peak sndtrk writes there agree with
//! ffmpeg's `ebur128` measure of the file (±0.1 LU, ±0.2 dB), and ffprobe
//! reads the description, originator, reference and time reference.

use crate::{
    audio_support::s,
    broadcast_wav::{built, loudness_fields, DELIVERABLES},
    interop::tools::{ffmpeg_summary, run},
    reference::Wav,
};

#[test]
fn the_bext_loudness_agrees_with_ffmpeg_and_ffprobe_reads_the_chunk() {
    let (_test, out) = built();
    for (file, description, time_reference) in DELIVERABLES {
        let path = out.join(file);
        let fields = loudness_fields(Wav::read(&path).bext.as_ref().unwrap());
        let (integrated, range, peak) = ffmpeg_summary(&path);
        let ours = |index: usize| f64::from(fields[index]) / 100.0;
        assert!(
            (ours(0) - integrated).abs() <= 0.1,
            "{file}: LoudnessValue {} LUFS, ffmpeg {integrated}",
            ours(0)
        );
        assert!(
            (ours(2) - peak).abs() <= 0.2,
            "{file}: MaxTruePeakLevel {} dBTP, ffmpeg {peak}",
            ours(2)
        );
        // ffmpeg's LRA takes its percentiles as sndtrk's meter does.
        assert!(
            (ours(1) - range).abs() <= 0.1,
            "{file}: LoudnessRange {} LU, ffmpeg {range}",
            ours(1)
        );
        // ffprobe names Description `comment` and Originator `encoded_by`.
        let tags = run(
            "ffprobe",
            &[
                "-v",
                "error",
                "-show_entries",
                "format_tags",
                "-of",
                "json",
                s(&path),
            ],
        );
        let tags: serde_json::Value = serde_json::from_str(&tags).unwrap();
        let tags = &tags["format"]["tags"];
        assert_eq!(tags["comment"], description, "{file}: {tags}");
        assert_eq!(tags["encoded_by"], "sndtrk", "{file}: {tags}");
        assert_eq!(
            tags["originator_reference"],
            format!("sndtrk {}", env!("CARGO_PKG_VERSION")),
            "{file}: {tags}"
        );
        assert_eq!(
            tags["time_reference"],
            time_reference.to_string(),
            "{file}: {tags}"
        );
    }
}
