#!/usr/bin/env bash
# Times a clean `sndtrk build` of the eight-stem job against the audio core
# alone (examples/mix_stems.rs, as benches/compare_sox_ffmpeg.sh runs it)
# and against sox doing the same mix and downmix, side by side in one run:
# eight 5-minute 5.1 24-bit 48 kHz stems in one 5.1 bus, two targets (5.1
# 24-bit and Lo/Ro 2.0 24-bit), no spec so no normalisation. Prints both
# times (wall and CPU), the ratios, and checks that the build's deliverables
# equal the core's outputs sample for sample.
#
# Last, the same clean build with the sources' digests already known, to
# separate hashing the 2 GB of stems from the rest.
#
# Usage: benches/build_vs_core.sh [WORKDIR]   (default: a temp dir; reuses
# stems already generated there, e.g. by compare_sox_ffmpeg.sh)
# Needs sox and GNU time (/usr/bin/time). Generates ~350 MB of stems.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:-$(mktemp -d -t sndtrk-bench.XXXXXX)}
mkdir -p "$work"
minutes=${MINUTES:-5}
runs=${RUNS:-3}

cargo build --release --bin sndtrk --example mix_stems --example wav_diff >&2
sndtrk=$PWD/target/release/sndtrk
mixer=$PWD/target/release/examples/mix_stems
wav_diff=$PWD/target/release/examples/wav_diff

. benches/stems.sh

project="$work/project"
mkdir -p "$project/stems"
for i in 1 2 3 4 5 6 7 8; do
    ln -f "$work/stem$i.wav" "$project/stems/stem$i.wav" 2>/dev/null ||
        cp "$work/stem$i.wav" "$project/stems/stem$i.wav"
done
{
    cat <<'EOF'
import "std/layouts"

project "Bench" {
    frame_rate 24
    sample_rate 48kHz
    picture_start 01:00:00:00
}

EOF
    for i in 1 2 3 4 5 6 7 8; do
        cat <<EOF
stem s$i {
    role effects
    layout 5.1
    file "stems/stem$i.wav"
    at 01:00:00:00
}

EOF
    done
    cat <<'EOF'
bus PM 5.1 { s1 s2 s3 s4 s5 s6 s7 s8 }

target pm {
    from PM
    layout 5.1
    format wav 48kHz 24bit
}

target loro {
    from PM
    layout 2.0 downmix loro
    format wav 48kHz 24bit
}
EOF
} >"$project/soundtrack.sndtrk"
"$sndtrk" -C "$project" check

# measure CMD...: runs CMD, prints elapsed seconds and CPU seconds (user +
# system).
measure() {
    local log="$work/time.log"
    /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$work/stderr.log" || {
        cat "$work/stderr.log" >&2
        return 1
    }
    local elapsed cpu
    cpu=$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$log")
    elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    elapsed=$(echo "$elapsed" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    echo "$elapsed $cpu"
}

clean_build() {
    rm -rf "$project/.sndtrk" "$project/out"
    sync
    measure "$sndtrk" -C "$project" build
}

# The same job through sox, as benches/compare_sox_ffmpeg.sh runs it: the
# eight stems mixed to a 24-bit 5.1 file, then that file downmixed to Lo/Ro.
c=0.70710678118654752
sox_job() {
    local inputs=()
    for s in "${stems[@]}"; do inputs+=(-v 1 "$s"); done
    sox -D -m "${inputs[@]}" -b 24 "$work/sox-bus.wav"
    sox -D "$work/sox-bus.wav" -b 24 "$work/sox-loro.wav" remix 1v1,3v$c,5v$c 2v1,3v$c,6v$c
}

