//! One file per lint rule, named for its code and what it checks.

pub mod c001_writer_shares;
pub mod c002_publisher_shares;
pub mod c003_missing_usage;
pub mod c004_recording_codes;
pub mod c005_missing_society;
pub mod c006_overlapping_cues;
pub mod c007_clip_cut_at_reel_end;
pub mod d001_target_breaks_spec;
pub mod d002_dialogue_in_me;
pub mod d003_file_contradicts_recipe;
pub mod d004_deliverable_outside_spec;
pub mod d005_unused;
pub mod d006_album_breaks_spec;
pub mod d008_unmatched_stem;
pub mod d009_trim_or_fade_past_the_end;
pub mod d010_clip_not_as_written;
pub mod r001_song_without_sync;
pub mod r002_song_without_master;
pub mod r003_album_song_without_album_licence;
pub mod r004_licence_media;
pub mod r005_licence_territory;
pub mod r006_licence_term;
pub mod r007_licence_not_executed;
pub mod r008_licence_for_unused_cue;
pub mod r009_song_on_score_album;
pub mod s001_due_after_release;
pub mod s002_due_soon_not_ready;

mod lengths;
mod shared;
