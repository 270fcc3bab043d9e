//! The unit of work the engine schedules: a [`Stage`] has a readable id
//! (`bus:PM`), a kind, key parameters, the source files it reads, the
//! stages whose outputs it consumes, and a `run` function that reads its
//! inputs' objects and writes exactly one output object.
//!
//! The engine knows nothing about audio: the recipe lowering implements
//! [`Stage`] for its stage types, tests and benchmarks use [`FnStage`].

use std::{
    any::Any,
    fmt,
    path::{Path, PathBuf},
    sync::Arc,
};

use crate::{
    audio::{chunk_stats::ChunkStats, loudness::LoudnessReport, read_tap::ReadTap},
    engine::fingerprint::StatCache,
    engine::key::{Digest, Params},
    engine::regions,
    engine::source_digest::{PendingSources, Resolution},
    engine::store::{ObjectWriter, Store},
};

/// One node of the build graph.
pub trait Stage: Send + Sync {
    /// Unique, stable, readable id, e.g. `bus:PM`, `target:stereo`.
    fn id(&self) -> &str;

    /// The kind, e.g. `bus`; part of the key.
    fn kind(&self) -> &str;

    /// Ids of the stages whose outputs this stage reads, in the order the
    /// stage wants them (the order is part of the key).
    fn inputs(&self) -> &[String];

    /// Source files this stage reads, relative to the project directory (or
    /// absolute). Their content hashes are part of the key. A file the
    /// engine cannot read (missing, a directory, no permission) fails the
    /// stage before it runs, unless [`Stage::unreadable_files`] says
    /// otherwise.
    fn files(&self) -> &[PathBuf] {
        &[]
    }

    /// What the engine does with a file of [`Stage::files`] it cannot read:
    /// fail the stage before it runs (the default), or key the file as
    /// unreadable and run the stage, which then decides what the missing
    /// file means for its output (see [`UnreadableFiles`]).
    fn unreadable_files(&self) -> UnreadableFiles {
        UnreadableFiles::Fail
    }

    /// Whether the stage only reads its files' headers, so it is cheap to
    /// run even for a comparison that renders nothing: [`deep_keys`] runs
    /// such a stage and keys its dependants by its output, as a build does,
    /// so that a change its output does not show (a cue moved inside the
    /// programme, for the timeline) stops there.
    ///
    /// [`deep_keys`]: crate::engine::deep_key::deep_keys
    fn reads_headers_only(&self) -> bool {
        false
    }

    /// Writes every parameter that affects the output into the key. Anything
    /// left out here will not trigger a rebuild when it changes.
    fn params(&self, params: &mut Params<'_>);

    /// Where to materialise the output, relative to `DIR/out/`
    /// (`stereo.wav`), or `None` for an intermediate stage.
    fn output_path(&self) -> Option<&Path> {
        None
    }

    /// Produces the output. Must be a pure function of the key: the same
    /// id, kind, parameters, files and input bytes give the same output
    /// bytes, whatever the thread.
    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()>;

    /// Whether this stage can render `dependant` in its own pass, feeding
    /// it its output as it is made instead of the dependant reading the
    /// finished object (see [`Stage::run_leading`]). The engine asks only
    /// about a dependant that reads this stage, no other stage this one
    /// does not read too, and no source file, when this stage is about to
    /// run.
    fn can_lead(&self, dependant: &dyn Stage) -> bool {
        let _ = dependant;
        false
    }

    /// Runs this stage and, in the same pass, `followers` (dependants it
    /// said it can lead). Each follower's output must be the very bytes
    /// its own `run` would write after this stage; a follower that fails
    /// gets its `error` and is fed no more, without failing this stage (the
    /// engine then runs it on its own). The default runs this stage alone
    /// and refuses every follower.
    fn run_leading(
        &self,
        context: &mut RunContext<'_>,
        followers: &mut [Follower<'_>],
    ) -> miette::Result<()> {
        for follower in followers {
            follower.refuse(self.id());
        }
        self.run(context)
    }

    /// Runs the stage with what its leader's pass carried for it (see
    /// [`Follower::carry`]), once the leader is done. Must write what
    /// [`Stage::run`] writes. The default ignores `carry` and runs.
    fn run_carried(&self, context: &mut RunContext<'_>, carry: Carry) -> miette::Result<()> {
        let _ = carry;
        self.run(context)
    }

    /// The stage itself, for a leader to recognise its followers' kinds.
    fn as_any(&self) -> Option<&dyn Any> {
        None
    }
}

/// What the engine does with a source file of a stage ([`Stage::files`])
/// that it cannot read when it keys the stage: the file is missing, is not
/// a regular file, or cannot be opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UnreadableFiles {
    /// The stage fails before it runs (E0703) and its dependants are
    /// skipped.
    #[default]
    Fail,
    /// The stage runs: the file is keyed by [`Digest::UNREADABLE`], a fixed
    /// identity that no content has, and the stage sees it so
    /// ([`SourceFile::is_unreadable`]). Its absence is thus part of the
    /// key: while the file stays unreadable the stage is fresh, and when it
    /// appears (or is fixed) the key changes and the stage runs again. A
    /// stage whose output does not depend on a file being readable (a
    /// summary of what is there) uses this, and so does one that wants to
    /// report the failure to read it in its own words.
    Key,
}

/// A dependant rendered in its input's pass (see [`Stage::run_leading`]).
pub struct Follower<'a> {
    /// The dependant.
    pub stage: &'a dyn Stage,
    /// Its output object.
    pub output: ObjectWriter,
    /// Why it failed, if it did.
    pub error: Option<miette::Report>,
    /// Instead of writing `output`, the leader may leave here what its
    /// pass learnt for the follower (a measurement of the whole input):
    /// the follower then runs on its own once the leader is done, with
    /// [`Stage::run_carried`].
    pub carry: Option<Carry>,
    /// The region index left beside its output (see
    /// [`RunContext::set_regions`]).
    pub regions: Option<Vec<u8>>,
}

