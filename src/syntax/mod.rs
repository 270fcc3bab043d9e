//! The front end's first stage: recipe text to a typed syntax tree with a
//! span on every node, and back to text in the canonical layout.
//!
//! `parse` runs the pest grammar (`grammar`) over the text of one file
//! (`source`) and builds the tree (`ast`), reporting every syntax error it
//! can recover from (`error`). Literals carry units (`unit`); reserved words
//! are listed in `keyword`; comments, which the grammar drops, are found
//! again in the text by `comment`; `format` prints the one canonical layout.
//! `memo` gives back the tree of a text parsed by an earlier command.

pub mod ast;
pub mod comment;
pub(crate) mod error;
pub mod format;
pub(crate) mod grammar;
pub(crate) mod keyword;
pub mod memo;
pub mod parse;
pub mod source;
pub mod span;
pub(crate) mod unit;
