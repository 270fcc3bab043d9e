//! Starting the write-out of a file's dirty pages early, so the `fsync`
//! that makes it durable (before it is renamed into place) waits for the
//! last few megabytes only, not for the whole file: the disk works while
//! the stage goes on computing. Without it, a clean build spent about a
//! quarter of a second in `fsync` on the eight-stem benchmark, on its
//! critical path.

use std::fs::File;

/// Asks the kernel to start writing out the file's dirty pages, without
/// waiting (Linux's `sync_file_range(SYNC_FILE_RANGE_WRITE)`). Elsewhere,
/// and on any error, it does nothing: the `fsync` that follows is what
/// makes the file durable, this only makes it quicker.
pub fn start(file: &File) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor belongs to `file`, open for the whole
        // call; the call only reads its arguments and touches no memory.
        unsafe {
            libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = file;
}

/// How many bytes to write between two calls of [`start`].
pub const EVERY: u64 = 16 * 1024 * 1024;
