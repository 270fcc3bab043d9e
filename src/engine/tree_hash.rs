//! An object's blake3 digest kept as the chaining values of its 1 MiB
//! blocks, so that an object patched in place (a long bus re-rendered over
//! a few chunks, [`crate::engine::store::ObjectWriter::adopt`]) is hashed
//! again over the blocks it rewrote, not over its whole length.
//!
//! BLAKE3 hashes its input as a binary tree of 1 KiB chunks whose left
//! subtrees are whole powers of two, so every aligned block of
//! [`BLOCK`] bytes inside an input is one of its subtrees: the digest is
//! those blocks' chaining values (and the last, partial block's) merged as
//! the tree merges them. It is the same digest as `blake3::hash` of the
//! whole input, byte for byte (a unit test holds them equal), so nothing
//! else in the store changes. An object's tree is kept beside its region
//! index ([`crate::engine::regions::tree_path`]), only for objects with
//! one; one that is missing or does not fit costs a whole read-back.

use blake3::hazmat::{
    left_subtree_len, merge_subtrees_non_root, merge_subtrees_root, HasherExt, Mode,
};

use crate::engine::key::Digest;

/// The bytes of a block: 1,024 BLAKE3 chunks.
pub const BLOCK: u64 = 1 << 20;

/// A block's chaining value.
pub type Cv = [u8; 32];

const MAGIC: &[u8] = b"sndtrk-tree 1\n";

/// The chaining values of an object's whole blocks, and its length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub len: u64,
    pub blocks: Vec<Cv>,
}

/// The chaining value of the block of `bytes` at `offset` (a multiple of
/// [`BLOCK`]; `bytes` a whole block, or the object's last bytes).
pub fn block_cv(offset: u64, bytes: &[u8]) -> Cv {
    let mut hasher = blake3::Hasher::new();
    hasher.set_input_offset(offset);
    hasher.update(bytes);
    hasher.finalize_non_root()
}

impl Tree {
    /// The digest of an object of more than one block, from its whole
    /// blocks' chaining values and its last partial block's bytes (`tail`,
    /// empty when its length is a whole number of blocks). `None` when the
    /// pieces do not make `len` bytes.
    pub fn digest(&self, tail: &[u8]) -> Option<Digest> {
        if tail.len() as u64 != self.len % BLOCK {
            return None;
        }
        let whole = self.len / BLOCK;
        let tail = (!tail.is_empty()).then(|| block_cv(whole * BLOCK, tail));
        self.digest_with(tail.as_ref())
    }

    /// [`Tree::digest`], given the last partial block's chaining value.
    fn digest_with(&self, tail: Option<&Cv>) -> Option<Digest> {
        let whole = self.len / BLOCK;
        if self.len <= BLOCK
            || self.blocks.len() as u64 != whole
            || tail.is_some() == self.len.is_multiple_of(BLOCK)
        {
            return None;
        }
        let subtree = |start: u64, len: u64| self.subtree(start, len, tail);
        let left = left_subtree_len(self.len);
        let root = merge_subtrees_root(
            &subtree(0, left),
            &subtree(left, self.len - left),
            Mode::Hash,
        );
        Some(Digest(*root.as_bytes()))
    }

    /// The chaining value of the subtree of `len` bytes at `start`.
    fn subtree(&self, start: u64, len: u64, tail: Option<&Cv>) -> Cv {
        if len <= BLOCK {
            let index = (start / BLOCK) as usize;
            return match (len == BLOCK, self.blocks.get(index), tail) {
                (true, Some(cv), _) => *cv,
                (_, _, Some(cv)) => *cv,
                // Unreachable for a tree `digest` checked; any value
                // gives a digest no object has.
                _ => [0; 32],
            };
        }
        let left = left_subtree_len(len);
        merge_subtrees_non_root(
            &self.subtree(start, left, tail),
            &self.subtree(start + left, len - left, tail),
            Mode::Hash,
        )
    }

    /// The tree's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(MAGIC.len() + 16 + 32 * self.blocks.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&self.len.to_le_bytes());
        bytes.extend_from_slice(&(self.blocks.len() as u64).to_le_bytes());
        for cv in &self.blocks {
            bytes.extend_from_slice(cv);
        }
        bytes
    }

    /// Reads a tree; `None` unless it is whole and consistent.
    pub fn decode(bytes: &[u8]) -> Option<Tree> {
        let rest = bytes.strip_prefix(MAGIC)?;
        let (len, rest) = rest.split_first_chunk::<8>()?;
        let (count, rest) = rest.split_first_chunk::<8>()?;
        let len = u64::from_le_bytes(*len);
        let count = u64::from_le_bytes(*count);
        if count != len / BLOCK || rest.len() as u64 != count.checked_mul(32)? {
            return None;
        }
        let blocks = rest
            .chunks_exact(32)
            .map(|cv| cv.try_into().unwrap_or([0; 32]))
            .collect();
        Some(Tree { len, blocks })
    }
}

/// An object's digest and its blocks' chaining values, as it is written
/// in order.
#[derive(Debug, Clone)]
pub struct BlockHasher {
    blocks: Vec<Cv>,
    block: Option<blake3::Hasher>,
    /// The plain hash of the first block, for an object no longer.
    first: blake3::Hasher,
    len: u64,
}

impl Default for BlockHasher {
    fn default() -> Self {
        Self {
            blocks: Vec::new(),
            block: None,
            first: blake3::Hasher::new(),
            len: 0,
        }
    }
}

