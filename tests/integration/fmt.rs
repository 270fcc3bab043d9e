//! `sndtrk fmt`: rewriting recipes in place, `--check`, directories,
//! syntax errors and bad paths.

use std::fs;

use crate::test::Test;

const MESSY: &str = "import \"std/layouts\"\nstem dx{role dialogue   layout 1.0 // mono\n\n\n gain -1.5dB}\nbus DX 5.1 {\n  dx\n}\n";

const CANONICAL: &str = "import \"std/layouts\"\n\nstem dx {\n    role dialogue\n    layout 1.0 // mono\n\n    gain -1.5dB\n}\n\nbus DX 5.1 { dx }\n";

#[test]
fn formats_the_recipe_in_place() {
    let ran = Test::new()
        .recipe(MESSY)
        .arg("fmt")
        .stdout("")
        .stderr("")
        .run();
    assert_eq!(
        fs::read_to_string(ran.path().join("soundtrack.sndtrk")).unwrap(),
        CANONICAL
    );
}

#[test]
fn check_lists_what_would_change_and_writes_nothing() {
    let ran = Test::new()
        .recipe(MESSY)
        .args(["fmt", "--check"])
        .status(1)
        .stdout("")
        .stderr("would reformat soundtrack.sndtrk\n")
        .run();
    assert_eq!(
        fs::read_to_string(ran.path().join("soundtrack.sndtrk")).unwrap(),
        MESSY
    );
}

#[test]
fn check_passes_on_a_canonical_recipe() {
    Test::new()
        .recipe(CANONICAL)
        .args(["fmt", "--check"])
        .stdout("")
        .stderr("")
        .run();
}

#[test]
fn the_example_project_is_canonical() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/night-harbor");
    Test::new()
        .args(["-C", example, "fmt", "--check"])
        .stdout("")
        .stderr("")
        .run();
}

#[test]
fn every_recipe_of_the_examples_and_the_standard_library_is_canonical() {
    let root = env!("CARGO_MANIFEST_DIR");
    Test::new()
        .args([
            "fmt",
            "--check",
            &format!("{root}/examples"),
            &format!("{root}/stdlib"),
        ])
        .stdout("")
        .stderr("")
        .run();
}

#[test]
fn dash_c_names_the_project_directory() {
    let ran = Test::new()
        .write("film/soundtrack.sndtrk", MESSY)
        .args(["-C", "film", "fmt", "--check"])
        .status(1)
        .stderr("would reformat soundtrack.sndtrk\n")
        .run();
    let path = ran.path().join("film/soundtrack.sndtrk");
    assert_eq!(fs::read_to_string(&path).unwrap(), MESSY);
    let ran = Test::new()
        .write("film/soundtrack.sndtrk", MESSY)
        .write("film/other.sndtrk", MESSY)
        .args(["-C", "film", "fmt", "other.sndtrk"])
        .stderr("")
        .run();
    let film = ran.path().join("film");
    assert_eq!(
        fs::read_to_string(film.join("other.sndtrk")).unwrap(),
        CANONICAL
    );
    assert_eq!(
        fs::read_to_string(film.join("soundtrack.sndtrk")).unwrap(),
        MESSY
    );
}

#[test]
fn a_directory_is_walked_in_sorted_order_skipping_build_output() {
    let ran = Test::new()
        .recipe(MESSY)
        .write("reels/r2.sndtrk", MESSY)
        .write("reels/r1.sndtrk", MESSY)
        .write("reels/clean.sndtrk", CANONICAL)
        .write("reels/notes.txt", MESSY)
        .write("out/copy.sndtrk", MESSY)
        .write("target/copy.sndtrk", MESSY)
        .write(".sndtrk/copy.sndtrk", MESSY)
        .write(".git/copy.sndtrk", MESSY)
        .args(["fmt", "--check", "."])
        .status(1)
        .stderr(
            "would reformat ./reels/r1.sndtrk\nwould reformat ./reels/r2.sndtrk\nwould reformat ./soundtrack.sndtrk\n",
        )
        .run();
    let dir = ran.path().to_path_buf();
    Test::new()
        .args([
            "-C",
            dir.to_str().unwrap(),
            "fmt",
            "reels",
            "soundtrack.sndtrk",
        ])
        .stderr("")
        .run();
    for formatted in [
        "soundtrack.sndtrk",
        "reels/r1.sndtrk",
        "reels/r2.sndtrk",
        "reels/clean.sndtrk",
    ] {
        assert_eq!(
            fs::read_to_string(dir.join(formatted)).unwrap(),
            CANONICAL,
            "{formatted}"
        );
    }
    for untouched in [
        "reels/notes.txt",
        "out/copy.sndtrk",
        "target/copy.sndtrk",
        ".sndtrk/copy.sndtrk",
        ".git/copy.sndtrk",
    ] {
        assert_eq!(
            fs::read_to_string(dir.join(untouched)).unwrap(),
            MESSY,
            "{untouched}"
        );
    }
}

