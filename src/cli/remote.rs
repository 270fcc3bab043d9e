//! The remote cache of a command: its settings from the flags, the
//! environment and `DIR/sndtrk.toml`, opened (and, when it is required,
//! asked once before anything builds, so a build that cannot have it
//! fails at once), and its warnings printed.

use std::sync::Arc;

use crate::{
    cli::report::report_error,
    engine::{
        error::EngineError,
        remote::{Remote, RemoteSources},
    },
    project::config::Config,
};

/// The remote cache `sources` (with `DIR/sndtrk.toml` read into them)
/// name, or none; `Err` is the exit code, the error printed.
pub fn open(config: &Config, mut sources: RemoteSources) -> Result<Option<Arc<Remote>>, i32> {
    let settings_error = |message| report_error(EngineError::RemoteSettings { message });
    sources.file = config.remote_section().map_err(settings_error)?;
    let Some(settings) = sources.resolve().map_err(settings_error)? else {
        return Ok(None);
    };
    let remote = Remote::open(settings).map_err(report_error)?;
    if remote.settings().required {
        remote.probe().map_err(report_error)?;
    }
    Ok(Some(Arc::new(remote)))
}

/// Prints what went wrong with the remote cache, one warning per kind.
pub fn print_warnings(remote: Option<&Remote>) {
    for warning in remote.map(Remote::take_warnings).unwrap_or_default() {
        eprint!("{}", crate::cli::report::render(&warning));
    }
}
