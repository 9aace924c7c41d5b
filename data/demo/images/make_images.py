#!/usr/bin/env python3
"""Write the demo's small synthetic chest radiographs (8-bit grey PNG).

Python 3 standard library only; the output is deterministic. The pictures
are drawn, not acquired: a body outline, dark lungs, a bright mediastinum,
heart, spine, clavicles and diaphragm domes, with a few findings of the demo
reports painted in (opacities, fluid in a costophrenic angle, air at an
apex), so that medkg link --draw has something to outline. Frontal views
follow the radiological convention: the patient's right is on the left.

Every image the demo reports name (their parentImage elements) gets a
picture, with the view its caption gives (PA, AP or LATERAL); images.csv
lists them all, so the ARL layout (data/demo/arl.conf) has a file for every
frontal image.

    python3 data/demo/images/make_images.py     # rewrite the PNGs here
"""
import glob
import math
import os
import re
import struct
import zlib

SIZE = 256
HERE = os.path.dirname(os.path.abspath(__file__))

# image id -> (view, findings painted in: (kind, x, y, rx, ry) in [0,1])
IMAGES = {
    "CXR9003_IM-0003-1001": ("PA", [("fluid", 0.14, 0.76, 0.09, 0.05),
                                    ("fluid", 0.86, 0.78, 0.09, 0.05),
                                    ("heart", 0.56, 0.62, 0.22, 0.17)]),
    "CXR9003_IM-0003-2001": ("LATERAL", []),
    "CXR9004_IM-0004-1001": ("AP", [("opacity", 0.70, 0.70, 0.10, 0.07),
                                    ("opacity", 0.30, 0.72, 0.12, 0.04)]),
    "CXR9005_IM-0005-1001": ("PA", [("air", 0.27, 0.15, 0.14, 0.06)]),
    "CXR9005_IM-0005-2001": ("LATERAL", []),
    "CXR9037_IM-0037-1001": ("AP", [("opacity", 0.68, 0.70, 0.14, 0.11)]),
    "CXR9051_IM-0051-1001": ("PA", [("opacity", 0.70, 0.68, 0.12, 0.08),
                                    ("fluid", 0.15, 0.76, 0.08, 0.05)]),
    "CXR9051_IM-0051-2001": ("LATERAL", []),
}


def inside(x, y, cx, cy, rx, ry):
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0


def frontal(x, y, findings):
    v = 10
    if inside(x, y, 0.5, 0.55, 0.47, 0.52):          # body
        v = 120
    lung_r = inside(x, y, 0.29, 0.45, 0.20, 0.36) and y < 0.78
    lung_l = inside(x, y, 0.71, 0.46, 0.20, 0.37) and y < 0.80
    if lung_r or lung_l:
        v = 45
    if abs(x - 0.5) < 0.06 and 0.0 < y < 0.8:       # mediastinum, trachea
        v = 175 if abs(x - 0.5) > 0.02 or y > 0.3 else 30
    if inside(x, y, 0.55, 0.62, 0.18, 0.15):         # heart
        v = 190
    if abs(x - 0.5) < 0.035 and ((y * 40) % 2) < 1.6:  # spine
        v = max(v, 200)
    for cx in (0.30, 0.70):                          # clavicles
        if abs(y - (0.15 + 1.2 * (x - cx) ** 2 + 0.08 * abs(x - 0.5))) < 0.012 and abs(x - cx) < 0.17:
            v = 215
    if y > 0.78 + 0.05 * math.cos((x - 0.5) * 6) and 0.1 < x < 0.9:  # abdomen
        v = max(v, 150)
    for kind, cx, cy, rx, ry in findings:
        if inside(x, y, cx, cy, rx, ry):
            v = {"opacity": 150, "fluid": 165, "air": 15, "heart": 190}[kind]
    return v


def lateral(x, y):
    v = 10
    if inside(x, y, 0.5, 0.55, 0.40, 0.50):
        v = 115
    if inside(x, y, 0.48, 0.48, 0.30, 0.34):
        v = 50
    if inside(x, y, 0.40, 0.62, 0.16, 0.15):
        v = 170
    if 0.74 < x < 0.82 and ((y * 40) % 2) < 1.6:
        v = 200
    return v


def png(width, height, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)

    def chunk(kind, data):
        c = struct.pack(">I", len(data)) + kind + data
        return c + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def demo_images():
    """Every image of the demo reports: id -> (view, findings painted in)."""
    images = {}
    reports = os.path.join(HERE, "..")
    for path in sorted(glob.glob(os.path.join(reports, "reports*", "*.xml"))):
        text = open(path, encoding="utf-8").read()
        for m in re.finditer(r'<parentImage id="([^"]+)">.*?<caption>([^<]*)</caption>', text,
                             re.S):
            caption = m.group(2)
            view = ("LATERAL" if "lateral" in caption else
                    "AP" if "AP view" in caption else "PA")
            images[m.group(1)] = (view, [])
    images.update(IMAGES)
    return images


def main():
    images = demo_images()
    for name, (view, findings) in sorted(images.items()):
        rows = []
        for j in range(SIZE):
            y = (j + 0.5) / SIZE
            rows.append([frontal((i + 0.5) / SIZE, y, findings) if view != "LATERAL"
                         else lateral((i + 0.5) / SIZE, y) for i in range(SIZE)])
        with open(os.path.join(HERE, name + ".png"), "wb") as f:
            f.write(png(SIZE, SIZE, rows))
    with open(os.path.join(HERE, "images.csv"), "w") as f:
        f.write("report_id,image_path,view\n")
        for name, (view, _) in sorted(images.items()):
            f.write("%s,%s,%s\n" % (name.split("_")[0], name, view))


if __name__ == "__main__":
    main()
