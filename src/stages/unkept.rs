//! Buses that are not kept: mixed from their members where they are read.
//!
//! A full-length bus is as large as a deliverable or larger (a 5.1 float
//! bus is 24 bytes a frame, a 5.1 24-bit print master 18), and a film's
//! buses, kept whole in the cache, made it five times the size of what it
//! delivers. Yet a bus is a pure function of its members. So a bus whose
//! every reader can mix it itself is *unkept* ([`Unkept::choose`]): its
//! stage still runs, keys its chunks ([`crate::stages::region`]) and
//! leaves their index, but its object is a few lines that name it by those
//! keys ([`placeholder`]), not the audio. A stage that reads it
//! ([`open`]) mixes it from its members as it reads: over the whole
//! programme in a clean build, over the chunks it renders again after an
//! edit (its sources seek there, as a bus's splice does). What it reads
//! is, sample for sample, what the bus's file would have held: the same
//! code mixes it, and a span mixed alone is that span of a whole mix.
//!
//! Its readers may be:
//!
//! - a bus that has it as a sub-bus (and renders the long play itself);
//! - a deliverable that reads it from its `from`, with no reel, no ADM
//!   master, no `match` and not as an object or a dialogue gate.
//!
//! Any other reader (a measurement, a dialogue gate, a reel, a scene)
//! keeps it. In a clean build the bus leads the deliverables that read it
//! alone ([`crate::stages::follow`]) and mixes them in its own pass; a
//! normalised one mixes it again once its gain is known.

use std::{collections::HashMap, io::Read, path::Path, sync::Arc};

use miette::IntoDiagnostic;

use crate::{
    audio::{AudioError, Source, WavReader},
    engine::stage::{InputObject, Stage},
    lower::{RenderPlan, Route, StageSpec},
    stages::bus::{BusLayout, BusRender},
    stages::keys::Setting,
    stages::programme::Segment,
    stages::region::ChunkKeys,
};

/// The first line of an unkept bus's object.
const MAGIC: &[u8] = b"sndtrk unkept bus 1\n";

/// The buses of a recipe that are not kept, each with the stage that
/// mixes it.
#[derive(Clone, Default)]
pub(super) struct Unkept {
    buses: HashMap<String, Arc<BusRender>>,
}

impl Unkept {
    /// The buses of `plan` not to keep: every long-play `bus:` whose
    /// readers are all buses or deliverables that can mix it (see the
    /// module's documentation), `stages` being `plan`'s stages (by index
    /// in `plan.stages`) as built without any unkept bus.
    pub fn choose(
        plan: &RenderPlan,
        stages: &[(usize, Box<dyn Stage>)],
        setting: &Setting,
    ) -> Unkept {
        let none = Arc::new(Unkept::default());
        // Each stage's readers, by the index of their specs.
        let mut readers_of: HashMap<&str, Vec<usize>> = HashMap::new();
        for (index, stage) in stages {
            for input in stage.inputs() {
                readers_of.entry(input.as_str()).or_default().push(*index);
            }
        }
        let mut buses = HashMap::new();
        for spec in &plan.stages {
            let StageSpec::Bus(bus) = spec else {
                continue;
            };
            let id = bus.id.as_str();
            if !id.starts_with("bus:") || bus.reel.is_some() {
                continue;
            }
            let readers = readers_of.get(id).map_or(&[][..], Vec::as_slice);
            if readers.is_empty() {
                continue;
            }
            if readers.iter().all(|index| mixes(&plan.stages[*index], id)) {
                let render = BusRender::new(bus, setting.clone(), &none);
                buses.insert(id.to_string(), Arc::new(render));
            }
        }
        Unkept { buses }
    }

    /// Whether every bus is kept.
    pub fn is_empty(&self) -> bool {
        self.buses.is_empty()
    }

    /// Whether bus `id` is not kept.
    pub fn contains(&self, id: &str) -> bool {
        self.buses.contains_key(id)
    }

    /// The ids of the bus stages not kept, sorted.
    #[cfg(test)]
    pub fn ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.buses.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// Adds to `inputs`, each once, the stage outputs that mixing bus `id`
    /// reads, when it is not kept: the timeline, its sub-buses, its clips'
    /// `resample:` stages, and what mixing its unkept sub-buses reads.
    pub fn add_needs(&self, id: &str, inputs: &mut Vec<String>) {
        let Some(bus) = self.buses.get(id) else {
            return;
        };
        for input in bus.inputs() {
            if !inputs.contains(input) {
                inputs.push(input.clone());
            }
            self.add_needs(input, inputs);
        }
    }
}

/// Whether stage `reader` can mix bus `id` itself, where it reads it.
fn mixes(reader: &StageSpec, id: &str) -> bool {
    match reader {
        StageSpec::Bus(parent) => {
            parent.reel.is_none() && parent.buses.iter().any(|(sub, _, _)| sub.as_str() == id)
        }
        StageSpec::Target(target) => {
            let from: Vec<&Route> = target
                .from
                .iter()
                .filter(|(from, _)| from.as_str() == id)
                .map(|(_, route)| route)
                .collect();
            target.matched.is_none()
                && target.reel.is_none()
                && target.adm.is_none()
                && !from.is_empty()
                && from.iter().all(|route| !matches!(route, Route::Object(_)))
                && !target.dialogue.iter().any(|gate| gate.as_str() == id)
        }
        _ => false,
    }
}

