//! The leader/follower pass, engine side: which dependants a stage that is
//! about to run leads ([`Stage::can_lead`]), the pass that renders them
//! ([`Pass`], handed to [`Stage::run_leading`]) and what it leaves each
//! follower ([`Prepared`]) until the follower's own decision.
//!
//! A follower's output waits, unfinished, for that decision once the
//! leader is done: a stale follower is stored as if it had run then, a
//! fresh one (early cutoff) drops it and does not count as run. A follower
//! the pass only measured (a normalised deliverable) runs then with that
//! measurement ([`Stage::run_carried`]); one that failed in the pass is
//! left nothing and runs on its own. The audio side of the pass is
//! [`crate::stages::follow`].

use petgraph::graph::NodeIndex;

use crate::engine::{
    error::EngineError,
    graph::StageGraph,
    stage::{Carry, Follower, RunContext, Stage},
    store::ObjectWriter,
};

/// The selected dependants of `node` its stage can render in its own pass
/// ([`Stage::can_lead`]): each reads `node`, no other input that `node`
/// does not read too, and no source file, so it can be keyed as soon as
/// `node` is done.
pub(super) fn followers(
    graph: &StageGraph,
    node: NodeIndex,
    selected: impl Fn(NodeIndex) -> bool,
) -> Vec<(NodeIndex, &dyn Stage)> {
    let leader = graph.stage(node);
    let led_inputs = |dependant: NodeIndex| {
        let inputs = graph.inputs(dependant);
        inputs.contains(&node)
            && inputs
                .iter()
                .all(|input| *input == node || graph.inputs(node).contains(input))
    };
    let mut found: Vec<NodeIndex> = graph
        .dependants(node)
        .filter(|dependant| {
            let stage = graph.stage(*dependant);
            selected(*dependant)
                && led_inputs(*dependant)
                && stage.files().is_empty()
                && leader.can_lead(stage)
        })
        .collect();
    found.sort();
    found.dedup();
    found
        .into_iter()
        .map(|dependant| (dependant, graph.stage(dependant)))
        .collect()
}

/// What a leader's pass left for a follower that did not fail there (one
/// that failed runs on its own, so any error is its own run's).
pub(super) struct Prepared {
    made: Made,
    /// The leader.
    pub(super) leader: NodeIndex,
    /// How long the leader's pass took.
    pub(super) seconds: f64,
}

/// A follower's part of its leader's pass.
enum Made {
    /// Its output, not yet finished into the store, and its region index.
    Output(Box<ObjectWriter>, Option<Vec<u8>>),
    /// What the pass learnt for the follower's own run.
    Carry(Carry),
}

impl Prepared {
    /// The follower's output: the one the pass wrote, or the one its run
    /// with the pass's carry writes in a context `context` makes (with the
    /// notes that run left).
    pub(super) fn output<'c>(
        self,
        stage: &dyn Stage,
        context: impl FnOnce() -> Result<RunContext<'c>, EngineError>,
    ) -> miette::Result<(ObjectWriter, Vec<String>, Option<Vec<u8>>)> {
        match self.made {
            Made::Output(output, regions) => Ok((*output, Vec::new(), regions)),
            Made::Carry(carry) => {
                let mut context = context()?;
                stage.run_carried(&mut context, carry)?;
                Ok((context.output, context.notes, context.regions))
            }
        }
    }
}

/// The followers of a leader about to run, each with an output of its own.
pub(super) struct Pass<'a> {
    nodes: Vec<NodeIndex>,
    followers: Vec<Follower<'a>>,
}

impl<'a> Pass<'a> {
    /// A pass for `followers`, their outputs from `writer`.
    pub(super) fn new(
        followers: Vec<(NodeIndex, &'a dyn Stage)>,
        writer: impl Fn() -> Result<ObjectWriter, EngineError>,
    ) -> Result<Self, EngineError> {
        let mut pass = Self {
            nodes: Vec::with_capacity(followers.len()),
            followers: Vec::with_capacity(followers.len()),
        };
        for (node, stage) in followers {
            pass.nodes.push(node);
            pass.followers.push(Follower {
                stage,
                output: writer()?,
                error: None,
                carry: None,
                regions: None,
            });
        }
        Ok(pass)
    }

    /// Whether the pass leads nobody (the leader then simply runs).
    pub(super) fn is_empty(&self) -> bool {
        self.followers.is_empty()
    }

    /// The followers, for [`Stage::run_leading`].
    pub(super) fn followers(&mut self) -> &mut [Follower<'a>] {
        &mut self.followers
    }

    /// What the pass of `leader`, which took `seconds`, left each follower
    /// that did not fail in it: its carry if it has one, else its output.
    pub(super) fn leave(self, leader: NodeIndex, seconds: f64) -> Vec<(NodeIndex, Prepared)> {
        self.nodes
            .into_iter()
            .zip(self.followers)
            .filter(|(_, follower)| follower.error.is_none())
            .map(|(node, follower)| {
                let made = match follower.carry {
                    Some(carry) => Made::Carry(carry),
                    None => Made::Output(Box::new(follower.output), follower.regions),
                };
                let prepared = Prepared {
                    made,
                    leader,
                    seconds,
                };
                (node, prepared)
            })
            .collect()
    }
}
