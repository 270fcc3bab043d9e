//! Blobs through the ByteStream service, a chunk at a time: a download is
//! written to its sink as each chunk arrives, an upload is read from its
//! file a chunk ahead of the wire, so neither holds a whole object. Every
//! chunk, each way, has the read timeout, so a server that stops in the
//! middle of a large blob is caught as quickly as one that never answers.

use std::io::{self, Read, Write};

use bazel_remote_apis::{
    build::bazel::remote::execution::v2::Digest,
    google::bytestream::{ReadRequest, WriteRequest},
};
use tokio_stream::wrappers::ReceiverStream;

use super::{
    status::{self, answer, Answer},
    ReapiBackend,
};
use crate::engine::remote::backend::{short, Failure};

/// The size of one chunk of an upload (well under gRPC's usual 4 MiB
/// message limit).
const CHUNK_BYTES: usize = 1 << 20;

/// Streams the blob `digest` into `sink`, at most `limit` bytes plus one;
/// `Ok(false)` when the server does not have it.
pub(super) fn read(
    backend: &ReapiBackend,
    digest: &Digest,
    limit: u64,
    sink: &mut dyn Write,
) -> Result<bool, Failure> {
    if digest.size_bytes == 0 {
        return Ok(true);
    }
    let what = format!("Read {}", short(&digest.hash));
    let message = ReadRequest {
        resource_name: format!(
            "{}blobs/{}/{}",
            backend.address.resource_prefix(),
            digest.hash,
            digest.size_bytes
        ),
        read_offset: 0,
        read_limit: 0,
    };
    let mut chunks = match backend.call(&what, || {
        let mut client = backend.byte_stream();
        let request = backend.request(message.clone());
        async move { client.read(request).await }
    })? {
        Ok(chunks) => chunks,
        Err(status) => {
            return match answer(&what, &status) {
                Answer::Missing => Ok(false),
                Answer::Failed(failure) => Err(failure),
            }
        }
    };
    let cap = limit.saturating_add(1);
    let mut written: u64 = 0;
    let timeout = backend.io_timeout;
    loop {
        let next = backend
            .runtime
            .block_on(async { tokio::time::timeout(timeout, chunks.message()).await });
        let chunk = match next {
            Err(_) => return Err(status::timed_out(&what)),
            // The server says its copy is damaged: what arrived so far is
            // handed on as it is, and fails the check against the hash
            // like any damaged download (discarded, rendered locally).
            Ok(Err(status)) if status.code() == tonic::Code::DataLoss => return Ok(true),
            Ok(Err(status)) => {
                return match answer(&what, &status) {
                    Answer::Missing if written == 0 => Ok(false),
                    Answer::Missing => Err(status::failure(&what, &status)),
                    Answer::Failed(failure) => Err(failure),
                }
            }
            Ok(Ok(None)) => return Ok(true),
            Ok(Ok(Some(chunk))) => chunk,
        };
        let room = usize::try_from(cap - written).unwrap_or(usize::MAX);
        let take = chunk.data.len().min(room);
        sink.write_all(&chunk.data[..take])
            .map_err(|error| Failure::new(format!("{what}: cannot keep the download: {error}")))?;
        written += take as u64;
        if written >= cap {
            return Ok(true);
        }
    }
}

/// Why an upload did not go through.
pub(super) enum WriteFailure {
    /// The server was too busy to take it: worth sending again.
    Busy(Failure),
    /// Anything else.
    Failed(Failure),
}

impl From<WriteFailure> for Failure {
    fn from(failure: WriteFailure) -> Self {
        match failure {
            WriteFailure::Busy(failure) | WriteFailure::Failed(failure) => failure,
        }
    }
}

impl From<Failure> for WriteFailure {
    fn from(failure: Failure) -> Self {
        WriteFailure::Failed(failure)
    }
}

