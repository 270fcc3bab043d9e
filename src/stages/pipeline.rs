//! Streaming one source to several sinks without a barrier per block.
//!
//! The producer (a bus being mixed) makes block after block on the calling
//! thread; each sink (the bus's file, each deliverable rendered in its
//! pass) consumes the blocks in order as a chain of rayon tasks of its
//! own. So while one thread writes block `k` to a file, the next blocks are
//! mixed, and no thread waits for the slowest of a block's jobs before
//! the next block starts, as it would with `rayon::join` per block. At most
//! [`DEPTH`] blocks are in flight; the producer, ahead by that much, helps
//! with pending work instead of blocking, so the pool cannot deadlock and
//! one thread (`-j 1`) runs it all. Every sink sees every block, in order,
//! whatever the threads: the output is the same.

use std::{
    collections::VecDeque,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc, Condvar, Mutex, PoisonError,
    },
    time::Duration,
};

/// Blocks made but not yet consumed by every sink, at most.
pub const DEPTH: usize = 4;

/// A consumer of blocks, in order.
pub trait BlockSink: Send {
    /// Consumes the next block (whole frames). A sink that fails keeps its
    /// error and ignores the rest.
    fn push(&mut self, block: &[f32]);
}

/// One sink's queue of blocks, and whether a task is draining it.
struct Lane<'s> {
    queue: Mutex<Queue>,
    sink: Mutex<&'s mut dyn BlockSink>,
}

#[derive(Default)]
struct Queue {
    blocks: VecDeque<Arc<Vec<f32>>>,
    draining: bool,
}

/// Buffers to reuse, the count of blocks in flight, and the producer's
/// wake-up when one is done.
#[derive(Default)]
struct Blocks {
    free: Mutex<Vec<Vec<f32>>>,
    in_flight: AtomicUsize,
    done: Condvar,
}

impl Blocks {
    /// Drops one sink's hold on `block`; the last one returns its buffer.
    fn release(&self, block: Arc<Vec<f32>>) {
        if let Ok(buffer) = Arc::try_unwrap(block) {
            let mut free = lock(&self.free);
            free.push(buffer);
            self.in_flight.fetch_sub(1, Ordering::AcqRel);
            self.done.notify_one();
        }
    }

    /// Waits until fewer than [`DEPTH`] blocks are in flight, running
    /// pending pool work meanwhile. Only when there is none to run here
    /// (the sinks' tasks are running on other threads) does it sleep, for
    /// at most a millisecond at a time, so it never waits on work only this
    /// thread could do.
    fn wait_for_room(&self) {
        while self.in_flight.load(Ordering::Acquire) >= DEPTH {
            if rayon::yield_now() == Some(rayon::Yield::Executed) {
                continue;
            }
            let free = lock(&self.free);
            if self.in_flight.load(Ordering::Acquire) >= DEPTH {
                let _ = self
                    .done
                    .wait_timeout(free, Duration::from_millis(1))
                    .unwrap_or_else(PoisonError::into_inner);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Feeds every block `produce` makes (into a buffer of `block_len`
/// samples; it returns how many samples it wrote, 0 at the end) to every
/// sink, in order. Returns the producer's first error; the sinks keep
/// theirs.
pub fn stream<E: Send>(
    block_len: usize,
    mut produce: impl FnMut(&mut [f32]) -> Result<usize, E> + Send,
    sinks: Vec<&mut dyn BlockSink>,
) -> Result<(), E> {
    let lanes: Vec<Lane<'_>> = sinks
        .into_iter()
        .map(|sink| Lane {
            queue: Mutex::new(Queue::default()),
            sink: Mutex::new(sink),
        })
        .collect();
    let blocks = Blocks::default();
    rayon::scope(|scope| loop {
        blocks.wait_for_room();
        let mut buffer = lock(&blocks.free).pop().unwrap_or_default();
        buffer.resize(block_len, 0.0);
        let samples = produce(&mut buffer)?;
        if samples == 0 {
            lock(&blocks.free).push(buffer);
            return Ok(());
        }
        buffer.truncate(samples);
        let block = Arc::new(buffer);
        blocks.in_flight.fetch_add(1, Ordering::AcqRel);
        for lane in &lanes {
            let start = {
                let mut queue = lock(&lane.queue);
                queue.blocks.push_back(Arc::clone(&block));
                !std::mem::replace(&mut queue.draining, true)
            };
            if start {
                let (lane, blocks) = (lane, &blocks);
                scope.spawn(move |_| drain(lane, blocks));
            }
        }
        blocks.release(block);
    })
}

/// Consumes a lane's queued blocks in order until it is empty.
fn drain(lane: &Lane<'_>, blocks: &Blocks) {
    let mut sink = lock(&lane.sink);
    loop {
        let next = {
            let mut queue = lock(&lane.queue);
            let next = queue.blocks.pop_front();
            if next.is_none() {
                queue.draining = false;
            }
            next
        };
        let Some(block) = next else {
            return;
        };
        sink.push(&block);
        blocks.release(block);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect {
        seen: Vec<f32>,
        blocks: usize,
    }

    impl BlockSink for Collect {
        fn push(&mut self, block: &[f32]) {
            self.seen.extend_from_slice(block);
            self.blocks += 1;
        }
    }

    fn run(threads: usize, total: usize, block_len: usize, sinks: usize) -> Vec<Collect> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut collected: Vec<Collect> = (0..sinks)
            .map(|_| Collect {
                seen: Vec::new(),
                blocks: 0,
            })
            .collect();
        pool.install(|| {
            let mut next = 0usize;
            let sinks: Vec<&mut dyn BlockSink> = collected
                .iter_mut()
                .map(|sink| sink as &mut dyn BlockSink)
                .collect();
            stream(
                block_len,
                |buffer: &mut [f32]| -> Result<usize, ()> {
                    let count = buffer.len().min(total - next);
                    for (offset, sample) in buffer[..count].iter_mut().enumerate() {
                        *sample = (next + offset) as f32;
                    }
                    next += count;
                    Ok(count)
                },
                sinks,
            )
            .unwrap();
        });
        collected
    }

    #[test]
    fn every_sink_sees_every_block_in_order_with_any_thread_count() {
        let expected: Vec<f32> = (0..100_003).map(|n| n as f32).collect();
        for threads in [1, 2, 4] {
            for sinks in [0, 1, 3] {
                let collected = run(threads, expected.len(), 1000, sinks);
                assert_eq!(collected.len(), sinks);
                for sink in collected {
                    assert_eq!(sink.seen, expected, "{threads} threads");
                    assert_eq!(sink.blocks, 101);
                }
            }
        }
    }

    #[test]
    fn the_producer_s_error_ends_the_stream() {
        let mut sink = Collect {
            seen: Vec::new(),
            blocks: 0,
        };
        let mut calls = 0;
        let result = stream(
            10,
            |buffer: &mut [f32]| {
                calls += 1;
                if calls == 3 {
                    return Err("unreadable");
                }
                buffer.fill(1.0);
                Ok(buffer.len())
            },
            vec![&mut sink as &mut dyn BlockSink],
        );
        assert_eq!(result, Err("unreadable"));
        assert_eq!(sink.blocks, 2);
    }
}
