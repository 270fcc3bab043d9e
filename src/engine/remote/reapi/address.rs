//! A REAPI server's address: `grpc://host:port[/instance]` (plain HTTP/2)
//! or `grpcs://host:port[/instance]` (TLS). The path, when there is one,
//! is the REAPI instance name, which every request carries (BuildGrid,
//! Buildbarn and BuildBuddy serve several instances from one port).

use crate::engine::remote::{http::is_loopback, settings::redacted};

/// Where a REAPI server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrpcAddress {
    /// `http://host:port` or `https://host:port`, for the HTTP/2 channel.
    pub endpoint: String,
    /// Whether the channel uses TLS.
    pub tls: bool,
    /// The instance name (`""` for the server's default instance).
    pub instance: String,
    /// The URL as given, credentials taken out, for messages.
    pub shown: String,
    /// Whether the host is a loopback address.
    pub loopback: bool,
}

impl GrpcAddress {
    /// The address `url` names, or why it names none.
    pub fn parse(url: &str) -> Result<Self, String> {
        let shown = redacted(url);
        let (tls, rest) = if let Some(rest) = url.strip_prefix("grpcs://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("grpc://") {
            (false, rest)
        } else {
            return Err(format!(
                "remote cache `{shown}`: a REAPI URL starts with grpc:// or grpcs://"
            ));
        };
        let (authority, instance) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        if host.is_empty() {
            return Err(format!("remote cache `{shown}`: the URL names no host"));
        }
        let instance = instance.trim_matches('/').to_owned();
        if instance
            .split('/')
            .any(|segment| matches!(segment, "blobs" | "uploads" | "actions" | "operations"))
        {
            return Err(format!(
                "remote cache `{shown}`: the instance name may not contain \
                 `blobs`, `uploads`, `actions` or `operations`"
            ));
        }
        // Without a port, gRPC's conventional ones.
        let has_port = match host.strip_prefix('[') {
            Some(bracketed) => bracketed.contains("]:"),
            None => host.contains(':'),
        };
        let port = if has_port {
            ""
        } else if tls {
            ":443"
        } else {
            ":80"
        };
        let scheme = if tls { "https" } else { "http" };
        Ok(Self {
            endpoint: format!("{scheme}://{host}{port}"),
            tls,
            instance,
            shown,
            loopback: is_loopback(url),
        })
    }

    /// `{instance}/` (or nothing, for the default instance): the start of
    /// every ByteStream resource name.
    pub fn resource_prefix(&self) -> String {
        if self.instance.is_empty() {
            String::new()
        } else {
            format!("{}/", self.instance)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_port_and_instance() {
        let address = GrpcAddress::parse("grpc://127.0.0.1:50051/main").unwrap();
        assert_eq!(address.endpoint, "http://127.0.0.1:50051");
        assert_eq!(address.instance, "main");
        assert!(!address.tls && address.loopback);
        assert_eq!(address.resource_prefix(), "main/");

        let address = GrpcAddress::parse("grpcs://cache.example/a/b").unwrap();
        assert_eq!(address.endpoint, "https://cache.example:443");
        assert_eq!(address.instance, "a/b");
        assert!(address.tls && !address.loopback);

        let address = GrpcAddress::parse("grpc://[::1]:9092").unwrap();
        assert_eq!(address.endpoint, "http://[::1]:9092");
        assert_eq!(address.resource_prefix(), "");
    }

    #[test]
    fn bad_addresses_are_refused_without_credentials() {
        for url in [
            "grpc://",
            "grpc://u:secret@/x",
            "grpc://h:1/x/blobs",
            "http://h",
        ] {
            let error = GrpcAddress::parse(url).unwrap_err();
            assert!(!error.contains("secret"), "{error}");
        }
    }
}
