//! What a build asks of the remote cache: the URL, whether it may write,
//! whether it must answer, the timeouts and how many requests run at once
//! ([`RemoteSettings`]), resolved from the command line, the environment
//! and the project file `sndtrk.toml` ([`RemoteSources`]), in that order
//! of precedence.

use std::time::Duration;

/// The environment variable naming the remote cache's URL.
pub const URL_VARIABLE: &str = "SNDTRK_REMOTE_CACHE";
/// The environment variable that turns uploads on (`1`, `true`, `yes`).
pub const UPLOAD_VARIABLE: &str = "SNDTRK_REMOTE_UPLOAD";
/// The environment variable that makes the remote cache required.
pub const REQUIRED_VARIABLE: &str = "SNDTRK_REMOTE_REQUIRED";
/// The environment variable holding a bearer token.
pub const TOKEN_VARIABLE: &str = "SNDTRK_REMOTE_TOKEN";

/// How a build uses its remote cache.
#[derive(Clone)]
pub struct RemoteSettings {
    /// `http://…`, `https://…` (or `grpc://…` where REAPI is built in).
    pub url: String,
    /// Upload what ran (CI); off, the cache is only read.
    pub upload: bool,
    /// A failing remote cache fails the build instead of building locally.
    pub required: bool,
    /// A bearer token (never printed; see [`std::fmt::Debug`] below).
    pub token: Option<String>,
    /// Connecting may take this long.
    pub connect_timeout: Duration,
    /// Any one read or write on the connection may take this long.
    pub io_timeout: Duration,
    /// Requests in flight at once.
    pub connections: usize,
    /// Failed requests after which the remote cache is off for the build.
    pub failures_before_off: usize,
}

impl std::fmt::Debug for RemoteSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSettings")
            .field("url", &redacted(&self.url))
            .field("upload", &self.upload)
            .field("required", &self.required)
            .field("token", &self.token.as_ref().map(|_| "<withheld>"))
            .field("connect_timeout", &self.connect_timeout)
            .field("io_timeout", &self.io_timeout)
            .field("connections", &self.connections)
            .finish()
    }
}

impl RemoteSettings {
    /// `Bearer <token>`, when a token is given and the connection is
    /// `secure` (TLS, or loopback); and whether a given token was withheld
    /// because it is not.
    pub fn authorization(&self, secure: bool) -> (Option<String>, bool) {
        match &self.token {
            Some(token) if secure => (Some(format!("Bearer {token}")), false),
            Some(_) => (None, true),
            None => (None, false),
        }
    }
}

/// The defaults: connect in 2 s, each read or write in 10 s, 4 requests
/// at once, off after 3 failures.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(10);
pub const DEFAULT_CONNECTIONS: usize = 4;
pub const DEFAULT_FAILURES_BEFORE_OFF: usize = 3;

/// The `[remote]` section of `sndtrk.toml`, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileSection {
    pub url: Option<String>,
    pub required: Option<bool>,
    pub connect_timeout: Option<Duration>,
    pub io_timeout: Option<Duration>,
    pub connections: Option<usize>,
}

/// Where settings come from: the flags, the environment, the file.
#[derive(Debug, Clone, Default)]
pub struct RemoteSources {
    /// `--remote-cache URL`.
    pub flag_url: Option<String>,
    /// `--remote-upload`.
    pub flag_upload: bool,
    /// `--remote-required`.
    pub flag_required: bool,
    /// `--no-remote-cache`: none at all, whatever the rest says.
    pub flag_off: bool,
    /// The environment variables' values (`None`: unset).
    pub env_url: Option<String>,
    pub env_upload: Option<String>,
    pub env_required: Option<String>,
    pub env_token: Option<String>,
    /// `sndtrk.toml`'s `[remote]`, when there is one.
    pub file: Option<FileSection>,
}

impl RemoteSources {
    /// The flags given, with the process's environment.
    pub fn from_environment(
        flag_url: Option<String>,
        flag_upload: bool,
        flag_required: bool,
    ) -> Self {
        let var = |name| {
            std::env::var(name)
                .ok()
                .filter(|value: &String| !value.is_empty())
        };
        Self {
            flag_url,
            flag_upload,
            flag_required,
            flag_off: false,
            env_url: var(URL_VARIABLE),
            env_upload: var(UPLOAD_VARIABLE),
            env_required: var(REQUIRED_VARIABLE),
            env_token: var(TOKEN_VARIABLE),
            file: None,
        }
    }

