//! Independent reference computations the default suite compares sndtrk
//! against, written here from the published formulas and deliberately simple
//! (f64, whole signals in memory, no streaming, no shared code with
//! `src/audio`):
//!
//! - [`integrated_lufs`] and friends: a BS.1770-4 / EBU Tech 3342 meter;
//! - [`true_peak_4x`]: the 4x oversampled peak by a long windowed-sinc
//!   interpolator;
//! - [`dft`]: a plain DFT;
//! - [`Wav`]: a WAV/RF64 header parser, and [`WavBytes`] a writer of
//!   hand-made files.

#![allow(dead_code)]

use std::f64::consts::{PI, TAU};

// ---- BS.1770-4 -------------------------------------------------------------

/// A biquad `b0 b1 b2 / 1 a1 a2`.
#[derive(Debug, Clone, Copy)]
pub struct Biquad {
    pub b: [f64; 3],
    pub a: [f64; 2],
}

/// BS.1770-4 Table 1 and 2: the K-weighting pre-filter (high shelf) and RLB
/// high-pass as published for 48 kHz.
pub const PUBLISHED_48K: [Biquad; 2] = [
    Biquad {
        b: [
            1.535_124_859_586_97,
            -2.691_696_189_406_38,
            1.198_392_810_852_85,
        ],
        a: [-1.690_659_293_182_41, 0.732_480_774_215_85],
    },
    Biquad {
        b: [1.0, -2.0, 1.0],
        a: [-1.990_047_454_833_98, 0.990_072_250_366_21],
    },
];

