//! A gRPC status as the remote cache's guard sees it: `NOT_FOUND` is a
//! miss, anything else a [`Failure`] on one line, with a hint where the
//! code says what to do.

use tonic::{Code, Status};

use crate::engine::remote::backend::Failure;

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
        Code::ResourceExhausted => " (the server refuses: it is full or the object too large)",
        Code::Unimplemented => " (the server does not offer this REAPI service on this instance)",
        Code::InvalidArgument => " (check the instance name in the URL)",
        _ => "",
    };
    let message = status.message().lines().collect::<Vec<_>>().join(" ");
    let message = if message.is_empty() {
        format!("{:?}", status.code())
    } else {
        format!("{:?}: {message}", status.code())
    };
    Failure::new(format!("{what} answered {message}{hint}"))
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
            "Write ab answered ResourceExhausted: full disk (the server refuses: it is full or the object too large)"
        );
        assert_eq!(
            failure("Read ab", &Status::unavailable("")).message,
            "Read ab answered Unavailable"
        );
    }
}
