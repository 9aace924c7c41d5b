#!/bin/sh
# Write the seed corpora of the fuzz targets, fuzz/corpus/NAME/, from the
# project's fixtures and demo data (and a few inputs written here). Targets
# whose first byte chooses options get each seed with a few option bytes.
# The JPEG seeds (fuzz/corpus/image/*.jpg) are committed as they are: this
# script only adds the PNG ones.
#   sh fuzz/seeds.sh        (from the top of the tree)
set -eu
cd "$(dirname "$0")/.."
c=fuzz/corpus

# seed TARGET NAME OPTS FILE: FILE prefixed by each option byte (octal) of OPTS
seed() {
	mkdir -p "$c/$1"
	for o in $3; do
		{ printf "\\$o"; cat "$4"; } >"$c/$1/$2-$o"
	done
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# reports
seed xml openi '000 001 004' data/demo/reports/CXR9001.xml
seed xml entities '000' data/demo/reports/CXR9012.xml
cat data/demo/reports/CXR9002.xml data/demo/reports/CXR9003.xml | sed '2,$s/<?xml[^>]*>//' \
	>"$tmp/two.xml"
seed xml two '000' "$tmp/two.xml"
printf 'uid,findings,impression\n1,"No effusion, no ""pneumothorax"".",Normal.\n2,Cardiomegaly.,\n' \
	>"$tmp/r.csv"
seed csv iu '000 001 004 010' "$tmp/r.csv"
printf 'id,report\ns1,"FINDINGS: Clear lungs.\nIMPRESSION: No acute process."\n' >"$tmp/r2.csv"
seed csv mimic '000 002' "$tmp/r2.csv"
printf '{"train":[{"id":"t1","report":"No effusion.","image_path":["t1/0.png","t1/1.png"],"split":"train"}],"val":[{"id":"v1","report":"Mild cardiomegaly."}],"test":[]}\n' \
	>"$tmp/r.json"
seed json r2gen '000 001 004' "$tmp/r.json"
printf '[{"id":7,"text":"Clear."},{"id":"x","findings":"Left effusion.","impression":"Effusion."}]\n' \
	>"$tmp/r2.json"
seed json array '000 004' "$tmp/r2.json"
printf '{"id":"a","report":"No effusion.","image_path":["a/0.png"]}\n\n{"id":7,"text":"Clear.","split":"val"}\n' \
	>"$tmp/r.jsonl"
seed jsonl lines '000 001 004' "$tmp/r.jsonl"
printf '                                 FINAL REPORT\n EXAMINATION:  CHEST (PA AND LAT)\n\n INDICATION:  ___ with cough\n\n FINDINGS: \n\n No focal consolidation. No pleural effusion or pneumothorax.\n\n IMPRESSION: \n\n No acute process.\n' \
	>"$tmp/r.txt"
seed text mimic '000 002' "$tmp/r.txt"

# knowledge: RRF files (the first byte's low bits choose which file it is)
head -n 40 data/demo/MRCONSO.RRF >"$tmp/conso"
seed rrf conso '000 004' "$tmp/conso"
head -n 40 data/demo/MRSTY.RRF >"$tmp/sty"
seed rrf sty '001' "$tmp/sty"
head -n 40 data/demo/MRREL.RRF >"$tmp/rel"
seed rrf rel '002 006' "$tmp/rel"
seed rrf sab '003' data/demo/MRSAB.RRF
seed mesh desc '000' tests/fixtures/desc_chest.xml
head -c 8000 tests/fixtures/desc_chest.xml >"$tmp/desc"
printf '</DescriptorRecord></DescriptorRecordSet>\n' >>"$tmp/desc"
seed mesh desc-head '000 001' "$tmp/desc"
seed obo chest '000 001 002 004 010' tests/fixtures/chest.obo

# configuration, lexicon
mkdir -p "$c/config" "$c/lexicon"
cp data/demo/medkg.conf "$c/config/demo.conf"
grep -v '^\(umls\|input\|images\|images_dir\) *=' data/demo/medkg.conf >"$c/config/no-paths.conf"
cp data/context_lexicon.tsv "$c/lexicon/context_lexicon.tsv"

# OpenKE: entity2id, relation2id, train2id, valid2id, test2id, NUL separated
mkdir -p "$c/openke"
printf '4\n/m/a\t0\n/m/b\t1\n/m/c\t2\n/m/d\t3\n\0002\n/r/x\t0\n/r/y\t1\n\0003\n0 1 0\n1 2 0\n2 3 1\n\0001\n0 2 1\n\0001\n3 0 0\n' \
	>"$c/openke/small"
printf '2\nC1\t0\tLung\nC2\t1\tPleural effusion\n\0001\nfinding_site_of\t0\n\0001\n0\t1\t0\n' \
	>"$c/openke/arl"

# .npy: a (3, 2) float32 array, as npy_write writes it
mkdir -p "$c/npy"
python3 - "$c/npy/a.npy" <<'EOF'
import struct, sys
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"
h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
    f.write(struct.pack("<6f", -1, -0.5, 0, 0.5, 1, 1.5))
EOF

# sample pools (first byte: options; 0 a pool, 1 an int32 .npy): a pool of
# 4 samples with its mining state, as split_out_save writes it, and a (3, 2)
# int32 array
mkdir -p "$c/pool"
python3 - "$c/pool" <<'EOF'
import struct, sys
d = sys.argv[1]
keys, group, off, ents = [11, 22, 33, 44], [0, 0, 1, 2], [0, 1, 3, 3, 5], [0, 1, 2, 3, 4]
ring, deep = [2, 0, 3, 1], [1]
with open(d + "/pool", "wb") as f:
    f.write(b"\0MKGPOOL2" + struct.pack("<4Q", len(keys), len(ents), len(ring), len(deep)))
    f.write(struct.pack("<4Q", *keys) + struct.pack("<4I", *group) + struct.pack("<5Q", *off))
    f.write(struct.pack("<5i", *ents) + struct.pack("<4i", *ring) + struct.pack("<1i", *deep))
h = "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }"
h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
with open(d + "/npy", "wb") as f:
    f.write(b"\1\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode())
    f.write(struct.pack("<6i", 0, 1, -1, 2, 1, 0))
EOF

# images: the demo's PNGs (the JPEGs are committed)
mkdir -p "$c/image"
cp data/demo/images/CXR9003_IM-0003-1001.png data/demo/images/CXR9003_IM-0003-2001.png "$c/image/"

# boxes
mkdir -p "$c/boxes"
printf 'image_id,region,x1,y1,x2,y2\nimg1,left lung,10,10,140,250\nimg1,cardiac silhouette,96,144,192,240\nimg2,right lung,0,0,500,700\n3_IM-0001-4001,whole image,0,0,512,512\n' \
	>"$c/boxes/boxes"
printf 'img1,left lung,0,0,288,288\nimg1,left lung,1,1,2,2\n' >"$c/boxes/duplicate"

# the cached dictionary: its own block (0), raw frames (1), edits of the
# real block (2)
mkdir -p "$c/dict"
printf '\000MKDICT\000\000\003\000\000\000' >"$c/dict/block"
printf '\001\000\000\001\000\000\000\000\000\050\265\057\375\040\004\041\000\000\001\000\000' >"$c/dict/frames"
printf '\002\020\000\000\000\001\044\000\000\000\377' >"$c/dict/edits"
printf '\002' >"$c/dict/real"
echo "seeds written to $c"
