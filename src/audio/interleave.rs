//! Several mono sources read as one multichannel source: a multi-mono set
//! (one file per channel, as Pro Tools bounces stems) interleaved frame by
//! frame in the order given.

use super::{error::AudioError, source::Source};

/// Mono sources of one length interleaved into one source, channel `i`
/// from source `i`.
pub struct Interleave {
    sources: Vec<Box<dyn Source>>,
    frames: u64,
    scratch: Vec<f32>,
}

impl Interleave {
    /// Interleaves `sources`, each mono and `frames` long (an error names
    /// the source `names[i]` that is not).
    pub fn new(sources: Vec<Box<dyn Source>>, names: &[String]) -> Result<Self, AudioError> {
        let name = |index: usize| names.get(index).cloned().unwrap_or_default();
        let Some(first) = sources.first() else {
            return Err(AudioError::InvalidValue {
                what: "multi-mono set",
                detail: "a multi-mono set without files".into(),
                help: "give one mono file per channel of the layout".into(),
            });
        };
        let frames = first.frames();
        for (index, source) in sources.iter().enumerate() {
            if source.channels() != 1 {
                return Err(AudioError::ChannelMismatch {
                    path: name(index).into(),
                    expected: 1,
                    found: source.channels(),
                });
            }
            if source.frames() != frames {
                return Err(AudioError::InvalidValue {
                    what: "multi-mono set",
                    detail: format!(
                        "`{}` is {} samples long but `{}` is {frames}",
                        name(index),
                        source.frames(),
                        name(0)
                    ),
                    help: "export every file of the set from the same session and range".into(),
                });
            }
        }
        Ok(Self {
            sources,
            frames,
            scratch: Vec::new(),
        })
    }
}

impl Source for Interleave {
    fn channels(&self) -> usize {
        self.sources.len()
    }

    fn frames(&self) -> u64 {
        self.frames
    }

    fn read(&mut self, out: &mut [f32]) -> Result<usize, AudioError> {
        let channels = self.sources.len();
        let want = out.len() / channels;
        self.scratch.resize(want, 0.0);
        let mut got = want;
        for (channel, source) in self.sources.iter_mut().enumerate() {
            let mut filled = 0;
            while filled < got {
                let read = source.read(&mut self.scratch[filled..got])?;
                if read == 0 {
                    break;
                }
                filled += read;
            }
            // Every source has the same length; a shorter read ends all.
            got = got.min(filled);
            for (frame, sample) in self.scratch[..got].iter().enumerate() {
                out[frame * channels + channel] = *sample;
            }
        }
        Ok(got)
    }

    fn skip(&mut self, frames: u64) -> Result<u64, AudioError> {
        let mut skipped = frames.min(self.frames);
        for source in &mut self.sources {
            skipped = skipped.min(source.skip(frames)?);
        }
        Ok(skipped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::source::{read_to_end, Buffer};

    fn mono(samples: &[f32]) -> Box<dyn Source> {
        Box::new(Buffer::new(samples.to_vec(), 1).unwrap())
    }

    #[test]
    fn channels_interleave_in_the_order_given() {
        let names = ["a".to_owned(), "b".to_owned()];
        let mut source =
            Interleave::new(vec![mono(&[1.0, 2.0]), mono(&[3.0, 4.0])], &names).unwrap();
        assert_eq!(read_to_end(&mut source).unwrap(), [1.0, 3.0, 2.0, 4.0]);
    }

    #[test]
    fn unequal_lengths_and_stereo_files_name_the_file() {
        let names = ["a".to_owned(), "b".to_owned()];
        let Err(error) = Interleave::new(vec![mono(&[1.0, 2.0]), mono(&[3.0])], &names) else {
            panic!("unequal lengths interleaved")
        };
        assert!(
            error.to_string().contains("`b` is 1 samples long"),
            "{error}"
        );
        let stereo: Box<dyn Source> = Box::new(Buffer::new(vec![0.0; 4], 2).unwrap());
        let Err(error) = Interleave::new(vec![mono(&[1.0, 2.0]), stereo], &names) else {
            panic!("a stereo file interleaved")
        };
        assert!(error.to_string().contains("`b`"), "{error}");
    }
}
