"""The EBU ADM Renderer's (PyPI `ear`, ITU-R BS.2127) gains for the cases
sndtrk's interop test sends, to compare sndtrk's own BS.2127 renderer with.

Reads JSON from stdin: a list of cases, each
  {"layout": "4+7+0", "kind": "object", "position": [x, y, z], "gain": g}
or
  {"layout": "0+5+0", "kind": "bed", "label": "RC_L", "position": [x, y, z],
   "lfe": true|false}
and prints one JSON list: for each case, the gains as {BS.2051 name: gain}.

A bed channel is a Dolby Atmos Master ADM Profile bed channel: a
DirectSpeakers block with a cartesian position and an `RC_` label in a
custom pack. Its LFE is marked with the audioChannelFormat's lowPass
frequency element, which is how ear 2.1.0 tells an `RC_LFE` channel is an
LFE channel.
"""

import json
import sys

from ear.core import bs2051
from ear.core.direct_speakers.panner import DirectSpeakersPanner
from ear.core.metadata_input import (
    DirectSpeakersTypeMetadata,
    ExtraData,
    ObjectTypeMetadata,
)
from ear.core.objectbased.gain_calc import GainCalc
from ear.fileio.adm.elements import (
    AudioBlockFormatDirectSpeakers,
    AudioBlockFormatObjects,
    BoundCoordinate,
    DirectSpeakerCartesianPosition,
    Frequency,
    ObjectCartesianPosition,
)


def main():
    cases = json.load(sys.stdin)
    layouts = {}
    results = []
    for case in cases:
        name = case["layout"]
        if name not in layouts:
            layout = bs2051.get_layout(name)
            layouts[name] = (layout, GainCalc(layout), DirectSpeakersPanner(layout))
        layout, gain_calc, ds_panner = layouts[name]
        x, y, z = (float(v) for v in case["position"])
        if case["kind"] == "object":
            block = AudioBlockFormatObjects(
                position=ObjectCartesianPosition(X=x, Y=y, Z=z),
                cartesian=True,
                gain=float(case.get("gain", 1.0)),
            )
            gains = gain_calc.render(ObjectTypeMetadata(block_format=block)).direct
        else:
            block = AudioBlockFormatDirectSpeakers(
                position=DirectSpeakerCartesianPosition(
                    bounded_X=BoundCoordinate(x),
                    bounded_Y=BoundCoordinate(y),
                    bounded_Z=BoundCoordinate(z),
                ),
                speakerLabel=[case["label"]],
            )
            frequency = Frequency(lowPass=120.0) if case["lfe"] else Frequency()
            meta = DirectSpeakersTypeMetadata(
                block_format=block,
                extra_data=ExtraData(channel_frequency=frequency),
            )
            gains = ds_panner.handle(meta)
        results.append(
            {ch.name: float(g) for ch, g in zip(layout.channels, gains)}
        )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