/// The two K-weighting biquads at any rate, by the bilinear transform of the
/// filters' analog prototypes (shelf: f0 1681.97 Hz, +4.0 dB, Q 0.7072;
/// high-pass: f0 38.135 Hz, Q 0.5003), the parameters that reproduce the
/// published 48 kHz coefficients (checked by
/// `the_reference_k_filter_is_the_published_one_at_48k`).
pub fn k_weighting(sample_rate: u32) -> [Biquad; 2] {
    let fs = f64::from(sample_rate);
    let shelf = {
        let f0 = 1_681.974_450_955_533;
        let gain_db = 3.999_843_853_973_347;
        let q = 0.707_175_236_955_419_6;
        let k = (PI * f0 / fs).tan();
        let vh = 10f64.powf(gain_db / 20.0);
        let vb = vh.powf(0.499_666_774_154_541_6);
        let a0 = 1.0 + k / q + k * k;
        Biquad {
            b: [
                (vh + vb * k / q + k * k) / a0,
                2.0 * (k * k - vh) / a0,
                (vh - vb * k / q + k * k) / a0,
            ],
            a: [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
        }
    };
    let high_pass = {
        let f0 = 38.135_470_876_024_44;
        let q = 0.500_327_037_323_877_3;
        let k = (PI * f0 / fs).tan();
        let a0 = 1.0 + k / q + k * k;
        Biquad {
            b: [1.0, -2.0, 1.0],
            a: [2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0],
        }
    };
    [shelf, high_pass]
}

/// `x` through a biquad (direct form I, zero initial state).
pub fn filter(x: &[f64], f: Biquad) -> Vec<f64> {
    let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
    x.iter()
        .map(|&x0| {
            let y0 = f.b[0] * x0 + f.b[1] * x1 + f.b[2] * x2 - f.a[0] * y1 - f.a[1] * y2;
            (x2, x1, y2, y1) = (x1, x0, y1, y0);
            y0
        })
        .collect()
}

/// One channel of interleaved samples, as f64.
pub fn channel(samples: &[f32], channels: usize, c: usize) -> Vec<f64> {
    samples
        .iter()
        .skip(c)
        .step_by(channels)
        .map(|&s| f64::from(s))
        .collect()
}

/// The mean squares of K-weighted `x` over windows of `window` seconds
/// every `step` seconds (whole windows only).
fn window_mean_squares(x: &[f64], sample_rate: u32, window: f64, step: f64) -> Vec<f64> {
    let [shelf, high_pass] = k_weighting(sample_rate);
    let y = filter(&filter(x, shelf), high_pass);
    let fs = f64::from(sample_rate);
    let (len, hop) = ((window * fs).round() as usize, (step * fs).round() as usize);
    let mut out = Vec::new();
    let mut start = 0;
    while start + len <= y.len() {
        out.push(y[start..start + len].iter().map(|v| v * v).sum::<f64>() / len as f64);
        start += hop;
    }
    out
}

/// The loudness of a weighted sum of mean squares.
fn loudness(weighted_power: f64) -> f64 {
    -0.691 + 10.0 * weighted_power.log10()
}

/// Per window, the weighted sum over channels of the mean squares
/// `Σ G_i z_ij` (weights: 1.0 front, 1.41 surrounds, 0 LFE).
fn weighted_windows(
    samples: &[f32],
    weights: &[f64],
    sample_rate: u32,
    window: f64,
    step: f64,
) -> Vec<f64> {
    let channels = weights.len();
    assert_eq!(samples.len() % channels, 0);
    let mut sum: Vec<f64> = Vec::new();
    for (c, &g) in weights.iter().enumerate() {
        let z = window_mean_squares(&channel(samples, channels, c), sample_rate, window, step);
        sum.resize(z.len(), 0.0);
        for (s, z) in sum.iter_mut().zip(z) {
            *s += g * z;
        }
    }
    sum
}

/// BS.1770-4 integrated loudness of interleaved `samples` whose channels
/// have `weights` (1.0 for L R C, 1.41 for Ls Rs, 0 for the LFE): 400 ms
/// blocks with 75 % overlap, absolute gate −70 LUFS, relative gate −10 LU.
/// `-inf` when no block passes the gates.
pub fn integrated_lufs(samples: &[f32], weights: &[f64], sample_rate: u32) -> f64 {
    let blocks = weighted_windows(samples, weights, sample_rate, 0.4, 0.1);
    let gated_mean = |keep: &dyn Fn(f64) -> bool| {
        let kept: Vec<f64> = blocks
            .iter()
            .copied()
            .filter(|&p| keep(loudness(p)))
            .collect();
        kept.iter().sum::<f64>() / kept.len() as f64
    };
    let absolute = gated_mean(&|l| l > -70.0);
    if absolute.is_nan() {
        return f64::NEG_INFINITY;
    }
    let relative_gate = loudness(absolute) - 10.0;
    loudness(gated_mean(&|l| l > -70.0 && l > relative_gate))
}

/// The highest momentary (400 ms) loudness, every 100 ms.
pub fn momentary_max_lufs(samples: &[f32], weights: &[f64], sample_rate: u32) -> f64 {
    weighted_windows(samples, weights, sample_rate, 0.4, 0.1)
        .into_iter()
        .map(loudness)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// The highest short-term (3 s) loudness, every 100 ms.
pub fn short_term_max_lufs(samples: &[f32], weights: &[f64], sample_rate: u32) -> f64 {
    weighted_windows(samples, weights, sample_rate, 3.0, 0.1)
        .into_iter()
        .map(loudness)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// EBU Tech 3342 loudness range: short-term (3 s) loudness every 100 ms,
/// absolute gate −70 LUFS, relative gate −20 LU below the power mean of what
/// the absolute gate keeps, then the 95th minus the 10th percentile.
///
/// Tech 3342 does not fix the percentile's rank (its informative pseudo-code
/// takes index round((n − 1)·p) of the sorted values; ffmpeg and libebur128
/// take rank round(p·n); the nearest-rank definition ⌈p·n⌉), and with the
/// few dozen values of a test signal the choices pick neighbouring values,
/// so this returns the range (lowest, highest) the three give.
pub fn loudness_range_lu(samples: &[f32], weights: &[f64], sample_rate: u32) -> (f64, f64) {
    let windows = weighted_windows(samples, weights, sample_rate, 3.0, 0.1);
    let above: Vec<f64> = windows
        .into_iter()
        .filter(|&p| loudness(p) > -70.0)
        .collect();
    if above.is_empty() {
        return (0.0, 0.0);
    }
    let gate = loudness(above.iter().sum::<f64>() / above.len() as f64) - 20.0;
    let mut kept: Vec<f64> = above
        .into_iter()
        .map(loudness)
        .filter(|&l| l > gate)
        .collect();
    kept.sort_by(f64::total_cmp);
    let n = kept.len();
    let last = (n - 1) as f64;
    let ranks: [&dyn Fn(f64) -> f64; 3] = [
        &|p| (last * p).round(),
        &|p| ((p * n as f64 + 0.5).floor() - 1.0).clamp(0.0, last),
        &|p| ((p * n as f64).ceil() - 1.0).clamp(0.0, last),
    ];
    let ranges = ranks
        .iter()
        .map(|rank| kept[rank(0.95) as usize] - kept[rank(0.10) as usize]);
    ranges.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
        (lo.min(r), hi.max(r))
    })
}

/// The BS.1770-4 weight of each channel of a WAVE_FORMAT_EXTENSIBLE mask, in
/// mask-bit order: 0 for the LFE (0x8), 1.41 for the back and side pairs
/// (0x10, 0x20, 0x200, 0x400), 1.0 for the rest.
pub fn mask_weights(mask: u32) -> Vec<f64> {
    (0..32)
        .map(|bit| 1u32 << bit)
        .filter(|b| mask & b != 0)
        .map(|b| match b {
            0x8 => 0.0,
            0x10 | 0x20 | 0x200 | 0x400 => 1.41,
            _ => 1.0,
        })
        .collect()
}

// ---- true peak -------------------------------------------------------------

/// Half the length of the reference interpolator, in taps.
const HALF: usize = 64;

/// The coefficients that interpolate at `frac` of a sample after sample
/// `n`, for samples n − HALF + 1 … n + HALF: a sinc windowed by a
/// Blackman–Harris window (flat to about 0.93 of Nyquist, sidelobes below
/// −92 dB), as a perfect reconstruction filter would give it for
/// band-limited input.
fn sinc_phase(frac: f64) -> Vec<f64> {
    (0..2 * HALF)
        .map(|j| {
            let d = frac + (HALF - 1) as f64 - j as f64;
            let sinc = if d == 0.0 {
                1.0
            } else {
                (PI * d).sin() / (PI * d)
            };
            let u = (d + HALF as f64) / (2.0 * HALF as f64);
            let w = 0.358_75 - 0.488_29 * (TAU * u).cos() + 0.141_28 * (2.0 * TAU * u).cos()
                - 0.011_68 * (3.0 * TAU * u).cos();
            sinc * w
        })
        .collect()
}

/// The largest absolute value of `x` and of its interpolation at
/// `factor − 1` points between each pair of samples (zeros outside `x`).
pub fn oversampled_peak(x: &[f64], factor: usize) -> f64 {
    let phases: Vec<Vec<f64>> = (1..factor)
        .map(|k| sinc_phase(k as f64 / factor as f64))
        .collect();
    let mut padded = vec![0.0; HALF - 1];
    padded.extend_from_slice(x);
    padded.extend(std::iter::repeat_n(0.0, HALF + 1));
    let mut peak = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for n in 0..x.len() {
        let window = &padded[n..n + 2 * HALF];
        for phase in &phases {
            let v: f64 = phase.iter().zip(window).map(|(c, s)| c * s).sum();
            peak = peak.max(v.abs());
        }
    }
    peak
}

/// True peak (linear) of interleaved samples at 4x oversampling — the
/// instants BS.1770-4 Annex 2 looks at — with the 128-tap interpolator.
pub fn true_peak_4x(samples: &[f32], channels: usize) -> f64 {
    (0..channels)
        .map(|c| oversampled_peak(&channel(samples, channels, c), 4))
        .fold(0.0, f64::max)
}

// ---- spectrum --------------------------------------------------------------

/// The plain DFT of `x` at bins `0..=N/2`, as (re, im):
/// X[k] = Σ x[n]·e^(−2πi·k·n/N), the angles taken exactly from a table of
/// the N roots of unity (index k·n mod N).
pub fn dft(x: &[f64]) -> Vec<(f64, f64)> {
    let n_total = x.len();
    let roots: Vec<(f64, f64)> = (0..n_total)
        .map(|m| {
            let angle = -TAU * m as f64 / n_total as f64;
            (angle.cos(), angle.sin())
        })
        .collect();
    (0..=n_total / 2)
        .map(|k| {
            x.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &v)| {
                let (c, s) = roots[(k * n) % n_total];
                (re + v * c, im + v * s)
            })
        })
        .collect()
}

