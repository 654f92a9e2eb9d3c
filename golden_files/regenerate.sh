#!/usr/bin/env bash
# Regenerate the golden files: compile every COBOL program in golden_files/src with GnuCOBOL,
# run it, keep the data file it WRITEs and turn what it DISPLAYs into <name>.expected.jsonl.
#
#   golden_files/regenerate.sh [OUTPUT_DIR]     (default: golden_files/ itself)
#
# Needs cobc (GnuCOBOL 3.1.2, Debian package gnucobol3) and python3. The expected values come
# only from the programs' DISPLAY output; nothing here imports legacyio.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
OUT="${1:-$HERE}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

if ! command -v cobc >/dev/null 2>&1; then
    echo "regenerate.sh: cobc (GnuCOBOL) not found; install gnucobol3" >&2
    exit 3
fi

BUILD="$(mktemp -d "${TMPDIR:-/tmp}/legacyio-golden.XXXXXX")"
trap 'rm -rf "$BUILD"' EXIT

# Runtime settings that change what GnuCOBOL writes: pin them.
export COB_VARSEQ_FORMAT=0      # variable records: 2-byte big-endian length (no prefix) + 2 zero bytes
unset COB_FILE_PATH COB_SYNC COB_LS_FIXED COB_LS_NULLS || true

python3 "$HERE/tools/make_tables.py" "$BUILD/cp037tab.cpy"

# Flags every program is compiled with: IBM binary sizes (2/4/8 bytes for 1-4/5-9/10-18 digits).
COMMON=(-x -std=default -fbinary-size=2-4-8 -I "$REPO/copybooks/golden" -I "$BUILD")
# Mainframe-like files: EBCDIC zoned signs (C/D zones once converted to cp037), big-endian COMP.
EBCDIC=(-fsign=EBCDIC -fbinary-byteorder=big-endian)
# The ASCII file: GnuCOBOL's ASCII signs (negative last digit X'70'-X'79'), native COMP
# (little-endian on x86-64).
ASCII=(-fsign=ASCII -fbinary-byteorder=native)

# build NAME SOURCE FLAGS...: compile SOURCE, run it in $BUILD, copy NAME.dat and convert the
# DISPLAY output into NAME.expected.jsonl.
build() {
    local name="$1" source="$2"
    shift 2
    cobc "${COMMON[@]}" "$@" -o "$BUILD/$name" "$HERE/cobol/$source"
    (cd "$BUILD" && "./$name" > "$name.display")
    [ -f "$BUILD/$name.dat" ] || { echo "regenerate.sh: $source did not write $name.dat" >&2; exit 1; }
    cp "$BUILD/$name.dat" "$OUT/$name.dat"
    python3 "$HERE/tools/display_to_jsonl.py" "$BUILD/$name.display" "$OUT/$name.expected.jsonl"
    echo "$name: $(wc -c < "$OUT/$name.dat") bytes, $(wc -l < "$OUT/$name.expected.jsonl") records"
}

build taxpayer_ebcdic  taxpayer.cbl "${EBCDIC[@]}" -D GOLDEN-EBCDIC
build taxpayer_ascii   taxpayer.cbl "${ASCII[@]}"
build txnmodule_ebcdic txnmodule.cbl "${EBCDIC[@]}"
build business_ebcdic  business.cbl "${EBCDIC[@]}"
build numerics_ebcdic  numerics.cbl "${EBCDIC[@]}"
