//! Two ways to talk to the server, behind one trait: in process through
//! [`Server::handle`], and to the binary over its stdio with
//! `Content-Length` framing and a timeout on every answer.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Child, ChildStdin, Command, Stdio},
    sync::mpsc::{self, Receiver},
    time::{Duration, Instant},
};

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{json, Value};
use sndtrk::lsp::Server;

/// How long any answer may take.
pub const PATIENCE: Duration = Duration::from_secs(1);

/// A client of the server.
pub trait Client {
    /// Sends a notification; gives the `publishDiagnostics` it caused, as
    /// `(uri, diagnostics)`.
    fn notify(&mut self, method: &str, params: Value) -> Vec<(String, Vec<Value>)>;
    /// Sends a request; gives its result, or its error object.
    fn request(&mut self, method: &str, params: Value) -> Result<Value, Value>;

    fn open(&mut self, uri: &str, text: &str) -> Vec<(String, Vec<Value>)> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "sndtrk", "version": 1, "text": text } }),
        )
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) -> Vec<(String, Vec<Value>)> {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }],
            }),
        )
    }

    /// A request at a position of a document.
    fn at(&mut self, method: &str, uri: &str, (line, character): (u32, u32)) -> Value {
        self.request(
            method,
            json!({
                "textDocument": { "uri": uri },
                "position": { "line": line, "character": character },
                "context": { "includeDeclaration": true },
            }),
        )
        .unwrap_or_else(|error| panic!("{method} failed: {error}"))
    }
}

/// The diagnostics published for `uri` (the last list, if several).
pub fn published_for(published: &[(String, Vec<Value>)], uri: &str) -> Option<Vec<Value>> {
    published
        .iter()
        .rev()
        .find(|(file, _)| file == uri)
        .map(|(_, list)| list.clone())
}

fn publishes(messages: &[Message]) -> Vec<(String, Vec<Value>)> {
    messages
        .iter()
        .filter_map(|message| match message {
            Message::Notification(notification)
                if notification.method == "textDocument/publishDiagnostics" =>
            {
                let uri = notification.params["uri"].as_str()?.to_owned();
                let list = notification.params["diagnostics"].as_array()?.clone();
                Some((uri, list))
            }
            _ => None,
        })
        .collect()
}

/// The server in this process.
pub struct InProcess {
    server: Server,
    next: i32,
}

impl InProcess {
    pub fn new() -> Self {
        Self {
            server: Server::new(),
            next: 0,
        }
    }
}

impl Client for InProcess {
    fn notify(&mut self, method: &str, params: Value) -> Vec<(String, Vec<Value>)> {
        let answers = self.server.handle(Message::Notification(Notification::new(
            method.to_owned(),
            params,
        )));
        publishes(&answers)
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.next += 1;
        let id = RequestId::from(self.next);
        let started = Instant::now();
        let answers = self.server.handle(Message::Request(Request::new(
            id.clone(),
            method.to_owned(),
            params,
        )));
        assert!(
            started.elapsed() < PATIENCE,
            "{method} took {:?}",
            started.elapsed()
        );
        answer(&answers, &id).unwrap_or_else(|| panic!("no answer to {method}"))
    }
}

fn answer(messages: &[Message], id: &RequestId) -> Option<Result<Value, Value>> {
    messages.iter().find_map(|message| match message {
        Message::Response(response) if response.id == *id => Some(match &response.error {
            Some(error) => Err(serde_json::to_value(error).unwrap_or(Value::Null)),
            None => Ok(response.result.clone().unwrap_or(Value::Null)),
        }),
        _ => None,
    })
}

/// The binary, `sndtrk lsp`, over its stdio.
pub struct Binary {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next: i64,
    /// A document every notification is followed by a request on, so
    /// that what the notification caused has arrived when it answers.
    pub barrier: String,
}

impl Binary {
    /// Starts the server and initialises it.
    pub fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sndtrk"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start sndtrk lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut binary = Self {
            child,
            stdin,
            messages,
            next: 0,
            barrier: "file:///nowhere.sndtrk".to_owned(),
        };
        let initialized = binary.request("initialize", json!({ "capabilities": {} }));
        let capabilities = &initialized.expect("initialize")["capabilities"];
        assert_eq!(capabilities["textDocumentSync"]["change"], 1, "full sync");
        binary.send(&json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
        binary
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    /// The next message within [`PATIENCE`].
    fn receive(&mut self, waiting_for: &str) -> Value {
        self.messages.recv_timeout(PATIENCE).unwrap_or_else(|_| {
            panic!("no message within {PATIENCE:?} while waiting for {waiting_for}")
        })
    }

    /// Sends a request; gives its answer and the notifications before it.
    fn exchange(&mut self, method: &str, params: Value) -> (Result<Value, Value>, Vec<Value>) {
        self.next += 1;
        let id = self.next;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let mut before = Vec::new();
        loop {
            let message = self.receive(method);
            if message["id"] == json!(id) && message.get("method").is_none() {
                let result = match message.get("error") {
                    Some(error) => Err(error.clone()),
                    None => Ok(message.get("result").cloned().unwrap_or(Value::Null)),
                };
                return (result, before);
            }
            before.push(message);
        }
    }

    /// Sends a notification and waits for nothing.
    pub fn send_notification(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Shuts the server down and waits for it to exit; gives its status.
    pub fn shut_down(mut self) -> i32 {
        let shutdown = self.request("shutdown", Value::Null);
        assert_eq!(shutdown, Ok(Value::Null));
        self.send(&json!({ "jsonrpc": "2.0", "method": "exit" }));
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code().unwrap_or(-1);
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "the server did not exit"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().expect("wait").is_none()
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Client for Binary {
    fn notify(&mut self, method: &str, params: Value) -> Vec<(String, Vec<Value>)> {
        if method == "textDocument/didOpen" {
            if let Some(uri) = params["textDocument"]["uri"].as_str() {
                self.barrier = uri.to_owned();
            }
        }
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
        let barrier = json!({ "textDocument": { "uri": self.barrier } });
        let (_, before) = self.exchange("textDocument/foldingRange", barrier);
        before
            .iter()
            .filter(|message| message["method"] == "textDocument/publishDiagnostics")
            .filter_map(|message| {
                let params = &message["params"];
                Some((
                    params["uri"].as_str()?.to_owned(),
                    params["diagnostics"].as_array()?.clone(),
                ))
            })
            .collect()
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Value, Value> {
        self.exchange(method, params).0
    }
}

/// Reads one `Content-Length` framed message.
fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
