//! Loading a recipe's imports: `std/…` from the embedded standard library,
//! other paths relative to the importing file; cycles are diagnosed.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use crate::{
    diagnostic::Diagnostic,
    resolve::stdlib,
    syntax::ast::{self, DeclarationKind},
    syntax::memo::ParseMemo,
    syntax::source::{SourceFile, Sources},
    syntax::span::{SourceId, Span},
};

/// E0202: an imported file does not exist.
pub const IMPORT_NOT_FOUND: &str = crate::diagnostic::codes::E0202.code;
/// E0203: files import each other in a cycle.
pub const IMPORT_CYCLE: &str = crate::diagnostic::codes::E0203.code;
/// E0209: the recipe file cannot be read.
pub const CANNOT_READ: &str = crate::diagnostic::codes::E0209.code;

/// A parsed file of the project.
pub struct Loaded {
    pub file: ast::File,
    /// The root recipe (not an import).
    pub is_root: bool,
}

pub fn cannot_read(path: &Path, error: &std::io::Error) -> Diagnostic {
    let help = if error.kind() == std::io::ErrorKind::NotFound {
        "run sndtrk in the project directory, or name it with `-C DIR`".to_owned()
    } else {
        "check the file's permissions".to_owned()
    };
    Diagnostic::error(
        CANNOT_READ,
        format!("cannot read {}: {}", path.display(), error),
    )
    .help(help)
}

/// Loads the root file and, depth first, everything it imports, reading
/// each imported file (not of the standard library) with `read`.
pub fn load(
    sources: &mut Sources,
    diagnostics: &mut Vec<Diagnostic>,
    root: SourceFile,
    read: ReadFile<'_>,
) -> Vec<Loaded> {
    let mut loader = Loader {
        sources,
        diagnostics,
        read,
        loaded: Vec::new(),
        keys: HashMap::new(),
        stack: Vec::new(),
    };
    let key = root
        .path
        .as_ref()
        .map_or_else(|| root.name.clone(), |path| key_of(path));
    loader.visit(root, key, true);
    loader.loaded
}

/// How an imported file's text is read: from disk for the command line
/// ([`read_from_disk`]), from the editor's buffers first for the language
/// server.
pub type ReadFile<'a> = &'a dyn Fn(&Path) -> std::io::Result<String>;

/// Reads a file's text from disk.
pub fn read_from_disk(path: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(path)
}

struct Loader<'a> {
    sources: &'a mut Sources,
    diagnostics: &'a mut Vec<Diagnostic>,
    read: ReadFile<'a>,
    loaded: Vec<Loaded>,
    keys: HashMap<String, SourceId>,
    /// The chain of files being loaded, for cycle detection: (key, name).
    stack: Vec<(String, String)>,
}

impl Loader<'_> {
    fn visit(&mut self, file: SourceFile, key: String, is_root: bool) {
        let directory = file
            .path
            .as_ref()
            .and_then(|path| path.parent().map(Path::to_path_buf));
        let is_std = file.name.starts_with("std/");
        let name = file.name.clone();
        let text = file.text.clone();
        let source = self.sources.add(file);
        self.keys.insert(key.clone(), source);
        let (parsed, syntax) = ParseMemo::global().parse(source, &text);
        self.diagnostics.extend(syntax);
        self.stack.push((key, name));
        for declaration in &parsed.declarations {
            if declaration.kind != DeclarationKind::Import {
                continue;
            }
            let Some(path) = &declaration.title else {
                continue;
            };
            self.import(&path.value, path.span, directory.as_deref(), is_std);
        }
        self.stack.pop();
        self.loaded.push(Loaded {
            file: parsed,
            is_root,
        });
    }

    fn import(&mut self, written: &str, span: Span, directory: Option<&Path>, from_std: bool) {
        let (key, file) = if let Some(std_name) = written.strip_prefix("std/").map(|_| written) {
            let Some(text) = stdlib::get(std_name) else {
                let names: Vec<&str> = stdlib::names().collect();
                let mut diagnostic = Diagnostic::error(
                    IMPORT_NOT_FOUND,
                    format!("the standard library has no `{written}`"),
                )
                .at(span, "no such standard library file");
                diagnostic = match crate::syntax::keyword::closest(written, names.iter().copied()) {
                    Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
                    None => {
                        diagnostic.help(format!("the standard library has {}", names.join(", ")))
                    }
                };
                self.diagnostics.push(diagnostic);
                return;
            };
            (std_name.to_owned(), SourceFile::new(std_name, None, text))
        } else if from_std {
            self.diagnostics.push(
                Diagnostic::error(
                    IMPORT_NOT_FOUND,
                    format!("cannot import `{written}` from the standard library"),
                )
                .at(span, "not a standard library file")
                .help("standard library files import only `std/…` files"),
            );
            return;
        } else {
            let path = directory.map_or_else(
                || PathBuf::from(written),
                |directory| directory.join(written),
            );
            let key = key_of(&path);
            if self.keys.contains_key(&key) || self.stack.iter().any(|(open, _)| *open == key) {
                (key, SourceFile::new(written, Some(path), ""))
            } else {
                match (self.read)(&path) {
                    Ok(text) => (
                        key,
                        SourceFile::new(path.display().to_string(), Some(path), text),
                    ),
                    Err(error) => {
                        self.diagnostics.push(
                            Diagnostic::error(
                                IMPORT_NOT_FOUND,
                                format!("cannot import `{written}`: {error}"),
                            )
                            .at(span, "imported here")
                            .help(format!(
                                "the path is relative to the importing file; {} does not exist",
                                path.display()
                            )),
                        );
                        return;
                    }
                }
            }
        };
        if let Some(position) = self.stack.iter().position(|(open, _)| *open == key) {
            let mut chain: Vec<&str> = self.stack[position..]
                .iter()
                .map(|(_, name)| name.as_str())
                .collect();
            chain.push(&self.stack[position].1);
            self.diagnostics.push(
                Diagnostic::error(IMPORT_CYCLE, format!("import cycle: {}", chain.join(" → ")))
                    .at(span, "this import closes the cycle")
                    .help("remove one of the imports; a file cannot import itself, directly or through others"),
            );
            return;
        }
        if self.keys.contains_key(&key) {
            return;
        }
        self.visit(file, key, false);
    }
}

/// A file's identity for "already loaded": its canonical path where it exists.
fn key_of(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}
