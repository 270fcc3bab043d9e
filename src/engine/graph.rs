//! The stage DAG (petgraph): stages as nodes, an edge from each input to
//! its consumer, a fixed topological order, and selection of the stages a
//! set of targets needs.

use std::collections::HashMap;

use petgraph::{
    graph::{DiGraph, NodeIndex},
    Direction,
};

use crate::{engine::error::EngineError, engine::stage::Stage};

/// A checked, acyclic graph of stages.
pub struct StageGraph {
    dag: DiGraph<Box<dyn Stage>, ()>,
    by_id: HashMap<String, NodeIndex>,
    /// Each node's inputs, in the order the stage declared them.
    inputs: Vec<Vec<NodeIndex>>,
    order: Vec<NodeIndex>,
}

impl StageGraph {
    /// Builds the graph, rejecting duplicate ids (E0704), inputs no stage
    /// produces (E0705) and cycles (E0706).
    pub fn new(stages: Vec<Box<dyn Stage>>) -> Result<Self, EngineError> {
        let mut dag = DiGraph::with_capacity(stages.len(), stages.len());
        let mut by_id = HashMap::with_capacity(stages.len());
        for stage in stages {
            let id = stage.id().to_owned();
            if by_id.contains_key(&id) {
                return Err(EngineError::DuplicateStage { id });
            }
            by_id.insert(id, dag.add_node(stage));
        }
        let mut inputs = Vec::with_capacity(dag.node_count());
        for node in dag.node_indices() {
            let mut resolved = Vec::with_capacity(dag[node].inputs().len());
            for input in dag[node].inputs() {
                let producer = by_id.get(input).ok_or_else(|| EngineError::UnknownInput {
                    stage: dag[node].id().to_owned(),
                    input: input.clone(),
                })?;
                resolved.push(*producer);
            }
            inputs.push(resolved);
        }
        for (consumer, producers) in inputs.iter().enumerate() {
            for producer in producers {
                dag.update_edge(*producer, NodeIndex::new(consumer), ());
            }
        }
        let order = stable_order(&dag, &inputs).ok_or_else(|| {
            let stage = petgraph::algo::toposort(&dag, None)
                .err()
                .map(|cycle| dag[cycle.node_id()].id().to_owned())
                .unwrap_or_default();
            EngineError::Cycle { stage }
        })?;
        Ok(Self {
            dag,
            by_id,
            inputs,
            order,
        })
    }

    /// The petgraph DAG (edges run from input to consumer), e.g. for
    /// `sndtrk graph`.
    pub fn dag(&self) -> &DiGraph<Box<dyn Stage>, ()> {
        &self.dag
    }

    /// The number of stages.
    pub fn len(&self) -> usize {
        self.dag.node_count()
    }

    /// Whether there are no stages.
    pub fn is_empty(&self) -> bool {
        self.dag.node_count() == 0
    }

    /// The node of a stage id.
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.by_id.get(id).copied()
    }

    /// The stage of a node.
    pub fn stage(&self, node: NodeIndex) -> &dyn Stage {
        self.dag[node].as_ref()
    }

    /// A node's inputs in declared order.
    pub fn inputs(&self, node: NodeIndex) -> &[NodeIndex] {
        &self.inputs[node.index()]
    }

    /// The stages that consume a node's output.
    pub fn dependants(&self, node: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
        self.dag.neighbors_directed(node, Direction::Outgoing)
    }

    /// Every node, inputs before consumers (deterministic for a given list
    /// of stages).
    pub fn order(&self) -> &[NodeIndex] {
        &self.order
    }

    /// Which nodes the given stage ids need (themselves and everything
    /// upstream); every node when `targets` is empty. Indexed by node.
    pub fn select(&self, targets: &[String]) -> Result<Vec<bool>, EngineError> {
        if targets.is_empty() {
            return Ok(vec![true; self.len()]);
        }
        let mut selected = vec![false; self.len()];
        let mut pending = Vec::new();
        for target in targets {
            let node = self
                .node(target)
                .ok_or_else(|| EngineError::UnknownTarget {
                    name: target.clone(),
                })?;
            pending.push(node);
        }
        while let Some(node) = pending.pop() {
            if !std::mem::replace(&mut selected[node.index()], true) {
                pending.extend_from_slice(self.inputs(node));
            }
        }
        Ok(selected)
    }
}