/// What a leader's pass can learn for a follower's own run (see
/// [`Follower::carry`] and [`Stage::run_carried`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Carry {
    /// The loudness and peaks of the follower's whole mix, measured from
    /// the leader's blocks (a deliverable normalised to a spec), and the
    /// stats of its chunks that the measurement was merged from.
    Loudness(LoudnessReport, Option<Vec<ChunkStats>>),
}

impl Follower<'_> {
    /// Records the follower's failure (the first one).
    pub fn fail(&mut self, error: miette::Report) {
        self.error.get_or_insert(error);
    }

    /// Fails the follower as one `leader` cannot render.
    pub fn refuse(&mut self, leader: &str) {
        let error = miette::miette!("`{leader}` cannot render `{}` in its pass", self.stage.id());
        self.fail(error);
    }
}

/// An input of a running stage: another stage's output object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputObject {
    /// The producing stage's id.
    pub id: String,
    /// The object's content hash.
    pub digest: Digest,
    /// The object's file in the store (read-only; open it and stream).
    pub path: PathBuf,
}

/// A source file of a running stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// As the stage declared it.
    pub declared: PathBuf,
    /// Resolved against the project directory.
    pub path: PathBuf,
    /// The content hash the key is computed with; `None` while a clean
    /// build learns it as the stage reads the file (open it with
    /// [`RunContext::tap`]); [`Digest::UNREADABLE`] when the engine could
    /// not read it (only for a stage that keys unreadable files, see
    /// [`UnreadableFiles::Key`]).
    pub digest: Option<Digest>,
}

impl SourceFile {
    /// Whether the engine could not read the file when it keyed the stage
    /// (see [`UnreadableFiles::Key`]). The stage may still find it there
    /// if it appeared since; its key then says unreadable, and the next
    /// build runs it again.
    pub fn is_unreadable(&self) -> bool {
        self.digest == Some(Digest::UNREADABLE)
    }
}

/// What a running stage gets: its inputs, its files and the writer of its
/// output object; and where it leaves notes on what it did.
pub struct RunContext<'a> {
    pub(crate) project_dir: &'a Path,
    pub(crate) inputs: Vec<InputObject>,
    pub(crate) files: Vec<SourceFile>,
    pub(crate) output: ObjectWriter,
    pub(crate) pending: Option<&'a PendingSources>,
    pub(crate) notes: Vec<String>,
    /// The store and the stat cache, for region indexes and learnt
    /// digests; `None` for a run outside a build (a deep key).
    pub(crate) store: Option<(&'a Store, &'a StatCache)>,
    /// The output the stage's id had before this run, if it is in the
    /// store.
    pub(crate) previous: Option<InputObject>,
    /// Whether no other stage's recorded output is the previous output's
    /// object, so the run may take it ([`RunContext::adopt_previous`]).
    pub(crate) previous_unshared: bool,
    /// The stage's file in `out/`, for a deliverable: a link to the
    /// previous output that [`RunContext::adopt_previous`] withdraws.
    pub(crate) out_file: Option<PathBuf>,
    /// The region index the run leaves for its output.
    pub(crate) regions: Option<Vec<u8>>,
}