impl BlockHasher {
    /// Follows the next `bytes` of the object.
    pub fn update(&mut self, mut bytes: &[u8]) {
        if self.len < BLOCK {
            let first = (BLOCK - self.len).min(bytes.len() as u64) as usize;
            self.first.update(&bytes[..first]);
        }
        while !bytes.is_empty() {
            let offset = self.len;
            let room = (BLOCK - offset % BLOCK) as usize;
            let (now, rest) = bytes.split_at(room.min(bytes.len()));
            let block = self.block.get_or_insert_with(|| {
                let mut hasher = blake3::Hasher::new();
                hasher.set_input_offset(offset - offset % BLOCK);
                hasher
            });
            block.update(now);
            self.len += now.len() as u64;
            if self.len.is_multiple_of(BLOCK) {
                if let Some(block) = self.block.take() {
                    self.blocks.push(block.finalize_non_root());
                }
            }
            bytes = rest;
        }
    }

    /// The bytes followed so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no byte was followed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The digest of the bytes so far, and their tree.
    pub fn finish(self) -> (Digest, Tree) {
        let tail = self.block.as_ref().map(|block| block.finalize_non_root());
        let tree = Tree {
            len: self.len,
            blocks: self.blocks,
        };
        let digest = tree
            .digest_with(tail.as_ref())
            .unwrap_or_else(|| Digest(*self.first.finalize().as_bytes()));
        (digest, tree)
    }
}

/// The digest and tree of everything `reader` gives, eight blocks at a
/// time, each block hashed on the thread pool.
pub fn read_tree(reader: &mut impl std::io::Read) -> std::io::Result<(Digest, Tree)> {
    use rayon::prelude::*;
    const GROUP: usize = 8 * BLOCK as usize;
    let mut buffer = vec![0u8; GROUP];
    let mut hasher = BlockHasher::default();
    loop {
        let mut filled = 0;
        while filled < GROUP {
            match reader.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
        if filled < GROUP || hasher.len() < BLOCK {
            // The first block (hashed plainly too) and the last bytes.
            hasher.update(&buffer[..filled]);
        } else {
            let offset = hasher.len();
            let cvs: Vec<Cv> = buffer
                .par_chunks(BLOCK as usize)
                .enumerate()
                .map(|(index, block)| block_cv(offset + index as u64 * BLOCK, block))
                .collect();
            hasher.blocks.extend(cvs);
            hasher.len += GROUP as u64;
        }
        if filled < GROUP {
            return Ok(hasher.finish());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 1000) as u8).collect()
    }

    #[test]
    fn a_tree_s_digest_is_blake3_of_the_whole_input() {
        let b = BLOCK as usize;
        for len in [
            b + 1,
            b + 1024,
            2 * b,
            2 * b + 5,
            3 * b - 1,
            5 * b + 77,
            8 * b,
        ] {
            let input = bytes(len);
            let mut hasher = BlockHasher::default();
            // Fed in odd pieces, as a writer sees them.
            for piece in input.chunks(300_007) {
                hasher.update(piece);
            }
            let (digest, tree) = hasher.finish();
            assert_eq!(digest, Digest(*blake3::hash(&input).as_bytes()));
            assert_eq!(tree.len, len as u64);
            let tail = &input[len - len % b..];
            assert_eq!(
                tree.digest(tail),
                Some(Digest(*blake3::hash(&input).as_bytes())),
                "{len} bytes"
            );
            assert_eq!(Tree::decode(&tree.encode()), Some(tree.clone()));
            if !tail.is_empty() {
                assert_eq!(tree.digest(&tail[..tail.len() - 1]), None);
            }
        }
    }

    #[test]
    fn an_object_of_one_block_or_less_is_hashed_plainly() {
        for len in [0, 1, 1024, 5000, BLOCK as usize] {
            let input = bytes(len);
            let mut hasher = BlockHasher::default();
            hasher.update(&input);
            assert_eq!(hasher.finish().0, Digest(*blake3::hash(&input).as_bytes()));
        }
    }

    #[test]
    fn a_patched_block_s_new_value_gives_the_patched_input_s_digest() {
        let b = BLOCK as usize;
        let mut input = bytes(4 * b + 999);
        let mut hasher = BlockHasher::default();
        hasher.update(&input);
        let (_, mut tree) = hasher.finish();
        input[2 * b + 12] ^= 0xff;
        tree.blocks[2] = block_cv(2 * BLOCK, &input[2 * b..3 * b]);
        assert_eq!(
            tree.digest(&input[4 * b..]),
            Some(Digest(*blake3::hash(&input).as_bytes()))
        );
    }

    #[test]
    fn a_tree_read_back_is_the_tree_written() {
        for len in [
            0,
            7,
            BLOCK as usize,
            20 * BLOCK as usize + 3,
            16 * BLOCK as usize,
        ] {
            let input = bytes(len);
            let mut written = BlockHasher::default();
            written.update(&input);
            let read = read_tree(&mut &input[..]).unwrap();
            assert_eq!(read, written.finish(), "{len} bytes");
        }
    }

    #[test]
    fn a_damaged_tree_is_refused() {
        let mut hasher = BlockHasher::default();
        hasher.update(&bytes(3 * BLOCK as usize));
        let encoded = hasher.finish().1.encode();
        assert_eq!(Tree::decode(&encoded[..encoded.len() - 1]), None);
        assert_eq!(Tree::decode(b"sndtrk-tree 2\n"), None);
        let mut longer = encoded.clone();
        longer.extend_from_slice(&[0; 32]);
        assert_eq!(Tree::decode(&longer), None);
    }
}
