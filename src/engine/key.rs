//! Stage keys: a canonical, versioned, unambiguous encoding of everything a
//! stage's output depends on, hashed with blake3.
//!
//! The key of a stage is the hash of the engine's format version, the stage
//! kind, its parameters, the identities (content hashes) of the source files
//! it reads and the output hashes of the stages it consumes. Every field goes
//! through one [`KeySink`]: [`KeyHasher`] turns the fields into bytes (a tag
//! per section and type, then length-prefixed name and value, never text
//! formatted for humans), [`Manifest`] records them as readable
//! `(name, value)` lines. Because both are fed by the very same
//! [`write_stage_key`] call, `--explain` can diff the previous manifest
//! against the current one and name the field that changed the key (the
//! approach of evmar/n2's `hash.rs`).

use std::{fmt, str::FromStr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The version of the key encoding and of what the stages compute. Bump it
/// whenever a stage's output for the same key could change: every key
/// changes with it, so every stage re-runs once. (2: counter-based TPDF
/// dither, ties-to-even rounding. 3: digital silence undithered; `bext`
/// version 2 with the deliverable's loudness. 4: loudness merged from
/// chunks, normalisation gains on a 0.05 dB step. 5: sndtrk's own
/// K-weighting filter, true peaks summed oldest sample first.)
pub const ENGINE_FORMAT_VERSION: u64 = 5;

/// A blake3 digest: the identity of a file, a store object or a stage key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(pub [u8; 32]);

impl Digest {
    /// The identity of a source file the engine could not read, for a
    /// stage that keys such files (see
    /// [`crate::engine::stage::UnreadableFiles::Key`]). A key hashes it as
    /// the text `unreadable`, not as a digest ([`write_stage_key`]), so no
    /// file's content can have the same identity.
    pub const UNREADABLE: Digest = Digest([0; 32]);

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(*blake3::hash(bytes).as_bytes())
    }

    /// Lower-case hexadecimal, 64 characters.
    pub fn to_hex(&self) -> String {
        blake3::Hash::from_bytes(self.0).to_hex().to_string()
    }

    /// The first 12 hexadecimal digits, enough for humans to tell apart.
    pub fn short(&self) -> String {
        self.to_hex()[..12].to_owned()
    }
}

impl From<blake3::Hash> for Digest {
    fn from(hash: blake3::Hash) -> Self {
        Self(*hash.as_bytes())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.short())
    }
}

/// The text was not 64 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadDigest;

impl FromStr for Digest {
    type Err = BadDigest;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        blake3::Hash::from_hex(text)
            .map(Self::from)
            .map_err(|_| BadDigest)
    }
}

/// Hexadecimal in human-readable formats (JSON), 32 raw bytes otherwise.
impl Serialize for Digest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_hex())
        } else {
            serializer.serialize_bytes(&self.0)
        }
    }
}

struct DigestVisitor;

impl serde::de::Visitor<'_> for DigestVisitor {
    type Value = Digest;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a blake3 digest (64 hexadecimal digits or 32 bytes)")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Digest, E> {
        text.parse()
            .map_err(|_| E::custom("expected 64 hexadecimal digits"))
    }

    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Digest, E> {
        <[u8; 32]>::try_from(bytes)
            .map(Digest)
            .map_err(|_| E::invalid_length(bytes.len(), &self))
    }
}

impl<'de> Deserialize<'de> for Digest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(DigestVisitor)
        } else {
            deserializer.deserialize_bytes(DigestVisitor)
        }
    }
}

/// Which part of a key a field belongs to. Encoded into the hash, so a
/// parameter can never collide with an input of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The engine format version.
    Engine,
    /// The stage id.
    Stage,
    /// The stage kind (`bus`, `target`, ...).
    Kind,
    /// A parameter the stage writes itself.
    Param,
    /// A source file the stage reads, by content hash.
    File,
    /// Another stage's output, by content hash.
    Input,
}

impl Section {
    fn tag(self) -> u8 {
        match self {
            Section::Engine => 1,
            Section::Kind => 2,
            Section::Param => 3,
            Section::File => 4,
            Section::Input => 5,
            Section::Stage => 6,
        }
    }

