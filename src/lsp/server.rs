//! The server: the request loop over a connection, and the state it keeps
//! between messages (the open documents and their analyses).
//!
//! [`Server::handle`] takes one message and gives the messages to send back
//! (a response, diagnostics to publish), so tests can drive it without a
//! connection; [`serve`] runs it over one, [`stdio`] over standard input
//! and output.

use std::{
    collections::{BTreeMap, HashMap, HashSet},
    panic::{catch_unwind, AssertUnwindSafe},
    sync::Arc,
};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::{
    notification::{self, Notification as _},
    request::{self, Request as _},
    CompletionOptions, CompletionResponse, Diagnostic as LspDiagnostic, DocumentSymbolResponse,
    FoldingRangeProviderCapability, GotoDefinitionResponse, Hover, HoverContents,
    HoverProviderCapability, MarkupContent, MarkupKind, OneOf, Position, PrepareRenameResponse,
    PublishDiagnosticsParams, RenameOptions, ServerCapabilities, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::{
    lsp::{
        analysis::Analysis, completion, diagnostics, documents::Documents, format, hover, navigate,
        outline, uri,
    },
    syntax::span::SourceId,
};

/// The state of a running server.
#[derive(Default)]
pub struct Server {
    documents: Documents,
    /// The analysis of each open document's project, for the current texts.
    analyses: HashMap<Url, Arc<Analysis>>,
    /// The files whose diagnostics were last published.
    published: HashSet<Url>,
    /// Whether a document changed since diagnostics were last published.
    changed: bool,
}

/// What a request handler gives: a result, or an error code and message.
type Answer = Result<Value, (ErrorCode, String)>;

impl Server {
    pub fn new() -> Self {
        Self::default()
    }

    /// What the server can do, for the `initialize` response.
    pub fn capabilities() -> ServerCapabilities {
        ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::FULL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: Default::default(),
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![" ".to_owned()]),
                ..CompletionOptions::default()
            }),
            document_formatting_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
            ..ServerCapabilities::default()
        }
    }

    /// Handles one message; gives the messages to send in answer (with
    /// the diagnostics a changed document brings). A panic while handling
    /// it (a bug) answers a request with an error and leaves the server
    /// running.
    pub fn handle(&mut self, message: Message) -> Vec<Message> {
        let mut messages = self.handle_deferred(message);
        messages.extend(self.flush());
        messages
    }

    /// Handles one message, but only notes that documents changed: their
    /// diagnostics wait for [`Server::flush`] (or the next request), so a
    /// burst of changes is checked once.
    pub fn handle_deferred(&mut self, message: Message) -> Vec<Message> {
        let id = match &message {
            Message::Request(request) => Some(request.id.clone()),
            _ => None,
        };
        let mut messages = Vec::new();
        if id.is_some() {
            // A request sees, and follows, the diagnostics of the texts it is about.
            messages.extend(self.flush());
        }
        match catch_unwind(AssertUnwindSafe(|| self.dispatch(message))) {
            Ok(answers) => messages.extend(answers),
            Err(_) => {
                self.analyses.clear();
                messages.extend(id.map(|id| {
                    Message::Response(Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        "sndtrk failed on this request (a bug); please report it".to_owned(),
                    ))
                }));
            }
        }
        messages
    }

    /// Publishes the diagnostics of the documents changed since the last
    /// time, if any did.
    pub fn flush(&mut self) -> Vec<Message> {
        if !self.changed {
            return Vec::new();
        }
        self.changed = false;
        self.analyses.clear();
        catch_unwind(AssertUnwindSafe(|| self.publish())).unwrap_or_else(|_| {
            self.analyses.clear();
            Vec::new()
        })
    }

    fn dispatch(&mut self, message: Message) -> Vec<Message> {
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                vec![Message::Response(match self.request(request) {
                    Ok(result) => Response::new_ok(id, result),
                    Err((code, message)) => Response::new_err(id, code as i32, message),
                })]
            }
            Message::Notification(notification) => {
                self.notification(notification);
                Vec::new()
            }
            Message::Response(_) => Vec::new(),
        }
    }

    /// Takes a document's text from a notification.
    fn notification(&mut self, notification: Notification) {
        let method = notification.method.as_str();
        match method {
            notification::DidOpenTextDocument::METHOD => {
                let Ok(params) = parse::<lsp_types::DidOpenTextDocumentParams>(notification.params)
                else {
                    return;
                };
                let document = params.text_document;
                self.documents
                    .open(document.uri, document.text, document.version);
            }
            notification::DidChangeTextDocument::METHOD => {
                let Ok(params) =
                    parse::<lsp_types::DidChangeTextDocumentParams>(notification.params)
                else {
                    return;
                };
                let document = params.text_document;
                self.documents
                    .change(document.uri, params.content_changes, document.version);
            }
            notification::DidCloseTextDocument::METHOD => {
                let Ok(params) =
                    parse::<lsp_types::DidCloseTextDocumentParams>(notification.params)
                else {
                    return;
                };
                self.documents.close(&params.text_document.uri);
            }
            notification::DidSaveTextDocument::METHOD => {}
            _ => return,
        }
        self.analyses.clear();
        self.changed = true;
    }

    /// The diagnostics of every file of every open document's project;
    /// files that had some and now are in none get an empty list.
    fn publish(&mut self) -> Vec<Message> {
        let open: Vec<Url> = self
            .documents
            .uris()
            .filter(|uri| uri.scheme() != uri::STDLIB_SCHEME)
            .cloned()
            .collect();
        let mut files: BTreeMap<Url, Vec<LspDiagnostic>> = BTreeMap::new();
        for document in open {
            let analysis = self.analysis(&document);
            for (file, list) in diagnostics::by_file(&analysis) {
                files.entry(file).or_insert(list);
            }
        }
        let mut messages = Vec::new();
        for stale in self
            .published
            .iter()
            .filter(|uri| !files.contains_key(*uri))
        {
            messages.push(publish(stale.clone(), Vec::new(), None));
        }
        self.published = files.keys().cloned().collect();
        for (file, list) in files {
            let version = self.documents.get(&file).map(|document| document.version);
            messages.push(publish(file, list, version));
        }
        messages
    }

    /// The analysis of the project `document` belongs to, computed once per
    /// change and shared by the documents of one project.
    fn analysis(&mut self, document: &Url) -> Arc<Analysis> {
        if let Some(analysis) = self.analyses.get(document) {
            return analysis.clone();
        }
        let analysis = Arc::new(Analysis::of(document, &self.documents));
        let members: Vec<Url> = self
            .documents
            .uris()
            .filter(|open| analysis.source(open).is_some())
            .cloned()
            .collect();
        for member in members {
            self.analyses.insert(member, analysis.clone());
        }
        self.analyses.insert(document.clone(), analysis.clone());
        analysis
    }

    /// The text of a document: its buffer, or a standard library file.
    fn text(&self, document: &Url) -> Option<String> {
        self.documents
            .get(document)
            .map(|open| open.text.clone())
            .or_else(|| uri::stdlib_text(document).map(str::to_owned))
    }

    /// The analysis, source and byte offset of a position in a document.
    fn locate(
        &mut self,
        document: &Url,
        position: Position,
    ) -> Option<(Arc<Analysis>, SourceId, usize)> {
        let analysis = self.analysis(document);
        let source = analysis.source(document)?;
        let offset = analysis.lines(source).offset(position);
        Some((analysis, source, offset))
    }

    fn request(&mut self, request: Request) -> Answer {
        let method = request.method.clone();
        // Requests are read leniently: what a request needs and no more
        // (a client's optional fields never fail it).
        let mut params = request.params;
        match method.as_str() {
            request::GotoDefinition::METHOD => {
                let at: TextDocumentPositionParams = parse(params)?;
                let found = self.locate(&at.text_document.uri, at.position).and_then(
                    |(analysis, source, offset)| navigate::definition(&analysis, source, offset),
                );
                to_value(found.map(GotoDefinitionResponse::Scalar))
            }
            request::References::METHOD => {
                let include_declaration = params["context"]["includeDeclaration"]
                    .as_bool()
                    .unwrap_or(true);
                let at: TextDocumentPositionParams = parse(params)?;
                let found = self.locate(&at.text_document.uri, at.position).map(
                    |(analysis, source, offset)| {
                        navigate::references(&analysis, source, offset, include_declaration)
                    },
                );
                to_value(found)
            }
            request::PrepareRenameRequest::METHOD => {
                let at: TextDocumentPositionParams = parse(params)?;
                let found = self.locate(&at.text_document.uri, at.position).and_then(
                    |(analysis, source, offset)| {
                        navigate::prepare_rename(&analysis, source, offset)
                    },
                );
                to_value(found.map(PrepareRenameResponse::Range))
            }
            request::Rename::METHOD => {
                let Some(new_name) = params["newName"].as_str().map(str::to_owned) else {
                    return Err((
                        ErrorCode::InvalidParams,
                        "a rename needs `newName`".to_owned(),
                    ));
                };
                let at: TextDocumentPositionParams = parse(params)?;
                let Some((analysis, source, offset)) =
                    self.locate(&at.text_document.uri, at.position)
                else {
                    return Ok(Value::Null);
                };
                match navigate::rename(&analysis, source, offset, &new_name) {
                    Ok(edit) => to_value(edit),
                    Err(message) => Err((ErrorCode::RequestFailed, message)),
                }
            }
            request::HoverRequest::METHOD => {
                let at: TextDocumentPositionParams = parse(params)?;
                let found = self.locate(&at.text_document.uri, at.position).and_then(
                    |(analysis, source, offset)| {
                        let (text, span) = hover::hover(&analysis, source, offset)?;
                        Some(Hover {
                            contents: HoverContents::Markup(MarkupContent {
                                kind: MarkupKind::Markdown,
                                value: text,
                            }),
                            range: analysis.location(span).map(|location| location.range),
                        })
                    },
                );
                to_value(found)
            }
            request::Completion::METHOD => {
                let at: TextDocumentPositionParams = parse(params)?;
                let document = at.text_document.uri;
                let Some(text) = self.text(&document) else {
                    return Ok(Value::Null);
                };
                let analysis = self.analysis(&document);
                let offset = crate::lsp::position::LineIndex::new(&text).offset(at.position);
                let items = completion::complete(&text, offset, &analysis.resolved.model);
                to_value(CompletionResponse::Array(items))
            }
            request::Formatting::METHOD => {
                let params: lsp_types::TextDocumentIdentifier =
                    parse(params["textDocument"].take())?;
                let text = self.text(&params.uri);
                to_value(text.and_then(|text| format::edits(&text)))
            }
            request::DocumentSymbolRequest::METHOD => {
                let params: lsp_types::TextDocumentIdentifier =
                    parse(params["textDocument"].take())?;
                let text = self.text(&params.uri);
                to_value(text.map(|text| DocumentSymbolResponse::Nested(outline::symbols(&text))))
            }
            request::FoldingRangeRequest::METHOD => {
                let params: lsp_types::TextDocumentIdentifier =
                    parse(params["textDocument"].take())?;
                let text = self.text(&params.uri);
                to_value(text.map(|text| outline::folding(&text)))
            }
            uri::STDLIB_REQUEST => {
                let params: lsp_types::TextDocumentIdentifier = parse(params)?;
                match uri::stdlib_text(&params.uri) {
                    Some(text) => Ok(json!({ "text": text })),
                    None => Err((
                        ErrorCode::InvalidParams,
                        format!("{} is no standard library file", params.uri),
                    )),
                }
            }
            request::Shutdown::METHOD => Ok(Value::Null),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("sndtrk does not answer `{method}`"),
            )),
        }
    }
}

