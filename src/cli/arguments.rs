//! Command-line arguments, parsed by clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::syntax::ast::Date;

/// sndtrk: build film soundtrack deliverables from a recipe.
#[derive(Debug, Parser)]
#[command(name = "sndtrk", version, about, long_about = None)]
pub struct Arguments {
    /// Run as if started in DIR (like `make -C`); the recipe is DIR/soundtrack.sndtrk.
    #[arg(short = 'C', value_name = "DIR", global = true)]
    pub directory: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands; each lives in its own file under `src/subcommand/`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, resolve and lint recipes, and report every problem found.
    Check(CheckArgs),
    /// Print the music cue sheet: every cue use with its timing, writers and publishers.
    Cuesheet(CuesheetArgs),
    /// Print the clearance matrix: every cue in every target and album, cleared or blocked.
    Rights(RightsArgs),
    /// Render the deliverables that are stale (all, or the named targets and albums).
    Build(BuildArgs),
    /// Say what `build` would run and why, running nothing.
    Plan(PlanArgs),
    /// Compare the project at two git revisions: the deliverables a change
    /// alters and why, the cue uses it adds, removes, moves or edits, and
    /// the diagnostics it brings and fixes.
    Diff(DiffArgs),
    /// Print the stage graph.
    Graph(GraphArgs),
    /// Print every deliverable's due date, days left and status (ready, stale, failing, blocked, not built).
    Schedule(ScheduleArgs),
    /// Measure loudness (integrated, range, short-term and momentary maxima) and peaks of WAV files.
    Measure(MeasureArgs),
    /// Rewrite recipes in the one canonical layout.
    Fmt(FmtArgs),
    /// Remove the rendered deliverables (DIR/out/); the cache keeps them, so
    /// the next build restores them without rendering.
    Clean,
    /// Run the language server over standard input and output, for editors.
    Lsp,
    /// Report the content-addressed cache in DIR/.sndtrk/ (its size by kind of stage), or manage it.
    Cache {
        #[command(subcommand)]
        command: Option<CacheCommand>,
    },
}

/// `sndtrk cache` subcommands.
#[derive(Debug, Clone, Copy, Subcommand)]
pub enum CacheCommand {
    /// Shrink the cache: keep what the last build used (or the last
    /// --keep-builds builds) and remove the rest; with --max-size, then the
    /// least recently used until the cache fits.
    Gc {
        /// The most the cache may hold afterwards, e.g. 10GiB or 500MB
        /// (alone: whatever any recorded build used, as long as it fits).
        #[arg(long, value_name = "SIZE", value_parser = crate::cli::byte_size::parse_size)]
        max_size: Option<u64>,
        /// Keep what the last N builds used (1: the last build, the default).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        keep_builds: Option<u64>,
    },
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// Rendered with the source for people, on standard error.
    Human,
    /// One JSON array on standard output.
    Json,
    /// A SARIF 2.1.0 log on standard output, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands on standard output (pull-request annotations).
    Github,
}

/// How `build` and `plan` report stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// Progress bars on a terminal, one line per finished stage otherwise.
    Human,
    /// One JSON object per stage per line, on standard output.
    Json,
}

/// Arguments of `sndtrk build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Targets and albums to build (default: all).
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Stages run at once (default: one per core).
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,

    /// Say why each stage runs.
    #[arg(long)]
    pub explain: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// The day the QC report's schedule counts the days left from, as
    /// YYYY-MM-DD [default: today, UTC].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<Date>,

    #[command(flatten)]
    pub remote: RemoteArgs,
}

/// The remote cache options of `sndtrk build`.
#[derive(Debug, Clone, Default, Args)]
pub struct RemoteArgs {
    /// Fetch stage outputs from this shared cache before rendering them
    /// (http://, https://; default: SNDTRK_REMOTE_CACHE, else `[remote] url`
    /// in DIR/sndtrk.toml).
    #[arg(long, value_name = "URL")]
    pub remote_cache: Option<String>,