    /// The word that starts the field's manifest name (`param gain_db`).
    fn word(self) -> &'static str {
        match self {
            Section::Engine => "engine",
            Section::Stage => "stage",
            Section::Kind => "kind",
            Section::Param => "param",
            Section::File => "file",
            Section::Input => "input",
        }
    }
}

/// One typed value of a key field.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    Str(&'a str),
    Bytes(&'a [u8]),
    U64(u64),
    I64(i64),
    /// Hashed by its bit pattern (all NaNs as one), shown with Rust's
    /// shortest round-trip formatting.
    F64(f64),
    Bool(bool),
    Digest(&'a Digest),
}

impl Value<'_> {
    fn tag(&self) -> u8 {
        match self {
            Value::Str(_) => 1,
            Value::Bytes(_) => 2,
            Value::U64(_) => 3,
            Value::I64(_) => 4,
            Value::F64(_) => 5,
            Value::Bool(_) => 6,
            Value::Digest(_) => 7,
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(text) => write!(f, "{text:?}"),
            Value::Bytes(bytes) => {
                f.write_str("0x")?;
                bytes.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
            }
            Value::U64(number) => write!(f, "{number}"),
            Value::I64(number) => write!(f, "{number}"),
            Value::F64(number) => write!(f, "{number:?}"),
            Value::Bool(flag) => write!(f, "{flag}"),
            Value::Digest(digest) => f.write_str(&digest.to_hex()),
        }
    }
}

/// Receives the fields of a key, in order. Implemented by [`KeyHasher`]
/// (the key) and [`Manifest`] (its human description).
pub trait KeySink {
    /// One field of the given section.
    fn field(&mut self, section: Section, name: &str, value: Value<'_>);

    /// One field, with how a person reads it: `shown_name` in the recipe's
    /// words (`cue 1M2: gain`) and `shown_value` in its notation (`-3dB`).
    /// The key hashes `name` and `value` alone, so a label never changes a
    /// key; the manifest records the label.
    fn shown(
        &mut self,
        section: Section,
        name: &str,
        value: Value<'_>,
        shown_name: &str,
        shown_value: &str,
    ) {
        let _ = (shown_name, shown_value);
        self.field(section, name, value);
    }

    /// Whether [`KeySink::shown`]'s words are read (the manifest's are; the
    /// key's are not, so [`Params`] does not make them for it: a no-op
    /// build of 1,000 stems hashes 30,000 clip fields).
    fn reads_labels(&self) -> bool {
        true
    }
}

/// Hashes key fields into blake3 with an unambiguous binary encoding:
/// section tag, name length (u64 LE) and bytes, value tag, then the value
/// (fixed-width little-endian numbers, length-prefixed strings and bytes).
///
/// The encoding is gathered in a buffer and hashed in blocks: a bus of 50
/// clips writes about 5,000 pieces of a few bytes each, and blake3 hashes a
/// block of kilobytes far faster than as many tiny updates. The digest is
/// the same (blake3 hashes the concatenation).
pub struct KeyHasher {
    hasher: blake3::Hasher,
    pending: Vec<u8>,
}

/// How much encoding [`KeyHasher`] gathers before hashing it.
const KEY_BLOCK: usize = 16 * 1024;

impl Default for KeyHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl KeyHasher {
    /// A hasher primed with the domain `sndtrk stage key`.
    pub fn new() -> Self {
        let mut hasher = Self {
            hasher: blake3::Hasher::new(),
            pending: Vec::with_capacity(KEY_BLOCK),
        };
        hasher.write_bytes(b"sndtrk stage key");
        hasher
    }

    /// The key.
    pub fn finish(&self) -> Digest {
        let mut hasher = self.hasher.clone();
        hasher.update(&self.pending);
        hasher.finalize().into()
    }

    fn write(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= KEY_BLOCK {
            self.hasher.update(&self.pending);
            self.pending.clear();
        }
    }

    fn write_bytes(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }
}

impl KeySink for KeyHasher {
    fn reads_labels(&self) -> bool {
        false
    }

