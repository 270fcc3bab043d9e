#!/usr/bin/env bash
# Times `sndtrk measure` against `ffmpeg -af ebur128=peak=true` on the same
# 5.1 24-bit 48 kHz file (5 minutes by default) and prints both times, the
# ratio and the two readings. The file is generated with sox and read once
# before timing so both tools read it from the page cache.
#
# Usage: benches/measure_vs_ffmpeg.sh [MINUTES]
set -euo pipefail
cd "$(dirname "$0")/.."

minutes="${1:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
file="$work/programme-5.1.wav"

cargo build --release --quiet
sndtrk="$PWD/target/release/sndtrk"

# Pink noise with a slow tremolo per channel: programme-like, not constant.
sox -n -r 48000 -b 24 -c 6 "$file" synth "$((minutes * 60))" pinknoise \
    tremolo 0.1 40 vol -12dB
cat "$file" > /dev/null

# Wall time (s) and peak resident memory (KiB) of each run.
/usr/bin/time -f '%e %M' -o "$work/ours.time" \
    "$sndtrk" measure --format json "$file" > "$work/ours.json"
/usr/bin/time -f '%e %M' -o "$work/ffmpeg.time" \
    ffmpeg -nostats -hide_banner -i "$file" -af ebur128=peak=true -f null - 2> "$work/ffmpeg.log"
read -r t_ours m_ours < "$work/ours.time"
read -r t_ffmpeg m_ffmpeg < "$work/ffmpeg.time"
ours="$(cat "$work/ours.json")"
theirs="$(sed -n '/Summary:/,$p' "$work/ffmpeg.log")"

printf 'file: %s minutes of 5.1, 24-bit, 48 kHz (%s bytes)\n' "$minutes" "$(stat -c %s "$file")"
printf 'sndtrk measure:            %6.2f s  peak RSS %6d KiB\n' "$t_ours" "$m_ours"
printf 'ffmpeg ebur128=peak=true:  %6.2f s  peak RSS %6d KiB\n' "$t_ffmpeg" "$m_ffmpeg"
printf 'ratio (ffmpeg / sndtrk):   %6.2f x\n' "$(echo "$t_ffmpeg / $t_ours" | bc -l)"
echo
echo "sndtrk:"
echo "$ours" | grep -E '"(integrated_lufs|lra_lu|true_peak_dbtp)"'
echo "ffmpeg:"
echo "$theirs" | grep -E 'I:|LRA:|Peak:'