fn publish(uri: Url, diagnostics: Vec<LspDiagnostic>, version: Option<i32>) -> Message {
    let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
    Message::Notification(Notification::new(
        notification::PublishDiagnostics::METHOD.to_owned(),
        params,
    ))
}

fn parse<T: DeserializeOwned>(params: Value) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(params).map_err(|error| (ErrorCode::InvalidParams, error.to_string()))
}

fn to_value(value: impl serde::Serialize) -> Answer {
    serde_json::to_value(value).map_err(|error| (ErrorCode::InternalError, error.to_string()))
}

/// Runs the server over `connection` until the client shuts it down.
pub fn serve(connection: &Connection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let capabilities = serde_json::to_value(Server::capabilities())?;
    let initialize = json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "sndtrk", "version": env!("CARGO_PKG_VERSION") },
    });
    let (id, _params) = connection.initialize_start()?;
    connection.initialize_finish(id, initialize)?;
    let mut server = Server::new();
    for message in &connection.receiver {
        if let Message::Request(request) = &message {
            if connection.handle_shutdown(request)? {
                return Ok(());
            }
        }
        let mut answers = server.handle_deferred(message);
        // Changes that came in a burst are checked once, after the last.
        if connection.receiver.is_empty() {
            answers.extend(server.flush());
        }
        for answer in answers {
            connection.sender.send(answer)?;
        }
    }
    Ok(())
}

/// `sndtrk lsp`: serves over standard input and output; gives the exit code.
pub fn stdio() -> i32 {
    let (connection, threads) = Connection::stdio();
    let served = serve(&connection);
    drop(connection);
    let joined = threads.join();
    match (served, joined) {
        (Ok(()), Ok(())) => 0,
        (Err(error), _) => {
            eprintln!("sndtrk lsp: {error}");
            1
        }
        (_, Err(error)) => {
            eprintln!("sndtrk lsp: {error}");
            1
        }
    }
}