    fn field(&mut self, section: Section, name: &str, value: Value<'_>) {
        self.write(&[section.tag()]);
        self.write_bytes(name.as_bytes());
        self.write(&[value.tag()]);
        match value {
            Value::Str(text) => self.write_bytes(text.as_bytes()),
            Value::Bytes(bytes) => self.write_bytes(bytes),
            Value::U64(number) => self.write(&number.to_le_bytes()),
            Value::I64(number) => self.write(&number.to_le_bytes()),
            Value::F64(number) => {
                let bits = if number.is_nan() {
                    f64::NAN.to_bits()
                } else {
                    number.to_bits()
                };
                self.write(&bits.to_le_bytes());
            }
            Value::Bool(flag) => self.write(&[u8::from(flag)]),
            Value::Digest(digest) => self.write(&digest.0),
        }
    }
}

/// One line of a manifest: `param gain_db` = `-3.0`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestLine {
    pub name: String,
    pub value: String,
}

/// The human description of what went into a key, field by field, in the
/// order they were hashed. Stored in the build state so the next build can
/// say what changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Manifest {
    pub lines: Vec<ManifestLine>,
}

impl KeySink for Manifest {
    fn shown(
        &mut self,
        _section: Section,
        _name: &str,
        _value: Value<'_>,
        shown_name: &str,
        shown_value: &str,
    ) {
        self.lines.push(ManifestLine {
            name: shown_name.to_owned(),
            value: shown_value.to_owned(),
        });
    }

    fn field(&mut self, section: Section, name: &str, value: Value<'_>) {
        let name = if name.is_empty() {
            section.word().to_owned()
        } else {
            format!("{} {name}", section.word())
        };
        self.lines.push(ManifestLine {
            name,
            value: value.to_string(),
        });
    }
}

/// One difference between two manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A field present in both with different values.
    Changed {
        name: String,
        old: String,
        new: String,
    },
    /// A field only in the new manifest.
    Added { name: String, value: String },
    /// A field only in the old manifest.
    Removed { name: String, value: String },
}

/// Whether a manifest value is too long to show (a digest, a long text):
/// the change is then named without its values.
fn is_long(value: &str) -> bool {
    value.chars().count() > 40
}

/// Whether a manifest line is named in the recipe's words (`cue 1M2: gain`),
/// rather than by section (`param gain_db`, `input bus:DX`).
fn is_labelled(name: &str) -> bool {
    name.contains(": ")
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Changed { name, old, new } => {
                if name.starts_with("input ")
                    || name.starts_with("file ")
                    || is_long(old)
                    || is_long(new)
                {
                    write!(f, "{name} changed")
                } else if is_labelled(name) {
                    write!(f, "{name} {old} → {new}")
                } else {
                    write!(f, "{name} changed from {old} to {new}")
                }
            }
            Change::Added { name, .. } if name.starts_with("input ") => {
                write!(f, "{name} added")
            }
            Change::Added { name, .. } if is_labelled(name) && name.ends_with(": name") => {
                write!(f, "{} added", name.trim_end_matches(": name"))
            }
            Change::Added { name, value } if is_long(value) => write!(f, "{name} added"),
            Change::Added { name, value } => write!(f, "{name} added ({value})"),
            Change::Removed { name, .. } if is_labelled(name) && name.ends_with(": name") => {
                write!(f, "{} removed", name.trim_end_matches(": name"))
            }
            Change::Removed { name, .. } => write!(f, "{name} removed"),
        }
    }
}

impl Manifest {
    /// What changed from `old` to `self`, in the order of `self`'s fields
    /// followed by the removed ones. A repeated name is matched by occurrence.
    pub fn diff(&self, old: &Manifest) -> Vec<Change> {
        let mut remaining: Vec<Option<&ManifestLine>> = old.lines.iter().map(Some).collect();
        let mut changes = Vec::new();
        for line in &self.lines {
            let found = remaining
                .iter_mut()
                .find(|slot| slot.is_some_and(|old| old.name == line.name));
            match found {
                Some(slot) => {
                    let old_line = slot.take().map(|old| old.value.clone()).unwrap_or_default();
                    if old_line != line.value {
                        changes.push(Change::Changed {
                            name: line.name.clone(),
                            old: old_line,
                            new: line.value.clone(),
                        });
                    }
                }
                None => changes.push(Change::Added {
                    name: line.name.clone(),
                    value: line.value.clone(),
                }),
            }
        }
        changes.extend(remaining.into_iter().flatten().map(|line| Change::Removed {
            name: line.name.clone(),
            value: line.value.clone(),
        }));
        changes
    }
}

