//! The remote cache's own threads: a few (`connections`) that take
//! lookups and uploads from a queue and run them beside the render pool,
//! so a download or an upload never holds a thread a stage could render
//! on, and no more requests are in flight than the server is asked to
//! bear. They end when the build drops the queue.

use std::{
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{mpsc, Arc, Mutex},
    thread,
};

/// Work for a remote thread.
pub(crate) type Task<'a> = Box<dyn FnOnce() + Send + 'a>;

/// The queue to the remote threads.
pub(crate) type Tasks<'a> = mpsc::Sender<Task<'a>>;

/// Runs `body` with `count` remote threads taking tasks from the queue it
/// is given (none when `count` is 0), and waits for the threads once
/// `body` has returned and dropped the queue: uploads still queued are
/// finished before the build ends.
pub(crate) fn with_workers<'a, R>(count: usize, body: impl FnOnce(Option<Tasks<'a>>) -> R) -> R {
    if count == 0 {
        return body(None);
    }
    thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel::<Task<'a>>();
        let receiver = Arc::new(Mutex::new(receiver));
        let mut started = 0;
        for index in 0..count {
            let receiver = Arc::clone(&receiver);
            let spawned = thread::Builder::new()
                .name(format!("sndtrk-remote-{index}"))
                .spawn_scoped(scope, move || loop {
                    let task = receiver
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .recv();
                    match task {
                        // A task reports its own result; a panic in one
                        // (a bug) must not take the build down.
                        Ok(task) => {
                            let _ = catch_unwind(AssertUnwindSafe(task));
                        }
                        Err(_) => break,
                    }
                });
            started += usize::from(spawned.is_ok());
        }
        if started == 0 {
            // No thread could start: the build goes on without the remote
            // cache.
            return body(None);
        }
        body(Some(sender))
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn every_task_queued_runs_before_it_returns() {
        let done = AtomicUsize::new(0);
        with_workers(3, |tasks| {
            let tasks = tasks.unwrap();
            for _ in 0..50 {
                let done = &done;
                tasks
                    .send(Box::new(move || {
                        done.fetch_add(1, Ordering::SeqCst);
                    }))
                    .unwrap();
            }
            tasks
                .send(Box::new(|| panic!("a bug in one task")))
                .unwrap();
        });
        assert_eq!(done.load(Ordering::SeqCst), 50);
    }
}
