//! The `chna` chunk of a BW64 file (ITU-R BS.2088): which ADM track each
//! audio track of the file is. Its body: the track count and the UID count
//! (u16 each, little-endian), then one 40-byte row per track: the track's
//! index in the file from 1 (u16), its audioTrackUID (12 bytes,
//! `ATU_00000001`), audioTrackFormatID (14 bytes, `AT_00011001_01`),
//! audioPackFormatID (11 bytes, `AP_00011001`) and a pad byte.

/// One row of the chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    /// The track's index in the file, from 1.
    pub index: u16,
    /// `ATU_xxxxxxxx`
    pub uid: String,
    /// `AT_xxxxxxxx_xx`
    pub track_format: String,
    /// `AP_xxxxxxxx`
    pub pack_format: String,
}

/// The field widths of a row.
const UID: usize = 12;
const TRACK_FORMAT: usize = 14;
const PACK_FORMAT: usize = 11;
/// The length of a row.
pub const ROW: usize = 2 + UID + TRACK_FORMAT + PACK_FORMAT + 1;

/// The body of the chunk for `tracks` (each id padded with NULs, or cut,
/// to its field's width).
pub fn encode(tracks: &[Track]) -> Vec<u8> {
    let count = u16::try_from(tracks.len()).unwrap_or(u16::MAX);
    let mut body = Vec::with_capacity(4 + tracks.len() * ROW);
    body.extend_from_slice(&count.to_le_bytes());
    body.extend_from_slice(&count.to_le_bytes());
    for track in tracks {
        body.extend_from_slice(&track.index.to_le_bytes());
        field(&mut body, &track.uid, UID);
        field(&mut body, &track.track_format, TRACK_FORMAT);
        field(&mut body, &track.pack_format, PACK_FORMAT);
        body.push(0);
    }
    body
}

fn field(body: &mut Vec<u8>, text: &str, width: usize) {
    let bytes = text.as_bytes();
    let taken = bytes.len().min(width);
    body.extend_from_slice(&bytes[..taken]);
    body.resize(body.len() + width - taken, 0);
}

/// Reads a chunk body back: the rows, or `None` if it is malformed (its
/// counts disagree with its length).
pub fn decode(body: &[u8]) -> Option<Vec<Track>> {
    let tracks = usize::from(u16::from_le_bytes([*body.first()?, *body.get(1)?]));
    let uids = usize::from(u16::from_le_bytes([*body.get(2)?, *body.get(3)?]));
    if body.len() != 4 + uids * ROW || uids < tracks {
        return None;
    }
    let text = |bytes: &[u8]| {
        String::from_utf8_lossy(bytes)
            .trim_end_matches('\0')
            .to_owned()
    };
    body[4..]
        .chunks_exact(ROW)
        .map(|row| {
            let mut at = 2;
            let mut next = |width: usize| {
                let bytes = &row[at..at + width];
                at += width;
                text(bytes)
            };
            Some(Track {
                index: u16::from_le_bytes([row[0], row[1]]),
                uid: next(UID),
                track_format: next(TRACK_FORMAT),
                pack_format: next(PACK_FORMAT),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_forty_bytes_and_read_back() {
        let tracks = vec![
            Track {
                index: 1,
                uid: "ATU_00000001".into(),
                track_format: "AT_00011001_01".into(),
                pack_format: "AP_00011001".into(),
            },
            Track {
                index: 2,
                uid: "ATU_00000002".into(),
                track_format: "AT_00031001_01".into(),
                pack_format: "AP_00031001".into(),
            },
        ];
        let body = encode(&tracks);
        assert_eq!(body.len(), 4 + 2 * 40);
        assert_eq!(&body[..4], &[2, 0, 2, 0]);
        assert_eq!(&body[4..6], &[1, 0]);
        assert_eq!(&body[6..18], b"ATU_00000001");
        assert_eq!(&body[18..32], b"AT_00011001_01");
        assert_eq!(&body[32..43], b"AP_00011001");
        assert_eq!(body[43], 0);
        assert_eq!(decode(&body), Some(tracks));
        assert_eq!(decode(&body[..body.len() - 1]), None);
        assert_eq!(decode(&[]), None);
    }
}
