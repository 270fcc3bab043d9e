//! Layout conversion by matrix: each output channel is a weighted sum of the
//! input channels. The built-in matrices are defaults the standard library
//! can replace with its own coefficients.

use super::error::AudioError;

/// −3 dB, the ITU-R BS.775 coefficient for centre and surrounds (1/√2).
pub const MINUS_3DB: f32 = std::f32::consts::FRAC_1_SQRT_2;

/// A conversion matrix: `rows[o][i]` is the weight of input channel `i` in
/// output channel `o`.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    name: String,
    inputs: usize,
    rows: Vec<Vec<f32>>,
}

impl Matrix {
    /// A matrix with one row per output channel, each with one finite
    /// coefficient per input channel.
    pub fn new(name: &str, inputs: usize, rows: Vec<Vec<f32>>) -> Result<Self, AudioError> {
        let invalid = |detail: String| AudioError::InvalidMatrix {
            name: name.to_string(),
            detail,
        };
        if inputs == 0 || rows.is_empty() {
            return Err(invalid(
                "it needs at least one input and one output channel".into(),
            ));
        }
        for (o, row) in rows.iter().enumerate() {
            if row.len() != inputs {
                return Err(invalid(format!(
                    "row {} has {} coefficients for {inputs} input channels",
                    o + 1,
                    row.len()
                )));
            }
            if row.iter().any(|c| !c.is_finite()) {
                return Err(invalid(format!(
                    "row {} has a non-finite coefficient",
                    o + 1
                )));
            }
        }
        Ok(Self {
            name: name.to_string(),
            inputs,
            rows,
        })
    }

    fn fixed(name: &str, inputs: usize, rows: Vec<Vec<f32>>) -> Self {
        Self {
            name: name.to_string(),
            inputs,
            rows,
        }
    }

    /// 5.1 → 2.0 Lo/Ro (ITU-R BS.775): Lo = L + 0.7071·C + 0.7071·Ls,
    /// Ro = R + 0.7071·C + 0.7071·Rs, LFE dropped.
    pub fn lo_ro() -> Self {
        let c = MINUS_3DB;
        Self::fixed(
            "Lo/Ro",
            6,
            vec![
                vec![1.0, 0.0, c, 0.0, c, 0.0],
                vec![0.0, 1.0, c, 0.0, 0.0, c],
            ],
        )
    }

    /// 5.1 → 2.0 Lt/Rt (matrix surround, REFERENCE.md): S = 0.7071·(Ls + Rs),
    /// Lt = L + 0.7071·C − 0.7071·S, Rt = R + 0.7071·C + 0.7071·S, LFE
    /// dropped; the encoder's 90° phase shift is not applied.
    pub fn lt_rt() -> Self {
        let c = MINUS_3DB;
        let s = MINUS_3DB * MINUS_3DB;
        Self::fixed(
            "Lt/Rt",
            6,
            vec![vec![1.0, 0.0, c, 0.0, -s, -s], vec![0.0, 1.0, c, 0.0, s, s]],
        )
    }

    /// 7.1 (L R C LFE Lrs Rrs Lss Rss) → 5.1: the side and rear surrounds of
    /// each side summed at −3 dB each into Ls and Rs; front and LFE unchanged.
    pub fn seven_one_to_five_one() -> Self {
        let c = MINUS_3DB;
        let mut rows = vec![vec![0.0; 8]; 6];
        for (o, row) in rows.iter_mut().enumerate().take(4) {
            row[o] = 1.0;
        }
        rows[4][4] = c;
        rows[4][6] = c;
        rows[5][5] = c;
        rows[5][7] = c;
        Self::fixed("7.1 to 5.1", 8, rows)
    }

    /// 1.0 → 5.1: the mono signal in C.
    pub fn mono_to_five_one() -> Self {
        let mut rows = vec![vec![0.0]; 6];
        rows[2][0] = 1.0;
        Self::fixed("1.0 to 5.1", 1, rows)
    }