#[test]
fn a_file_with_syntax_errors_is_reported_and_never_written() {
    // (`gian` first in a block is read as a property, unknown to the
    // resolver, not a syntax error; a number there is one.)
    let broken = "stem dx { 5 -3dB }\n";
    let ran = Test::new()
        .recipe(broken)
        .write("b.sndtrk", MESSY)
        .args(["fmt", "soundtrack.sndtrk", "b.sndtrk"])
        .status(1)
        .stdout("")
        .stderr(
            "E0101

  × expected a property or `}`, found `5`
   ╭─[soundtrack.sndtrk:1:11]
 1 │ stem dx { 5 -3dB }
   ·           ┬
   ·           ╰── expected a property or `}`
   ╰────
  help: write a property or `}` here

",
        )
        .run();
    assert_eq!(
        fs::read_to_string(ran.path().join("soundtrack.sndtrk")).unwrap(),
        broken
    );
    // The other file is formatted all the same.
    assert_eq!(
        fs::read_to_string(ran.path().join("b.sndtrk")).unwrap(),
        CANONICAL
    );
}

#[test]
fn a_missing_recipe_is_an_error() {
    Test::new()
        .args(["fmt"])
        .status(1)
        .stdout("")
        .stderr(
            "E0911

  × `soundtrack.sndtrk` does not exist
  help: name a recipe file or a directory holding `*.sndtrk` files

",
        )
        .run();
}

#[test]
fn a_recipe_that_is_not_utf8_is_an_error() {
    Test::new()
        .write("latin1.sndtrk", b"project \"Caf\xe9\" { }\n")
        .args(["fmt", "latin1.sndtrk"])
        .status(1)
        .stdout("")
        .stderr(
            "E0914

  × `latin1.sndtrk` is not UTF-8 text
  help: a recipe is a UTF-8 text file; save it as UTF-8

",
        )
        .run();
}

#[cfg(unix)]
#[test]
fn an_unchanged_file_is_not_rewritten_and_a_changed_one_keeps_its_mode() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let test = Test::new().recipe(CANONICAL).write("messy.sndtrk", MESSY);
    let dir = test.path();
    let clean = dir.join("soundtrack.sndtrk");
    let messy = dir.join("messy.sndtrk");
    fs::set_permissions(&messy, fs::Permissions::from_mode(0o640)).unwrap();
    let clean_inode = fs::metadata(&clean).unwrap().ino();
    let messy_inode = fs::metadata(&messy).unwrap().ino();
    let ran = test.args(["fmt", "."]).stderr("").run();
    assert_eq!(fs::metadata(&clean).unwrap().ino(), clean_inode);
    let after = fs::metadata(&messy).unwrap();
    assert_ne!(after.ino(), messy_inode, "replaced by a rename");
    assert_eq!(after.permissions().mode() & 0o777, 0o640);
    assert_eq!(fs::read_to_string(&messy).unwrap(), CANONICAL);
    // No temporary file is left behind.
    let mut names: Vec<String> = fs::read_dir(ran.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["messy.sndtrk", "soundtrack.sndtrk"]);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_stays_a_link_to_the_formatted_file() {
    let test = Test::new().write("real/recipe.sndtrk", MESSY);
    let dir = test.path();
    std::os::unix::fs::symlink(
        dir.join("real/recipe.sndtrk"),
        dir.join("soundtrack.sndtrk"),
    )
    .unwrap();
    let _ran = test.args(["fmt"]).stderr("").run();
    assert!(fs::symlink_metadata(dir.join("soundtrack.sndtrk"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(dir.join("real/recipe.sndtrk")).unwrap(),
        CANONICAL
    );
}

#[cfg(unix)]
#[test]
fn a_dangling_link_is_a_read_error() {
    let test = Test::new().recipe(CANONICAL);
    std::os::unix::fs::symlink("nowhere.sndtrk", test.path().join("broken.sndtrk")).unwrap();
    test.args(["fmt", "."])
        .status(1)
        .stdout("")
        .stderr(
            "E0913

  × cannot read `./broken.sndtrk`: No such file or directory (os error 2)
  help: check that the file exists and that you may read it

",
        )
        .run();
}

#[cfg(unix)]
#[test]
fn a_link_loop_is_an_unreadable_path() {
    let test = Test::new();
    std::os::unix::fs::symlink("loop.sndtrk", test.path().join("loop.sndtrk")).unwrap();
    test.args(["fmt", "loop.sndtrk"])
        .status(1)
        .stdout("")
        .stderr(
            "E0912

  × cannot read `loop.sndtrk`: Too many levels of symbolic links (os error 40)
  help: check that the directory exists and that you may read it

",
        )
        .run();
}