    /// The settings, or `None` when no URL is given anywhere. Uploads
    /// are never turned on by the project file, which every clone shares:
    /// only a flag or the environment (CI's) turns them on.
    pub fn resolve(&self) -> Result<Option<RemoteSettings>, String> {
        if self.flag_off {
            return Ok(None);
        }
        let file = self.file.clone().unwrap_or_default();
        let Some(url) = self
            .flag_url
            .clone()
            .or_else(|| self.env_url.clone())
            .or(file.url)
        else {
            return Ok(None);
        };
        let url = url.trim_end_matches('/').to_owned();
        let scheme_ok = ["http://", "https://", "grpc://", "grpcs://"]
            .iter()
            .any(|scheme| url.starts_with(scheme));
        if !scheme_ok {
            return Err(format!(
                "remote cache `{}`: the URL must start with http://, https:// or grpc://",
                redacted(&url)
            ));
        }
        let connections = file.connections.unwrap_or(DEFAULT_CONNECTIONS);
        if connections == 0 {
            return Err("remote cache: `connections` must be at least 1".to_owned());
        }
        Ok(Some(RemoteSettings {
            url,
            upload: self.flag_upload || truthy(self.env_upload.as_deref()),
            required: self.flag_required
                || truthy(self.env_required.as_deref())
                || file.required.unwrap_or(false),
            token: self.env_token.clone(),
            connect_timeout: file.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            io_timeout: file.io_timeout.unwrap_or(DEFAULT_IO_TIMEOUT),
            connections,
            failures_before_off: DEFAULT_FAILURES_BEFORE_OFF,
        }))
    }
}

/// Whether an environment value means yes.
fn truthy(value: Option<&str>) -> bool {
    value.is_some_and(|value| {
        matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    })
}

/// A URL with any `user:password@` taken out, for messages.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{path}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_environment_which_beats_the_file() {
        let mut sources = RemoteSources {
            file: Some(FileSection {
                url: Some("http://file/".into()),
                required: Some(true),
                io_timeout: Some(Duration::from_millis(500)),
                ..FileSection::default()
            }),
            ..RemoteSources::default()
        };
        let settings = sources.resolve().unwrap().unwrap();
        assert_eq!(settings.url, "http://file");
        assert!(settings.required && !settings.upload);
        assert_eq!(settings.io_timeout, Duration::from_millis(500));
        assert_eq!(settings.connect_timeout, DEFAULT_CONNECT_TIMEOUT);
        sources.env_url = Some("http://env".into());
        sources.env_upload = Some("1".into());
        assert_eq!(sources.resolve().unwrap().unwrap().url, "http://env");
        assert!(sources.resolve().unwrap().unwrap().upload);
        sources.flag_url = Some("https://flag".into());
        assert_eq!(sources.resolve().unwrap().unwrap().url, "https://flag");
        sources.flag_off = true;
        assert!(sources.resolve().unwrap().is_none());
    }

    #[test]
    fn no_url_is_no_remote_cache_and_a_bad_one_an_error() {
        assert!(RemoteSources::default().resolve().unwrap().is_none());
        let sources = RemoteSources {
            flag_url: Some("ftp://user:secret@host/x".into()),
            ..RemoteSources::default()
        };
        let error = sources.resolve().unwrap_err();
        assert!(!error.contains("secret"), "{error}");
        assert_eq!(redacted("https://a:b@h:1/p"), "https://h:1/p");
        assert_eq!(redacted("http://h/p@q"), "http://h/p@q");
    }

    #[test]
    fn the_token_is_never_in_debug_output() {
        let sources = RemoteSources {
            flag_url: Some("https://cache".into()),
            env_token: Some("hunter2".into()),
            ..RemoteSources::default()
        };
        let settings = sources.resolve().unwrap().unwrap();
        assert!(!format!("{settings:?}").contains("hunter2"));
        assert_eq!(settings.token.as_deref(), Some("hunter2"));
    }
}
