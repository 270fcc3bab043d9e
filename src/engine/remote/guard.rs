//! The circuit breaker: every failed request is counted, and after a few
//! (3 by default) the remote cache is off for the rest of the build, so a
//! server that is down or hanging costs a handful of timeouts at most,
//! never one per stage. What went wrong is summed up in one warning per
//! kind at the end ([`Guard::warnings`]): failures, damaged objects, a
//! withheld token.

use std::sync::{
    atomic::{AtomicBool, AtomicUsize, Ordering},
    Mutex,
};

use crate::engine::{error::EngineWarning, remote::backend::Failure};

/// One build's count of what went wrong with its remote cache.
#[derive(Debug)]
pub(super) struct Guard {
    limit: usize,
    failures: AtomicUsize,
    first_failure: Mutex<Option<String>>,
    damaged: AtomicUsize,
    first_damaged: Mutex<Option<String>>,
    token_withheld: AtomicBool,
    fetched: AtomicUsize,
    uploaded: AtomicUsize,
}

impl Guard {
    /// A guard that turns the remote cache off after `limit` failures.
    pub(super) fn new(limit: usize) -> Self {
        Self {
            limit: limit.max(1),
            failures: AtomicUsize::new(0),
            first_failure: Mutex::new(None),
            damaged: AtomicUsize::new(0),
            first_damaged: Mutex::new(None),
            token_withheld: AtomicBool::new(false),
            fetched: AtomicUsize::new(0),
            uploaded: AtomicUsize::new(0),
        }
    }

    /// Whether the remote cache is off for the rest of the build.
    pub(super) fn is_off(&self) -> bool {
        self.failures.load(Ordering::SeqCst) >= self.limit
    }

    /// Counts a failed request.
    pub(super) fn failed(&self, failure: &Failure) {
        remember(&self.first_failure, &failure.message);
        self.failures.fetch_add(1, Ordering::SeqCst);
    }

    /// Counts a download that did not match its hash (or a damaged
    /// manifest), described by `what`.
    pub(super) fn damaged(&self, what: String) {
        remember(&self.first_damaged, &what);
        self.damaged.fetch_add(1, Ordering::SeqCst);
    }

    pub(super) fn token_withheld(&self) {
        self.token_withheld.store(true, Ordering::SeqCst);
    }

    pub(super) fn fetched(&self) {
        self.fetched.fetch_add(1, Ordering::SeqCst);
    }

    pub(super) fn uploaded(&self) {
        self.uploaded.fetch_add(1, Ordering::SeqCst);
    }

    /// Stages fetched and uploaded so far.
    pub(super) fn counts(&self) -> (usize, usize) {
        (
            self.fetched.load(Ordering::SeqCst),
            self.uploaded.load(Ordering::SeqCst),
        )
    }

    /// One warning per kind of trouble so far, for the server `url`; the
    /// counts start again.
    pub(super) fn warnings(&self, url: &str) -> Vec<EngineWarning> {
        let mut warnings = Vec::new();
        if self.token_withheld.swap(false, Ordering::SeqCst) {
            warnings.push(EngineWarning::RemoteTokenWithheld {
                url: url.to_owned(),
            });
        }
        let failures = self.failures.swap(0, Ordering::SeqCst);
        if let Some(first) = take(&self.first_failure) {
            warnings.push(EngineWarning::RemoteFailed {
                url: url.to_owned(),
                failures,
                first,
                off: failures >= self.limit,
            });
        }
        let damaged = self.damaged.swap(0, Ordering::SeqCst);
        if let Some(first) = take(&self.first_damaged) {
            warnings.push(EngineWarning::RemoteDamaged {
                url: url.to_owned(),
                damaged,
                first,
            });
        }
        warnings
    }
}

fn remember(slot: &Mutex<Option<String>>, message: &str) {
    let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if slot.is_none() {
        *slot = Some(message.to_owned());
    }
}

fn take(slot: &Mutex<Option<String>>) -> Option<String> {
    slot.lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_failures_turn_it_off_and_make_one_warning() {
        let guard = Guard::new(3);
        for attempt in 0..5 {
            assert_eq!(guard.is_off(), attempt >= 3);
            guard.failed(&Failure::new(format!("refused {attempt}")));
        }
        let warnings = guard.warnings("http://cache");
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].to_string(),
            "remote cache http://cache: 5 requests failed, the first: refused 0; it was off for the rest of the build"
        );
        assert!(guard.warnings("http://cache").is_empty());
    }
}
