//! Audio sources: a `file`, or a `tone`, `noise` or `silence` generator and
//! how long it runs.

use crate::{
    diagnostic::Diagnostic,
    model::{AudioSource, NoiseColor},
    resolve::{
        args::{Args, WRONG_ARGUMENT},
        gain::level,
    },
    syntax::ast::{Argument, Value},
    syntax::unit::Dimension,
};

pub(super) fn generator_duration(args: &mut Args<'_, '_>) -> Option<crate::model::Duration> {
    args.expect("for")?;
    let duration = args.duration()?;
    let positive = match duration.value {
        crate::model::Duration::Seconds(value) | crate::model::Duration::Frames(value) => {
            value > 0.0
        }
    };
    let seconds = match duration.value {
        crate::model::Duration::Seconds(value) => value,
        crate::model::Duration::Frames(value) => value / 23.976,
    };
    if !positive || seconds > 24.0 * 3600.0 {
        return args.out_of_range(
            duration.span,
            "a generator runs for more than nothing and less than a day".to_owned(),
            "write a duration such as `2s` or `1f`",
        );
    }
    Some(duration.value)
}

pub(super) fn audio_source(
    args: &mut Args<'_, '_>,
    keyword: &str,
    sample_rate: u32,
) -> Option<AudioSource> {
    match keyword {
        "file" => {
            if let Some(
                argument @ Argument {
                    value: Value::Word(word),
                    ..
                },
            ) = args.peek()
            {
                args.diagnostics.push(
                    Diagnostic::error(WRONG_ARGUMENT, "a file's path is written in quotes")
                        .at(argument.span, "a path without quotes")
                        .help(format!("write `file \"{word}\"`")),
                );
                return None;
            }
            if let Some(
                argument @ Argument {
                    value: Value::List(_),
                    ..
                },
            ) = args.peek()
            {
                let _ = args.list("a list of mono files");
                return super::multi_mono::multi_mono(args, argument);
            }
            let path = args.text("a WAV file's path in quotes")?;
            if path.value.is_empty() {
                return args.out_of_range(
                    path.span,
                    "the file's path is empty".to_owned(),
                    "write the WAV file's path",
                );
            }
            Some(AudioSource::File {
                path: std::path::PathBuf::from(&path.value),
                written: path.value,
            })
        }
        "tone" => {
            let frequency = args.quantity(Dimension::Frequency)?;
            if frequency.value <= 0.0 || frequency.value >= f64::from(sample_rate) / 2.0 {
                return args.out_of_range(
                    frequency.span,
                    format!("a tone of {} Hz is out of range", frequency.value),
                    "write a frequency above 0 Hz and below half the sample rate, such as `1kHz`",
                );
            }
            let level_dbfs = level(args)?;
            let duration = generator_duration(args)?;
            Some(AudioSource::Tone {
                frequency_hz: frequency.value,
                level_dbfs,
                duration,
            })
        }
        "noise" => {
            let color = args.choice(&["pink", "white", "brown"])?;
            let color = match color.name.as_str() {
                "pink" => NoiseColor::Pink,
                "white" => NoiseColor::White,
                _ => NoiseColor::Brown,
            };
            let level_dbfs = level(args)?;
            let duration = generator_duration(args)?;
            Some(AudioSource::Noise {
                color,
                level_dbfs,
                duration,
            })
        }
        _ => {
            let duration = generator_duration(args)?;
            Some(AudioSource::Silence { duration })
        }
    }
}
