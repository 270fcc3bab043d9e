#!/usr/bin/env bash
# Times one job three ways: mix eight 5.1 24-bit 48 kHz stems into a 5.1 bus
# and a Lo/Ro stereo downmix, both written at 24 bits, by
#   (a) sndtrk's mixer (examples/mix_stems.rs),
#   (b) sox (`sox -m`, then `sox remix` for Lo/Ro),
#   (c) ffmpeg (amix + pan in one filter graph),
# and prints each time, the ratios, and peak memory for 5 and 50 minutes.
#
# Usage: benches/compare_sox_ffmpeg.sh [WORKDIR]   (default: a temp dir)
# Needs sox, ffmpeg and GNU time (/usr/bin/time). Generates ~350 MB of stems.
set -euo pipefail
cd "$(dirname "$0")/.."

work=${1:-$(mktemp -d -t sndtrk-bench.XXXXXX)}
mkdir -p "$work"
minutes=${MINUTES:-5}

cargo build --release --example mix_stems --example wav_diff >&2
mixer=target/release/examples/mix_stems
wav_diff=target/release/examples/wav_diff

. benches/stems.sh

c=0.70710678118654752
# measure CMD...: runs CMD, prints elapsed seconds, peak RSS (KiB) and CPU
# seconds (user + system; steadier than wall time on a busy machine).
measure() {
    local log="$work/time.log"
    /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$work/stderr.log" || {
        cat "$work/stderr.log" >&2
        return 1
    }
    local elapsed rss cpu
    cpu=$(awk -F': ' '/User time|System time/ {t += $2} END {printf "%.2f", t}' "$log")
    elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    # h:mm:ss or m:ss.ss to seconds
    elapsed=$(echo "$elapsed" | awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    echo "$elapsed $rss $cpu"
}

read -r t_ours m_ours c_ours < <(measure "$mixer" "$work/ours-bus.wav" "$work/ours-loro.wav" "${stems[@]}")

sox_job() {
    local inputs=()
    for s in "${stems[@]}"; do inputs+=(-v 1 "$s"); done
    sox -D -m "${inputs[@]}" -b 24 "$work/sox-bus.wav"
    sox -D "$work/sox-bus.wav" -b 24 "$work/sox-loro.wav" remix 1v1,3v$c,5v$c 2v1,3v$c,6v$c
}
export -f sox_job
export work c
stems_list="${stems[*]}"
read -r t_sox m_sox c_sox < <(measure bash -c 'stems=('"$stems_list"'); '"$(declare -f sox_job)"'; sox_job')

ffmpeg_inputs=()
for s in "${stems[@]}"; do ffmpeg_inputs+=(-i "$s"); done
read -r t_ffmpeg m_ffmpeg c_ffmpeg < <(measure ffmpeg -y -v error "${ffmpeg_inputs[@]}" -filter_complex \
    "amix=inputs=8:normalize=0,asplit=2[bus][b];[b]pan=stereo|c0=c0+$c*c2+$c*c4|c1=c1+$c*c2+$c*c5[loro]" \
    -map "[bus]" -c:a pcm_s24le "$work/ffmpeg-bus.wav" -map "[loro]" -c:a pcm_s24le "$work/ffmpeg-loro.wav")


echo
echo "job: mix 8 x ${minutes} min 5.1 24-bit stems -> 5.1 bus + Lo/Ro, 24-bit"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
printf '%-8s %8s s wall %8s s CPU %10s KiB peak RSS\n' sndtrk "$t_ours" "$c_ours" "$m_ours"
printf '%-8s %8s s wall %8s s CPU %10s KiB peak RSS\n' sox "$t_sox" "$c_sox" "$m_sox"
printf '%-8s %8s s wall %8s s CPU %10s KiB peak RSS\n' ffmpeg "$t_ffmpeg" "$c_ffmpeg" "$m_ffmpeg"
awk -v o="$t_ours" -v s="$t_sox" -v f="$t_ffmpeg" -v co="$c_ours" -v cs="$c_sox" -v cf="$c_ffmpeg" 'BEGIN {
    printf "wall time: sndtrk is %.1fx faster than sox, %.1fx faster than ffmpeg\n", s / o, f / o
    printf "CPU time:  sndtrk uses %.1fx less than sox, %.1fx less than ffmpeg\n", cs / co, cf / co }'
# The outputs agree (sox derives Lo/Ro from the 24-bit bus, sndtrk from the
# float bus, so Lo/Ro may differ by rounding).
echo "sndtrk vs sox, 5.1 bus: $("$wav_diff" "$work/ours-bus.wav" "$work/sox-bus.wav")"
echo "sndtrk vs sox, Lo/Ro:   $("$wav_diff" "$work/ours-loro.wav" "$work/sox-loro.wav")"
echo "sndtrk vs ffmpeg, 5.1 bus: $("$wav_diff" "$work/ours-bus.wav" "$work/ffmpeg-bus.wav")"

# Determinism: one decoding thread gives the same bytes.
RAYON_NUM_THREADS=1 "$mixer" "$work/one-bus.wav" "$work/one-loro.wav" "${stems[@]}" 2>/dev/null
if cmp -s "$work/one-bus.wav" "$work/ours-bus.wav" && cmp -s "$work/one-loro.wav" "$work/ours-loro.wav"; then
    echo "1 thread vs default threads: byte-identical"
else
    echo "1 thread vs default threads: OUTPUTS DIFFER"
fi
rm -f "$work"/one-*.wav

# Memory stays flat: a 50-minute programme (the same stems placed one after
# another, 10 placements) against the 5-minute job above.
long=()
for i in 0 1 2 3 4 5 6 7 8 9; do
    long+=("${stems[$((i % 8))]}@$((i * seconds))")
done
read -r t_long m_long c_long < <(measure "$mixer" "$work/long-bus.wav" "$work/long-loro.wav" "${long[@]}")
echo "sndtrk, $((10 * minutes)) min programme: ${t_long} s wall, ${c_long} s CPU, ${m_long} KiB peak RSS (vs ${m_ours} KiB for ${minutes} min)"
rm -f "$work"/long-*.wav
