//! A tiny HTTP cache server on 127.0.0.1 for the remote cache tests: it
//! stores what is `PUT`, serves `GET` and `HEAD`, counts every request,
//! keeps the `Authorization` headers it was sent, and misbehaves on
//! demand ([`Mode`]): poisoned bytes, lost blobs, 413, 500, or no answer.
//! One thread per connection, one request per connection.

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    thread,
    time::Duration,
};

/// How the server answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A faithful cache.
    Normal,
    /// Every blob served has a byte flipped (manifests are intact).
    PoisonBlobs,
    /// Every object served, manifests too, has a byte flipped.
    PoisonAll,
    /// Manifests are served; blobs are 404.
    LoseBlobs,
    /// Every `PUT` is refused with 413 (reads work).
    RefusePuts,
    /// Every request is answered 500.
    Fail,
    /// Requests are read and never answered.
    Hang,
}

#[derive(Default)]
struct Shared {
    objects: Mutex<BTreeMap<String, Vec<u8>>>,
    puts: AtomicUsize,
    gets: AtomicUsize,
    authorizations: Mutex<Vec<Option<String>>>,
    stop: AtomicBool,
}

/// A running server; stopped when dropped.
pub struct CacheServer {
    pub url: String,
    shared: Arc<Shared>,
    mode: Arc<Mutex<Mode>>,
}

impl CacheServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let shared = Arc::new(Shared::default());
        let mode = Arc::new(Mutex::new(Mode::Normal));
        let (accepting, modes) = (Arc::clone(&shared), Arc::clone(&mode));
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (shared, mode) = (Arc::clone(&accepting), *modes.lock().unwrap());
                thread::spawn(move || {
                    let _ = serve(stream, &shared, mode);
                });
            }
        });
        Self { url, shared, mode }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    /// `PUT`s received so far.
    pub fn puts(&self) -> usize {
        self.shared.puts.load(Ordering::SeqCst)
    }

    /// `GET`s received so far.
    pub fn gets(&self) -> usize {
        self.shared.gets.load(Ordering::SeqCst)
    }

    /// The paths stored under `sndtrk-v1/AREA/`.
    pub fn names(&self, area: &str) -> Vec<String> {
        let prefix = format!("/sndtrk-v1/{area}/");
        self.shared
            .objects
            .lock()
            .unwrap()
            .keys()
            .filter_map(|path| path.strip_prefix(&prefix).map(str::to_owned))
            .collect()
    }

    /// Every `Authorization` header received (`None`: none sent).
    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.shared.authorizations.lock().unwrap().clone()
    }
}

impl Drop for CacheServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

/// A URL on loopback where nothing listens.
pub fn nothing_listening() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

fn serve(stream: TcpStream, shared: &Shared, mode: Mode) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    let mut length = 0usize;
    let mut authorization = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            match name.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse().unwrap_or(0),
                "authorization" => authorization = Some(value.trim().to_owned()),
                _ => {}
            }
        }
    }
    shared.authorizations.lock().unwrap().push(authorization);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut stream = stream;
    if mode == Mode::Hang {
        while !shared.stop.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(50));
        }
        return Ok(());
    }
    let blob = path.contains("/cas/");
    let (status, payload): (u16, Vec<u8>) = match method.as_str() {
        _ if mode == Mode::Fail => (500, Vec::new()),
        "PUT" => {
            shared.puts.fetch_add(1, Ordering::SeqCst);
            if mode == Mode::RefusePuts {
                (413, Vec::new())
            } else {
                shared.objects.lock().unwrap().insert(path, body);
                (201, Vec::new())
            }
        }
        "GET" | "HEAD" => {
            if method == "GET" {
                shared.gets.fetch_add(1, Ordering::SeqCst);
            }
            let found = shared.objects.lock().unwrap().get(&path).cloned();
            match found {
                Some(_) if blob && mode == Mode::LoseBlobs => (404, Vec::new()),
                Some(mut bytes) => {
                    let poison = (blob && mode == Mode::PoisonBlobs) || mode == Mode::PoisonAll;
                    if poison && !bytes.is_empty() {
                        let middle = bytes.len() / 2;
                        bytes[middle] ^= 0x5a;
                    }
                    (200, bytes)
                }
                None => (404, Vec::new()),
            }
        }
        _ => (405, Vec::new()),
    };
    let reason = match status {
        200 => "OK",
        201 => "Created",
        404 => "Not Found",
        413 => "Payload Too Large",
        500 => "Internal Server Error",
        _ => "Other",
    };
    write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&payload)?;
    }
    stream.flush()
}
