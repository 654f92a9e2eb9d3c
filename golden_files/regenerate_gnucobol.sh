#!/usr/bin/env bash
# Regenerate the GnuCOBOL golden files (tax_master, tax_master_ascii, txn_modules, biz_master).
#
# Usage: golden_files/regenerate_gnucobol.sh [OUTPUT_DIR]     (default: golden_files/)
#
# Compiles every program in golden_files/cobol/ with the flags below into a temporary build
# directory, runs it (no input, 60 s limit), and writes into OUTPUT_DIR:
#   <name>.dat             the data file the program WRITEs
#   <name>.expected.jsonl  what the program DISPLAYed, converted by tools/display_to_jsonl.py
# The manifests (<name>.json) are written by hand and are not touched.
# Needs GnuCOBOL 3.1 (cobc) and python3; nothing here imports legacyio.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
OUT="${1:-$HERE}"
PYTHON="${PYTHON:-python3}"

if ! command -v cobc >/dev/null 2>&1; then
    echo "regenerate_gnucobol.sh: cobc (GnuCOBOL) not found; install it (Debian: gnucobol3)" >&2
    exit 3
fi

mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
BUILD="$(mktemp -d "${TMPDIR:-/tmp}/legacyio-gnucobol.XXXXXX")"
trap 'rm -rf "$BUILD"' EXIT

# Latin-1 -> cp037 tables, COPYed by the programs that write EBCDIC files.
"$PYTHON" "$HERE/tools/make_tables.py" "$BUILD/cp037tab.cpy"

# IBM-sized, big-endian COMP/BINARY (2/4/8 bytes for 1-4/5-9/10-18 digits).
# COMP-5 stays little-endian (x86 native) whatever these flags say.
COMMON_FLAGS=(-x -std=default -fbinary-size=2-4-8 -fbinary-byteorder=big-endian
              -I "$BUILD" -I "$ROOT/copybooks/golden")
EBCDIC_FLAGS=(-fsign=EBCDIC -D GOLDEN-EBCDIC)   # zoned signs as C/D zones after translation
ASCII_FLAGS=(-fsign=ASCII)                    # negative last digit X'70'-X'79'

# Variable-length sequential files: 4-byte prefix, 2-byte big-endian length (without the
# prefix) then two zero bytes.
export COB_VARSEQ_FORMAT=0

# build_run NAME PROGRAM FLAGS...: compile PROGRAM, run it in the build dir, collect NAME.*
build_run() {
    local name="$1" program="$2"
    shift 2
    cobc "${COMMON_FLAGS[@]}" "$@" -o "$BUILD/$name" "$HERE/cobol/$program.cbl"
    (cd "$BUILD" && timeout 60 "./$name" </dev/null >"$name.display")
    if [ ! -s "$BUILD/$name.dat" ]; then
        echo "regenerate_gnucobol.sh: $program did not write $name.dat" >&2
        exit 1
    fi
    "$PYTHON" "$HERE/tools/display_to_jsonl.py" "$BUILD/$name.display" \
        "$OUT/$name.expected.jsonl"
    cp "$BUILD/$name.dat" "$OUT/$name.dat"
}

build_run tax_master        tax_master "${EBCDIC_FLAGS[@]}"
build_run tax_master_ascii  tax_master "${ASCII_FLAGS[@]}"
build_run txn_modules       txn_modules "${EBCDIC_FLAGS[@]}"
build_run biz_master        biz_master "${EBCDIC_FLAGS[@]}"
