//! The REAPI backend (`grpc://` and `grpcs://` URLs, feature `reapi`): the
//! same stages, as ActionCache entries and CAS blobs of the Remote
//! Execution API v2, for teams that already run a Bazel remote cache
//! (bazel-remote, BuildBuddy, NativeLink, BuildGrid, Buildbarn).
//!
//! REAPI names blobs by SHA-256 and size, the local store by blake3. A
//! stage's ActionCache entry (under the digest of its [`StageAction`])
//! lists two output files, the stage's output and sndtrk's manifest of it,
//! so a lookup learns the SHA-256 digest of the blob whose blake3 the
//! manifest names; the backend remembers the pair for the download that
//! follows. Blobs move through ByteStream a chunk at a time, both ways, so
//! no object is ever held in memory whole; every call, and every chunk of
//! a stream, has the read timeout. A bearer token goes only over TLS or to
//! loopback, as with HTTP.
//!
//! | file | concern |
//! |---|---|
//! | `address` | `grpc[s]://host:port/instance` |
//! | `action` | SHA-256 digests; the action a stage key stands for |
//! | `status` | gRPC statuses as misses and failures |
//! | `stream` | ByteStream reads and writes, chunk by chunk |
//! | here | [`ReapiBackend`]: the [`Backend`] over the services |

mod action;
mod address;
mod status;
mod stream;

use std::{
    collections::HashMap,
    fs::File,
    future::Future,
    io::{Read, Seek, SeekFrom, Write},
    path::Path,
    sync::Mutex,
    time::Duration,
};

use bazel_remote_apis::build::bazel::remote::execution::v2::{
    action_cache_client::ActionCacheClient, batch_update_blobs_request,
    capabilities_client::CapabilitiesClient,
    content_addressable_storage_client::ContentAddressableStorageClient, digest_function,
    ActionResult, BatchUpdateBlobsRequest, Digest, FindMissingBlobsRequest, GetActionResultRequest,
    GetCapabilitiesRequest, OutputFile, UpdateActionResultRequest,
};
use bazel_remote_apis::google::bytestream::byte_stream_client::ByteStreamClient;
use tokio::runtime::Runtime;
use tonic::{
    metadata::{Ascii, MetadataValue},
    transport::{Channel, ClientTlsConfig, Endpoint},
    Status,
};

pub use action::StageAction;
pub use address::GrpcAddress;

use crate::engine::{
    key,
    remote::{
        backend::{short, Area, Backend, Failure},
        manifest::{RemoteManifest, MAX_MANIFEST_BYTES},
        settings::RemoteSettings,
    },
};
use action::{digest_of, digest_of_reader, MANIFEST_PATH, OUTPUT_PATH, REGIONS_PATH};
use status::{answer, Answer};

/// The largest gRPC message accepted from the server (ByteStream chunks,
/// ActionResults).
const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// A remote cache over REAPI.
pub struct ReapiBackend {
    runtime: Runtime,
    channel: Channel,
    address: GrpcAddress,
    /// `Bearer …`, when a token is given and may be sent.
    authorization: Option<MetadataValue<Ascii>>,
    io_timeout: Duration,
    /// Whether the server's capabilities were checked and found fit.
    checked: Mutex<bool>,
    /// blake3 (the local store's name) → SHA-256 digest (the server's),
    /// learnt from results looked up and blobs uploaded.
    known: Mutex<HashMap<String, Digest>>,
}