impl RunContext<'_> {
    /// The project directory.
    pub fn project_dir(&self) -> &Path {
        self.project_dir
    }

    /// The inputs, in the order of [`Stage::inputs`].
    pub fn inputs(&self) -> &[InputObject] {
        &self.inputs
    }

    /// The source files, in the order of [`Stage::files`].
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// A tap to show the reader of the source file at `path` (as the stage
    /// declared it), when the engine is learning that file's digest from
    /// the stage's reading (a clean build): a stage that reads a source
    /// whole should pass it to its reader, which spares the engine reading
    /// the file a second time. `None` when the digest is already known.
    pub fn tap(&self, path: &Path) -> Option<Box<dyn ReadTap>> {
        self.pending?.tap(&self.project_dir.join(path))
    }

    /// The output object being written (`Write + Seek`).
    pub fn output(&mut self) -> &mut ObjectWriter {
        &mut self.output
    }

    /// Leaves a note on what the run did, for the stage's outcome
    /// ([`crate::engine::outcome::StageOutcome::notes`]): one line in the
    /// stage's own words (`limited: up to 3.2 dB of gain reduction`), which
    /// the progress reporters show after the stage's id. The engine reads
    /// nothing into it. A note must follow from the key as the output does
    /// (the same whatever the thread count); it is reported by the run
    /// that made it, not by later builds that find the stage fresh, and
    /// not when the run fails (its error says what happened).
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    /// The notes left so far.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The output this stage's id produced in the build before (its key
    /// has changed since, or it would not run), if it is still in the
    /// store: what a stage that re-renders only what changed splices from.
    pub fn previous(&self) -> Option<&InputObject> {
        self.previous.as_ref()
    }

    /// Takes [`RunContext::previous`] out of the store as this run's
    /// output, to be patched in place ([`ObjectWriter::adopt`]): for a stage
    /// that re-renders a few chunks of a long output and leaves the rest as
    /// it was, so that the edit writes what changed and not the whole
    /// output again. Only when nothing else names that object: no other
    /// stage's recorded output, no other link but the stage's own file in
    /// `out/`, which is stale (the stage is running again) and is
    /// withdrawn first, as a build withdraws a deliverable that fails:
    /// `out/` never holds a half-patched file, and the new output is
    /// delivered there when the build ends well. The previous output is
    /// then gone from the store (a revert re-renders the same chunks again
    /// rather than restoring it) and so is its region index, read before.
    /// Returns whether it was taken; when it was not, the output is still
    /// empty and the previous output still there to copy from.
    pub fn adopt_previous(&mut self) -> bool {
        let (Some(previous), Some((store, stats))) = (&self.previous, self.store) else {
            return false;
        };
        if !self.previous_unshared {
            return false;
        }
        match links(&previous.path) {
            Some(1) => {}
            Some(2) => {
                let Some(out_file) = &self.out_file else {
                    return false;
                };
                if !same_file(&previous.path, out_file) || std::fs::remove_file(out_file).is_err() {
                    return false;
                }
                stats.forget(out_file);
                if links(&previous.path) != Some(1) {
                    return false;
                }
            }
            _ => return false,
        }
        let tree = regions::read_tree(store, &previous.digest);
        if self
            .output
            .adopt(&previous.path, &previous.digest, tree)
            .is_err()
        {
            // The object may be gone: the run renders whole.
            let _ = self.output.restart();
            self.previous = None;
            return false;
        }
        let _ = std::fs::remove_file(regions::path(store, &previous.digest));
        let _ = std::fs::remove_file(regions::tree_path(store, &previous.digest));
        self.previous = None;
        true
    }

    /// The region index left beside the object `digest` (an input's
    /// output, or [`RunContext::previous`]), if there is one.
    pub fn regions_of(&self, digest: &Digest) -> Option<Vec<u8>> {
        let (store, _) = self.store?;
        regions::read(store, digest)
    }

    /// Leaves a region index beside this run's output (see
    /// [`crate::engine::regions`]).
    pub fn set_regions(&mut self, index: Vec<u8>) {
        self.regions = Some(index);
    }

    /// The content digest of source file `index` (of [`RunContext::files`]):
    /// the one the key was computed with, or, in a clean build, the one
    /// learnt as the stage read it, hashing the file now if no reader saw
    /// it whole. `None` if the file is unreadable, changed during the
    /// build, or the run is outside a build.
    pub fn file_digest(&self, index: usize) -> Option<Digest> {
        let file = self.files.get(index)?;
        if let Some(digest) = file.digest {
            return (digest != Digest::UNREADABLE).then_some(digest);
        }
        let (_, stats) = self.store?;
        let path = self.project_dir.join(&file.declared);
        match self.pending?.get(&path)?.resolve(stats, true) {
            Resolution::Known(digest) => Some(digest),
            Resolution::Pending | Resolution::Changed => None,
        }
    }
}

