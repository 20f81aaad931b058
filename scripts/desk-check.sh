#!/usr/bin/env bash
# Eye check of the editor's desk: screenshots of /next as a phone (420 px) and a desktop (1280 px)
# show it, on the demo store, logged in with the demo account.
#
#   scripts/desk-check.sh [--demo]
#
#   --demo   run `kuaixun demo` first (done anyway when demo/data/demo.yaml is missing)
#
# Serves the desk (`create_app`, as `kuaixun web` does) on a free loopback port, drives Debian's
# headless chromium through Playwright, and writes to demo/out/desk-check/:
#   next-phone.png     /next, full page, 420 px wide
#   next-desktop.png   /next, full page, 1280 px wide
#   notice-phone.png   the first notice's extracted text, 420 px wide
#   login-phone.png    the login page, 420 px wide
# Look for text running out of its card, buttons that wrap badly, badges hiding titles.
set -euo pipefail
cd "$(dirname "$0")/.."

KUAIXUN=.venv/bin/kuaixun
CONFIG=demo/data/demo.yaml
CHECK=demo/out/desk-check

case "${1:-}" in
    --demo) run_demo=yes ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    "") run_demo=no ;;
    *) echo "desk-check: unknown argument $1" >&2; exit 2 ;;
esac
command -v chromium >/dev/null || { echo "desk-check: chromium missing; run scripts/system-deps.sh" >&2; exit 1; }
if [ "$run_demo" = yes ] || [ ! -f "$CONFIG" ]; then
    "$KUAIXUN" demo --workdir demo >/dev/null
fi
mkdir -p "$CHECK"

.venv/bin/python - "$CONFIG" "$CHECK" <<'PY'
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from kuaixun.config import load_config
from kuaixun.demo import DEMO_EDITOR, DEMO_PASSWORD
from kuaixun.web.app import create_app
from kuaixun.web.auth import check_web_config
from store.db import Database
from tests.browser import QUIET_FLAGS
from tests.delivery_support import free_port

config = load_config(Path(sys.argv[1]))
check = Path(sys.argv[2])
check_web_config(config)
db = Database(config.store.url)
port = free_port()
server = uvicorn.Server(uvicorn.Config(create_app(config, db), host="127.0.0.1", port=port, log_level="warning"))
threading.Thread(target=server.run, daemon=True).start()
deadline = time.monotonic() + 30
while not server.started:
    if time.monotonic() > deadline:
        sys.exit("desk-check: the desk did not start")
    time.sleep(0.05)
base = f"http://127.0.0.1:{port}"
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=list(QUIET_FLAGS))
    for name, width in (("phone", 420), ("desktop", 1280)):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        page.goto(f"{base}/next")
        if name == "phone":
            page.screenshot(path=str(check / "login-phone.png"), full_page=True)
        page.fill("#user", DEMO_EDITOR)
        page.fill("#password", DEMO_PASSWORD)
        page.click("form.login button[type=submit]")
        page.wait_for_url(f"{base}/next")
        page.screenshot(path=str(check / f"next-{name}.png"), full_page=True)
        if name == "phone":
            page.locator("a.title").first.click()
            page.wait_for_load_state()
            page.screenshot(path=str(check / "notice-phone.png"), full_page=True)
    browser.close()
server.should_exit = True
db.close()
print(f"desk-check: {len(list(check.glob('*.png')))} PNGs in {check}/")
PY
