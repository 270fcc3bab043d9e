"""Render a Dolby Atmos ADM BWF master, as sndtrk writes it, to loudspeakers
with the EBU ADM Renderer (PyPI `ear` 2.1.0, the ITU-R BS.2127 reference).

    python ear_render_master.py MASTER.wav LAYOUT OUT.wav

LAYOUT is a BS.2051 layout name (`0+5+0`, `4+7+0`, ...). OUT.wav is ear's
render, in ear's channel order for LAYOUT, at the master's sample rate and
bit depth; OUT.wav.json is a JSON list of its channels' BS.2051 names in
that order ("M+030", "M-030", "M+000", "LFE1", ...). Prints nothing and
exits 0 on success; on any ear error or warning prints it to stderr and
exits 1 (OUT.wav is then not written).

The master is never modified. Its ADM differs from what ear 2.1.0 accepts
in two ways, worked around in a patched copy in a temporary directory
(all other chunks and the audio copied byte for byte, the axml chunk
rewritten with its RIFF sizes and pad byte); ear is run through its Python
API (its own OfflineRenderDriver, the code behind `ear-render`) for the
DirectSpeakers option below:

  a. the Dolby profile's audioStreamFormat references both an
     audioPackFormat and an audioChannelFormat, which ear refuses
     (AudioStreamFormat.validate; ear PR #80): the audioPackFormatIDRef of
     every audioStreamFormat that also has an audioChannelFormatIDRef is
     dropped;
  b. ear treats the `RC_LFE` bed channel as LFE only when its
     audioChannelFormat carries a lowPass frequency element
     (direct_speakers/panner.py, is_lfe_channel; renderer_common.is_lfe):
     `<frequency typeDefinition="lowPass">120</frequency>` is added to it;

With (b) ear still warns "LFE indication from frequency element does not
match speakerLabel", as `RC_LFE` is not a label it knows for an LFE (LFE,
LFEL, LFER, LFE1, LFE2); ear is therefore also configured, through its own
DirectSpeakers panner option `additional_substitutions`, to read `RC_LFE`
as `LFE1`. That changes no gain (ear sends an LFE channel whose label
matches no loudspeaker to LFE1 anyway) but keeps the render free of
warnings. Without (b) ear renders RC_LFE as a full-range channel (to M+030
at gain 1 in 0+5+0 and 4+7+0) and warns.
"""

import importlib.metadata
import json
import os
import shutil
import struct
import sys
import tempfile
import warnings

# attrs 21 (ear 2.1.0 requires attrs<22) warns on import under Python 3.11
# that it cannot introspect code objects; that is about the interpreter, not
# the master, so that one warning, at import only, is silenced.
try:
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore",
            message="Running interpreter doesn't sufficiently support code object introspection",
            category=RuntimeWarning,
        )
        import lxml.etree
        from ear.cmdline.render_file import OfflineRenderDriver
        from ear.core import bs2051
except ImportError as e:
    sys.stderr.write("ear_render_master: ear 2.1.0 is not importable by %s (%s)\n"
                     % (sys.executable, e))
    sys.exit(1)

# The workarounds below are for ear 2.1.0 exactly; another version must be
# looked at before it is trusted here.
EAR_VERSION = "2.1.0"
if importlib.metadata.version("ear") != EAR_VERSION:
    sys.stderr.write("ear_render_master: needs ear %s, %s has ear %s\n"
                     % (EAR_VERSION, sys.executable, importlib.metadata.version("ear")))
    sys.exit(1)


class Failure(Exception):
    pass


# ---------------------------------------------------------------- RIFF

