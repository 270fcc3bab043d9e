#!/usr/bin/env bash
# The film-scale benchmark (issue 12): a generated 5.1 programme of MINUTES
# minutes (default 20; benches/film_project.rs) with three full-length stems,
# 30 score cues, buses DX FX MX PM, a 5.1 print master and an R128 Lo/Ro.
# Prints, each with wall time and peak memory:
#   - a clean build;
#   - the cache's size against the deliverables' (and `sndtrk cache`);
#   - a one-cue edit (cue 15's gain by -1.5 dB) rebuilt incrementally,
#     and its ratio to the clean build;
#   - a clean build of the edited recipe, and whether the incremental
#     build's out/ is byte-identical to it;
#   - the revert, spliced back;
#   - a cue raised by 20 dB, which moves the Lo/Ro's normalisation gain
#     (the Lo/Ro then renders whole), against a clean build of that recipe;
#   - `cache gc`.
#
# Usage: benches/film_scale.sh [WORKDIR]   (default: a temp dir; reuses the
# generated sources there). Needs GNU time (/usr/bin/time). Generates about
# 2.5 GB of sources for 20 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:-$(mktemp -d -t sndtrk-film.XXXXXX)}
minutes=${MINUTES:-20}
mkdir -p "$work"

cargo build --release --bin sndtrk --example film_project >&2
sndtrk=$PWD/target/release/sndtrk
generate=$PWD/target/release/examples/film_project

project="$work/project"
if [ ! -s "$project/stems/bg.wav" ] || [ "$(cat "$work/minutes" 2>/dev/null)" != "$minutes" ]; then
    rm -rf "$project"
    "$generate" "$project" "$minutes"
    echo "$minutes" >"$work/minutes"
fi
# The original recipe (no edit).
"$generate" "$project" "$minutes" --edit 999
cat "$project"/stems/*.wav "$project"/music/*.wav >/dev/null

# measure NAME CMD...: runs CMD; prints NAME, wall seconds, peak RSS (MiB).
measure() {
    local name=$1
    shift
    local log="$work/time.log"
    /usr/bin/time -v -o "$log" "$@" >"$work/stdout.log" 2>"$work/stderr.log" || {
        cat "$work/stderr.log" >&2
        return 1
    }
    local elapsed rss
    elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" |
        awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$log")
    printf '%-44s %8.2f s wall %6s MiB peak\n' "$name" "$elapsed" "$rss"
    echo "$elapsed" >"$work/last"
}

bytes() { du -sb "$@" | awk '{ s += $1 } END { print s }'; }

echo "project: ${minutes} min 5.1, 3 full-length stems, 30 cues, 4 buses, pm + R128 Lo/Ro"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
rm -rf "$project/.sndtrk" "$project/out"
sync
measure "clean build" "$sndtrk" -C "$project" build
clean=$(cat "$work/last")
deliverables=$(bytes "$project/out")
cache=$(bytes "$project/.sndtrk")
awk -v c="$cache" -v d="$deliverables" 'BEGIN {
    printf "deliverables %.2f GB, cache %.2f GB: %.2fx (goal: at most 1.5x)\n", d / 1e9, c / 1e9, c / d }'
"$sndtrk" -C "$project" cache | sed 's/^/  /'

"$generate" "$project" "$minutes" --edit 14
measure "one-cue edit (15th cue's gain), incremental" "$sndtrk" -C "$project" build --format json
edit=$(cat "$work/last")
# Each stage that ran, its seconds and notes.
ran() {
    sed -n 's/.*"stage":"\([^"]*\)".*"status":"ran".*"seconds":\([0-9.]*\)[^[]*\(\[.*\]\)\{0,1\}.*/  ran \1 \2 s \3/p' "$work/stdout.log"
}
ran
awk -v e="$edit" -v c="$clean" 'BEGIN {
    printf "edit / clean build: %.1f%% (goal: at most 5%%)\n", 100 * e / c }'

# against_clean: a clean build of the recipe as it is, beside the project
# (the sources linked), and whether the incremental out/ equals its own.
against_clean() {
    local copy="$work/clean-copy"
    rm -rf "$copy"
    mkdir -p "$copy"
    cp -al "$project/stems" "$project/music" "$copy/"
    cp "$project/soundtrack.sndtrk" "$copy/"
    measure "clean build of the edited recipe" "$sndtrk" -C "$copy" build
    local same=yes
    for file in "$copy"/out/*.wav; do
        cmp -s "$file" "$project/out/$(basename "$file")" || same=no
    done
    echo "incremental out/ byte-identical to the clean build's: $same"
    rm -rf "$copy"
}
against_clean

"$generate" "$project" "$minutes" --edit 999
measure "revert (spliced back)" "$sndtrk" -C "$project" build

"$generate" "$project" "$minutes" --raise 14
measure "a cue raised 20 dB (Lo/Ro's gain moves)" "$sndtrk" -C "$project" build --format json
ran
against_clean
"$generate" "$project" "$minutes" --edit 999
"$sndtrk" -C "$project" build >/dev/null 2>&1
measure "cache gc" "$sndtrk" -C "$project" cache gc
awk -v c="$(bytes "$project/.sndtrk")" -v d="$(bytes "$project/out")" 'BEGIN {
    printf "after gc: cache %.2f GB, %.2fx the deliverables\n", c / 1e9, c / d }'