/// The typed writer a stage uses for its parameters; every field lands in
/// the [`Section::Param`] section of the key.
pub struct Params<'a> {
    sink: &'a mut dyn KeySink,
    /// Field-name prefixes (`clip3`) and what they stand for in the
    /// recipe's words (`cue 1M2`), for the manifest.
    labels: Vec<(String, String)>,
}

impl<'a> Params<'a> {
    /// Wraps a sink (a [`KeyHasher`] or a [`Manifest`]).
    pub fn new(sink: &'a mut dyn KeySink) -> Self {
        Self {
            sink,
            labels: Vec::new(),
        }
    }

    /// Names the fields under `prefix` (`clip3.gain`) in the manifest by
    /// what the prefix stands for in the recipe (`cue 1M2: gain`), with
    /// values in the recipe's notation (`-3dB`). Keys are unchanged.
    pub fn label(&mut self, prefix: &str, label: &str) -> &mut Self {
        if self.sink.reads_labels() {
            self.labels.push((prefix.to_owned(), label.to_owned()));
        }
        self
    }

    /// Whether labels are read (a [`Manifest`]'s), for a caller whose label
    /// takes work to make.
    pub fn reads_labels(&self) -> bool {
        self.sink.reads_labels()
    }

    pub fn value(&mut self, name: &str, value: Value<'_>) -> &mut Self {
        if !self.sink.reads_labels() {
            self.sink.field(Section::Param, name, value);
            return self;
        }
        let labelled = self.labels.iter().rev().find_map(|(prefix, label)| {
            let rest = name.strip_prefix(prefix.as_str())?;
            let field = rest.strip_prefix('.').or(rest.is_empty().then_some(""))?;
            Some((label, field))
        });
        match labelled {
            Some((label, field)) => {
                let (word, shown) = recipe_words(field, value);
                let shown_name = if word.is_empty() {
                    label.clone()
                } else {
                    format!("{label}: {word}")
                };
                self.sink
                    .shown(Section::Param, name, value, &shown_name, &shown);
            }
            None => self.sink.field(Section::Param, name, value),
        }
        self
    }

    pub fn str(&mut self, name: &str, value: &str) -> &mut Self {
        self.value(name, Value::Str(value))
    }

    pub fn bytes(&mut self, name: &str, value: &[u8]) -> &mut Self {
        self.value(name, Value::Bytes(value))
    }

    pub fn u64(&mut self, name: &str, value: u64) -> &mut Self {
        self.value(name, Value::U64(value))
    }

    pub fn i64(&mut self, name: &str, value: i64) -> &mut Self {
        self.value(name, Value::I64(value))
    }

    pub fn f64(&mut self, name: &str, value: f64) -> &mut Self {
        self.value(name, Value::F64(value))
    }

    pub fn bool(&mut self, name: &str, value: bool) -> &mut Self {
        self.value(name, Value::Bool(value))
    }

    pub fn digest(&mut self, name: &str, value: &Digest) -> &mut Self {
        self.value(name, Value::Digest(value))
    }
}

/// A labelled field's name and value in the recipe's words and notation:
/// `gain` -3.0 is `gain` `-3dB`, `fade_in.seconds` 2.0 is `fade in` `2s`.
fn recipe_words(field: &str, value: Value<'_>) -> (String, String) {
    let (base, unit) = match field.rsplit_once('.') {
        Some((base, "seconds")) => (base, "s"),
        Some((base, "frames")) => (base, "f"),
        _ => (field, ""),
    };
    let unit = match base {
        "gain" | "member_gain" | "gain_db" => "dB",
        "level" => "dBFS",
        "frequency" => "Hz",
        _ => unit,
    };
    let word = match base {
        "length" => "duration".to_owned(),
        "member_gain" => "gain in the bus".to_owned(),
        "channels" => "channels".to_owned(),
        "seed" => "noise seed".to_owned(),
        "route" | "route.pan" => "route".to_owned(),
        other => other.replace(['_', '.'], " "),
    };
    let shown = match value {
        Value::Str("") => "none".to_owned(),
        Value::Str(text) => text.to_owned(),
        Value::F64(number) if !unit.is_empty() => {
            let sign = if unit == "dB" && number > 0.0 {
                "+"
            } else {
                ""
            };
            format!("{sign}{number}{unit}")
        }
        other => other.to_string(),
    };
    (word, shown)
}