def read_chunks(f):
    """The file's form type and its chunks as (id, data offset, size), in
    file order; sizes come from ds64 for RF64 and BW64 files."""
    f.seek(0, os.SEEK_END)
    file_size = f.tell()
    f.seek(0)
    head = f.read(12)
    if len(head) != 12 or head[8:12] != b"WAVE" or head[:4] not in (b"RIFF", b"RF64", b"BW64"):
        raise Failure("not a RIFF/RF64/BW64 WAVE file")
    form = head[:4]
    ds64 = None
    chunks = []
    pos = 12
    while pos + 8 <= file_size:
        f.seek(pos)
        cid, size = struct.unpack("<4sI", f.read(8))
        if cid == b"ds64":
            body = f.read(size)
            riff_size, data_size, _sample_count, table_len = struct.unpack("<QQQI", body[:28])
            table = {}
            for i in range(table_len):
                tid, tsize = struct.unpack("<4sQ", body[28 + 12 * i: 40 + 12 * i])
                table[tid] = tsize
            ds64 = {"data": data_size, "table": table}
        elif form != b"RIFF" and size == 0xFFFFFFFF:
            if ds64 is None:
                raise Failure("RF64/BW64 file without a ds64 chunk before %r" % cid)
            size = ds64["data"] if cid == b"data" else ds64["table"].get(cid)
            if size is None:
                raise Failure("chunk %r has size -1 and no ds64 entry" % cid)
        if pos + 8 + size > file_size:
            raise Failure("chunk %r runs past the end of the file" % cid)
        chunks.append((cid, pos + 8, size))
        pos += 8 + size + (size & 1)
    return form, chunks


def copy_range(src, dst, offset, size):
    src.seek(offset)
    left = size
    while left:
        buf = src.read(min(left, 1 << 22))
        if not buf:
            raise Failure("unexpected end of file")
        dst.write(buf)
        left -= len(buf)


