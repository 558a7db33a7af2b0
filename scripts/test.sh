#!/usr/bin/env bash
# The whole suite: lint, then pytest on SQLite, then on PostgreSQL when it is
# reachable. With CI=true a missing PostgreSQL fails the run instead of skipping.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL="${LIDGELD_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
ran=()
failed=0

echo "== system parts"
# LibreOffice reads our XLSX files back as an independent second reader; Debian's
# package, installed here when we may (root with apt), never downloaded by a test.
if ! command -v soffice >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing LibreOffice Calc (headless) from Debian's packages"
    (apt-get install -y -qq libreoffice-calc-nogui >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libreoffice-calc-nogui >/dev/null 2>&1; }) || echo "could not install LibreOffice"
fi
if [ "${CI:-}" = "true" ] && ! command -v soffice >/dev/null 2>&1; then
    echo "LibreOffice (soffice) is required in CI but missing"; failed=1
fi
# Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium"
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }) || echo "could not install chromium"
fi
# The catalogue tests compile the .po files and extract the marked strings with GNU
# gettext (msgfmt, xgettext), as makemessages does.
if ! command -v msgfmt >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing GNU gettext"
    (apt-get install -y -qq gettext >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq gettext >/dev/null 2>&1; }) || echo "could not install gettext"
fi
# axe-core (accessibility checks of the portal) comes from the npm package, pinned
# in package-lock.json.
if [ ! -f node_modules/axe-core/axe.min.js ]; then
    echo "installing axe-core from npm"
    npm ci --no-audit --no-fund --silent || echo "could not install axe-core"
fi

echo "== lint: ruff, mypy and the import contracts"
if ! { $BIN/ruff check src tests bench && $BIN/ruff format --check src tests bench && $BIN/mypy && $BIN/lint-imports; }; then
    echo "lint failed"; failed=1
fi

echo "== tests on SQLite"
if env -u DATABASE_URL $BIN/pytest -q -p no:cacheprovider "$@"; then ran+=("sqlite: passed"); else ran+=("sqlite: FAILED"); failed=1; fi

if $BIN/python scripts/pg_reachable.py "$PG_URL"; then
    echo "== tests on PostgreSQL ($PG_URL)"
    if DATABASE_URL="$PG_URL" $BIN/pytest -q -p no:cacheprovider "$@"; then ran+=("postgresql: passed"); else ran+=("postgresql: FAILED"); failed=1; fi
elif [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is required in CI but not reachable at $PG_URL"
    ran+=("postgresql: NOT REACHABLE (required in CI)"); failed=1
else
    echo "PostgreSQL not reachable at $PG_URL: the PostgreSQL run is left out (set LIDGELD_TEST_POSTGRES_URL)"
    ran+=("postgresql: not run (not reachable)")
fi

echo "== databases the suite ran on"
printf '   %s\n' "${ran[@]}"
exit $failed