// ---- WAV -------------------------------------------------------------------

/// What an independent reading of a WAV or RF64 file's header finds.
#[derive(Debug, Clone, PartialEq)]
pub struct Wav {
    /// `RIFF` or `RF64`.
    pub container: [u8; 4],
    /// The `fmt ` chunk's format tag (1 PCM, 3 float, 0xFFFE extensible).
    pub format_tag: u16,
    pub channels: u16,
    pub sample_rate: u32,
    pub byte_rate: u32,
    pub block_align: u16,
    pub bits: u16,
    /// Extensible only: valid bits, channel mask and the sub-format's first
    /// two bytes (1 PCM, 3 float); the rest of the GUID is checked here.
    pub valid_bits: Option<u16>,
    pub channel_mask: Option<u32>,
    pub sub_format: Option<u16>,
    /// Chunk ids in file order.
    pub chunks: Vec<[u8; 4]>,
    /// The `bext` chunk's body.
    pub bext: Option<Vec<u8>>,
    /// The data chunk's length in bytes (from `ds64` for RF64) and offset.
    pub data_len: u64,
    pub data_offset: usize,
    pub bytes: Vec<u8>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// The tail of the KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT GUIDs
/// (`xxxx0000-0000-0010-8000-00aa00389b71`).
const GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

impl Wav {
    /// Parses `bytes`, asserting the structure a conforming file has: the
    /// RIFF (or RF64 with `ds64` first) size, word-aligned chunks, a `fmt `
    /// chunk consistent with itself, a data chunk that fits.
    pub fn parse(bytes: Vec<u8>) -> Self {
        let container: [u8; 4] = bytes[0..4].try_into().unwrap();
        assert!(
            &container == b"RIFF" || &container == b"RF64",
            "{container:?}"
        );
        assert_eq!(&bytes[8..12], b"WAVE");
        let mut ds64_data = None;
        if &container == b"RIFF" {
            assert_eq!(u32_at(&bytes, 4) as usize, bytes.len() - 8, "RIFF size");
        } else {
            assert_eq!(u32_at(&bytes, 4), u32::MAX, "RF64 size placeholder");
            assert_eq!(&bytes[12..16], b"ds64", "ds64 comes first");
            assert_eq!(
                u64_at(&bytes, 20) as usize,
                bytes.len() - 8,
                "ds64 RIFF size"
            );
            ds64_data = Some(u64_at(&bytes, 28));
        }
        let mut wav = Wav {
            container,
            format_tag: 0,
            channels: 0,
            sample_rate: 0,
            byte_rate: 0,
            block_align: 0,
            bits: 0,
            valid_bits: None,
            channel_mask: None,
            sub_format: None,
            chunks: Vec::new(),
            bext: None,
            data_len: 0,
            data_offset: 0,
            bytes: Vec::new(),
        };
        let mut at = 12;
        while at + 8 <= bytes.len() {
            let id: [u8; 4] = bytes[at..at + 4].try_into().unwrap();
            let mut len = u64::from(u32_at(&bytes, at + 4));
            let body = at + 8;
            wav.chunks.push(id);
            match &id {
                b"fmt " => {
                    let f = &bytes[body..body + len as usize];
                    wav.format_tag = u16_at(f, 0);
                    wav.channels = u16_at(f, 2);
                    wav.sample_rate = u32_at(f, 4);
                    wav.byte_rate = u32_at(f, 8);
                    wav.block_align = u16_at(f, 12);
                    wav.bits = u16_at(f, 14);
                    assert_eq!(
                        u32::from(wav.block_align),
                        u32::from(wav.channels) * u32::from(wav.bits).div_ceil(8),
                        "block align"
                    );
                    assert_eq!(
                        wav.byte_rate,
                        wav.sample_rate * u32::from(wav.block_align),
                        "byte rate"
                    );
                    if wav.format_tag == 0xFFFE {
                        assert_eq!(len, 40, "extensible fmt chunk length");
                        assert_eq!(u16_at(f, 16), 22, "cbSize");
                        wav.valid_bits = Some(u16_at(f, 18));
                        wav.channel_mask = Some(u32_at(f, 20));
                        wav.sub_format = Some(u16_at(f, 24));
                        assert_eq!(f[26..40], GUID_TAIL, "sub-format GUID");
                    }
                }
                b"bext" => wav.bext = Some(bytes[body..body + len as usize].to_vec()),
                b"data" => {
                    if let Some(data) = ds64_data {
                        assert_eq!(len, u64::from(u32::MAX), "RF64 data size placeholder");
                        len = data;
                    }
                    wav.data_len = len;
                    wav.data_offset = body;
                    assert!(body as u64 + len <= bytes.len() as u64, "data fits");
                }
                _ => {}
            }
            at = body + len as usize + (len as usize & 1);
        }
        assert_eq!(at, bytes.len(), "chunks end where the file ends");
        wav.bytes = bytes;
        wav
    }