best_core=
best_core_cpu=
best_build=
best_build_cpu=
best_sox=
for run in $(seq "$runs"); do
    read -r t c < <(measure bash -c "stems=(${stems[*]}); work=$work; c=$c; $(declare -f sox_job); sox_job")
    echo "run $run: sox   ${t} s wall, ${c} s CPU" >&2
    if [ -z "$best_sox" ] || awk -v a="$t" -v b="$best_sox" 'BEGIN { exit !(a < b) }'; then
        best_sox=$t
    fi
    read -r t c < <(measure "$mixer" "$work/core-bus.wav" "$work/core-loro.wav" "${stems[@]}")
    echo "run $run: core  ${t} s wall, ${c} s CPU" >&2
    if [ -z "$best_core" ] || awk -v a="$t" -v b="$best_core" 'BEGIN { exit !(a < b) }'; then
        best_core=$t
        best_core_cpu=$c
    fi
    read -r t c < <(clean_build)
    echo "run $run: build ${t} s wall, ${c} s CPU" >&2
    if [ -z "$best_build" ] || awk -v a="$t" -v b="$best_build" 'BEGIN { exit !(a < b) }'; then
        best_build=$t
        best_build_cpu=$c
    fi
done

echo
echo "job: 8 x ${minutes} min 5.1 24-bit stems -> 5.1 bus -> 5.1 + Lo/Ro 24-bit deliverables"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores; best of $runs"
printf '%-30s %8s s wall %8s s CPU\n' "audio core (mix_stems)" "$best_core" "$best_core_cpu"
printf '%-30s %8s s wall %8s s CPU\n' "sndtrk build (clean)" "$best_build" "$best_build_cpu"
awk -v b="$best_build" -v c="$best_core" -v bc="$best_build_cpu" -v cc="$best_core_cpu" 'BEGIN {
    printf "ratio build / core: %.2fx wall, %.2fx CPU (goal: within 1.2x)\n", b / c, bc / cc }'
printf '%-30s %8s s wall\n' "sox (same job)" "$best_sox"
awk -v b="$best_build" -v s="$best_sox" 'BEGIN {
    printf "ratio build / sox: %.2fx wall (goal: at most 0.15x)\n", b / s }'

# The deliverables against the core's outputs (headers differ: sndtrk
# writes bext and a channel mask). The 5.1 differs by the build's TPDF
# dither (1 LSB at most); the Lo/Ro also by std/layouts' 0.7071 against the
# core's 1/sqrt(2) (a few tens of LSB at these levels).
echo "build vs core, 5.1: $("$wav_diff" "$project/out/pm.wav" "$work/core-bus.wav")"
echo "build vs core, Lo/Ro: $("$wav_diff" "$project/out/loro.wav" "$work/core-loro.wav")"

# Where the build's time goes: each stage's seconds (one clean build, so
# stages that run at once share the cores), and the source fingerprinting
# alone (`sndtrk plan` on a project with no state hashes every source).
echo "stages of one clean build (seconds each; concurrent stages share the cores):"
rm -rf "$project/.sndtrk" "$project/out"
"$sndtrk" -C "$project" build --format json |
    sed -n 's/.*"stage":"\([^"]*\)".*"seconds":\([0-9.]*\).*/  \1 \2/p'
rm -rf "$project/.sndtrk"
start=$(date +%s.%N)
"$sndtrk" -C "$project" plan >/dev/null
awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "hashing the 8 sources (sndtrk plan, no state): %.2f s\n", b - a }'

# The same clean build with the sources' digests already in the stat cache
# (state and objects removed, stat cache kept): what the build costs beyond
# hashing its sources. The stems' mtimes are set in the past so the cache
# trusts them.
touch -d "10 minutes ago" "${stems[@]}"
rm -rf "$project/.sndtrk" "$project/out"
"$sndtrk" -C "$project" build >/dev/null 2>&1
best_known=
for run in $(seq "$runs"); do
    rm -rf "$project/.sndtrk/objects" "$project/.sndtrk/state" "$project/out"
    sync
    read -r t c < <(measure "$sndtrk" -C "$project" build)
    if [ -z "$best_known" ] || awk -v a="$t" -v b="$best_known" 'BEGIN { exit !(a < b) }'; then
        best_known=$t
    fi
done
awk -v b="$best_known" -v c="$best_core" 'BEGIN {
    printf "clean build with source digests known: %.2f s wall, %.2fx the core\n", b, b / c }'