    /// 2.0 → 5.1: L and R unchanged, other channels silent.
    pub fn stereo_to_five_one() -> Self {
        let mut rows = vec![vec![0.0, 0.0]; 6];
        rows[0][0] = 1.0;
        rows[1][1] = 1.0;
        Self::fixed("2.0 to 5.1", 2, rows)
    }

    /// 1.0 → 2.0: the mono signal at −3 dB in both L and R (constant power).
    pub fn mono_to_stereo() -> Self {
        Self::fixed("1.0 to 2.0", 1, vec![vec![MINUS_3DB], vec![MINUS_3DB]])
    }

    /// The matrix's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Input channels.
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// Output channels.
    pub fn outputs(&self) -> usize {
        self.rows.len()
    }

    /// The coefficients, one row per output channel.
    pub fn rows(&self) -> &[Vec<f32>] {
        &self.rows
    }

    /// Converts whole frames of `input` into `output` (which must hold as
    /// many frames of `outputs()` channels).
    pub fn apply(&self, input: &[f32], output: &mut [f32]) {
        // The common shapes with their sizes known to the compiler, which
        // unrolls them; the sums are taken in the same order either way.
        match (self.inputs, self.rows.len()) {
            (6, 2) => self.apply_fixed::<6, 2>(input, output),
            (8, 6) => self.apply_fixed::<8, 6>(input, output),
            (8, 2) => self.apply_fixed::<8, 2>(input, output),
            (2, 1) => self.apply_fixed::<2, 1>(input, output),
            (1, 2) => self.apply_fixed::<1, 2>(input, output),
            (2, 6) => self.apply_fixed::<2, 6>(input, output),
            (6, 6) => self.apply_fixed::<6, 6>(input, output),
            (2, 2) => self.apply_fixed::<2, 2>(input, output),
            _ => self.apply_any(input, output),
        }
    }

    fn apply_fixed<const I: usize, const O: usize>(&self, input: &[f32], output: &mut [f32]) {
        let mut rows = [[0.0f32; I]; O];
        for (fixed, row) in rows.iter_mut().zip(&self.rows) {
            for (to, from) in fixed.iter_mut().zip(row) {
                *to = *from;
            }
        }
        mix_frames(&rows, I, input, output);
    }

    fn apply_any(&self, input: &[f32], output: &mut [f32]) {
        mix_frames(&self.rows, self.inputs, input, output);
    }
}

/// Each output frame's channels as the dot products of `rows` with the input
/// frame of `inputs` channels, summed from the first input on. Inlined, so
/// fixed-size rows and a constant `inputs` unroll.
#[inline(always)]
fn mix_frames<R: AsRef<[f32]>>(rows: &[R], inputs: usize, input: &[f32], output: &mut [f32]) {
    for (frame_in, frame_out) in input
        .chunks_exact(inputs)
        .zip(output.chunks_exact_mut(rows.len()))
    {
        for (o, row) in frame_out.iter_mut().zip(rows) {
            let mut sum = 0.0f32;
            for (x, c) in frame_in.iter().zip(row.as_ref()) {
                sum += x * c;
            }
            *o = sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrolled_shapes_give_the_same_floats_as_the_general_loop() {
        let mut state = 7u32;
        let mut next = move || {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (state >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        };
        for (inputs, outputs) in [
            (6, 2),
            (8, 6),
            (8, 2),
            (2, 1),
            (1, 2),
            (2, 6),
            (6, 6),
            (2, 2),
            (3, 5),
        ] {
            let rows: Vec<Vec<f32>> = (0..outputs)
                .map(|_| (0..inputs).map(|_| next()).collect())
                .collect();
            let matrix = Matrix::new("test", inputs, rows).unwrap();
            let input: Vec<f32> = (0..inputs * 1001).map(|_| next()).collect();
            let mut fast = vec![0.0; outputs * 1001];
            let mut general = vec![1.0; outputs * 1001];
            matrix.apply(&input, &mut fast);
            matrix.apply_any(&input, &mut general);
            assert_eq!(
                fast.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                general.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                "{inputs} to {outputs}"
            );
        }
    }
}
