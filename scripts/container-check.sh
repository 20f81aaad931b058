#!/usr/bin/env bash
# The image, checked without a container engine (CI has none that can run, and no image registry).
#
# What it does: reads the Dockerfile, replays its install steps into a throwaway root (the COPY
# lines, `pip install uv==<pin>`, the system-deps.sh step (Debian packages: this host's, installed
# through that script only), the `uv sync` RUN lines verbatim, with /app and /opt/venv moved under
# the root), then runs the image's own commands there as a non-root user, with tini as PID 1 of a
# fresh PID namespace when root can make one:
#   ENTRYPOINT + CMD + --once    against the simulated government web (one small source)
#   HEALTHCHECK CMD              must say ok (exit 0)
#   ENTRYPOINT + `schedule`      then SIGTERM to tini: must exit 0 within the stop bound
# What it does not prove: the base image (python:3.11-slim) and the apt steps are this host's
# Debian and Python, not the image's; nothing runs under an engine's seccomp or cgroup limits.
# It removes only what it made: the throwaway root and the processes it started (the host's apt lists
# and the uv and pip caches stay). A failure ends with the step that failed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
python=${PYTHON:-/usr/bin/python3.11}  # Debian's, readable by the image's user (a pyenv's under /root is not)
stop_bound=30  # seconds from SIGTERM to exit when no job runs

say() { echo "container-check: $*"; }
current_step="making the throwaway root"
step() { current_step=$1; say "$1"; }
root=$(mktemp -d /tmp/kuaixun-image-XXXX)
sim_pid=""
running=""
finish() {
    local status=$?
    for pid in $running $sim_pid; do kill "$pid" 2>/dev/null || true; done
    rm -rf "$root"
    if [ "$status" -ne 0 ]; then say "FAILED at step: $current_step (exit $status)" >&2; fi
}
trap finish EXIT
chmod 755 "$root"

step "reading the Dockerfile"
# The Dockerfile, read: its ENV, COPY, RUN lines (continuations joined) and exec-form commands.
"$python" - "$repo/Dockerfile" "$root/dockerfile.json" <<'PY'
import json, re, sys
lines, current = [], ""
for raw in open(sys.argv[1], encoding="utf-8"):
    line = raw.rstrip("\n")
    if not current and (not line.strip() or line.lstrip().startswith("#")):
        continue
    if line.endswith("\\"):
        current += line[:-1] + " "
        continue
    lines.append((current + line).strip())
    current = ""
parsed = {"env": {}, "copy": [], "run": [], "workdir": "/"}
for line in lines:
    word, _, rest = line.partition(" ")
    word = word.upper()
    if word == "ENV":
        parsed["env"].update(dict(re.findall(r"(\w+)=(\S+)", rest)))
    elif word == "COPY":
        *sources, dest = rest.split()
        parsed["copy"].append({"sources": sources, "dest": dest, "workdir": parsed["workdir"]})
    elif word == "RUN":
        parsed["run"].append(rest)
    elif word == "WORKDIR":
        parsed["workdir"] = rest
    elif word in ("ENTRYPOINT", "CMD", "USER"):
        parsed[word.lower()] = json.loads(rest) if rest.startswith("[") else rest
    elif word == "HEALTHCHECK":
        parsed["healthcheck"] = json.loads(rest.split(" CMD ", 1)[1])
json.dump(parsed, open(sys.argv[2], "w"))
PY
field() { "$python" -c "import json,sys; d=json.load(open('$root/dockerfile.json')); print(eval(sys.argv[1]))" "$1"; }

step "COPY: the files the image gets, under the throwaway root"
"$python" - "$root" <<'PY'
import json, shutil, sys
from pathlib import Path
root = Path(sys.argv[1])
for copy in json.load(open(root / "dockerfile.json"))["copy"]:
    dest = copy["dest"] if copy["dest"].startswith("/") else f"{copy['workdir']}/{copy['dest']}"
    target = root / dest.lstrip("/")
    for source in copy["sources"]:
        src = Path(source)
        into = target / src.name if copy["dest"].endswith("/") or len(copy["sources"]) > 1 else target
        if src.is_dir():
            shutil.copytree(src, into, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
        else:
            into.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, into)
PY

step "RUN pip install uv==<pin>: into a base environment, as the image's Python does"
uv_pin=$(field "next(r for r in d['run'] if 'pip install' in r).split('uv==')[1].split()[0]")
"$python" -m venv "$root/base"
"$root/base/bin/pip" install --quiet --disable-pip-version-check "uv==$uv_pin"
say "uv $uv_pin installed"

# RUN bash scripts/system-deps.sh …: the image's copy of the script, on this host's Debian (the step's
# `rm -rf /var/lib/apt/lists/*` is left out: the host's apt lists are not this check's).
deps=$(field "next(r for r in d['run'] if 'system-deps.sh' in r).split(' && ')[0]")
step "RUN $deps"
(cd "$root/app" && bash -c "$deps")
command -v tini >/dev/null || { say "the system-deps step left no tini: cannot run the ENTRYPOINT"; exit 1; }

