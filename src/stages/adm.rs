//! The chunks of an ADM BWF master (`target NAME { from SCENE format adm
//! … }`): its `chna` and `axml`, made when the master is rendered, since
//! the object blocks are placed on the programme's clock (its first sample
//! and its length, known once the bed is mixed).

use crate::{
    audio::{
        adm::{axml, bed::bed, blocks::compile, chna},
        Chunk,
    },
    engine::key::Params,
    lower::TargetStage,
};

/// The `chna` and `axml` chunks of `target` if it is an ADM master (none
/// otherwise), for a programme of `frames` samples at `rate` whose first
/// sample is `programme_start` samples after midnight; `title` is the
/// project's.
pub(super) fn chunks(
    target: &TargetStage,
    title: &str,
    rate: u32,
    programme_start: u64,
    frames: u64,
) -> miette::Result<Vec<Chunk>> {
    let Some(plan) = &target.adm else {
        return Ok(Vec::new());
    };
    let Some(channels) = bed(&plan.bed) else {
        miette::bail!(
            "target `{}`: a {} bed is not in the Dolby Atmos Master ADM Profile",
            target.name,
            plan.bed
        );
    };
    let objects = plan
        .objects
        .iter()
        .map(|object| axml::ObjectTrack {
            name: object.name.clone(),
            blocks: compile(&object.points(programme_start), frames, rate),
        })
        .collect();
    let programme = if title.is_empty() {
        target.name.clone()
    } else {
        format!("{title} - {}", target.name)
    };
    let scene = axml::Scene {
        programme,
        rate,
        frames,
        file_rate: target.format.sample_rate,
        bits: target.format.bits,
        bed: channels,
        objects,
    };
    let (xml, rows) = axml::encode(&scene);
    Ok(vec![
        Chunk {
            id: *b"chna",
            body: chna::encode(&rows),
        },
        Chunk {
            id: *b"axml",
            body: xml.into_bytes(),
        },
    ])
}

/// The key parameters of an ADM master's metadata: the scene, its bed and
/// every object's path (its audio is in the inputs' keys).
pub(super) fn params(target: &TargetStage, params: &mut Params<'_>) {
    let Some(plan) = &target.adm else {
        return;
    };
    params
        .str("adm.scene", &plan.scene)
        .str("adm.bed", &plan.bed)
        // 2: blocks on a 1024-sample grid at 48 kHz that path points end,
        // times as samples; the profile's programme name and object ids.
        // 3: points and cuts on the 10 µs quantum, times in decimal seconds.
        .u64("adm.version", 3);
    for (index, object) in plan.objects.iter().enumerate() {
        params
            .str(&format!("adm.object{index}"), &object.name)
            .u64(&format!("adm.object{index}.start"), object.start)
            .str(&format!("adm.object{index}.path"), &object.path_text());
    }
}
