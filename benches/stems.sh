# Sourced by the benchmark scripts: the eight stems of the audio core's
# benchmark. Expects `work` (the directory) and `minutes`; sets `seconds`
# and the array `stems`. Each stem is 5.1 24-bit 48 kHz, pink noise at
# -26 dBFS plus a tone, different per stem; stems already in `work` are
# reused. Warms the page cache, so runs time the work, not the disk.
# shellcheck shell=bash
seconds=$((minutes * 60))
echo "stems: 8 x ${minutes} min 5.1 24-bit 48 kHz in $work" >&2
stems=()
for i in 1 2 3 4 5 6 7 8; do
    stem="$work/stem$i.wav"
    if [ ! -s "$stem" ]; then
        sox -D -n -r 48000 -c 6 -b 24 "$stem" synth "$seconds" pinknoise sine $((100 * i)) \
            gain -26 2>/dev/null
    fi
    stems+=("$stem")
done
cat "${stems[@]}" >/dev/null
