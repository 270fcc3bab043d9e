//! A deliverable rendered in its bus's pass (the audio side of
//! [`crate::engine::stage::Stage::run_leading`]).
//!
//! When a bus runs, a target that reads that bus alone and is not
//! normalised is handed the bus's blocks as they are mixed
//! ([`TargetFollower`]) instead of reading the bus's object once it is
//! written. It writes the very bytes it would write reading
//! the object: the blocks are the floats the bus writes to its 32-bit float
//! file, and the route, dither and encoding are the same code
//! ([`crate::stages::delivery`]). A clean build thus renders a bus and its
//! deliverables at once, and no deliverable reads its bus back.
//!
//! A target normalised to a spec needs its whole mix measured before its
//! first sample can be written, so its bus's pass only measures it
//! ([`MeasureFollower`], the same meter on the same floats, whatever the
//! blocks) and carries the measurement to the target's own run, which
//! then reads the bus once instead of twice ([`Carry::Loudness`]); for a
//! bus that is not kept, it mixes it once more from its members
//! ([`crate::stages::unkept`]).
//!
//! Which targets a bus leads is [`can_follow`]; [`lead`] starts them on
//! the bus's blocks. The engine side of the pass is `engine/lead.rs`.

use crate::{
    audio::{loudness::LoudnessMeter, pan, AudioError, ChannelLayout, Matrix},
    engine::stage::{Carry, Follower, Stage},
    engine::store::ObjectWriter,
    lower::{Route, TargetStage},
    stages::delivery::Delivery,
    stages::mix::MixError,
    stages::output::{normalization, target_bext, target_output, Stamp},
    stages::pipeline::BlockSink,
    stages::region,
};

/// Whether bus `bus` can render `target` in its own pass: the target reads
/// that bus alone (dialogue gating, or the target it matches, would read
/// others). One normalised to a
/// spec is measured in the pass and rendered afterwards, with that
/// measurement.
pub fn can_follow(bus: &str, target: &TargetStage) -> bool {
    matches!(target.from.as_slice(), [(id, _)] if id == bus)
        && target.dialogue.is_empty()
        && target.matched.is_none()
        && target.reel.is_none()
        && target.adm.is_none()
        && target
            .from
            .iter()
            .all(|(_, route)| !matches!(route, Route::Object(_)))
}

/// Starts each of `followers` on the blocks of bus `bus` (`stream`): a
/// normalised target is measured, any other rendered (its `bext` naming
/// the project titled `project`). A follower that is
/// not a recipe's target (`target_of` says which is) is refused; one that
/// fails at once keeps its failure and is left out.
pub fn lead<'a>(
    followers: &'a mut [Follower<'_>],
    bus: &str,
    stream: BusStream,
    project: &str,
    target_of: fn(&dyn Stage) -> Option<&TargetStage>,
) -> Vec<Led<'a>> {
    followers
        .iter_mut()
        .filter_map(|follower| {
            let Some(target) = target_of(follower.stage) else {
                follower.refuse(bus);
                return None;
            };
            if normalization(target).is_some() {
                MeasureFollower::start(follower, target, stream)
                    .map(|measure| Led::Measure(Box::new(measure)))
            } else {
                TargetFollower::start(follower, target, stream, project)
                    .map(|render| Led::Render(Box::new(render)))
            }
        })
        .collect()
}

/// A route applied to blocks in memory: the same arithmetic as
/// [`crate::stages::mix::route`] applies to a source.
enum BlockRoute {
    Direct,
    Pan { index: usize, channels: usize },
    Matrix(Matrix),
}