    /// Upload what this build renders to the remote cache (CI; also
    /// SNDTRK_REMOTE_UPLOAD=1). Off, the remote cache is only read.
    #[arg(long)]
    pub remote_upload: bool,

    /// Fail instead of rendering locally when the remote cache fails (also
    /// SNDTRK_REMOTE_REQUIRED=1).
    #[arg(long)]
    pub remote_required: bool,

    /// Use no remote cache, whatever the environment and sndtrk.toml say.
    #[arg(long, conflicts_with_all = ["remote_cache", "remote_upload", "remote_required"])]
    pub no_remote_cache: bool,
}

/// Arguments of `sndtrk plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Targets and albums to plan (default: all).
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,

    /// Also ask the remote cache which stale stages it would serve: this
    /// URL, or with none given SNDTRK_REMOTE_CACHE, else `[remote] url` in
    /// DIR/sndtrk.toml.
    #[arg(long, value_name = "URL", num_args = 0..=1, default_missing_value = "")]
    pub remote_cache: Option<String>,
}

/// How `sndtrk diff` prints the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Aligned text for people.
    Human,
    /// One JSON document.
    Json,
    /// A pull-request comment.
    Markdown,
}

/// Arguments of `sndtrk diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The revision to compare from (default: HEAD).
    #[arg(value_name = "BASE", default_value = "HEAD")]
    pub base: String,

    /// The revision to compare to (default: the working tree).
    #[arg(value_name = "HEAD")]
    pub head: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,
}

/// How `sndtrk graph` prints the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// A JSON array of stages with their inputs.
    Json,
}

/// Arguments of `sndtrk graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
}

/// Arguments of `sndtrk check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Recipe files or directories to check (default: DIR/soundtrack.sndtrk).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Human)]
    pub format: DiagnosticFormat,

    /// The day to check the delivery schedule on (S002), as YYYY-MM-DD
    /// [default: today, UTC].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<Date>,
}

/// How `sndtrk schedule` prints the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScheduleFormat {
    /// An aligned table for people.
    Human,
    /// One JSON array of objects, one per deliverable.
    Json,
    /// An iCalendar file (RFC 5545): one all-day event per due date.
    Ics,
}

/// Arguments of `sndtrk schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    /// The day to count the days left from, as YYYY-MM-DD [default: today, UTC].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub today: Option<Date>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ScheduleFormat::Human)]
    pub format: ScheduleFormat,
}

/// A `--today` date: `YYYY-MM-DD`, a day that exists.
fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text)
        .ok_or_else(|| format!("`{text}` is not a date; write one that exists, as YYYY-MM-DD"))
}

/// How the cue sheet is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CuesheetFormat {
    /// Comma-separated values (RFC 4180), one row per cue use.
    Csv,
    /// One JSON document.
    Json,
}

/// Arguments of `sndtrk cuesheet`.
#[derive(Debug, clap::Args)]
pub struct CuesheetArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = CuesheetFormat::Csv)]
    pub format: CuesheetFormat,
}

/// How the rights matrix is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RightsFormat {
    /// An aligned table for people.
    Human,
    /// One JSON array.
    Json,
}

/// Arguments of `sndtrk rights`.
#[derive(Debug, clap::Args)]
pub struct RightsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RightsFormat::Human)]
    pub format: RightsFormat,
}
/// Arguments of `sndtrk measure`.
#[derive(Debug, Args)]
pub struct MeasureArgs {
    /// The WAV files to measure.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = MeasureFormat::Human)]
    pub format: MeasureFormat,
}

/// How `sndtrk measure` prints its results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MeasureFormat {
    /// Aligned text for people.
    Human,
    /// One JSON array of objects, one per file measured.
    Json,
}

/// Arguments of `sndtrk fmt`.
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Write nothing: list the files that would change and exit 1 if any would.
    #[arg(long)]
    pub check: bool,

    /// Recipe files, or directories to search for `*.sndtrk` files
    /// [default: DIR/soundtrack.sndtrk].
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}