# RUN uv sync …: the Dockerfile's commands verbatim, /opt/venv and /app moved under the root.
export UV_PROJECT_ENVIRONMENT="$root/opt/venv" UV_PYTHON="$python" UV_LINK_MODE=copy
export TZ=$(field "d['env']['TZ']") PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
while IFS= read -r sync; do
    step "RUN ${sync%% &&*}"
    (cd "$root/app" && PATH="$root/base/bin:$PATH" bash -c "${sync%% &&*}")
done < <(field "'\n'.join(r for r in d['run'] if r.startswith('uv sync'))")
test -n "$(find "$root/opt/venv/lib" -name '*.cpython-311.pyc' -path '*/site-packages/kuaixun/*' -print -quit)" \
    || { say "uv sync --compile-bytecode left no bytecode"; exit 1; }
mkdir -p "$root/app/data" "$root/app/out"
export PATH="$root/opt/venv/bin:$PATH"

step "USER: the image's user (from here on the commands run as it, when this is root)"
user=$(field "d['user']")
as_user=()
if [ "$(id -u)" -eq 0 ]; then
    chown -R "$user" "$root/app/data" "$root/app/out"
    as_user=(setpriv --reuid="$user" --regid="$user" --clear-groups -- env -i "PATH=$PATH" "TZ=$TZ" HOME=/tmp LANG=C.UTF-8)
fi
pid1=()
if [ "$(id -u)" -eq 0 ] && unshare --pid --fork --mount-proc true 2>/dev/null; then
    # tini is PID 1, as in the container; --kill-child: killing unshare (cleanup) ends the namespace.
    pid1=(unshare --pid --fork --kill-child --mount-proc)
    say "the image's commands run in a new PID namespace: tini is PID 1"
else
    say "no new PID namespace here: tini runs, but not as PID 1"
fi

# The simulated government web (the image's code, the project's seed issues beside it), and the
# image's config.yaml pointed at one small source on it.
step "the simulated government web and the image's config.yaml pointed at it"
KUAIXUN_SEEDS_DIR=${KUAIXUN_SEEDS_DIR:-$(dirname "$repo")/shared/seeds} kuaixun sim --state "$root/sim.json" \
    >"$root/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 600); do [ -s "$root/sim.json" ] && break; sleep 0.1; done
test -s "$root/sim.json" || { say "the simulator did not start"; cat "$root/sim.log"; exit 1; }
"$root/opt/venv/bin/python" - "$root/app/config.yaml" "$root/sim.json" <<'PY'
import json, sys, yaml
path, sites = sys.argv[1], json.load(open(sys.argv[2]))["sites"]
raw = yaml.safe_load(open(path, encoding="utf-8"))
raw["sources"] = [{**s, "listing_url": sites[s["name"]]["listing_url"]} for s in raw["sources"] if s["name"] == "gxt-ln"]
raw["crawl"] = {**raw.get("crawl", {}), "download_delay": 0, "obey_robots": False, "crawl_timeout": 300}
raw |= {"channels": {}, "subscribers": [], "subscriptions": []}
yaml.safe_dump(raw, open(path, "w", encoding="utf-8"), allow_unicode=True)
PY

in_image() {  # one of the image's exec-form commands, /app moved under the root
    local -a command=()
    for word in "$@"; do command+=("${word//\/app\//$root/app/}"); done
    "${pid1[@]}" "${as_user[@]}" "${command[@]}"
}
mapfile -t entrypoint < <(field "'\n'.join(d['entrypoint'])")
mapfile -t cmd < <(field "'\n'.join(d['cmd'])")
mapfile -t health < <(field "'\n'.join(d['healthcheck'])")

step "ENTRYPOINT CMD --once: ${entrypoint[*]} ${cmd[*]} --once"
(cd "$root/app" && in_image "${entrypoint[@]}" "${cmd[@]}" --once) 2>&1 | tee "$root/once.log"
grep -q "gxt-ln .* ok " "$root/once.log" || { say "the crawl did not run"; exit 1; }

step "HEALTHCHECK: ${health[*]}"
(cd "$root/app" && in_image "${health[@]}")

step "SIGTERM to tini running ${entrypoint[*]} schedule"
(cd "$root/app" && exec "${pid1[@]}" "${as_user[@]}" "${entrypoint[@]//\/app\//$root/app/}" schedule) \
    >"$root/stop.log" 2>&1 &
running=$!
for _ in $(seq 1 1200); do grep -q "SIGTERM or Ctrl-C to stop" "$root/stop.log" && break; sleep 0.1; done
grep -q "next crawl: " "$root/stop.log" || { say "schedule did not start"; cat "$root/stop.log"; exit 1; }
signalled=$(date +%s)
# What the engine signals: tini (unshare's child, PID 1 of its namespace; else the process itself).
target=$running
if [ ${#pid1[@]} -gt 0 ]; then target=$(pgrep -P "$running"); fi
kill -TERM "$target"
status=0
wait "$running" || status=$?
running=""
took=$(($(date +%s) - signalled))
cat "$root/stop.log"
if [ "$status" -ne 0 ] || [ "$took" -gt "$stop_bound" ] || ! grep -q "stopped" "$root/stop.log"; then
    say "SIGTERM: exit $status after ${took} s (want 0 within ${stop_bound} s)"
    exit 1
fi
say "ok: installed as the Dockerfile says, crawled once, healthy, stopped on SIGTERM in ${took} s"
