"""Reports libmediainfo's view of an ADM BWF file as JSON: its metadata
format, its ADM counts and the conformance errors and warnings it finds
against the ADM profiles it detects (the Dolby Atmos Master ADM Profile for
a programme named Atmos_Master). Run by tests/integration/interop/adm.rs
from the virtual environment .ci/run makes (pymediainfo bundles
libmediainfo)."""

import json
import sys

from pymediainfo import MediaInfo

path = sys.argv[1]
info = MediaInfo.parse(path, full=True)
text = MediaInfo.parse(path, output="TEXT", full=False)
audio = [track.to_data() for track in info.tracks if track.track_type == "Audio"]
report = {
    "metadata_format": audio[0].get("metadata_format", "") if audio else "",
    "objects": audio[0].get("number_of_objects", "") if audio else "",
    "conformance": {
        key: str(value)
        for track in audio
        for key, value in track.items()
        if "conformance" in key.lower()
    },
    "text": "\n".join(line for line in text.splitlines() if "onformance" in line or "constraint" in line),
}
print(json.dumps(report))