impl StageGraph {
    /// The graph in Graphviz DOT (`sndtrk graph`): stages in topological
    /// order, each labelled with its id and kind, a deliverable (a stage
    /// with an output in `out/`) a box and any other stage an ellipse;
    /// one edge from each input to its consumer.
    pub fn to_dot(&self) -> String {
        let escape = |text: &str| text.replace('\\', "\\\\").replace('"', "\\\"");
        let quote = |text: &str| format!("\"{}\"", escape(text));
        let mut dot = String::from("digraph sndtrk {\n    rankdir=LR;\n");
        for &node in &self.order {
            let stage = self.stage(node);
            let shape = match stage.output_path() {
                Some(_) => "box",
                None => "ellipse",
            };
            dot.push_str(&format!(
                "    {} [label=\"{}\\n{}\", shape={shape}];\n",
                quote(stage.id()),
                escape(stage.id()),
                escape(stage.kind())
            ));
        }
        for &node in &self.order {
            let mut seen = Vec::new();
            for input in self.inputs(node) {
                if !seen.contains(input) {
                    seen.push(*input);
                    dot.push_str(&format!(
                        "    {} -> {};\n",
                        quote(self.stage(*input).id()),
                        quote(self.stage(node).id())
                    ));
                }
            }
        }
        dot.push_str("}\n");
        dot
    }

    /// The graph as pretty-printed JSON (`sndtrk graph --format json`): an
    /// array of `{"id", "kind", "inputs", "files", "output"}` in
    /// topological order; `inputs` as the stage declared them, `files`
    /// with `/` separators, `output` the path under `out/` or null.
    pub fn to_json(&self) -> String {
        #[derive(serde::Serialize)]
        struct Node<'a> {
            id: &'a str,
            kind: &'a str,
            inputs: &'a [String],
            files: Vec<String>,
            output: Option<String>,
        }
        let path = |path: &std::path::Path| path.to_string_lossy().replace('\\', "/");
        let nodes: Vec<Node<'_>> = self
            .order
            .iter()
            .map(|&node| {
                let stage = self.stage(node);
                Node {
                    id: stage.id(),
                    kind: stage.kind(),
                    inputs: stage.inputs(),
                    files: stage.files().iter().map(|file| path(file)).collect(),
                    output: stage
                        .output_path()
                        .map(|output| format!("out/{}", path(output))),
                }
            })
            .collect();
        let mut json = serde_json::to_string_pretty(&nodes).unwrap_or_else(|_| "[]".to_owned());
        json.push('\n');
        json
    }
}