impl ReapiBackend {
    /// A client for `settings.url` (no connection is made before the first
    /// request); whether the token was withheld (given, but the URL is
    /// plain gRPC to a host that is not loopback).
    pub fn new(settings: &RemoteSettings) -> Result<(Self, bool), String> {
        let address = GrpcAddress::parse(&settings.url)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sndtrk-reapi")
            .enable_all()
            .build()
            .map_err(|error| format!("remote cache {}: {error}", address.shown))?;
        let mut endpoint = Endpoint::from_shared(address.endpoint.clone())
            .map_err(|error| format!("remote cache {}: {error}", address.shown))?
            .connect_timeout(settings.connect_timeout)
            .tcp_nodelay(true)
            .user_agent(concat!("sndtrk/", env!("CARGO_PKG_VERSION")))
            .map_err(|error| format!("remote cache {}: {error}", address.shown))?;
        if address.tls {
            endpoint = endpoint
                .tls_config(ClientTlsConfig::new().with_enabled_roots())
                .map_err(|error| format!("remote cache {}: {error}", address.shown))?;
        }
        let channel = {
            let _context = runtime.enter();
            endpoint.connect_lazy()
        };
        let (authorization, withheld) = settings.authorization(address.tls || address.loopback);
        let authorization = authorization
            .map(|value| value.parse::<MetadataValue<Ascii>>())
            .transpose()
            .map_err(|_| {
                "SNDTRK_REMOTE_TOKEN holds characters a gRPC header cannot carry".to_owned()
            })?;
        let backend = Self {
            runtime,
            channel,
            address,
            authorization,
            io_timeout: settings.io_timeout,
            checked: Mutex::new(false),
            known: Mutex::new(HashMap::new()),
        };
        Ok((backend, withheld))
    }

