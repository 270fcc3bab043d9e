//! The HTTP backend: Bazel's HTTP cache layout under a versioned prefix,
//! `GET`/`HEAD`/`PUT {url}/sndtrk-v1/{ac,cas}/<hex>`, which any server that
//! stores what is `PUT` serves (nginx with WebDAV, a bucket behind a
//! proxy). A blocking client with short timeouts: connecting, and every
//! single read or write, may take only so long, so a server that stops
//! answering in the middle of a large object is caught as quickly as one
//! that never answers. A bearer token is sent only over TLS or to a
//! loopback address.

use std::{
    io::{self, Read, Write},
    net::IpAddr,
};

use ureq::{http::StatusCode, Agent};

use crate::engine::remote::{
    backend::{one_line, short, Area, Backend, Failure},
    settings::{redacted, RemoteSettings},
    PREFIX,
};

/// A remote cache over HTTP.
pub struct HttpBackend {
    agent: Agent,
    /// `{url}/sndtrk-v1`.
    base: String,
    /// `Bearer …`, when a token is given and may be sent.
    authorization: Option<String>,
}

/// Whether the URL's host is a loopback address (`localhost`, 127.0.0.0/8,
/// `::1`).
pub fn is_loopback(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match host.strip_prefix('[') {
        Some(bracketed) => bracketed.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

impl HttpBackend {
    /// A client for `settings.url`; whether the token was withheld (given,
    /// but the URL is plain HTTP to a host that is not loopback).
    pub fn new(settings: &RemoteSettings) -> (Self, bool) {
        let config = Agent::config_builder()
            .timeout_connect(Some(settings.connect_timeout))
            .timeout_per_read(Some(settings.io_timeout))
            .timeout_per_write(Some(settings.io_timeout))
            .timeout_send_request(Some(settings.io_timeout))
            .timeout_recv_response(Some(settings.io_timeout))
            .http_status_as_error(false)
            .max_redirects(0)
            .user_agent(concat!("sndtrk/", env!("CARGO_PKG_VERSION")))
            .build();
        let secure = settings.url.starts_with("https://") || is_loopback(&settings.url);
        let (authorization, withheld) = settings.authorization(secure);
        let backend = Self {
            agent: config.into(),
            base: format!("{}/{PREFIX}", settings.url),
            authorization,
        };
        (backend, withheld)
    }

    /// `request` with the bearer token, when one may be sent.
    fn authorized<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.authorization {
            Some(authorization) => request.header("Authorization", authorization),
            None => request,
        }
    }

    fn url(&self, area: Area, name: &str) -> String {
        format!("{}/{}/{name}", self.base, area.as_str())
    }

    /// A failure for a transport error, naming the object.
    fn transport(&self, area: Area, name: &str, error: &ureq::Error) -> Failure {
        Failure::new(format!(
            "{} {}: {}",
            area.as_str(),
            short(name),
            one_line(&error.to_string())
        ))
    }

    fn status(&self, verb: &str, area: Area, name: &str, status: StatusCode) -> Failure {
        let hint = match status.as_u16() {
            413 => " (the server refuses objects this large: raise its body size limit)",
            401 | 403 => " (check SNDTRK_REMOTE_TOKEN and the server's permissions)",
            _ => "",
        };
        Failure::new(format!(
            "{verb} {} {} answered {status}{hint}",
            area.as_str(),
            short(name)
        ))
    }
}

impl Backend for HttpBackend {
    fn describe(&self) -> String {
        redacted(self.base.trim_end_matches(PREFIX).trim_end_matches('/'))
    }

    fn get(
        &self,
        area: Area,
        name: &str,
        limit: u64,
        sink: &mut dyn Write,
    ) -> Result<bool, Failure> {
        let request = self.authorized(self.agent.get(&self.url(area, name)));
        let response = request
            .call()
            .map_err(|error| self.transport(area, name, &error))?;
        match response.status() {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => return Ok(false),
            status => return Err(self.status("GET", area, name, status)),
        }
        let mut body = response
            .into_body()
            .into_with_config()
            .limit(limit.saturating_add(1))
            .reader();
        // Streamed: the reader hands over a buffer at a time.
        match io::copy(&mut (&mut body).take(limit.saturating_add(1)), sink) {
            Ok(_) => Ok(true),
            Err(error) => Err(Failure::new(format!(
                "{} {}: {}",
                area.as_str(),
                short(name),
                one_line(&error.to_string())
            ))),
        }
    }

    fn contains(&self, area: Area, name: &str) -> Result<bool, Failure> {
        let request = self.authorized(self.agent.head(&self.url(area, name)));
        let response = request
            .call()
            .map_err(|error| self.transport(area, name, &error))?;
        match response.status() {
            StatusCode::OK => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            status => Err(self.status("HEAD", area, name, status)),
        }
    }

    fn put(&self, area: Area, name: &str, size: u64, body: &mut dyn Read) -> Result<(), Failure> {
        let request = self.authorized(
            self.agent
                .put(&self.url(area, name))
                .header("Content-Length", size.to_string())
                .header("Content-Type", "application/octet-stream"),
        );
        let response = request
            .send(ureq::SendBody::from_reader(body))
            .map_err(|error| self.transport(area, name, &error))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(self.status("PUT", area, name, status))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_recognised() {
        for url in [
            "http://127.0.0.1:8080",
            "http://localhost/cache",
            "http://[::1]:9000/",
            "http://127.3.4.5",
            "http://user@127.0.0.1:1/x",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://cache.example",
            "http://10.0.0.1:80",
            "http://[fe80::1]/",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn a_token_is_withheld_from_plain_http_to_another_host() {
        let settings = |url: &str| {
            crate::engine::remote::settings::RemoteSources {
                flag_url: Some(url.into()),
                env_token: Some("t0ken".into()),
                ..Default::default()
            }
            .resolve()
            .unwrap()
            .unwrap()
        };
        for (url, sent) in [
            ("http://cache.example", false),
            ("https://cache.example", true),
            ("http://127.0.0.1:1", true),
        ] {
            let (backend, withheld) = HttpBackend::new(&settings(url));
            assert_eq!((backend.authorization.is_some(), withheld), (sent, !sent));
        }
    }
}
