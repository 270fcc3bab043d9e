//! The Broadcast WAV `bext` chunk (EBU Tech 3285), reduced to what sndtrk
//! needs: the time reference, the number of samples since midnight at which
//! the file starts, so a deliverable carries its start timecode.
//!
//! Layout of the chunk body (little-endian): Description 256 bytes,
//! Originator 32, OriginatorReference 32, OriginationDate 10,
//! OriginationTime 8, TimeReferenceLow u32, TimeReferenceHigh u32 (offset
//! 338), Version u16, UMID 64, five loudness u16, Reserved 180: 602 bytes,
//! then an optional CodingHistory.

/// Size of the fixed part of a `bext` chunk body.
pub const BEXT_SIZE: usize = 602;

/// Offset of TimeReferenceLow in the chunk body.
const TIME_REFERENCE_OFFSET: usize = 338;

/// Offset of Version in the chunk body.
const VERSION_OFFSET: usize = 346;

/// The body of a `bext` chunk carrying `time_reference` (samples since
/// midnight), originator "sndtrk", version 1, everything else empty.
pub fn encode(time_reference: u64) -> Vec<u8> {
    let mut body = vec![0u8; BEXT_SIZE];
    let originator = b"sndtrk";
    body[256..256 + originator.len()].copy_from_slice(originator);
    body[TIME_REFERENCE_OFFSET..TIME_REFERENCE_OFFSET + 8]
        .copy_from_slice(&time_reference.to_le_bytes());
    body[VERSION_OFFSET..VERSION_OFFSET + 2].copy_from_slice(&1u16.to_le_bytes());
    body
}

/// The time reference of a `bext` chunk body, or `None` if the body is too
/// short to hold one.
pub fn time_reference(body: &[u8]) -> Option<u64> {
    let bytes = body.get(TIME_REFERENCE_OFFSET..TIME_REFERENCE_OFFSET + 8)?;
    let mut array = [0u8; 8];
    array.copy_from_slice(bytes);
    Some(u64::from_le_bytes(array))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_reference_round_trips_above_32_bits() {
        let value = 86_399u64 * 192_000 + 5;
        let body = encode(value);
        assert_eq!(body.len(), BEXT_SIZE);
        assert_eq!(time_reference(&body), Some(value));
        assert_eq!(&body[338..342], &(value as u32).to_le_bytes());
        assert_eq!(&body[342..346], &((value >> 32) as u32).to_le_bytes());
        assert_eq!(time_reference(&body[..340]), None);
    }
}