/// A parameter value owned by an [`FnStage`].
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Str(String),
    U64(u64),
    I64(i64),
    F64(f64),
    Bool(bool),
}

impl From<&str> for ParamValue {
    fn from(value: &str) -> Self {
        ParamValue::Str(value.to_owned())
    }
}

impl From<String> for ParamValue {
    fn from(value: String) -> Self {
        ParamValue::Str(value)
    }
}

impl From<u64> for ParamValue {
    fn from(value: u64) -> Self {
        ParamValue::U64(value)
    }
}

impl From<i64> for ParamValue {
    fn from(value: i64) -> Self {
        ParamValue::I64(value)
    }
}

impl From<f64> for ParamValue {
    fn from(value: f64) -> Self {
        ParamValue::F64(value)
    }
}

impl From<bool> for ParamValue {
    fn from(value: bool) -> Self {
        ParamValue::Bool(value)
    }
}

/// The run function of an [`FnStage`].
pub type RunFn = Arc<dyn Fn(&mut RunContext<'_>) -> miette::Result<()> + Send + Sync>;

/// A stage built from data and a closure: for tests, benchmarks and simple
/// stages (copies, reports).
#[derive(Clone)]
pub struct FnStage {
    id: String,
    kind: String,
    inputs: Vec<String>,
    files: Vec<PathBuf>,
    unreadable: UnreadableFiles,
    params: Vec<(String, ParamValue)>,
    output_path: Option<PathBuf>,
    run: RunFn,
}

impl fmt::Debug for FnStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnStage")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("inputs", &self.inputs)
            .field("files", &self.files)
            .field("unreadable", &self.unreadable)
            .field("params", &self.params)
            .field("output_path", &self.output_path)
            .finish_non_exhaustive()
    }
}

impl FnStage {
    /// A stage with no inputs, files or parameters yet.
    pub fn new(
        id: impl Into<String>,
        kind: impl Into<String>,
        run: impl Fn(&mut RunContext<'_>) -> miette::Result<()> + Send + Sync + 'static,
    ) -> Self {
        Self {
            id: id.into(),
            kind: kind.into(),
            inputs: Vec::new(),
            files: Vec::new(),
            unreadable: UnreadableFiles::Fail,
            params: Vec::new(),
            output_path: None,
            run: Arc::new(run),
        }
    }

    /// Adds an input (another stage's id).
    pub fn input(mut self, id: impl Into<String>) -> Self {
        self.inputs.push(id.into());
        self
    }

    /// Adds a source file.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Self {
        self.files.push(path.into());
        self
    }

    /// Keys its files the engine cannot read as unreadable and runs
    /// anyway (see [`UnreadableFiles::Key`]).
    pub fn keying_unreadable_files(mut self) -> Self {
        self.unreadable = UnreadableFiles::Key;
        self
    }

    /// Adds a key parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<ParamValue>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Materialises the output to `DIR/out/<path>`.
    pub fn output_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.output_path = Some(path.into());
        self
    }

    /// Replaces the run function.
    pub fn with_run(
        mut self,
        run: impl Fn(&mut RunContext<'_>) -> miette::Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.run = Arc::new(run);
        self
    }
}

impl Stage for FnStage {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &str {
        &self.kind
    }

    fn inputs(&self) -> &[String] {
        &self.inputs
    }

    fn files(&self) -> &[PathBuf] {
        &self.files
    }

    fn unreadable_files(&self) -> UnreadableFiles {
        self.unreadable
    }

    fn params(&self, params: &mut Params<'_>) {
        for (name, value) in &self.params {
            match value {
                ParamValue::Str(text) => params.str(name, text),
                ParamValue::U64(number) => params.u64(name, *number),
                ParamValue::I64(number) => params.i64(name, *number),
                ParamValue::F64(number) => params.f64(name, *number),
                ParamValue::Bool(flag) => params.bool(name, *flag),
            };
        }
    }

    fn output_path(&self) -> Option<&Path> {
        self.output_path.as_deref()
    }

    fn run(&self, context: &mut RunContext<'_>) -> miette::Result<()> {
        (self.run)(context)
    }
}

/// How many names the file at `path` has (`None` where that is not
/// known: it is then never taken).
fn links(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path)
            .ok()
            .map(|metadata| metadata.nlink())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Whether `a` and `b` name the same file (not a symbolic link).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::symlink_metadata(b)) {
            (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (a, b);
        false
    }
}