impl BlockRoute {
    /// `route` from `inputs` channels to the `destination` layout, with the
    /// checks [`crate::stages::mix::route`] makes.
    fn new(route: &Route, inputs: usize, destination: &[String]) -> Result<Self, AudioError> {
        Ok(match route {
            Route::Direct => BlockRoute::Direct,
            Route::Pan(index) => {
                let layout = ChannelLayout::new("bus", destination)?;
                let label = destination
                    .get(*index)
                    .map(String::as_str)
                    .unwrap_or_default();
                if inputs != 1 {
                    return Err(AudioError::ChannelCount {
                        operation: format!("panning to `{label}`"),
                        expected: 1,
                        found: inputs,
                    });
                }
                BlockRoute::Pan {
                    index: layout.index_of(label)?,
                    channels: layout.channels(),
                }
            }
            Route::Matrix { name, rows } => {
                BlockRoute::Matrix(Matrix::new(name, inputs, rows.clone())?)
            }
            Route::Object(object) => {
                return Err(AudioError::InvalidValue {
                    what: "route",
                    detail: format!("object `{}` does not follow a bus", object.name),
                    help: "an object is rendered in its scene's re-render".to_owned(),
                })
            }
        })
    }

    /// `block` routed (itself, for a direct route; else written to `out`).
    fn apply<'a>(&self, block: &'a [f32], inputs: usize, out: &'a mut Vec<f32>) -> &'a [f32] {
        let frames = block.len() / inputs;
        match self {
            BlockRoute::Direct => block,
            BlockRoute::Pan { index, channels } => {
                out.resize(frames * channels, 0.0);
                pan::place(block, *index, *channels, out);
                out
            }
            BlockRoute::Matrix(matrix) => {
                out.resize(frames * matrix.outputs(), 0.0);
                matrix.apply(block, out);
                out
            }
        }
    }
}

impl BlockSink for TargetFollower<'_> {
    /// Renders the bus's next block (whole frames of the bus's channels).
    fn push(&mut self, block: &[f32]) {
        if self.error.is_some() {
            return;
        }
        let routed = self.routing.apply(block);
        if let Err(failure) = self.delivery.push(routed) {
            self.error.get_or_insert(failure);
        }
    }
}

/// What a led target needs to know of its bus.
#[derive(Debug, Clone, Copy)]
pub struct BusStream {
    /// The bus's channels.
    pub channels: usize,
    /// Its length in frames.
    pub frames: u64,
    /// Its first sample, since midnight (its file's time reference).
    pub time_reference: u64,
    /// The project's sample rate.
    pub rate: u32,
}

/// A target being rendered from the blocks of its bus.
pub struct TargetFollower<'a> {
    routing: Routing,
    delivery: Delivery<&'a mut ObjectWriter>,
    error: &'a mut Option<miette::Report>,
    /// Where the finished file's stats go (see [`region::stats_bytes`]),
    /// for the bus to make the target's region index of.
    regions: &'a mut Option<Vec<u8>>,
}

impl<'a> TargetFollower<'a> {
    /// Starts `target` (one bus, not normalised, of the project titled
    /// `project`) on `follower`'s output; `None` when it fails at once,
    /// with the failure in the follower.
    pub fn start(
        follower: &'a mut Follower<'_>,
        target: &TargetStage,
        bus: BusStream,
        project: &str,
    ) -> Option<Self> {
        let Follower {
            output,
            error,
            regions,
            ..
        } = follower;
        match Self::parts(output, target, bus, project) {
            Ok((routing, delivery)) => Some(Self {
                routing,
                delivery,
                error,
                regions,
            }),
            Err(failure) => {
                error.get_or_insert(failure);
                None
            }
        }
    }

    /// The target's route from the bus, and its delivery chain on `output`.
    fn parts(
        output: &'a mut ObjectWriter,
        target: &TargetStage,
        bus: BusStream,
        project: &str,
    ) -> miette::Result<(Routing, Delivery<&'a mut ObjectWriter>)> {
        let routing = Routing::of(target, bus)?;
        let stamp = Stamp {
            time_reference: bus.time_reference,
            first: 0,
        };
        let (spec, quantizer) = target_output(target, bus.rate, stamp)?;
        let mut delivery = Delivery::new(
            output,
            spec,
            &target.id,
            bus.rate,
            target.channels.len(),
            bus.frames,
            None,
            quantizer,
        )?;
        delivery.describe(target_bext(project, target))?;
        Ok((routing, delivery))
    }

