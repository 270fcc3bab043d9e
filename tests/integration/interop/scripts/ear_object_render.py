"""The EBU ADM Renderer's (PyPI `ear`, ITU-R BS.2127) render of one object
(a mono signal and its cartesian metadata blocks), through ear's own
interpretation of object metadata (block timing, jumpPosition and its
interpolationLength, gain interpolation), to compare sndtrk's renderer with.

Reads JSON from stdin:
  {"layout": "4+7+0", "rate": 48000, "signal": [...],
   "blocks": [{"start": frames, "duration": frames, "position": [x, y, z],
               "gain": g, "jump": bool, "interpolation": "0.005208"}]}
(`interpolation` in seconds, as the ADM writes it) and prints
{BS.2051 name: [sample, ...]} for every loudspeaker.
"""

import json
import sys
from fractions import Fraction

import numpy as np

from ear.core import bs2051
from ear.core.metadata_input import ObjectTypeMetadata
from ear.core.objectbased.gain_calc import GainCalc
from ear.core.objectbased.renderer import InterpretObjectMetadata
from ear.fileio.adm.elements import (
    AudioBlockFormatObjects,
    JumpPosition,
    ObjectCartesianPosition,
)


def main():
    case = json.load(sys.stdin)
    layout = bs2051.get_layout(case["layout"])
    rate = int(case["rate"])
    signal = np.array(case["signal"], dtype=float)
    gain_calc = GainCalc(layout)
    interpret = InterpretObjectMetadata(lambda block: gain_calc.render(block).direct)
    out = np.zeros((len(signal), len(layout.channels)))
    for b in case["blocks"]:
        x, y, z = (float(v) for v in b["position"])
        block = AudioBlockFormatObjects(
            rtime=Fraction(int(b["start"]), rate),
            duration=Fraction(int(b["duration"]), rate),
            position=ObjectCartesianPosition(X=x, Y=y, Z=z),
            cartesian=True,
            gain=float(b["gain"]),
            jumpPosition=JumpPosition(
                flag=bool(b["jump"]),
                interpolationLength=Fraction(b["interpolation"]),
            ),
        )
        for processing in interpret(rate, ObjectTypeMetadata(block_format=block)):
            processing.process(0, signal, out)
    json.dump(
        {ch.name: out[:, i].tolist() for i, ch in enumerate(layout.channels)},
        sys.stdout,
    )


if __name__ == "__main__":
    main()
