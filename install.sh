#!/bin/sh
# Install statusline from this checkout (or from a built wheel, --wheel) into an isolated
# environment, put `statusline` on PATH, and point Claude Code's statusLine at it
# (`statusline install`).
#
# The environment is, in order of preference: `uv tool install` (when uv is on PATH),
# `pipx install` (when pipx is), else a private venv in the user data directory with a
# symlink in ~/.local/bin. Running it again reinstalls the package and changes nothing else.
set -eu

SOURCE_DIR=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd -P)

YES=0
DRY_RUN=0
PREFIX=""
METHOD=""
SCOPE="user"
WIRE=1
WHEEL=""
PYTHON=${PYTHON:-python3}
# Options passed through to `statusline install`, one per line.
PASS_THROUGH=""

usage() {
    cat <<EOF
Usage: ./install.sh [options]

Install statusline from this checkout (or from a built wheel) into an isolated
environment and add it to Claude Code's settings.json (as \`statusline install\` does).

Options:
  -y, --yes               Do not ask for confirmation.
  -n, --dry-run           Print what would be done; change nothing.
  --prefix DIR            Install into a private venv at DIR (implies --method venv).
                          Default venv: \${XDG_DATA_HOME:-~/.local/share}/statusline/venv
  --wheel FILE            Install this built wheel (python -m build; dist/*.whl)
                          instead of the checkout.
  --method METHOD         uv, pipx or venv (default: uv if on PATH, else pipx, else venv).
  --scope SCOPE           Settings to edit: user (default), project or local.
  --refresh-interval N    Re-run the line every N seconds while idle (default 10;
                          passed to statusline install).
  --force                 Replace a statusLine that runs something else instead of keeping
                          it (passed through).
  --row own|shared        Where our line goes when another status line is kept: its own
                          row (default) or the end of theirs (passed through).
  --no-settings           Install the command only; leave settings.json alone.
  -h, --help              Show this help.

Environment:
  PYTHON                  The Python 3.11+ to use (default: python3).
EOF
}

info() { printf '%s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$1" >&2
    if [ $# -gt 1 ]; then printf 'hint: %s\n' "$2" >&2; fi
    exit 1
}

# Run a command, or only print it with --dry-run.
run() {
    if [ "$DRY_RUN" -eq 1 ]; then
        printf 'would run:'
        printf ' %s' "$@"
        printf '\n'
    else
        "$@"
    fi
}

need_value() {
    if [ $# -lt 2 ] || [ -z "$2" ]; then die "$1 needs a value" "see ./install.sh --help"; fi
}

add_pass_through() {
    PASS_THROUGH="$PASS_THROUGH$1
"
}

while [ $# -gt 0 ]; do
    case "$1" in
        -h | --help) usage; exit 0 ;;
        -y | --yes) YES=1 ;;
        -n | --dry-run) DRY_RUN=1 ;;
        --prefix) need_value "$@"; PREFIX=$2; shift ;;
        --prefix=*) PREFIX=${1#*=} ;;
        --wheel) need_value "$@"; WHEEL=$2; shift ;;
        --wheel=*) WHEEL=${1#*=} ;;
        --method) need_value "$@"; METHOD=$2; shift ;;
        --method=*) METHOD=${1#*=} ;;
        --scope) need_value "$@"; SCOPE=$2; shift ;;
        --scope=*) SCOPE=${1#*=} ;;
        --refresh-interval) need_value "$@"; add_pass_through "--refresh-interval=$2"; shift ;;
        --refresh-interval=*) add_pass_through "$1" ;;
        --force) add_pass_through "--force" ;;
        --row) need_value "$@"; add_pass_through "--row=$2"; shift ;;
        --row=*) add_pass_through "$1" ;;
        --no-settings) WIRE=0 ;;
        *) die "unknown option: $1" "see ./install.sh --help" ;;
    esac
    shift
done

case "$SCOPE" in
    user | project | local) ;;
    *) die "--scope must be user, project or local (got '$SCOPE')" ;;
esac

if [ -z "${HOME:-}" ]; then die "HOME is not set; statusline installs per user, under HOME"; fi
DATA_HOME=${XDG_DATA_HOME:-$HOME/.local/share}
BIN_DIR=$HOME/.local/bin

# What to install: the checkout, or a wheel given by path (made absolute: the installers
# run from other directories).
PACKAGE=$SOURCE_DIR
if [ -n "$WHEEL" ]; then
    case "$WHEEL" in
        *.whl) ;;
        *) die "--wheel needs a .whl file (got '$WHEEL')" "build one with: python3 -m build --wheel" ;;
    esac
    if [ ! -f "$WHEEL" ]; then
        die "no such wheel: $WHEEL" "build one with: python3 -m build --wheel (it lands in dist/)"
    fi
    case "$WHEEL" in
        /*) PACKAGE=$WHEEL ;;
        *) PACKAGE=$(pwd -P)/$WHEEL ;;
    esac
fi

# --- Python ---------------------------------------------------------------------------
if ! command -v "$PYTHON" >/dev/null 2>&1; then
    die "$PYTHON was not found" "install Python 3.11 or newer, or set PYTHON=/path/to/python3.11"
fi
PYTHON_PATH=$(command -v "$PYTHON")
PYTHON_VERSION=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) ||
    die "$PYTHON_PATH does not run" "set PYTHON=/path/to/python3.11"
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
    die "statusline needs Python 3.11 or newer; $PYTHON_PATH is $PYTHON_VERSION" \
        "install Python 3.11+ and run again with PYTHON=/path/to/python3.11"
fi

# --- How to install ----------------------------------------------------------------------
if [ -n "$PREFIX" ]; then
    if [ -n "$METHOD" ] && [ "$METHOD" != venv ]; then die "--prefix only goes with --method venv"; fi
    METHOD=venv
    case "$PREFIX" in
        /*) ;;
        *) PREFIX=$(pwd -P)/$PREFIX ;;  # the ~/.local/bin symlink needs an absolute target
    esac
fi
if [ -z "$METHOD" ]; then
    if command -v uv >/dev/null 2>&1; then
        METHOD=uv
    elif command -v pipx >/dev/null 2>&1; then
        METHOD=pipx
    else
        METHOD=venv
    fi
fi
case "$METHOD" in
    uv | pipx) command -v "$METHOD" >/dev/null 2>&1 || die "$METHOD is not on PATH" ;;
    venv)
        VENV=${PREFIX:-$DATA_HOME/statusline/venv}
        if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
            die "$PYTHON_PATH cannot create a venv (no ensurepip)" \
                "install the venv module (Debian/Ubuntu: sudo apt install python3-venv), or install uv or pipx"
        fi
        ;;
    *) die "--method must be uv, pipx or venv (got '$METHOD')" ;;
esac

case "$METHOD" in
    uv) WHERE="a uv tool environment (uv tool install)" ;;
    pipx) WHERE="a pipx environment (pipx install)" ;;
    venv) WHERE="a private venv at $VENV, linked from $BIN_DIR/statusline" ;;
esac

info "statusline installer"
info "  source:   $PACKAGE"
info "  python:   $PYTHON_PATH ($PYTHON_VERSION)"
info "  into:     $WHERE"
if [ "$WIRE" -eq 1 ]; then
    info "  settings: statusline install --scope $SCOPE (shows the change, keeps a backup)"
fi

if [ "$YES" -eq 0 ] && [ "$DRY_RUN" -eq 0 ]; then
    if [ -t 0 ]; then
        printf 'Continue? [y/N] '
        read -r answer || answer=""
        case "$answer" in
            y | Y | yes | YES) ;;
            *) die "nothing was installed" ;;
        esac
    else
        die "not a terminal, so cannot ask for confirmation (nothing was installed)" \
            "to install without being asked, add --yes: $0 --yes"
    fi
fi

# --- Install -----------------------------------------------------------------------------
# The package is installed as a copy (not editable) and its .pyc files compiled: every
# status-line call is a fresh process, and compiling on each call would cost the budget
# (PYTHONDONTWRITEBYTECODE, often set in dev shells, would stop Python caching them).
compile_package() {
    env_python=$1
    package_dir=$("$env_python" -I -c 'import os, statusline; print(os.path.dirname(statusline.__file__))')
    run "$env_python" -I -m compileall -q "$package_dir" >/dev/null
    # The call's and the hook's modules in one file each (statusline/bundle.py): the first
    # call is then served from it rather than writing it after answering.
    for entry in call hook; do
        run "$env_python" -I -c "from statusline import bundle_build; bundle_build.prepare('$entry')" \
            >/dev/null || true
    done
}

case "$METHOD" in
    uv)
        run uv tool install --reinstall --compile-bytecode --python "$PYTHON_PATH" "$PACKAGE"
        COMMAND_DIR=$(uv tool dir --bin)
        ENV_PYTHON=$(uv tool dir)/statusline/bin/python
        ;;
    pipx)
        run pipx install --force --python "$PYTHON_PATH" "$PACKAGE"
        COMMAND_DIR=$(pipx environment --value PIPX_BIN_DIR)
        ENV_PYTHON=$(pipx environment --value PIPX_LOCAL_VENVS)/statusline/bin/python
        ;;
    venv)
        # Reuse the venv when its Python still runs and is new enough; otherwise rebuild it.
        if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; then
            run "$PYTHON" -m venv --clear "$VENV"
        fi
        # A wheel of the version already there is reinstalled too (a rebuilt wheel keeps it).
        if [ -n "$WHEEL" ]; then
            run "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade \
                --force-reinstall "$PACKAGE"
        else
            run "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "$PACKAGE"
        fi
        ENV_PYTHON=$VENV/bin/python
        COMMAND_DIR=$BIN_DIR
        LINK=$BIN_DIR/statusline
        if [ -e "$LINK" ] && [ ! -L "$LINK" ]; then
            warn "$LINK exists and is not a symlink; leaving it alone"
            COMMAND_DIR=$VENV/bin
        else
            run mkdir -p "$BIN_DIR"
            run ln -sfn "$VENV/bin/statusline" "$LINK"
        fi
        ;;
esac
if [ "$DRY_RUN" -eq 0 ]; then
    compile_package "$ENV_PYTHON"
fi
STATUSLINE=$COMMAND_DIR/statusline

# --- Wire into Claude Code ------------------------------------------------------------------
if [ "$WIRE" -eq 1 ]; then
    # One pass-through option per line; no option contains a newline or a space.
    # shellcheck disable=SC2086
    set -- $PASS_THROUGH
    if [ "$DRY_RUN" -eq 1 ]; then
        run "$STATUSLINE" install --scope "$SCOPE" "$@"
    elif ! "$STATUSLINE" install --scope "$SCOPE" "$@"; then
        printf '\n' >&2
        die "statusline is installed ($STATUSLINE), but Claude Code's settings were not changed" \
            "see the error above, then run: $STATUSLINE install"
    fi
fi

# --- What next ---------------------------------------------------------------------------
info ""
if [ "$DRY_RUN" -eq 1 ]; then
    info "Dry run: nothing was changed."
    exit 0
fi
info "Installed: $STATUSLINE"
DOCTOR="statusline doctor"
case ":$PATH:" in
    *":$COMMAND_DIR:"*) ;;
    *)
        DOCTOR="$STATUSLINE doctor"
        info ""
        if [ "$WIRE" -eq 1 ]; then
            info "$COMMAND_DIR is not on your PATH. The status line works anyway: Claude Code"
            info "runs it by its full path. To type \`statusline\` in a shell, add the directory"
            info "to PATH (e.g. in ~/.profile or your shell's rc file):"
        else
            info "$COMMAND_DIR is not on your PATH. Add it (e.g. in ~/.profile or your shell's rc file):"
        fi
        info "    export PATH=\"$COMMAND_DIR:\$PATH\""
        ;;
esac
info ""
info "Next: open Claude Code; the line appears with the first reply."
info "Check the setup any time with: $DOCTOR"
