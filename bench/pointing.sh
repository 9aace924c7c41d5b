#!/bin/sh
# The pointing game: do the sites medkg links a finding to cover the boxes
# radiologists drew for it? On ../shared/data/regions/nih_bbox_dev.csv (492
# boxes of 8 findings on 1024 x 1024 frontal ChestX-ray14 images), each
# finding gets a one-sentence report that names it without anatomy ("There
# is a pneumothorax."), extracted and linked with the demo knowledge base
# (one PA image of 1024 x 1024 per report, grid 18); bench/pointing.py reads
# the links back from the store and scores them: per finding the hit rate
# (box centre inside a linked region's box), the share of the image the
# linked regions cover, and the patch-level recall and precision of the
# stored patch set against the patches each box touches; then the reference
# rules of ../shared/data/SOURCES.md (both lungs; the whole image). Last,
# the evidence the finding-site lexicon was chosen on: for each finding, the
# unions of atlas regions of least area holding 95% of its box centres.
#   MEDKG=path/to/medkg sh bench/pointing.sh   scores another build
set -eu
cd "$(dirname "$0")/.."
medkg=${MEDKG:-./medkg}
boxes=${MEDKG_SHARED:-../shared/data}/regions/nih_bbox_dev.csv
if [ ! -f "$boxes" ]; then
	echo "skipped: $boxes not found"
	exit 0
fi
out=bench/out/pointing
rm -rf "$out"
mkdir -p "$out/images"
db=$out/pointing.db
# the sentences: a finding's label in the box list is its report's id
cat >"$out/reports.csv" <<'EOF'
id,findings
Atelectasis,There is atelectasis.
Cardiomegaly,There is cardiomegaly.
Effusion,There is a pleural effusion.
Infiltrate,There is an infiltrate.
Mass,There is a mass.
Nodule,There is a nodule.
Pneumonia,There is pneumonia.
Pneumothorax,There is a pneumothorax.
EOF
echo "report_id,image_path,view" >"$out/images.csv"
for f in $(tail -n +2 "$out/reports.csv" | cut -d, -f1); do
	echo "$f,nih_$f.png,PA" >>"$out/images.csv"
done
# a black 1024 x 1024 PNG per image: medkg reads the size from its header
/usr/bin/python3 - "$out/images" "$out/images.csv" <<'EOF'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1024, 1024, 8, 0, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(b"\0" * (1025 * 1024), 9)) + chunk(b"IEND", b""))
for line in open(sys.argv[2]).read().split()[1:]:
    open(sys.argv[1] + "/" + line.split(",")[1], "wb").write(png)
EOF
"$medkg" -d "$db" load umls data/demo >/dev/null
"$medkg" -d "$db" extract "$out/reports.csv" >/dev/null
"$medkg" -d "$db" link --image-list "$out/images.csv" --images "$out/images" --grid 18 >/dev/null
/usr/bin/python3 bench/pointing.py "$db" "$boxes"
echo
/usr/bin/python3 bench/pointing.py --sites "$db" "$boxes"
