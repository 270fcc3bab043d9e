//! What the recipe's render stages write into their keys: the project's
//! rates, clips, routes and formats, each under a stable name (the names are
//! part of every key: renaming one rebuilds every project).

use std::path::{Path, PathBuf};

use crate::{
    engine::key::Params,
    lower::{AdmObject, ClipSpec, Route},
    model::{AudioSource, Duration, Format},
    stages::mix::Clock,
};

/// What every render stage of a project shares: its clock, where a clip
/// without `at` starts (the picture start, in samples since midnight), and
/// the project's title.
#[derive(Debug, Clone)]
pub(super) struct Setting {
    pub clock: Clock,
    pub default_start: u64,
    /// The project's title, for the deliverables' `bext` descriptions.
    pub title: String,
}

impl Setting {
    /// The key's first parameters, the same for every render stage.
    pub fn params(&self, params: &mut Params<'_>) {
        params
            .u64("sample_rate", u64::from(self.clock.sample_rate))
            .str("frame_rate", &format!("{:?}", self.clock.frame_rate));
    }
}

pub(super) fn clip_files<'a>(clips: impl Iterator<Item = &'a ClipSpec>) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = clips
        .flat_map(|clip| clip.declared_files().into_iter().map(Path::to_path_buf))
        .collect();
    files.sort();
    files.dedup();
    files
}

/// The declared files of a clip, in the order it reads them, `/`-separated
/// paths joined by spaces.
fn declared_files(clip: &ClipSpec) -> String {
    clip.declared_files()
        .iter()
        .map(|path| path.to_string_lossy().replace('\\', "/"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn duration(params: &mut Params<'_>, name: &str, duration: Option<Duration>) {
    match duration {
        None => params.str(name, "none"),
        Some(Duration::Seconds(seconds)) => params.f64(&format!("{name}.seconds"), seconds),
        Some(Duration::Frames(frames)) => params.f64(&format!("{name}.frames"), frames),
    };
}

/// What of a clip goes into a key: all of it for a bus or a track; for the
/// timeline only what decides where the clip sits and how long it is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ClipUse {
    Timeline,
    Bus,
    Track,
}

/// `stem dx` for the stage-style name `stem:dx`: how the manifest names
/// a clip or bus, in the recipe's words.
pub(super) fn recipe_name(id: &str) -> String {
    id.replacen(':', " ", 1)
}

pub(super) fn clip_params(
    params: &mut Params<'_>,
    prefix: &str,
    clip: &ClipSpec,
    clip_use: ClipUse,
) {
    if params.reads_labels() {
        params.label(prefix, &recipe_name(&clip.name));
    }
    let p = |field: &str| format!("{prefix}.{field}");
    params.str(&p("name"), &clip.name);
    match &clip.source {
        AudioSource::File { .. } => {
            // The file's content hash is part of the key through `files`.
            params.str(&p("source"), "file");
            params.str(&p("file"), &declared_files(clip));
        }
        AudioSource::MultiMono { .. } => {
            // Every file's content hash is part of the key through `files`.
            params.str(&p("source"), "multi-mono");
            params.str(&p("files"), &declared_files(clip));
        }
        AudioSource::Tone {
            frequency_hz,
            level_dbfs,
            duration: length,
        } => {
            params
                .str(&p("source"), "tone")
                .f64(&p("frequency"), *frequency_hz)
                .f64(&p("level"), *level_dbfs);
            duration(params, &p("length"), Some(*length));
        }
        AudioSource::Noise {
            color,
            level_dbfs,
            duration: length,
        } => {
            params
                .str(&p("source"), &format!("noise {color:?}"))
                .f64(&p("level"), *level_dbfs)
                .u64(&p("seed"), clip.seed);
            duration(params, &p("length"), Some(*length));
        }
        AudioSource::Silence { duration: length } => {
            params.str(&p("source"), "silence");
            duration(params, &p("length"), Some(*length));
        }
    }
    params.str(&p("channels"), &clip.channels.join(" "));
    if let Some(resample) = &clip.resample {
        params.str(&p("resample"), resample);
    }
    let settings = &clip.clip;
    if clip_use != ClipUse::Track {
        params.str(
            &p("at"),
            &settings
                .at()
                .map(|at| at.value.to_string())
                .unwrap_or_default(),
        );
    }
    params.str(
        &p("to"),
        &settings
            .until()
            .map(|until| until.value.to_string())
            .unwrap_or_default(),
    );
    duration(params, &p("trim_head"), settings.trim_head);
    duration(params, &p("trim_tail"), settings.trim_tail);
    if clip_use == ClipUse::Timeline {
        return;
    }
    duration(params, &p("fade_in"), settings.fade_in);
    duration(params, &p("fade_out"), settings.fade_out);
    params.str(&p("fade_curve"), &format!("{:?}", settings.fade_curve));
    params.f64(&p("gain"), settings.gain_db);
    route_params(params, &p("route"), &clip.route);
}

pub(super) fn route_params(params: &mut Params<'_>, name: &str, route: &Route) {
    match route {
        Route::Direct => {
            params.str(name, "direct");
        }
        Route::Pan(channel) => {
            params.u64(&format!("{name}.pan"), *channel as u64);
        }
        Route::Matrix { name: matrix, rows } => {
            params.str(&format!("{name}.matrix"), matrix);
            rows_params(params, name, rows);
        }
        Route::Object(object) => object_params(params, name, object),
    }
}

/// A matrix's rows, `NAME.rowI`.
pub(super) fn rows_params(params: &mut Params<'_>, name: &str, rows: &[Vec<f32>]) {
    for (index, row) in rows.iter().enumerate() {
        let text: Vec<String> = row.iter().map(|gain| format!("{gain:?}")).collect();
        params.str(&format!("{name}.row{index}"), &text.join(" "));
    }
}

/// An object rendered from its path, `NAME.object…`.
pub(super) fn object_params(params: &mut Params<'_>, name: &str, object: &AdmObject) {
    params
        .str(&format!("{name}.object"), &object.name)
        .u64(&format!("{name}.object.start"), object.start)
        .str(&format!("{name}.object.path"), &object.path_text())
        // 1: the ADM master's blocks, rendered by BS.2127's allocentric
        // panner with its gain interpolation.
        .u64(&format!("{name}.object.renderer"), 1);
}

pub(super) fn format_params(params: &mut Params<'_>, format: &Format) {
    params
        .u64("format.rate", u64::from(format.sample_rate))
        .u64("format.bits", u64::from(format.bits))
        .bool("format.float", format.float);
    if format.adm {
        params.bool("format.adm", true);
    }
}
