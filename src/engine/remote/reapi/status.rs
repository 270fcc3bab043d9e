//! A gRPC status as the remote cache's guard sees it: `NOT_FOUND` is a
//! miss, anything else a [`Failure`] on one line, with a hint where the
//! code says what to do.

use std::time::Duration;

use tonic::{Code, Status};

use crate::engine::remote::backend::{one_line, Failure};

/// What a request that ended with `status` means.
pub(super) enum Answer {
    /// The server does not have it.
    Missing,
    /// Anything else.
    Failed(Failure),
}

/// `status` of the request `what` (such as `GetActionResult 1a2b3c4d5e6f`).
pub(super) fn answer(what: &str, status: &Status) -> Answer {
    if status.code() == Code::NotFound {
        return Answer::Missing;
    }
    Answer::Failed(failure(what, status))
}

/// `status` of the request `what`, as a failure.
pub(super) fn failure(what: &str, status: &Status) -> Failure {
    let hint = match status.code() {
        Code::Unauthenticated | Code::PermissionDenied => {
            " (check SNDTRK_REMOTE_TOKEN and the server's permissions)"
        }
        Code::ResourceExhausted => {
            " (the server refuses: it is busy, full or the object too large)"
        }
        Code::Unimplemented => " (the server does not offer this REAPI service on this instance)",
        Code::InvalidArgument => " (check the instance name in the URL)",
        _ => "",
    };
    let message = one_line(status.message());
    let message = if message.is_empty() {
        format!("{:?}", status.code())
    } else {
        format!("{:?}: {message}", status.code())
    };
    Failure::new(format!("{what} answered {message}{hint}"))
}

/// How many times a request the server was too busy for is asked again.
pub(super) const RETRIES: u32 = 5;

/// Whether the server turned the request away for being busy, so that it
/// may take it a moment later.
pub(super) fn busy(status: &Status) -> bool {
    status.code() == Code::ResourceExhausted
}

/// The pause before asking again after `attempt` refusals: 50 ms, doubled
/// each time, with up to as much again of jitter, so that the clients a
/// busy server turned away do not all come back at once.
pub(super) fn pause(attempt: u32) -> Duration {
    let base = 50u64 << attempt.min(6);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    Duration::from_millis(base + u64::from(nanos) % base)
}

/// A request that took longer than it may.
pub(super) fn timed_out(what: &str) -> Failure {
    Failure::new(format!("{what} timed out"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_is_a_miss_and_the_rest_failures_with_hints() {
        assert!(matches!(
            answer("GetActionResult ab", &Status::not_found("no")),
            Answer::Missing
        ));
        let Answer::Failed(failed) = answer("Write ab", &Status::resource_exhausted("full\ndisk"))
        else {
            panic!("a refusal is a failure");
        };
        assert_eq!(
            failed.message,
            "Write ab answered ResourceExhausted: full disk (the server refuses: it is busy, full or the object too large)"
        );
        assert_eq!(
            failure("Read ab", &Status::unavailable("")).message,
            "Read ab answered Unavailable"
        );
        assert!(busy(&Status::resource_exhausted("")) && !busy(&Status::unavailable("")));
        assert!(pause(0) >= Duration::from_millis(50) && pause(0) < Duration::from_millis(100));
        assert!(pause(3) >= Duration::from_millis(400) && pause(3) < Duration::from_millis(800));
    }
}