/// Writes every field of a stage key into `sink`: the engine format
/// version, the stage id, the kind, the parameters (through `params`), then each source
/// file `(declared path, content hash)` and each input `(stage id, output
/// hash)` in the order given. The one function behind both the key and its
/// manifest. A file whose hash is [`Digest::UNREADABLE`] is written as the
/// text `unreadable` (a value of another type than any content hash).
///
/// The stage id is part of the key: two stages never share an output by
/// accident when a stage's output depends on its name in a way its
/// parameters forget to say (a deliverable's metadata, say). The price is
/// that renaming a stage re-runs it once.
pub fn write_stage_key(
    sink: &mut dyn KeySink,
    id: &str,
    kind: &str,
    params: &dyn Fn(&mut Params<'_>),
    files: &[(&str, Digest)],
    inputs: &[(&str, Digest)],
) {
    sink.field(Section::Engine, "", Value::U64(ENGINE_FORMAT_VERSION));
    sink.field(Section::Stage, "", Value::Str(id));
    sink.field(Section::Kind, "", Value::Str(kind));
    params(&mut Params::new(sink));
    for (path, digest) in files {
        let value = if *digest == Digest::UNREADABLE {
            Value::Str("unreadable")
        } else {
            Value::Digest(digest)
        };
        sink.field(Section::File, path, value);
    }
    for (id, digest) in inputs {
        sink.field(Section::Input, id, Value::Digest(digest));
    }
}

/// The key of a stage (see [`write_stage_key`]).
pub fn stage_key(
    id: &str,
    kind: &str,
    params: &dyn Fn(&mut Params<'_>),
    files: &[(&str, Digest)],
    inputs: &[(&str, Digest)],
) -> Digest {
    let mut hasher = KeyHasher::new();
    write_stage_key(&mut hasher, id, kind, params, files, inputs);
    hasher.finish()
}

/// The manifest of a stage key (see [`write_stage_key`]).
pub fn stage_manifest(
    id: &str,
    kind: &str,
    params: &dyn Fn(&mut Params<'_>),
    files: &[(&str, Digest)],
    inputs: &[(&str, Digest)],
) -> Manifest {
    let mut manifest = Manifest::default();
    write_stage_key(&mut manifest, id, kind, params, files, inputs);
    manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain(db: f64) -> impl Fn(&mut Params<'_>) {
        move |params| {
            params.f64("gain_db", db).str("cue", "1M1");
        }
    }

    #[test]
    fn the_key_is_blake3_of_its_encoding_however_long() {
        // The encoding written out by hand, past several of the hasher's
        // blocks, hashed in one piece.
        let mut expected = Vec::new();
        let mut bytes = |bytes: &[u8]| {
            expected.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            expected.extend_from_slice(bytes);
        };
        bytes(b"sndtrk stage key");
        let mut hasher = KeyHasher::new();
        for index in 0..5_000u64 {
            let name = format!("clip{index}.gain");
            hasher.field(Section::Param, &name, Value::F64(-3.5));
            hasher.field(Section::Param, "name", Value::Str("stem dx"));
            hasher.field(Section::File, "n", Value::U64(index));
        }
        let mut expected_hasher = blake3::Hasher::new();
        let mut encoding = expected;
        for index in 0..5_000u64 {
            for (section, name, tag, value) in [
                (
                    Section::Param,
                    format!("clip{index}.gain"),
                    Value::F64(-3.5).tag(),
                    (-3.5f64).to_bits().to_le_bytes().to_vec(),
                ),
                (
                    Section::Param,
                    "name".to_owned(),
                    Value::Str("").tag(),
                    [&7u64.to_le_bytes()[..], b"stem dx"].concat(),
                ),
                (
                    Section::File,
                    "n".to_owned(),
                    Value::U64(0).tag(),
                    index.to_le_bytes().to_vec(),
                ),
            ] {
                encoding.push(section.tag());
                encoding.extend_from_slice(&(name.len() as u64).to_le_bytes());
                encoding.extend_from_slice(name.as_bytes());
                encoding.push(tag);
                encoding.extend_from_slice(&value);
            }
        }
        assert!(encoding.len() > 5 * KEY_BLOCK);
        expected_hasher.update(&encoding);
        assert_eq!(hasher.finish(), Digest::from(expected_hasher.finalize()));
        // Finishing does not consume: more fields, another key.
        let before = hasher.finish();
        hasher.field(Section::Param, "x", Value::Bool(true));
        assert_ne!(hasher.finish(), before);
    }

    #[test]
    fn same_fields_same_key_and_any_change_changes_it() {
        let input = Digest::of(b"dx bus");
        let base = stage_key("s", "place", &gain(-3.0), &[], &[("bus:DX", input)]);
        assert_eq!(
            base,
            stage_key("s", "place", &gain(-3.0), &[], &[("bus:DX", input)])
        );
        let variants = [
            stage_key("t", "place", &gain(-3.0), &[], &[("bus:DX", input)]),
            stage_key("s", "place", &gain(-6.0), &[], &[("bus:DX", input)]),
            stage_key("s", "bus", &gain(-3.0), &[], &[("bus:DX", input)]),
            stage_key("s", "place", &gain(-3.0), &[], &[("bus:FX", input)]),
            stage_key(
                "s",
                "place",
                &gain(-3.0),
                &[],
                &[("bus:DX", Digest::of(b"x"))],
            ),
            stage_key(
                "s",
                "place",
                &gain(-3.0),
                &[("a.wav", input)],
                &[("bus:DX", input)],
            ),
            stage_key("s", "place", &gain(-3.0), &[], &[]),
        ];
        for variant in variants {
            assert_ne!(base, variant);
        }
    }

    #[test]
    fn encoding_is_unambiguous_across_field_boundaries_and_types() {
        let split = |a: &'static str, b: &'static str| {
            move |params: &mut Params<'_>| {
                params.str(a, b);
            }
        };
        // "ab" + "c" against "a" + "bc": length prefixes keep them apart.
        assert_ne!(
            stage_key("s", "k", &split("ab", "c"), &[], &[]),
            stage_key("s", "k", &split("a", "bc"), &[], &[])
        );
        // The same number as signed and unsigned, and the same text as a
        // string and as bytes, are different fields.
        assert_ne!(
            stage_key(
                "s",
                "k",
                &|p| {
                    p.u64("n", 1);
                },
                &[],
                &[]
            ),
            stage_key(
                "s",
                "k",
                &|p| {
                    p.i64("n", 1);
                },
                &[],
                &[]
            )
        );
        assert_ne!(
            stage_key(
                "s",
                "k",
                &|p| {
                    p.str("n", "x");
                },
                &[],
                &[]
            ),
            stage_key(
                "s",
                "k",
                &|p| {
                    p.bytes("n", b"x");
                },
                &[],
                &[]
            )
        );
        // A parameter named like an input is not that input.
        let digest = Digest::of(b"o");
        assert_ne!(
            stage_key(
                "s",
                "k",
                &|p| {
                    p.digest("bus:DX", &digest);
                },
                &[],
                &[]
            ),
            stage_key("s", "k", &|_| {}, &[], &[("bus:DX", digest)])
        );
    }

    #[test]
    fn key_is_pinned_so_an_accidental_encoding_change_is_caught() {
        // If this fails the encoding changed: bump ENGINE_FORMAT_VERSION and
        // update the expected value.
        let mut hasher = blake3::Hasher::new();
        let bytes_field = |hasher: &mut blake3::Hasher, bytes: &[u8]| {
            hasher.update(&(bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        bytes_field(&mut hasher, b"sndtrk stage key");
        hasher.update(&[1]);
        bytes_field(&mut hasher, b"");
        hasher.update(&[3]);
        hasher.update(&ENGINE_FORMAT_VERSION.to_le_bytes());
        hasher.update(&[6]);
        bytes_field(&mut hasher, b"");
        hasher.update(&[1]);
        bytes_field(&mut hasher, b"s");
        hasher.update(&[2]);
        bytes_field(&mut hasher, b"");
        hasher.update(&[1]);
        bytes_field(&mut hasher, b"bus");
        hasher.update(&[3]);
        bytes_field(&mut hasher, b"gain_db");
        hasher.update(&[5]);
        hasher.update(&(-3.0f64).to_bits().to_le_bytes());
        let independent: Digest = hasher.finalize().into();
        assert_eq!(
            stage_key(
                "s",
                "bus",
                &|p| {
                    p.f64("gain_db", -3.0);
                },
                &[],
                &[]
            ),
            independent
        );
    }

    #[test]
    fn manifest_comes_from_the_same_fields_and_diff_names_the_change() {
        let input = Digest::of(b"dx");
        let old = stage_manifest(
            "s",
            "place",
            &gain(-3.0),
            &[("dx.wav", input)],
            &[("bus:DX", input)],
        );
        assert_eq!(
            old.lines
                .iter()
                .map(|line| format!("{} = {}", line.name, line.value))
                .collect::<Vec<_>>(),
            vec![
                format!("engine = {ENGINE_FORMAT_VERSION}"),
                "stage = \"s\"".to_owned(),
                "kind = \"place\"".to_owned(),
                "param gain_db = -3.0".to_owned(),
                "param cue = \"1M1\"".to_owned(),
                format!("file dx.wav = {}", input.to_hex()),
                format!("input bus:DX = {}", input.to_hex()),
            ]
        );
        let new = stage_manifest(
            "s",
            "place",
            &gain(-6.5),
            &[("dx.wav", Digest::of(b"edited"))],
            &[("bus:FX", input)],
        );
        let changes: Vec<String> = new.diff(&old).iter().map(ToString::to_string).collect();
        assert_eq!(
            changes,
            vec![
                "param gain_db changed from -3.0 to -6.5",
                "file dx.wav changed",
                "input bus:FX added",
                "input bus:DX removed",
            ]
        );
        assert!(old.diff(&old).is_empty());
    }

    #[test]
    fn digest_hex_round_trips_and_rejects_garbage() {
        let digest = Digest::of(b"abc");
        assert_eq!(digest.to_hex().parse::<Digest>(), Ok(digest));
        assert_eq!(digest.to_hex().len(), 64);
        assert_eq!("xyz".parse::<Digest>(), Err(BadDigest));
        let json = serde_json::to_string(&digest).unwrap();
        assert_eq!(json, format!("\"{}\"", digest.to_hex()));
        assert_eq!(serde_json::from_str::<Digest>(&json).unwrap(), digest);
        let binary = postcard::to_stdvec(&digest).unwrap();
        assert_eq!(binary.len(), 33);
        assert_eq!(postcard::from_bytes::<Digest>(&binary).unwrap(), digest);
        assert!(postcard::from_bytes::<Digest>(&binary[..20]).is_err());
    }

    #[test]
    fn labels_name_manifest_lines_in_the_recipes_words_and_never_change_a_key() {
        let plain = |gain: f64| {
            move |params: &mut Params<'_>| {
                params.f64("clip3.gain", gain);
            }
        };
        let labelled = |gain: f64| {
            move |params: &mut Params<'_>| {
                params
                    .label("clip3", "cue 1M2")
                    .f64("clip3.gain", gain)
                    .f64("clip3.fade_in.seconds", 2.0)
                    .str("clip3.at", "01:00:04:00");
                params.f64("clip31.gain", gain);
            }
        };
        assert_eq!(
            stage_key("bus:MX", "bus", &plain(-3.0), &[], &[]),
            stage_key(
                "bus:MX",
                "bus",
                &|params: &mut Params<'_>| {
                    params.label("clip3", "cue 1M2").f64("clip3.gain", -3.0);
                },
                &[],
                &[]
            )
        );
        let old = stage_manifest("bus:MX", "bus", &labelled(-3.0), &[], &[]);
        let new = stage_manifest("bus:MX", "bus", &labelled(-1.0), &[], &[]);
        let names: Vec<&str> = new.lines.iter().map(|line| line.name.as_str()).collect();
        assert!(names.contains(&"cue 1M2: fade in"), "{names:?}");
        assert!(names.contains(&"cue 1M2: at"), "{names:?}");
        assert!(names.contains(&"param clip31.gain"), "{names:?}");
        let changes: Vec<String> = new.diff(&old).iter().map(ToString::to_string).collect();
        assert_eq!(
            changes,
            [
                "cue 1M2: gain -3dB → -1dB",
                "param clip31.gain changed from -3.0 to -1.0"
            ]
        );
    }
}