/// The object of an unkept bus of `layout` whose chunks have `keys`: what
/// it holds is named, not the audio, so the object changes exactly when
/// the bus's samples would.
pub(super) fn placeholder(layout: &BusLayout, keys: &ChunkKeys) -> Vec<u8> {
    let mut text = MAGIC.to_vec();
    text.extend_from_slice(
        format!(
            "frames {}\nchannels {}\nrate {}\ntime_reference {}\nkeys {}\n",
            layout.frames,
            layout.channels,
            layout.rate,
            layout.time_reference,
            blake3::hash(&keys.encode()).to_hex()
        )
        .as_bytes(),
    );
    text
}

/// Whether the object at `path` is an unkept bus's ([`placeholder`]).
pub(super) fn is_placeholder(path: &Path) -> bool {
    let mut start = [0u8; MAGIC.len()];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut start))
        .is_ok_and(|()| start == MAGIC)
}

/// Bus `input` from its start, read by a stage whose inputs are `inputs`:
/// its object, a float WAV file, or, for an unkept bus, the bus mixed from
/// its members as it is read (seeking where the reader skips). With it,
/// the bus's first sample since midnight (its `bext` time reference).
pub(super) fn open(
    input: &InputObject,
    unkept: &Arc<Unkept>,
    inputs: &[InputObject],
) -> miette::Result<(Box<dyn Source>, u64)> {
    if !is_placeholder(&input.path) {
        let reader = WavReader::open(&input.path).into_diagnostic()?;
        let time_reference = reader.format().time_reference.unwrap_or(0);
        return Ok((Box::new(reader), time_reference));
    }
    let Some(bus) = unkept.buses.get(&input.id) else {
        miette::bail!("`{}` was not kept, and cannot be mixed here", input.id);
    };
    let (layout, segments, skip) = bus.layout(inputs)?;
    let time_reference = layout.time_reference;
    let mut mixed = Mixed {
        bus: Arc::clone(bus),
        unkept: Arc::clone(unkept),
        inputs: inputs.to_vec(),
        segments,
        skip,
        frames: layout.frames,
        channels: layout.channels,
        position: 0,
        current: None,
    };
    mixed.current = Some(mixed.mix_on()?);
    Ok((Box::new(mixed), time_reference))
}

/// An unkept bus, mixed from its members as it is read.
struct Mixed {
    bus: Arc<BusRender>,
    unkept: Arc<Unkept>,
    inputs: Vec<InputObject>,
    /// The timeline's segments the bus renders, and where they start in
    /// the long play ([`BusRender::layout`]).
    segments: Vec<Segment>,
    skip: u64,
    frames: u64,
    channels: usize,
    /// The next frame read.
    position: u64,
    /// The mix from `position`, once a read needs it.
    current: Option<Box<dyn Source>>,
}

impl Mixed {
    /// The bus mixed from `position` to its end.
    fn mix_on(&self) -> miette::Result<Box<dyn Source>> {
        let placed = self.bus.place(&self.inputs, &self.segments)?;
        self.bus.span(
            None,
            &self.unkept,
            &placed,
            self.skip,
            self.position..self.frames,
            &self.inputs,
        )
    }

    /// A failure to mix, as the audio core reports one.
    fn error(&self, error: miette::Report) -> AudioError {
        AudioError::Io {
            action: "mix",
            path: self.bus.spec().id.as_str().into(),
            cause: std::io::Error::other(error.to_string()),
        }
    }
}

impl Source for Mixed {
    fn channels(&self) -> usize {
        self.channels
    }

    fn frames(&self) -> u64 {
        self.frames
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        if self.position >= self.frames {
            return Ok(0);
        }
        let current = match self.current.take() {
            Some(current) => current,
            None => self.mix_on().map_err(|error| self.error(error))?,
        };
        let current = self.current.insert(current);
        let frames = current.read(out)?;
        self.position += frames as u64;
        Ok(frames)
    }

    /// Skips without mixing: the next read mixes from there, its sources
    /// seeking to it.
    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let skipped = frames.min(self.frames - self.position);
        if skipped > 0 {
            self.current = None;
            self.position += skipped;
        }
        Ok(skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stages::region::ChunkKeyer;

    fn keys(touched: &[u8]) -> ChunkKeys {
        let mut keyer = ChunkKeyer::new(200_000, 76_800, |params| {
            params.str("kind", "bus");
        });
        let identity = crate::stages::region::identity(|params| {
            params.str("member", std::str::from_utf8(touched).unwrap_or(""));
        });
        keyer.touch(0..1000, &identity);
        keyer.finish()
    }

    /// An unkept bus's object names its keys: another key, another object;
    /// and it is told from a WAV file by its first line.
    #[test]
    fn a_placeholder_names_the_keys_and_is_told_from_a_wav_file() {
        let layout = BusLayout {
            frames: 200_000,
            time_reference: 172_800_000,
            rate: 48_000,
            channels: 6,
        };
        let one = placeholder(&layout, &keys(b"a"));
        assert_eq!(one, placeholder(&layout, &keys(b"a")));
        assert_ne!(one, placeholder(&layout, &keys(b"b")));
        let text = String::from_utf8(one.clone()).unwrap();
        assert!(text.starts_with(
            "sndtrk unkept bus 1\nframes 200000\nchannels 6\nrate 48000\ntime_reference 172800000\nkeys "
        ));
        let dir = tempfile::tempdir().unwrap();
        let named = dir.path().join("named");
        std::fs::write(&named, &one).unwrap();
        assert!(is_placeholder(&named));
        let wav = dir.path().join("bus.wav");
        std::fs::write(&wav, b"RIFF\0\0\0\0WAVEfmt ").unwrap();
        assert!(!is_placeholder(&wav));
        assert!(!is_placeholder(&dir.path().join("missing")));
    }
}