    /// Finishes the file (after the bus's last block).
    pub fn finish(self) {
        if self.error.is_some() {
            return;
        }
        match self.delivery.finish() {
            Ok(stats) => *self.regions = stats.map(|stats| region::stats_bytes(&stats)),
            Err(failure) => {
                self.error.get_or_insert(failure);
            }
        }
    }
}

/// A led target's route from its one bus, applied to the bus's blocks.
struct Routing {
    route: BlockRoute,
    /// The bus's channels.
    inputs: usize,
    /// The routed block, for a route that is not direct.
    routed: Vec<f32>,
}

impl Routing {
    /// The route of `target`, which reads `bus` alone.
    fn of(target: &TargetStage, bus: BusStream) -> miette::Result<Self> {
        let [(id, route)] = target.from.as_slice() else {
            miette::bail!("`{}` reads more than one bus", target.id);
        };
        let route = BlockRoute::new(route, bus.channels, &target.channels).map_err(|error| {
            miette::Report::new(MixError::Clip {
                clip: id.to_string(),
                error,
            })
        })?;
        Ok(Self {
            route,
            inputs: bus.channels,
            routed: Vec::new(),
        })
    }

    /// A block of the bus, routed to the target's layout.
    fn apply<'a>(&'a mut self, block: &'a [f32]) -> &'a [f32] {
        self.route.apply(block, self.inputs, &mut self.routed)
    }
}

/// A normalised target's mix being measured from the blocks of its bus:
/// the measurement [`crate::stages`] takes in its first pass, carried to
/// the target's own run.
pub struct MeasureFollower<'a> {
    routing: Routing,
    meter: LoudnessMeter,
    carry: &'a mut Option<Carry>,
    error: &'a mut Option<miette::Report>,
}

impl<'a> MeasureFollower<'a> {
    /// Starts measuring `target` (one bus); `None` when it fails at once,
    /// with the failure in the follower.
    pub fn start(
        follower: &'a mut Follower<'_>,
        target: &TargetStage,
        bus: BusStream,
    ) -> Option<Self> {
        let Follower { carry, error, .. } = follower;
        let parts = Routing::of(target, bus).and_then(|routing| {
            let meter = LoudnessMeter::for_labels(&target.channels, bus.rate)
                .map_err(miette::Report::new)?;
            Ok((routing, meter))
        });
        match parts {
            Ok((routing, meter)) => Some(Self {
                routing,
                meter,
                carry,
                error,
            }),
            Err(failure) => {
                error.get_or_insert(failure);
                None
            }
        }
    }

    /// Leaves the measurement for the target's run (after the bus's last
    /// block).
    pub fn finish(self) {
        if self.error.is_none() {
            let report = self.meter.report();
            let stats = self.meter.finish().ok();
            *self.carry = Some(Carry::Loudness(report, stats));
        }
    }
}

impl BlockSink for MeasureFollower<'_> {
    fn push(&mut self, block: &[f32]) {
        if self.error.is_some() {
            return;
        }
        let routed = self.routing.apply(block);
        if let Err(failure) = self.meter.push(routed) {
            self.error.get_or_insert(miette::Report::new(failure));
        }
    }
}

/// A target led by its bus: rendered, or measured for its own run.
pub enum Led<'a> {
    Render(Box<TargetFollower<'a>>),
    Measure(Box<MeasureFollower<'a>>),
}

impl Led<'_> {
    /// Finishes the file or the measurement.
    pub fn finish(self) {
        match self {
            Led::Render(target) => (*target).finish(),
            Led::Measure(target) => (*target).finish(),
        }
    }
}

impl BlockSink for Led<'_> {
    fn push(&mut self, block: &[f32]) {
        match self {
            Led::Render(target) => target.push(block),
            Led::Measure(target) => target.push(block),
        }
    }
}
