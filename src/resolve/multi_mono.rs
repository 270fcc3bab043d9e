//! `file [L "DX.L.wav", R "DX.R.wav", …]`: a multi-mono source, one mono
//! file per channel, each item a channel label and a quoted path. Which
//! channels the layout needs is checked once layouts are known
//! ([`crate::lint::sources`]); here only the shape of each item.

use crate::{
    model::{AudioSource, MonoFile, Named},
    resolve::args::Args,
    syntax::ast::{Argument, Value},
};

/// What a multi-mono item is.
const ITEM: &str = "a channel and a quoted path, such as `L \"DX.L.wav\"`";

/// Reads the list `argument` as a multi-mono source; every malformed item
/// is reported, and then there is no source.
pub(super) fn multi_mono(args: &mut Args<'_, '_>, argument: &Argument) -> Option<AudioSource> {
    let Value::List(items) = &argument.value else {
        return args.wrong(argument, ITEM);
    };
    if items.is_empty() {
        return args.out_of_range(
            argument.span,
            "the list of mono files is empty".to_owned(),
            "write one `CHANNEL \"FILE\"` item per channel of the layout",
        );
    }
    let mut files = Vec::new();
    let mut good = true;
    for item in items {
        match item.values.as_slice() {
            [Argument {
                value: Value::Word(channel),
                span: channel_span,
            }, Argument {
                value: Value::Text(path),
                ..
            }] if !path.is_empty() => files.push(MonoFile {
                channel: Named {
                    name: channel.clone(),
                    span: *channel_span,
                },
                path: std::path::PathBuf::from(path),
                written: path.clone(),
                span: item.span,
            }),
            [first, ..] => {
                good = false;
                let wrong = item
                    .values
                    .iter()
                    .find(|value| !matches!(value.value, Value::Word(_) | Value::Text(_)));
                let _: Option<()> = args.wrong(wrong.unwrap_or(first), ITEM);
            }
            [] => good = false,
        }
    }
    good.then_some(AudioSource::MultiMono { files })
}

#[cfg(test)]
mod tests {
    use crate::{model::AudioSource, resolve::resolve_text};

    fn stem(file: &str) -> crate::resolve::Resolved {
        let text = format!(
            "import \"std/layouts\"\nproject \"T\" {{ frame_rate 24 sample_rate 48kHz }}\nstem dx {{ role dialogue layout 2.0 file {file} }}\nbus DX 2.0 {{ dx }}\n"
        );
        resolve_text("soundtrack.sndtrk", None, &text)
    }

    #[test]
    fn a_list_of_channels_and_paths_is_a_multi_mono_source() {
        let resolved = stem(r#"[R "b.wav", L "a.wav"]"#);
        assert!(!resolved.has_errors(), "{:#?}", resolved.diagnostics);
        let audio = resolved.model.stems[0].clip.audio.as_ref().unwrap();
        let AudioSource::MultiMono { files } = &audio.value else {
            panic!("{audio:?}")
        };
        let channels: Vec<&str> = files.iter().map(|f| f.channel.name.as_str()).collect();
        assert_eq!(channels, ["R", "L"]);
        assert_eq!(files[1].written, "a.wav");
    }

    #[test]
    fn malformed_items_are_errors_not_panics() {
        for file in [
            "[]",
            "[L]",
            r#"[L "a.wav" "b.wav"]"#,
            r#"["a.wav" L]"#,
            r#"[L ""]"#,
            "[L 3]",
            r#"[L "a.wav", 01:00:00:00]"#,
        ] {
            let resolved = stem(file);
            assert!(resolved.has_errors(), "{file}");
        }
    }
}