/// Uploads the blob `digest` from `body`, which yields its bytes.
pub(super) fn write(
    backend: &ReapiBackend,
    digest: &Digest,
    body: &mut dyn Read,
) -> Result<(), WriteFailure> {
    let size = u64::try_from(digest.size_bytes).unwrap_or(0);
    if size == 0 {
        // The empty blob is in every CAS.
        return Ok(());
    }
    let what = format!("Write {}", short(&digest.hash));
    let resource = format!(
        "{}uploads/{}/blobs/{}/{}",
        backend.address.resource_prefix(),
        upload_id(&digest.hash),
        digest.hash,
        digest.size_bytes
    );
    let (sender, receiver) = tokio::sync::mpsc::channel::<WriteRequest>(2);
    let mut client = backend.byte_stream();
    let request = backend.request(ReceiverStream::new(receiver));
    let call = backend
        .runtime
        .spawn(async move { client.write(request).await });
    let timeout = backend.io_timeout;
    let mut buffer = vec![0u8; CHUNK_BYTES.min(usize::try_from(size).unwrap_or(CHUNK_BYTES))];
    let mut offset: u64 = 0;
    let fed = loop {
        let read = match fill(body, &mut buffer) {
            Ok(read) => read,
            Err(error) => {
                break Err(Failure::new(format!(
                    "{what}: cannot read the blob: {error}"
                )))
            }
        };
        let finish = read < buffer.len() || offset + read as u64 >= size;
        let message = WriteRequest {
            resource_name: if offset == 0 {
                resource.clone()
            } else {
                String::new()
            },
            write_offset: i64::try_from(offset).unwrap_or(i64::MAX),
            finish_write: finish,
            data: buffer[..read].to_vec(),
        };
        offset += read as u64;
        let sent = backend
            .runtime
            .block_on(async { tokio::time::timeout(timeout, sender.send(message)).await });
        match sent {
            Ok(Ok(())) if !finish => {}
            // Done, or the server ended the call early (it may already
            // have the blob): its answer says which.
            Ok(_) => break Ok(()),
            Err(_) => break Err(status::timed_out(&what)),
        }
    };
    drop(sender);
    if fed.is_err() {
        call.abort();
    }
    let answer = backend
        .runtime
        .block_on(async { tokio::time::timeout(timeout, call).await });
    fed?;
    let response = match answer {
        Err(_) => return Err(status::timed_out(&what).into()),
        Ok(Err(_)) => return Err(Failure::new(format!("{what}: the upload was cut short")).into()),
        Ok(Ok(Err(status))) if status::busy(&status) => {
            return Err(WriteFailure::Busy(status::failure(&what, &status)))
        }
        Ok(Ok(Err(status))) => return Err(status::failure(&what, &status).into()),
        Ok(Ok(Ok(response))) => response.into_inner(),
    };
    // A server that had the blob may answer at once with its size, or -1
    // when it compressed it.
    let committed = response.committed_size;
    if offset != size || (committed != digest.size_bytes && committed != -1) {
        return Err(Failure::new(format!(
            "{what}: {committed} of {size} bytes were committed"
        ))
        .into());
    }
    Ok(())
}

/// Reads into `buffer` until it is full or the reader ends.
fn fill(reader: &mut dyn Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(read) => filled += read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

/// A fresh upload id in the form of a UUID, as ByteStream asks: unique
/// per upload (the process, the time, a counter and the blob).
fn upload_id(hash: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let mut hasher = blake3::Hasher::new();
    hasher.update(&std::process::id().to_le_bytes());
    hasher.update(&nanos.to_le_bytes());
    hasher.update(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    hasher.update(hash.as_bytes());
    let hex = hasher.finalize().to_hex();
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_ids_are_uuid_shaped_and_fresh() {
        let first = upload_id("ab");
        assert_eq!(first.len(), 36);
        assert_eq!(first.matches('-').count(), 4);
        assert_ne!(first, upload_id("ab"));
    }
}
