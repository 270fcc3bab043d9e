//! Encodings sndtrk does not read, written by sox: each a clear error.

use crate::{
    audio_malformed::open_and_read,
    audio_support::{rendered, s},
    interop::tools::run,
};

#[test]
fn unsupported_encodings_from_sox() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            &["-b", "8", "-e", "unsigned-integer"][..],
            "8-bit integer PCM",
        ),
        (&["-e", "a-law"][..], "A-law"),
        (&["-e", "u-law"][..], "µ-law"),
        (&["-b", "64", "-e", "floating-point"][..], "64-bit float"),
        (
            &["-b", "32", "-e", "signed-integer"][..],
            "32-bit integer PCM",
        ),
    ];
    for (i, (options, detail)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("unsupported-{i}.wav"));
        let mut args = vec!["-n", "-r", "48000", "-c", "1"];
        args.extend_from_slice(options);
        args.extend_from_slice(&[s(&path), "synth", "0.01", "sine", "440"]);
        run("sox", &args);
        let err = open_and_read(&path).unwrap_err();
        assert_eq!(
            rendered(&err),
            format!(
                "E0505: `{}` uses an unsupported format: {detail}\nhelp: sndtrk reads 16- and 24-bit integer and 32-bit float PCM; convert with `ffmpeg -i in.wav -c:a pcm_s24le out.wav`",
                path.display()
            )
        );
    }
}