    pub fn read(path: &std::path::Path) -> Self {
        Self::parse(std::fs::read(path).unwrap())
    }

    pub fn frames(&self) -> u64 {
        self.data_len / u64::from(self.block_align)
    }

    /// The samples, decoded here: 16/24-bit integers over 2^(bits−1), 32-bit
    /// float as is.
    pub fn samples(&self) -> Vec<f32> {
        let data = &self.bytes[self.data_offset..self.data_offset + self.data_len as usize];
        let float = self.format_tag == 3 || self.sub_format == Some(3);
        match (self.bits, float) {
            (16, false) => data
                .chunks_exact(2)
                .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32_768.0)
                .collect(),
            (24, false) => data
                .chunks_exact(3)
                .map(|b| (i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as f32 / 8_388_608.0)
                .collect(),
            (32, true) => data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            other => panic!("no decoder here for {other:?}"),
        }
    }

    /// The `bext` TimeReference (EBU Tech 3285: a u64 at byte 338).
    pub fn time_reference(&self) -> Option<u64> {
        self.bext.as_ref().map(|b| u64_at(b, 338))
    }
}

/// A hand-made WAV file: `fmt` as given (tag, channels, rate, bits, and for
/// extensible the mask and sub-format), optional `bext` with a time
/// reference before or after `fmt`, then `data`. `rf64` writes the RF64
/// form with `ds64` as ffmpeg's `-rf64 always` does.
pub struct WavBytes {
    pub format_tag: u16,
    pub channels: u16,
    pub sample_rate: u32,
    pub bits: u16,
    pub mask_and_sub_format: Option<(u32, u16)>,
    pub bext: Option<(u64, bool)>,
    pub rf64: bool,
}

impl WavBytes {
    pub fn bytes(&self, data: &[u8]) -> Vec<u8> {
        let align = self.channels * self.bits.div_ceil(8);
        let mut fmt = Vec::new();
        fmt.extend(self.format_tag.to_le_bytes());
        fmt.extend(self.channels.to_le_bytes());
        fmt.extend(self.sample_rate.to_le_bytes());
        fmt.extend((self.sample_rate * u32::from(align)).to_le_bytes());
        fmt.extend(align.to_le_bytes());
        fmt.extend(self.bits.to_le_bytes());
        if let Some((mask, sub_format)) = self.mask_and_sub_format {
            fmt.extend(22u16.to_le_bytes());
            fmt.extend(self.bits.to_le_bytes());
            fmt.extend(mask.to_le_bytes());
            fmt.extend(sub_format.to_le_bytes());
            fmt.extend(GUID_TAIL);
        }
        let chunk = |id: &[u8; 4], body: &[u8]| {
            let mut c = id.to_vec();
            c.extend((body.len() as u32).to_le_bytes());
            c.extend(body);
            if body.len() % 2 == 1 {
                c.push(0);
            }
            c
        };
        let bext = self.bext.map(|(reference, _)| {
            // Description 256, Originator 32, OriginatorReference 32, date
            // 10, time 8, TimeReference u64 at 338, Version u16 at 346,
            // UMID 64, loudness 10, reserved 180: 602 bytes, then the coding
            // history (here empty).
            let mut b = vec![0u8; 602];
            b[..11].copy_from_slice(b"hand-made  ");
            b[320..330].copy_from_slice(b"2024-05-01");
            b[330..338].copy_from_slice(b"12:34:56");
            b[338..346].copy_from_slice(&reference.to_le_bytes());
            b[346..348].copy_from_slice(&1u16.to_le_bytes());
            chunk(b"bext", &b)
        });
        let bext_first = self.bext.is_some_and(|(_, first)| first);
        let mut body = b"WAVE".to_vec();
        if self.rf64 {
            body.extend(chunk(b"ds64", &[0; 28]));
        }
        if bext_first {
            body.extend(bext.clone().unwrap());
        }
        body.extend(chunk(b"fmt ", &fmt));
        if !bext_first {
            body.extend(bext.unwrap_or_default());
        }
        let data_at = body.len();
        body.extend(chunk(b"data", data));
        let mut out = if self.rf64 {
            b"RF64".to_vec()
        } else {
            b"RIFF".to_vec()
        };
        if self.rf64 {
            out.extend(u32::MAX.to_le_bytes());
            let total = body.len() as u64;
            let frames = (data.len() / usize::from(align)) as u64;
            // ds64 body at offset 12 of the body (after "WAVE" and its header).
            body[12..20].copy_from_slice(&total.to_le_bytes());
            body[20..28].copy_from_slice(&(data.len() as u64).to_le_bytes());
            body[28..36].copy_from_slice(&frames.to_le_bytes());
            body[data_at + 4..data_at + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        } else {
            out.extend((body.len() as u32).to_le_bytes());
        }
        out.extend(body);
        out
    }
}

/// 24-bit little-endian PCM bytes of integer samples.
pub fn pcm24(samples: &[i32]) -> Vec<u8> {
    samples
        .iter()
        .flat_map(|s| {
            let b = s.to_le_bytes();
            [b[0], b[1], b[2]]
        })
        .collect()
}