def write_patched(master, out_path, new_axml):
    """Copy master to out_path with the axml chunk's body replaced, every
    other chunk byte for byte, sizes and pad bytes rewritten."""
    with open(master, "rb") as src:
        form, chunks = read_chunks(src)
        ids = [c[0] for c in chunks]
        for need in (b"fmt ", b"chna", b"axml", b"data"):
            if need not in ids:
                raise Failure("master has no %r chunk" % need.decode())
        body = [(cid, off, size) for cid, off, size in chunks if cid != b"ds64"]
        total = 4 + sum(8 + (len(new_axml) if cid == b"axml" else size)
                        + ((len(new_axml) if cid == b"axml" else size) & 1)
                        for cid, off, size in body)
        big = total + 8 + 36 > 0xFFFFFFFF or any(
            size > 0xFFFFFFFF for cid, off, size in body)
        with open(out_path, "wb") as dst:
            if big:
                # RF64 with a ds64 (no table entries needed: only data may
                # exceed 4 GiB here)
                fmt = dict((cid, (off, size)) for cid, off, size in body)[b"fmt "]
                src.seek(fmt[0] + 12)
                block_align = struct.unpack("<H", src.read(2))[0]
                data_size = dict((cid, size) for cid, off, size in body)[b"data"]
                riff = total + 8 + 28
                dst.write(b"RF64" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE")
                dst.write(b"ds64" + struct.pack("<IQQQI", 28, riff, data_size,
                                                data_size // block_align, 0))
            else:
                dst.write(b"RIFF" + struct.pack("<I", total) + b"WAVE")
            for cid, off, size in body:
                if cid == b"axml":
                    data = new_axml
                    dst.write(cid + struct.pack("<I", len(data)) + data)
                    if len(data) & 1:
                        dst.write(b"\0")
                    continue
                hdr = 0xFFFFFFFF if big and size > 0xFFFFFFFF else size
                dst.write(cid + struct.pack("<I", hdr))
                copy_range(src, dst, off, size)
                if size & 1:
                    dst.write(b"\0")


def read_axml(master):
    with open(master, "rb") as f:
        _form, chunks = read_chunks(f)
        for cid, off, size in chunks:
            if cid == b"axml":
                f.seek(off)
                return f.read(size)
    raise Failure("master has no axml chunk")


# ---------------------------------------------------------------- ADM

def local(el):
    return lxml.etree.QName(el).localname if isinstance(el.tag, str) else None


def patch_axml(axml):
    """Return the axml with workarounds (a) and (b) applied."""
    try:
        root = lxml.etree.fromstring(axml, lxml.etree.XMLParser(remove_blank_text=False))
    except lxml.etree.XMLSyntaxError as e:
        raise Failure("axml is not well-formed XML: %s" % e)

    # (a) audioStreamFormat with both pack and channel references
    for asf in root.iter():
        if local(asf) != "audioStreamFormat":
            continue
        kids = [c for c in asf if local(c) is not None]
        if any(local(c) == "audioChannelFormatIDRef" for c in kids):
            for c in kids:
                if local(c) == "audioPackFormatIDRef":
                    remove_keeping_layout(c)

    # (b) the RC_LFE bed channel's lowPass frequency
    lfe_found = False
    for acf in root.iter():
        if local(acf) != "audioChannelFormat":
            continue
        labels = [sl.text.strip() for sl in acf.iter()
                  if local(sl) == "speakerLabel" and sl.text]
        if "RC_LFE" not in labels:
            continue
        lfe_found = True
        freqs = [c for c in acf if local(c) == "frequency"]
        if any(c.get("typeDefinition") == "lowPass" for c in freqs):
            continue
        ns = lxml.etree.QName(acf).namespace
        freq = lxml.etree.Element(
            "{%s}frequency" % ns if ns else "frequency", typeDefinition="lowPass")
        freq.text = "120"
        last = [c for c in acf if local(c) is not None][-1]
        freq.tail = last.tail
        last.tail = acf.text if acf.text and not acf.text.strip() else last.tail
        acf.append(freq)

    return lfe_found, lxml.etree.tostring(
        root.getroottree(), xml_declaration=True, encoding="UTF-8")


def remove_keeping_layout(el):
    parent = el.getparent()
    prev = el.getprevious()
    if prev is not None:
        prev.tail = el.tail
    else:
        parent.text = el.tail
    parent.remove(el)


# ---------------------------------------------------------------- render

def render(patched, layout, out_wav, lfe_found):
    driver = OfflineRenderDriver(
        target_layout=layout,
        speakers_file=None,
        output_gain_db=0.0,
        fail_on_overload=False,
        enable_block_duration_fix=False,
    )
    if lfe_found:
        driver.config = {
            "direct_speakers_opts": {"additional_substitutions": {"RC_LFE": "LFE1"}},
        }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            driver.run(patched, out_wav)
        except Exception as e:  # ear reports every error as an exception
            raise Failure("ear: error: %s: %s" % (type(e).__name__, e))
    if caught:
        seen = []
        for w in caught:
            msg = "ear: warning: %s: %s" % (w.category.__name__, w.message)
            if msg not in seen:
                seen.append(msg)
        shown = 20
        if len(seen) > shown:
            seen = seen[:shown] + ["ear: ... and %d more warnings" % (len(seen) - shown)]
        raise Failure("\n".join(seen))


def main(argv):
    if len(argv) != 4:
        print("usage: %s MASTER.wav LAYOUT OUT.wav" % os.path.basename(argv[0]),
              file=sys.stderr)
        return 2
    master, layout_name, out = argv[1], argv[2], argv[3]
    try:
        if layout_name not in bs2051.layout_names:
            raise Failure("unknown BS.2051 layout %r (ear knows %s)"
                          % (layout_name, ", ".join(bs2051.layout_names)))
        names = [ch.name for ch in bs2051.get_layout(layout_name).channels]
        lfe_found, axml = patch_axml(read_axml(master))
        with tempfile.TemporaryDirectory(prefix="ear_render_master.") as tmp:
            patched = os.path.join(tmp, "master.wav")
            write_patched(master, patched, axml)
            rendered = os.path.join(tmp, "out.wav")
            render(patched, layout_name, rendered, lfe_found)
            out_dir = os.path.dirname(os.path.abspath(out))
            shutil.move(rendered, os.path.join(out_dir, ".ear_render_master.tmp.wav"))
            os.replace(os.path.join(out_dir, ".ear_render_master.tmp.wav"), out)
        with open(out + ".json", "w") as f:
            json.dump(names, f)
            f.write("\n")
    except Failure as e:
        print(str(e), file=sys.stderr)
        return 1
    except OSError as e:
        print("ear_render_master: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
