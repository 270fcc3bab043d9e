//! What the command line resolves to before a subcommand runs.

use std::path::PathBuf;

/// The project directory and the recipe in it.
#[derive(Debug, Clone)]
pub struct Config {
    /// The project directory (`-C DIR`, else the working directory).
    pub directory: PathBuf,
    /// Whether `-C DIR` was given (paths on the command line are then
    /// relative to DIR).
    pub explicit: bool,
}

pub use crate::project::walk::RECIPE_FILE;

impl Config {
    pub fn new(directory: Option<PathBuf>) -> Self {
        Self {
            explicit: directory.is_some(),
            directory: directory.unwrap_or_else(|| PathBuf::from(".")),
        }
    }

    /// The directory given with `-C`, if any.
    pub fn given_directory(&self) -> Option<&std::path::Path> {
        self.explicit.then_some(self.directory.as_path())
    }

    /// `DIR/soundtrack.sndtrk`, written relative to DIR as given.
    pub fn recipe_path(&self) -> PathBuf {
        if !self.explicit {
            PathBuf::from(RECIPE_FILE)
        } else {
            self.directory.join(RECIPE_FILE)
        }
    }
}

/// The project file beside the recipe that teams commit: `sndtrk.toml`.
pub const PROJECT_FILE: &str = "sndtrk.toml";

/// The parts of `sndtrk.toml` sndtrk reads; other tables are left alone.
#[derive(Debug, Default, serde::Deserialize)]
struct ProjectFile {
    remote: Option<RemoteTable>,
}

/// `[remote]`: the shared cache every clone uses. Uploads cannot be
/// turned on here (every clone reads this file): only CI's environment or
/// flag does.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoteTable {
    url: Option<String>,
    required: Option<bool>,
    /// Seconds.
    connect_timeout: Option<f64>,
    /// Seconds.
    io_timeout: Option<f64>,
    connections: Option<usize>,
}

impl Config {
    /// `DIR/sndtrk.toml`.
    pub fn project_file_path(&self) -> PathBuf {
        self.directory.join(PROJECT_FILE)
    }

    /// The `[remote]` section of `DIR/sndtrk.toml`: `None` when the file or
    /// the section is missing, `Err` (a message naming the file) when the
    /// file cannot be read or is not valid.
    pub fn remote_section(
        &self,
    ) -> Result<Option<crate::engine::remote::settings::FileSection>, String> {
        let path = self.project_file_path();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(format!("cannot read {}: {error}", path.display())),
        };
        parse_remote_section(&text).map_err(|message| format!("{}: {message}", path.display()))
    }
}

/// The `[remote]` section of a `sndtrk.toml`'s text.
fn parse_remote_section(
    text: &str,
) -> Result<Option<crate::engine::remote::settings::FileSection>, String> {
    let file: ProjectFile = toml::from_str(text)
        .map_err(|error| error.message().lines().collect::<Vec<_>>().join(" "))?;
    let Some(remote) = file.remote else {
        return Ok(None);
    };
    let seconds = |name: &str, value: Option<f64>| match value {
        Some(value) if value.is_finite() && value > 0.0 && value <= 3600.0 => {
            Ok(Some(std::time::Duration::from_secs_f64(value)))
        }
        Some(value) => Err(format!(
            "[remote] {name} = {value}: a timeout is a number of seconds above 0 and at most 3600"
        )),
        None => Ok(None),
    };
    Ok(Some(crate::engine::remote::settings::FileSection {
        url: remote.url,
        required: remote.required,
        connect_timeout: seconds("connect_timeout", remote.connect_timeout)?,
        io_timeout: seconds("io_timeout", remote.io_timeout)?,
        connections: remote.connections,
    }))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_remote_section_is_read_and_checked() {
        let section = parse_remote_section(
            "[other]\nx = 1\n[remote]\nurl = \"http://cache:8080\"\nio_timeout = 0.5\nconnections = 2\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(section.url.as_deref(), Some("http://cache:8080"));
        assert_eq!(section.io_timeout, Some(Duration::from_millis(500)));
        assert_eq!(section.connections, Some(2));
        assert_eq!(parse_remote_section("[other]\n").unwrap(), None);
        let unknown = parse_remote_section("[remote]\nupload = true\n").unwrap_err();
        assert!(unknown.contains("upload"), "{unknown}");
        assert!(parse_remote_section("[remote]\nio_timeout = -1\n").is_err());
    }
}
