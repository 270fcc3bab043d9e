//! Times the front end (resolve, lint, format) on recipes of growing size,
//! to spot super-linear time that the fuzz targets' small inputs miss:
//! `cargo run --release --example scaling [CASE [COPIES]]` from `fuzz/`.
//! Each doubling of the copies should about double the times.

use std::time::Instant;

use sndtrk::{lint, resolve::resolve_text, syntax::format::format};

/// The recipe of a case with `n` copies of its repeated part.
fn recipe(case: &str, n: usize) -> String {
    let project = "project \"p\" { frame_rate 24 sample_rate 48kHz }\nimport \"std/layouts\"\n";
    let stem = |i: usize| format!("stem s{i} {{ role dialogue layout 5.1 tone 440Hz }}\n");
    let mut text = String::from(project);
    match case {
        // Every member of a bus misspelt: a "did you mean" each.
        "unknown-members" => {
            (0..n).for_each(|i| text += &stem(i));
            text += "bus b 5.1 {";
            (0..n).for_each(|i| text += &format!(" s{i}x"));
            text += " }\n";
        }
        "unknown-layouts" => {
            (0..n).for_each(|i| text += &format!("layout l{i} {{ channels [L, R] }}\n"));
            (0..n).for_each(|i| text += &format!("stem s{i} {{ role dialogue layout l{i}x }}\n"));
        }
        "targets" => {
            for i in 0..n {
                text += &stem(i);
                text +=
                    &format!("bus b{i} 5.1 {{ s{i} }}\ntarget t{i} {{ source b{i} layout 5.1 }}\n");
            }
        }
        "cues-licenses" => {
            for i in 0..n {
                text += &format!("cue c{i} \"T\" {{ at 01:00:00:00 tone 440Hz }}\n");
                text += &format!("license l{i} {{ cue c{i} }}\n");
            }
        }
        "bus-chain" => {
            text += &stem(0);
            text += "bus b0 5.1 { s0 }\n";
            (1..n).for_each(|i| text += &format!("bus b{i} 5.1 {{ b{} }}\n", i - 1));
        }
        "duplicates" => (0..n).for_each(|_| text += "stem s { role dialogue }\n"),
        "suppressions" => {
            for i in 0..n {
                text += &format!("// sndtrk: allow(R001) fine\n{}", stem(i));
            }
        }
        _ => panic!("unknown case {case}"),
    }
    text
}

const CASES: [&str; 7] = [
    "unknown-members",
    "unknown-layouts",
    "targets",
    "cues-licenses",
    "bus-chain",
    "duplicates",
    "suppressions",
];

fn main() {
    let case = std::env::args().nth(1);
    let sizes: Vec<usize> = match std::env::args().nth(2) {
        Some(n) => vec![n.parse().expect("a number of copies")],
        None => vec![500, 1000, 2000, 4000],
    };
    for name in CASES
        .iter()
        .filter(|name| case.as_deref().is_none_or(|case| case == **name))
    {
        for &n in &sizes {
            let text = recipe(name, n);
            let start = Instant::now();
            let resolved = resolve_text("scaling.sndtrk", None, &text);
            let resolve = start.elapsed();
            let start = Instant::now();
            let linted = lint::check(&resolved.model);
            let lint = start.elapsed();
            let start = Instant::now();
            let _ = format(&text);
            let format = start.elapsed();
            println!(
                "{name:16} n={n:5} {:7} bytes  resolve {resolve:>10.1?}  lint {lint:>10.1?}  format {format:>10.1?}  {} diagnostics",
                text.len(),
                resolved.diagnostics.len() + linted.len()
            );
        }
    }
}
