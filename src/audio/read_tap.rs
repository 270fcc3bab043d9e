//! [`ReadTap`]: what a reader shows of the bytes it reads, so that the
//! build engine can hash a source file while a stage renders from it,
//! instead of reading it once more beforehand (see
//! [`crate::engine::source_digest`]). The audio core calls it; the engine
//! implements it; neither knows the other.

/// Sees the bytes a reader reads from its file, with their offsets.
pub trait ReadTap: Send {
    /// `bytes` were read from the file at `offset`.
    fn bytes(&mut self, offset: u64, bytes: &[u8]);

    /// The reader has shown every byte of the file, from 0 to its end.
    fn end(&mut self);
}