    /// `message` as a request, with the bearer token when one may be sent.
    fn request<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        if let Some(authorization) = &self.authorization {
            request
                .metadata_mut()
                .insert("authorization", authorization.clone());
        }
        request
    }

    /// Runs the call `start` makes on the runtime, within the read
    /// timeout: its answer, or a failure when it took too long. A server
    /// too busy to take it (`RESOURCE_EXHAUSTED`, as BuildGrid answers when
    /// its threads are all taken) is asked again, a few times, after a
    /// growing pause.
    fn call<T, F, Fut>(&self, what: &str, start: F) -> Result<Result<T, Status>, Failure>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<tonic::Response<T>, Status>>,
    {
        let timeout = self.io_timeout;
        let mut attempt = 0;
        loop {
            let answer = self
                .runtime
                .block_on(async { tokio::time::timeout(timeout, start()).await });
            match answer {
                Ok(Err(status)) if status::busy(&status) && attempt < status::RETRIES => {
                    std::thread::sleep(status::pause(attempt));
                    attempt += 1;
                }
                Ok(Ok(response)) => return Ok(Ok(response.into_inner())),
                Ok(Err(status)) => return Ok(Err(status)),
                Err(_) => return Err(status::timed_out(what)),
            }
        }
    }

    fn action_cache(&self) -> ActionCacheClient<Channel> {
        ActionCacheClient::new(self.channel.clone()).max_decoding_message_size(MAX_MESSAGE_BYTES)
    }

    fn cas(&self) -> ContentAddressableStorageClient<Channel> {
        ContentAddressableStorageClient::new(self.channel.clone())
            .max_decoding_message_size(MAX_MESSAGE_BYTES)
    }

    fn byte_stream(&self) -> ByteStreamClient<Channel> {
        ByteStreamClient::new(self.channel.clone()).max_decoding_message_size(MAX_MESSAGE_BYTES)
    }

    /// Asks the server, once, whether it takes SHA-256 digests (all REAPI
    /// caches do unless configured for another function only).
    fn check_capabilities(&self) -> Result<(), Failure> {
        let mut checked = self.checked.lock().unwrap_or_else(|e| e.into_inner());
        if *checked {
            return Ok(());
        }
        let what = "GetCapabilities";
        let message = GetCapabilitiesRequest {
            instance_name: self.address.instance.clone(),
        };
        let capabilities = match self.call(what, || {
            let mut client = CapabilitiesClient::new(self.channel.clone());
            let request = self.request(message.clone());
            async move { client.get_capabilities(request).await }
        })? {
            Ok(capabilities) => capabilities,
            Err(status) => return Err(status::failure(what, &status)),
        };
        if let Some(cache) = capabilities.cache_capabilities {
            let sha256 = digest_function::Value::Sha256 as i32;
            if !cache.digest_functions.is_empty() && !cache.digest_functions.contains(&sha256) {
                return Err(Failure::new(format!(
                    "{} does not take SHA-256 digests (it offers {:?})",
                    self.address.shown, cache.digest_functions
                )));
            }
        }
        *checked = true;
        Ok(())
    }

    fn remember(&self, blake3: &str, digest: Digest) {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(blake3.to_owned(), digest);
    }

    fn known(&self, blake3: &str) -> Option<Digest> {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(blake3)
            .cloned()
    }

    /// The result stored for the stage key `key_hex`.
    fn action_result(&self, key_hex: &str) -> Result<Option<ActionResult>, Failure> {
        self.check_capabilities()?;
        let what = format!("GetActionResult {}", short(key_hex));
        let message = GetActionResultRequest {
            instance_name: self.address.instance.clone(),
            action_digest: Some(StageAction::of(key_hex).digest),
            inline_output_files: vec![MANIFEST_PATH.to_owned()],
            ..GetActionResultRequest::default()
        };
        match self.call(&what, || {
            let mut client = self.action_cache();
            let request = self.request(message.clone());
            async move { client.get_action_result(request).await }
        })? {
            Ok(result) => Ok(Some(result)),
            Err(status) => match answer(&what, &status) {
                Answer::Missing => Ok(None),
                Answer::Failed(failure) => Err(failure),
            },
        }
    }

    /// The manifest a stage's result names, and the digest of its output
    /// blob; `None` when the result is not one sndtrk wrote.
    fn manifest_of(&self, result: &ActionResult) -> Result<Option<(Vec<u8>, Digest)>, Failure> {
        let file = |path: &str| result.output_files.iter().find(|file| file.path == path);
        let (Some(manifest), Some(output)) = (file(MANIFEST_PATH), file(OUTPUT_PATH)) else {
            return Ok(None);
        };
        let (Some(manifest_digest), Some(output_digest)) = (&manifest.digest, &output.digest)
        else {
            return Ok(None);
        };
        if manifest_digest.size_bytes < 0 || manifest_digest.size_bytes as u64 > MAX_MANIFEST_BYTES
        {
            return Ok(None);
        }
        // Inlined when the server does; read from the CAS otherwise. Either
        // way checked against its digest, as the server may be anything.
        let bytes = if !manifest.contents.is_empty() {
            manifest.contents.clone()
        } else {
            let mut bytes = Vec::new();
            if !stream::read(self, manifest_digest, MAX_MANIFEST_BYTES, &mut bytes)? {
                return Ok(None);
            }
            bytes
        };
        if digest_of(&bytes) != *manifest_digest {
            return Ok(Some((Vec::new(), output_digest.clone())));
        }
        Ok(Some((bytes, output_digest.clone())))
    }

    /// Whether the CAS has `digest`.
    fn has_blob(&self, digest: &Digest) -> Result<bool, Failure> {
        if digest.size_bytes == 0 {
            return Ok(true);
        }
        let what = format!("FindMissingBlobs {}", short(&digest.hash));
        let message = FindMissingBlobsRequest {
            instance_name: self.address.instance.clone(),
            blob_digests: vec![digest.clone()],
            ..FindMissingBlobsRequest::default()
        };
        match self.call(&what, || {
            let mut client = self.cas();
            let request = self.request(message.clone());
            async move { client.find_missing_blobs(request).await }
        })? {
            Ok(response) => Ok(response.missing_blob_digests.is_empty()),
            Err(status) => Err(status::failure(&what, &status)),
        }
    }

    /// Uploads the blob `file` holds (`size` bytes, blake3 `name`), unless
    /// the CAS has it; it is read once to hash it and once to send it.
    fn upload_blob(&self, name: &str, size: u64, file: &mut File) -> Result<(), Failure> {
        self.check_capabilities()?;
        let local = |error: std::io::Error| {
            Failure::new(format!("cannot read the blob {}: {error}", short(name)))
        };
        let digest = digest_of_reader(&mut *file).map_err(local)?;
        if u64::try_from(digest.size_bytes).ok() != Some(size) {
            return Err(Failure::new(format!(
                "the blob {} changed while it was uploaded",
                short(name)
            )));
        }
        if !self.has_blob(&digest)? {
            let mut attempt = 0;
            loop {
                file.seek(SeekFrom::Start(0)).map_err(local)?;
                match stream::write(self, &digest, file) {
                    Ok(()) => break,
                    Err(stream::WriteFailure::Busy(_)) if attempt < status::RETRIES => {
                        std::thread::sleep(status::pause(attempt));
                        attempt += 1;
                    }
                    Err(failure) => return Err(failure.into()),
                }
            }
        }
        self.remember(name, digest);
        Ok(())
    }

    /// Stores the manifest `bytes` under the stage key `key_hex`: the
    /// manifest, the action and its command in the CAS, then the result.
    fn store_result(&self, key_hex: &str, bytes: Vec<u8>) -> Result<(), Failure> {
        self.check_capabilities()?;
        let key: key::Digest = key_hex
            .parse()
            .map_err(|_| Failure::new(format!("`{}` is not a stage key", short(key_hex))))?;
        let manifest = RemoteManifest::decode(&bytes, &key)
            .map_err(|damaged| Failure::new(format!("the manifest to upload: {}", damaged.0)))?;
        let Some(output) = self.known(&manifest.output.to_hex()) else {
            return Err(Failure::new(format!(
                "the output of {} was not uploaded before its result",
                manifest.stage
            )));
        };
        let action = StageAction::of(key_hex);
        let manifest_digest = digest_of(&bytes);
        let blobs = [
            (manifest_digest.clone(), bytes),
            (digest_of(&action.command), action.command),
            (digest_of(&action.action), action.action),
        ];
        let what = format!("BatchUpdateBlobs {}", short(key_hex));
        let message = BatchUpdateBlobsRequest {
            instance_name: self.address.instance.clone(),
            requests: blobs
                .into_iter()
                .map(|(digest, data)| batch_update_blobs_request::Request {
                    digest: Some(digest),
                    data,
                    ..batch_update_blobs_request::Request::default()
                })
                .collect(),
            ..BatchUpdateBlobsRequest::default()
        };
        let response = match self.call(&what, || {
            let mut client = self.cas();
            let request = self.request(message.clone());
            async move { client.batch_update_blobs(request).await }
        })? {
            Ok(response) => response,
            Err(status) => return Err(status::failure(&what, &status)),
        };
        if let Some(refused) = response
            .responses
            .iter()
            .filter_map(|blob| blob.status.as_ref())
            .find(|status| status.code != 0)
        {
            let status = Status::new(tonic::Code::from(refused.code), refused.message.clone());
            return Err(status::failure(&what, &status));
        }
        let what = format!("UpdateActionResult {}", short(key_hex));
        let file = |path: &str, digest: Digest| OutputFile {
            path: path.to_owned(),
            digest: Some(digest),
            ..OutputFile::default()
        };
        let message = UpdateActionResultRequest {
            instance_name: self.address.instance.clone(),
            action_digest: Some(action.digest),
            action_result: Some(ActionResult {
                output_files: [
                    Some(file(MANIFEST_PATH, manifest_digest)),
                    Some(file(OUTPUT_PATH, output)),
                    // The region index, when one was uploaded before it.
                    manifest
                        .regions
                        .and_then(|(regions, _)| self.known(&regions.to_hex()))
                        .map(|digest| file(REGIONS_PATH, digest)),
                ]
                .into_iter()
                .flatten()
                .collect(),
                exit_code: 0,
                ..ActionResult::default()
            }),
            ..UpdateActionResultRequest::default()
        };
        match self.call(&what, || {
            let mut client = self.action_cache();
            let request = self.request(message.clone());
            async move { client.update_action_result(request).await }
        })? {
            Ok(_) => Ok(()),
            Err(status) => Err(status::failure(&what, &status)),
        }
    }
}