/// Kahn's algorithm taking the earliest-declared ready stage first, so the
/// order follows the declaration order wherever the dependencies allow.
/// `None` when there is a cycle.
fn stable_order(
    dag: &DiGraph<Box<dyn Stage>, ()>,
    inputs: &[Vec<NodeIndex>],
) -> Option<Vec<NodeIndex>> {
    use std::{cmp::Reverse, collections::BinaryHeap};
    let mut remaining: Vec<usize> = inputs
        .iter()
        .map(|producers| {
            let mut unique = producers.clone();
            unique.sort();
            unique.dedup();
            unique.len()
        })
        .collect();
    let mut ready: BinaryHeap<Reverse<NodeIndex>> = dag
        .node_indices()
        .filter(|node| remaining[node.index()] == 0)
        .map(Reverse)
        .collect();
    let mut order = Vec::with_capacity(dag.node_count());
    while let Some(Reverse(node)) = ready.pop() {
        order.push(node);
        for dependant in dag.neighbors_directed(node, Direction::Outgoing) {
            remaining[dependant.index()] -= 1;
            if remaining[dependant.index()] == 0 {
                ready.push(Reverse(dependant));
            }
        }
    }
    (order.len() == dag.node_count()).then_some(order)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::stage::FnStage;

    fn stage(id: &str, inputs: &[&str]) -> Box<dyn Stage> {
        let mut stage = FnStage::new(id, "test", |_| Ok(()));
        for input in inputs {
            stage = stage.input(*input);
        }
        Box::new(stage)
    }

    fn error(stages: Vec<Box<dyn Stage>>) -> String {
        StageGraph::new(stages).err().unwrap().to_string()
    }

    #[test]
    fn orders_inputs_first_and_selects_upstream() {
        let graph = StageGraph::new(vec![
            stage("target:b", &["bus:PM", "stem:fx"]),
            stage("bus:PM", &["stem:dx"]),
            stage("stem:dx", &[]),
            stage("stem:fx", &[]),
            stage("target:a", &["stem:fx"]),
        ])
        .unwrap();
        let position = |id: &str| {
            let node = graph.node(id).unwrap();
            graph.order().iter().position(|n| *n == node).unwrap()
        };
        let ids: Vec<_> = graph.order().iter().map(|n| graph.stage(*n).id()).collect();
        assert_eq!(
            ids,
            ["stem:dx", "bus:PM", "stem:fx", "target:b", "target:a"]
        );
        assert!(position("stem:dx") < position("bus:PM"));
        assert!(position("bus:PM") < position("target:b"));
        assert!(position("stem:fx") < position("target:a"));
        let ids = |selected: Vec<bool>| {
            let mut ids: Vec<_> = graph
                .dag()
                .node_indices()
                .filter(|node| selected[node.index()])
                .map(|node| graph.stage(node).id().to_owned())
                .collect();
            ids.sort();
            ids
        };
        assert_eq!(
            ids(graph.select(&["target:a".into()]).unwrap()),
            ["stem:fx", "target:a"]
        );
        assert_eq!(ids(graph.select(&[]).unwrap()).len(), 5);
        assert_eq!(
            graph
                .select(&["target:zz".into()])
                .err()
                .unwrap()
                .to_string(),
            "no stage or target named `target:zz`"
        );
        let target = graph.node("target:b").unwrap();
        let inputs: Vec<_> = graph
            .inputs(target)
            .iter()
            .map(|n| graph.stage(*n).id())
            .collect();
        assert_eq!(inputs, ["bus:PM", "stem:fx"]);
    }

    #[test]
    fn renders_dot_and_json() {
        let graph = StageGraph::new(vec![
            Box::new(FnStage::new("stem:dx", "source", |_| Ok(())).file("stems/dx.wav")),
            Box::new(
                FnStage::new("bus:\"PM\"", "bus", |_| Ok(()))
                    .input("stem:dx")
                    .input("stem:dx"),
            ),
            Box::new(
                FnStage::new("target:stereo", "target", |_| Ok(()))
                    .input("bus:\"PM\"")
                    .output_to("stereo.wav"),
            ),
        ])
        .unwrap();
        assert_eq!(
            graph.to_dot(),
            r#"digraph sndtrk {
    rankdir=LR;
    "stem:dx" [label="stem:dx\nsource", shape=ellipse];
    "bus:\"PM\"" [label="bus:\"PM\"\nbus", shape=ellipse];
    "target:stereo" [label="target:stereo\ntarget", shape=box];
    "stem:dx" -> "bus:\"PM\"";
    "bus:\"PM\"" -> "target:stereo";
}
"#
        );
        assert_eq!(
            graph.to_json(),
            r#"[
  {
    "id": "stem:dx",
    "kind": "source",
    "inputs": [],
    "files": [
      "stems/dx.wav"
    ],
    "output": null
  },
  {
    "id": "bus:\"PM\"",
    "kind": "bus",
    "inputs": [
      "stem:dx",
      "stem:dx"
    ],
    "files": [],
    "output": null
  },
  {
    "id": "target:stereo",
    "kind": "target",
    "inputs": [
      "bus:\"PM\""
    ],
    "files": [],
    "output": "out/stereo.wav"
  }
]
"#
        );
    }

    #[test]
    fn rejects_duplicates_unknown_inputs_and_cycles() {
        assert_eq!(
            error(vec![stage("a", &[]), stage("a", &[])]),
            "two stages have the id `a`"
        );
        assert_eq!(
            error(vec![stage("a", &["ghost"])]),
            "stage `a` consumes `ghost`, which no stage produces"
        );
        let cycle = error(vec![stage("bus:A", &["bus:B"]), stage("bus:B", &["bus:A"])]);
        assert!(
            cycle == "stage `bus:A` depends on itself through its inputs"
                || cycle == "stage `bus:B` depends on itself through its inputs",
            "{cycle}"
        );
    }
}
