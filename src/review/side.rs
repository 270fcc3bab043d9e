//! One side of a comparison, read whole: the recipe resolved, what `check`
//! says of it, its declarations, its cue sheet, and the deep key of every
//! render stage.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
};

use crate::{
    diagnostic::Diagnostic,
    engine::{deep_key, fingerprint::StatCache, graph::StageGraph, key::Digest},
    project::{self, check},
    report::cuesheet::{cue_sheet, CueSheetRow},
    report::rights::{matrix, RightsEntry},
    resolve::resolve_path,
    review::{checkout::Checkout, declarations::Declarations},
    syntax::source::{SourceFile, Sources},
};

/// A deliverable of one side: a target or an album.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deliverable {
    /// `target` or `album`.
    pub kind: &'static str,
    pub name: String,
}

/// One side of a comparison.
pub struct Side {
    pub checkout: Checkout,
    /// The recipe's files, named as `sndtrk check` names the working tree's.
    pub sources: Sources,
    /// What `sndtrk check` reports.
    pub diagnostics: Vec<Diagnostic>,
    pub declarations: Declarations,
    /// Every target, then every album.
    pub deliverables: Vec<Deliverable>,
    /// The cue sheet's rows (empty when it cannot be made).
    pub cue_sheet: Vec<CueSheetRow>,
    /// The rights matrix: every cue in every target and album it plays in.
    pub rights: Vec<RightsEntry>,
    /// The stage graph and every stage's deep key, when the recipe lowers.
    pub graph: Option<StageGraph>,
    pub keys: HashMap<String, Digest>,
    /// Where source files' digests are looked up.
    stats: Arc<StatCache>,
}

/// `sources` with every file under `project` named as under `shown`.
fn renamed(sources: &Sources, project: &Path, shown: Option<&Path>) -> Sources {
    let prefix = format!("{}/", project.display());
    let mut renamed = Sources::new();
    for (_, file) in sources.iter() {
        let name = match file.name.strip_prefix(&prefix) {
            Some(rest) => match shown {
                Some(directory) => directory.join(rest).display().to_string(),
                None => rest.to_owned(),
            },
            None => file.name.clone(),
        };
        renamed.add(SourceFile::new(name, file.path.clone(), file.text.clone()));
    }
    renamed
}

impl Side {
    /// Reads `checkout`. `shown` is how the command line names the working
    /// tree's project directory (`None` for the current directory).
    ///
    /// Source files are hashed through `stats`, shared by both sides, so a
    /// file the sides share is read once (and not at all when the
    /// project's stat cache knows it).
    pub fn load(checkout: Checkout, shown: Option<&Path>, stats: &Arc<StatCache>) -> Self {
        let recipe: PathBuf = match (&checkout.revision, shown) {
            (None, Some(directory)) => directory.join(project::walk::RECIPE_FILE),
            (None, None) => PathBuf::from(project::walk::RECIPE_FILE),
            (Some(_), _) => checkout.project.join(project::walk::RECIPE_FILE),
        };
        let resolved = resolve_path(&recipe);
        // A revision before the recipe existed has nothing to say.
        let diagnostics = if checkout.revision.is_some() && !recipe.is_file() {
            Vec::new()
        } else {
            check::diagnostics(&resolved)
        };
        let sources = renamed(&resolved.model.sources, &checkout.project, shown);
        let declarations = Declarations::of(&resolved.model.sources);
        let model = &resolved.model;
        let deliverables = model
            .targets
            .iter()
            .map(|target| Deliverable {
                kind: "target",
                name: target.name.name.clone(),
            })
            .chain(model.albums.iter().map(|album| Deliverable {
                kind: "album",
                name: album.name.name.clone(),
            }))
            .collect();
        let cue_sheet = cue_sheet(model).map(|sheet| sheet.cues).unwrap_or_default();
        let rights = matrix(model);
        let (graph, keys) = match project::lower(resolved, &checkout.project) {
            Ok(project) => {
                let keys = deep_key::deep_keys(&project.graph, &checkout.project, stats);
                (Some(project.graph), keys)
            }
            Err(_) => (None, HashMap::new()),
        };
        Self {
            checkout,
            sources,
            diagnostics,
            declarations,
            deliverables,
            cue_sheet,
            rights,
            graph,
            keys,
            stats: Arc::clone(stats),
        }
    }

    /// The deep key of a deliverable: its target stage's, or for an album
    /// one digest of every track's; `None` when the recipe did not lower.
    pub fn key_of(&self, deliverable: &Deliverable) -> Option<Digest> {
        self.graph.as_ref()?;
        match deliverable.kind {
            "target" => self
                .keys
                .get(&format!("target:{}", deliverable.name))
                .copied(),
            _ => {
                let prefix = format!("album:{}/", deliverable.name);
                let mut tracks: Vec<(&String, &Digest)> = self
                    .keys
                    .iter()
                    .filter(|(id, _)| id.starts_with(&prefix))
                    .collect();
                tracks.sort();
                let mut hasher = blake3::Hasher::new();
                for (id, key) in tracks {
                    hasher.update(id.as_bytes());
                    hasher.update(key.to_hex().as_bytes());
                }
                Some(Digest::of(hasher.finalize().as_bytes()))
            }
        }
    }

    /// The source files a deliverable reads, with their digests.
    pub fn files_of(&self, deliverable: &Deliverable) -> Vec<(String, Digest)> {
        let Some(graph) = &self.graph else {
            return Vec::new();
        };
        let ids: Vec<String> = match deliverable.kind {
            "target" => vec![format!("target:{}", deliverable.name)],
            _ => {
                let prefix = format!("album:{}/", deliverable.name);
                self.keys
                    .keys()
                    .filter(|id| id.starts_with(&prefix))
                    .cloned()
                    .collect()
            }
        };
        let mut files: Vec<(String, Digest)> = ids
            .iter()
            .flat_map(|id| deep_key::upstream_files(graph, id, &self.checkout.project, &self.stats))
            .collect();
        files.sort();
        files.dedup();
        files
    }
}