impl Backend for ReapiBackend {
    fn describe(&self) -> String {
        self.address.shown.clone()
    }

    fn get(
        &self,
        area: Area,
        name: &str,
        limit: u64,
        sink: &mut dyn Write,
    ) -> Result<bool, Failure> {
        match area {
            Area::Ac => {
                let Some(result) = self.action_result(name)? else {
                    return Ok(false);
                };
                let Some((bytes, output)) = self.manifest_of(&result)? else {
                    return Ok(false);
                };
                // Learn the output's SHA-256 from a manifest that is sound;
                // one that is not goes to the caller, which says so.
                if let Ok(key) = name.parse::<key::Digest>() {
                    if let Ok(manifest) = RemoteManifest::decode(&bytes, &key) {
                        if u64::try_from(output.size_bytes).ok() == Some(manifest.size) {
                            self.remember(&manifest.output.to_hex(), output);
                        }
                        // And its region index's, when the result lists it.
                        let index = result
                            .output_files
                            .iter()
                            .find(|file| file.path == REGIONS_PATH);
                        if let (Some((regions, size)), Some(digest)) =
                            (manifest.regions, index.and_then(|file| file.digest.clone()))
                        {
                            if u64::try_from(digest.size_bytes).ok() == Some(size) {
                                self.remember(&regions.to_hex(), digest);
                            }
                        }
                    }
                }
                let take = bytes
                    .len()
                    .min(usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX));
                sink.write_all(&bytes[..take])
                    .map_err(|error| Failure::new(format!("cannot keep the manifest: {error}")))?;
                Ok(true)
            }
            Area::Cas => match self.known(name) {
                Some(digest) => stream::read(self, &digest, limit, sink),
                // A blob is found through the result that names it.
                None => Ok(false),
            },
        }
    }

    fn contains(&self, area: Area, name: &str) -> Result<bool, Failure> {
        match area {
            Area::Ac => Ok(self.action_result(name)?.is_some()),
            Area::Cas => match self.known(name) {
                Some(digest) => self.has_blob(&digest),
                // Unknown here: the upload that follows hashes it and asks.
                None => Ok(false),
            },
        }
    }

    fn put(&self, area: Area, name: &str, size: u64, body: &mut dyn Read) -> Result<(), Failure> {
        match area {
            Area::Ac => {
                let mut bytes = Vec::new();
                body.take(MAX_MANIFEST_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|error| Failure::new(format!("cannot read the manifest: {error}")))?;
                self.store_result(name, bytes)
            }
            Area::Cas => {
                // SHA-256 must be known before the first byte is sent: a
                // reader is spooled to a temporary file, hashed on the way.
                let spool = |error: std::io::Error| {
                    Failure::new(format!("cannot spool the blob {}: {error}", short(name)))
                };
                let mut file = tempfile::tempfile().map_err(spool)?;
                std::io::copy(&mut body.take(size), &mut file).map_err(spool)?;
                file.seek(SeekFrom::Start(0)).map_err(spool)?;
                self.upload_blob(name, size, &mut file)
            }
        }
    }

    fn put_file(&self, area: Area, name: &str, size: u64, path: &Path) -> Result<(), Failure> {
        let mut file = File::open(path)
            .map_err(|error| Failure::new(format!("cannot read {}: {error}", path.display())))?;
        match area {
            // Hashed in place, then sent: no spool.
            Area::Cas => self.upload_blob(name, size, &mut file),
            Area::Ac => self.put(area, name, size, &mut file),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::remote::settings::RemoteSources;

    fn settings(url: &str) -> RemoteSettings {
        RemoteSources {
            flag_url: Some(url.into()),
            env_token: Some("t0ken".into()),
            ..RemoteSources::default()
        }
        .resolve()
        .unwrap()
        .unwrap()
    }

    #[test]
    fn a_token_goes_only_over_tls_or_to_loopback() {
        for (url, sent) in [
            ("grpc://cache.example:9092", false),
            ("grpcs://cache.example", true),
            ("grpc://127.0.0.1:1/main", true),
        ] {
            let (backend, withheld) = ReapiBackend::new(&settings(url)).unwrap();
            assert_eq!(
                (backend.authorization.is_some(), withheld),
                (sent, !sent),
                "{url}"
            );
            assert!(!backend.describe().contains("t0ken"));
        }
    }

    #[test]
    fn a_blob_is_unknown_until_a_result_or_an_upload_names_it() {
        let (backend, _) = ReapiBackend::new(&settings("grpc://127.0.0.1:1")).unwrap();
        let name = "ab".repeat(32);
        // Nothing is asked of the (absent) server for a blob it cannot name.
        assert_eq!(backend.contains(Area::Cas, &name), Ok(false));
        assert_eq!(
            backend.get(Area::Cas, &name, 10, &mut Vec::new()),
            Ok(false)
        );
        backend.remember(&name, digest_of(b"x"));
        assert_eq!(backend.known(&name), Some(digest_of(b"x")));
    }
}
